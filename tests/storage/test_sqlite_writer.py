"""SqliteStore.submit: calls run on one writer thread, batched in one transaction.

Each call's writes stay atomic on their own (a failing one rolls back alone),
callers hear back only after the batch committed, and another process holding
the file's write lock makes the writer wait, never the event loop.
"""

from __future__ import annotations

import asyncio
import pathlib
import sqlite3
import threading
import time
from typing import Any

import pytest

from muse.storage.base import HubStore, StoreBusy
from muse.storage.sqlite import SqliteStore


def _repos(path: pathlib.Path) -> set[str]:
    """Repositories as another connection (another process) sees them: committed only."""
    conn = sqlite3.connect(path)
    try:
        return {f"{o}/{s}" for o, s in conn.execute("SELECT owner, slug FROM hub_repos")}
    finally:
        conn.close()


@pytest.fixture
def store(tmp_path: pathlib.Path) -> Any:
    s = SqliteStore(tmp_path / "hub.sqlite3")
    yield s
    s.close()


def test_a_batch_commits_once_and_a_failing_call_rolls_back_alone(
        store: SqliteStore, tmp_path: pathlib.Path) -> None:
    db = tmp_path / "hub.sqlite3"
    seen_inside: list[set[str]] = []
    threads: set[str] = set()
    gate = threading.Event()

    def block() -> None:  # holds the writer so the next calls queue up as one batch
        gate.wait(10)

    def create(slug: str) -> bool:
        threads.add(threading.current_thread().name)
        return store.create_repo("o", slug, "o", False, time.time())

    def create_then_fail(slug: str) -> None:
        with store._write() as conn:
            conn.execute("INSERT INTO hub_repos (owner, slug, created_by, public, created_at)"
                         " VALUES ('o', ?, 'o', 0, 0)", (slug,))
            raise ValueError("refused after writing")

    def look() -> None:
        seen_inside.append(_repos(db))

    async def main() -> list[Any]:
        first = asyncio.ensure_future(store.submit(block))
        await asyncio.sleep(0.1)
        calls = [store.submit(create, "a"), store.submit(create_then_fail, "b"),
                 store.submit(create, "c"), store.submit(look)]
        later = asyncio.gather(*calls, return_exceptions=True)
        await asyncio.sleep(0.05)
        gate.set()
        await first
        return await later

    a, b, c, _ = asyncio.run(main())
    assert a is True and c is True
    assert isinstance(b, ValueError)
    # Inside the batch nothing was committed yet: no caller could have been answered.
    assert seen_inside == [set()]
    assert _repos(db) == {"o/a", "o/c"}
    assert threads == {"muse-sqlite-writer"}
    stats = store.stats(time.time())
    assert stats["writer_calls_total"] == 5 and 2 <= stats["writer_batches_total"] <= 3


def test_reads_inside_a_batch_see_the_batch_and_live_decisions_nest(store: SqliteStore) -> None:
    from muse.storage.base import decide_live

    store.create_repo("o", "r", "o", False, time.time())
    repo = store.get_repo("o", "r")
    assert repo is not None

    def decide() -> int:
        def bump(tx: Any) -> int:
            return int(tx.next_token())

        first = decide_live(store, repo.id, bump)
        with store.live_transaction(repo.id, write=False) as tx:
            fence = int(tx.fence())
        return first * 1000 + fence

    async def main() -> list[int]:
        return list(await asyncio.gather(*(store.submit(decide) for _ in range(5))))

    got = asyncio.run(main())
    tokens = sorted(v // 1000 for v in got)
    assert tokens == list(range(tokens[0], tokens[0] + 5))  # five distinct, consecutive tokens
    assert all(v // 1000 == v % 1000 for v in got)  # each read saw its own decision


def test_another_process_holding_the_lock_makes_the_writer_wait_not_the_loop(
        store: SqliteStore, tmp_path: pathlib.Path) -> None:
    other = sqlite3.connect(tmp_path / "hub.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def main() -> bool:
        tick = asyncio.ensure_future(ticker())
        call = asyncio.ensure_future(store.submit(store.create_repo, "o", "w", "o", False, 0.0))
        await asyncio.sleep(0.5)
        assert not call.done()  # waiting for the other writer …
        assert ticks >= 10  # … while the event loop kept running
        other.execute("COMMIT")
        done = await call
        tick.cancel()
        return done

    try:
        assert asyncio.run(main()) is True
    finally:
        other.close()


def test_a_batch_that_cannot_begin_answers_store_busy(tmp_path: pathlib.Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import muse.storage.sqlite as mod

    monkeypatch.setattr(mod, "_BUSY_TIMEOUT_MS", 200)
    s = SqliteStore(tmp_path / "hub.sqlite3")
    other = sqlite3.connect(tmp_path / "hub.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:

        async def main() -> Any:
            return await asyncio.gather(s.submit(s.create_repo, "o", "x", "o", False, 0.0),
                                        return_exceptions=True)

        (got,) = asyncio.run(main())
        assert isinstance(got, StoreBusy)
    finally:
        other.execute("COMMIT")
        other.close()
        s.close()
    assert _repos(tmp_path / "hub.sqlite3") == set()


def test_close_finishes_queued_calls_then_refuses(tmp_path: pathlib.Path) -> None:
    s = SqliteStore(tmp_path / "hub.sqlite3")

    async def main() -> None:
        got = await asyncio.gather(*(s.submit(s.create_repo, "o", f"r{i}", "o", False, 0.0)
                                     for i in range(20)))
        assert all(got)
        s.close()
        with pytest.raises(RuntimeError, match="closed"):
            await s.submit(s.ping)

    asyncio.run(main())
    assert len(_repos(tmp_path / "hub.sqlite3")) == 20


def test_the_default_submit_runs_in_a_worker_thread(store: SqliteStore) -> None:
    async def main() -> str:
        return await HubStore.submit(store, lambda: threading.current_thread().name)

    assert asyncio.run(main()) != threading.main_thread().name
