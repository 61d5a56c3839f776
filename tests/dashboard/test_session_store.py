"""The store's dashboard sign-in methods, on SQLite and PostgreSQL (one schema per test).

What :mod:`muse.hub.dashboard.sessions` relies on: generations that only go
up (one per caller, however many race), session rows that stay until they
expire (revoked or not), and a per-handle limit that holds under races.
"""

from __future__ import annotations

import pathlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from muse.storage.base import DashboardSession, HubStore


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[HubStore]:
    if request.param == "sqlite":
        from muse.storage.sqlite import SqliteStore

        s: HubStore = SqliteStore(tmp_path / "hub.sqlite3")
        yield s
        s.close()
        return
    from muse.storage.postgres import PostgresStore
    from tests.storage.pg import drop_schema, new_schema, pg_dsn

    dsn, schema = pg_dsn(), new_schema()
    s = PostgresStore(dsn, schema=schema, max_size=12)
    try:
        yield s
    finally:
        s.close()
        drop_schema(dsn, schema)


def _repo(store: HubStore) -> int:
    assert store.create_repo("alice", "linux", "alice", False, 1.0)
    repo = store.get_repo("alice", "linux")
    assert repo is not None
    return repo.id


def _session(repo_id: int, cap: str, handle: str = "bob", expires: float = 1000.0,
             **kw: Any) -> DashboardSession:
    return DashboardSession(cap, repo_id, handle, kw.pop("generation", 0), kw.pop("created", 10.0),
                            expires, **kw)


def test_generations_start_at_zero_and_only_go_up(store: HubStore) -> None:
    rid = _repo(store)
    assert store.dashboard_generation(rid, "bob") == (0, 0.0)
    assert store.end_dashboard_sessions(rid, "bob", 50.0) == 1
    assert store.end_dashboard_sessions(rid, "bob", 60.5) == 2
    assert store.dashboard_generation(rid, "bob") == (2, 60.5)
    assert store.dashboard_generation(rid, "carol") == (0, 0.0)  # per handle


def test_concurrent_ends_each_get_their_own_generation(store: HubStore) -> None:
    rid = _repo(store)
    got: list[int] = []
    lock = threading.Lock()

    def end() -> None:
        g = store.end_dashboard_sessions(rid, "bob", 5.0)
        with lock:
            got.append(g)

    threads = [threading.Thread(target=end) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 9))


def test_sessions_are_kept_revoked_until_they_expire(store: HubStore) -> None:
    rid = _repo(store)
    s = _session(rid, "cap-a", expires=100.0, generation=3)
    assert store.add_dashboard_session(s, 20.0, limit=4)
    assert store.get_dashboard_session("cap-a") == s
    assert store.add_dashboard_session(_session(rid, "cap-a", generation=9), 20.0, limit=4)
    assert store.get_dashboard_session("cap-a") == s  # a known capability is not replaced
    assert store.revoke_dashboard_session("cap-a")
    got = store.get_dashboard_session("cap-a")
    assert got is not None and got.revoked
    assert not store.revoke_dashboard_session("nothing")
    # Expired rows go when the next sign-in is stored, on any repository.
    assert store.add_dashboard_session(_session(rid, "cap-b", handle="carol", expires=500.0),
                                       101.0, limit=4)
    assert store.get_dashboard_session("cap-a") is None
    assert store.get_dashboard_session("cap-b") is not None


def test_the_limit_counts_every_unexpired_session_of_a_handle(store: HubStore) -> None:
    rid = _repo(store)
    for i in range(3):
        assert store.add_dashboard_session(_session(rid, f"cap-{i}"), 20.0, limit=3)
    store.revoke_dashboard_session("cap-0")  # signed out, still remembered, still counted
    assert not store.add_dashboard_session(_session(rid, "cap-3"), 20.0, limit=3)
    assert store.get_dashboard_session("cap-3") is None
    assert store.add_dashboard_session(_session(rid, "cap-c", handle="carol"), 20.0, limit=3)


def test_the_limit_holds_under_racing_sign_ins(store: HubStore) -> None:
    rid = _repo(store)
    results: list[bool] = []
    lock = threading.Lock()

    def add(i: int) -> None:
        ok = store.add_dashboard_session(_session(rid, f"race-{i}"), 20.0, limit=5)
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 5
    assert sum(store.get_dashboard_session(f"race-{i}") is not None for i in range(10)) == 5
