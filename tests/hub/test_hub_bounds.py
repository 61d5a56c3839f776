"""The answers bound, counted only now and then, still refuses exactly at the
limit in one hub process (``muse.hub.bounds``), on a real SQLite store."""

from __future__ import annotations

import pathlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muse.hub import bounds
from muse.storage import live as tables
from muse.storage.sqlite import SqliteStore


@contextmanager
def _store() -> Iterator[tuple[SqliteStore, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(pathlib.Path(tmp) / "hub.sqlite3")
        try:
            store.create_repo("o", "r", "o", False, 0.0)
            repo = store.get_repo("o", "r")
            assert repo is not None
            yield store, repo.id
        finally:
            store.close()


def _kept(store: SqliteStore, repo_id: int, handle: str) -> int:
    with store.live_transaction(repo_id, write=False) as tx:
        return tables.count_capped(tx, "live_answers", "handle=?", (handle,), 10**9)


# A step: ("grant", handle) or ("forget", handle, how many of its answers go).
_steps = st.lists(st.one_of(
    st.tuples(st.just("grant"), st.sampled_from(["a", "b"])),
    st.tuples(st.just("forget"), st.sampled_from(["a", "b"]), st.integers(1, 5)),
), max_size=60)


@settings(max_examples=40, deadline=None)
@given(limit=st.integers(1, 12), steps=_steps)
def test_refused_exactly_when_the_limit_is_reached(limit: int, steps: list[tuple[str, str] | tuple[str, str, int]]) -> None:
    bounds.configure(answers_per_identity=limit)
    try:
        with _store() as (store, repo_id):
            n = 0
            for step in steps:
                handle = step[1]
                if step[0] == "forget":
                    with store.live_transaction(repo_id) as tx:
                        tx.execute("DELETE FROM live_answers WHERE repo_id=? AND request_id IN"
                                   " (SELECT request_id FROM live_answers WHERE repo_id=? AND"
                                   " handle=? LIMIT ?)", (repo_id, repo_id, handle, step[2]))
                    continue
                before = _kept(store, repo_id, handle)
                n += 1
                try:
                    with store.live_transaction(repo_id) as tx:
                        bounds.check_answers(tx, handle)
                        tables.remember_answer(tx, f"req-{n}", handle, "{}", 1e12, 0.0)
                except bounds.LimitReached:
                    assert before >= limit  # refused only when the limit is really reached
                else:
                    assert before < limit  # granted only below it
                assert _kept(store, repo_id, handle) <= limit
    finally:
        bounds.configure(answers_per_identity=bounds.MAX_ANSWERS_PER_IDENTITY)


def test_far_from_the_limit_most_grants_do_not_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the allowance: with room for 1,000 answers, 100 grants count a handful of times."""
    counts = 0
    real = tables.count_capped

    def counting(*args: object, **kwargs: object) -> int:
        nonlocal counts
        counts += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    bounds.configure(answers_per_identity=1000)
    monkeypatch.setattr(tables, "count_capped", counting)
    try:
        with _store() as (store, repo_id):
            for i in range(100):
                with store.live_transaction(repo_id) as tx:
                    bounds.check_answers(tx, "a")
                    tables.remember_answer(tx, f"req-{i}", "a", "{}", 1e12, 0.0)
    finally:
        bounds.configure(answers_per_identity=bounds.MAX_ANSWERS_PER_IDENTITY)
    assert 1 <= counts <= 3, counts
