"""The store contract on PostgreSQL (one schema per test, dropped afterwards).

Needs the server at ``$MUSE_TEST_PG_DSN`` (default
``postgresql://postgres@127.0.0.1:5432/test``). Skipped when it is absent,
unless ``MUSE_REQUIRE_PG=1`` (CI), where its absence fails the run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.storage.contract import StoreContract, rows
from tests.storage.live_contract import LiveContract
from tests.storage.pg import drop_schema, new_schema, pg_dsn

pytestmark = pytest.mark.postgres

@pytest.fixture
def store() -> Iterator[object]:
    from muse.storage.postgres import PostgresStore

    dsn = pg_dsn()
    schema = new_schema()
    s = PostgresStore(dsn, schema=schema, max_size=12)
    try:
        yield s
    finally:
        s.close()
        drop_schema(dsn, schema)


class TestPostgresStore(StoreContract, LiveContract):
    def test_two_stores_share_one_database(self) -> None:
        """Several hub processes on one PostgreSQL: numbering stays shared and gap-free."""
        from muse.storage.postgres import PostgresStore

        dsn, schema = pg_dsn(), new_schema()
        a = PostgresStore(dsn, schema=schema)
        b = PostgresStore(dsn, schema=schema)
        try:
            assert a.create_repo("alice", "linux", "alice", False, 1.0)
            assert not b.create_repo("alice", "linux", "alice", False, 1.0)
            repo = b.get_repo("alice", "linux")
            assert repo is not None
            assert a.insert_records(repo.id, rows(5)).last_seq == 5
            assert b.insert_records(repo.id, rows(8)).inserted == 3
            assert a.fetch_records(repo.id, 0, None, 100).cursor == 8
            assert a.remember_signature(b"x", 1e12, 0.0) and not b.remember_signature(b"x", 1e12, 0.0)
        finally:
            a.close()
            b.close()
            drop_schema(dsn, schema)


def test_open_store_picks_postgres_and_masks_passwords() -> None:
    from muse.storage import describe_url, open_store
    from muse.storage.postgres import PostgresStore

    assert describe_url("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
    dsn, schema = pg_dsn(), new_schema()
    s = open_store(dsn, schema=schema)
    try:
        assert isinstance(s, PostgresStore)
    finally:
        s.close()
        drop_schema(dsn, schema)


def test_invalid_schema_name_is_refused() -> None:
    from muse.storage.postgres import PostgresStore

    with pytest.raises(ValueError):
        PostgresStore(pg_dsn(), schema='x"; drop table y; --')


def test_a_store_of_the_earlier_layout_is_migrated_keeping_its_numbers() -> None:
    """Records numbered under the old repository lock keep their numbers; new
    ones are numbered after commit, after them, and starting twice migrates once."""
    import psycopg

    from muse.storage.postgres import PostgresStore
    from muse.storage.schema import hub_schema

    dsn, schema = pg_dsn(), new_schema()
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            conn.execute(f'SET search_path TO "{schema}"')
            for stmt in hub_schema(integer="BIGINT", real="DOUBLE PRECISION", blob="BYTEA",
                                   serial_key="BIGSERIAL PRIMARY KEY", flag="BOOLEAN",
                                   false="FALSE"):
                conn.execute(stmt)
            conn.execute("INSERT INTO hub_repos (owner, slug, created_by, created_at, last_seq)"
                         " VALUES ('alice', 'linux', 'alice', 1.0, 3)")
            for i, r in enumerate(rows(3), 1):
                conn.execute("INSERT INTO hub_records (repo_id, seq, kind, record_id, body)"
                             " SELECT id, %s, %s, %s, %s FROM hub_repos", (i, r.kind, r.record_id,
                                                                        r.body))
        for _ in range(2):
            PostgresStore(dsn, schema=schema).close()
        store = PostgresStore(dsn, schema=schema)
        try:
            repo = store.get_repo("alice", "linux")
            assert repo is not None and repo.last_seq == 3
            got = store.insert_records(repo.id, rows(5))  # 3 known, 2 new
            assert (got.inserted, got.skipped, got.last_seq) == (2, 3, 5)
            page = store.fetch_records(repo.id, 0, None, 100)
            assert page.bodies == [r.body for r in rows(5)] and page.cursor == 5
        finally:
            store.close()
    finally:
        drop_schema(dsn, schema)


def test_last_seq_follows_live_records_without_a_pull(store: object) -> None:
    """Live decisions store records unnumbered; the store numbers them in the
    background, so the repository's last_seq (the dashboard's change check)
    moves without anyone pulling."""
    import time

    from muse.hub import lessor as live
    from muse.storage.postgres import PostgresStore

    assert isinstance(store, PostgresStore)
    assert store.create_repo("alice", "bg", "alice", False, 1.0)
    repo = store.get_repo("alice", "bg")
    assert repo is not None and repo.last_seq == 0
    with store.live_transaction(repo.id) as tx:
        live.reserve(tx, 1e9, "h", "run-a", ["f.c"], 60.0, None)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = store.get_repo("alice", "bg")
        if now is not None and now.last_seq == 1:
            break
        time.sleep(0.05)
    assert now is not None and now.last_seq == 1


def test_opening_a_store_beside_a_serving_hub_does_not_deadlock() -> None:
    """Opening a store (a second hub, ``muse hub prune``) on a database in use.

    Regression: schema creation ran in one transaction, so its ``CREATE INDEX
    IF NOT EXISTS`` statements held share locks on several tables at once; a
    serving hub's transaction writing those tables in another order deadlocked
    with it and one of them was aborted.
    """
    import threading
    import time

    import psycopg

    from muse.storage.postgres import PostgresStore

    dsn, schema = pg_dsn(), new_schema()
    PostgresStore(dsn, schema=schema).close()
    opened: list[BaseException | None] = []
    try:
        with psycopg.connect(dsn) as writer:
            writer.execute(f'SET search_path TO "{schema}"')
            # A hub transaction: it writes live_tasks, then (below) live_reservations.
            writer.execute("UPDATE live_tasks SET blocked=0 WHERE repo_id=-1")

            def open_store() -> None:
                try:
                    PostgresStore(dsn, schema=schema).close()
                    opened.append(None)
                except BaseException as exc:
                    opened.append(exc)

            t = threading.Thread(target=open_store)
            t.start()
            with psycopg.connect(dsn, autocommit=True) as watch:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not watch.execute(
                        "SELECT 1 FROM pg_stat_activity WHERE wait_event_type='Lock'"
                        " AND query LIKE 'CREATE INDEX%live_tasks%'").fetchone():
                    time.sleep(0.05)
            writer.execute("UPDATE live_reservations SET token=0 WHERE repo_id=-1")
            writer.commit()
            t.join(60)
        assert opened == [None]
    finally:
        drop_schema(dsn, schema)


@pytest.fixture
def one_conn_store() -> Iterator[object]:
    """A store whose decisions all run on one pooled connection."""
    from muse.storage.postgres import PostgresStore

    dsn, schema = pg_dsn(), new_schema()
    s = PostgresStore(dsn, schema=schema, max_size=1)
    try:
        yield s
    finally:
        s.close()
        drop_schema(dsn, schema)


def _decide_twice(store: object, rid: int, decide: object) -> list[object]:
    from muse.storage.base import decide_live

    return [decide_live(store, rid, decide) for _ in range(3)]  # type: ignore[arg-type]


def test_decisions_outlive_their_prepared_statements_being_dropped(one_conn_store: object) -> None:
    """A decision's statements are prepared on the connection after their first
    use; if the session loses them (DEALLOCATE ALL), the next decision is run
    again and prepares them afresh instead of failing."""
    from muse.hub import lessor as live

    store: object = one_conn_store
    assert store.create_repo("alice", "q", "alice", False, 1.0)  # type: ignore[attr-defined]
    rid = store.get_repo("alice", "q").id  # type: ignore[attr-defined]
    answers = _decide_twice(store, rid, lambda tx: live.heartbeat(tx, 1e9, "h", "run-a", 60.0))
    assert all(a["run_id"] == "run-a" for a in answers)  # type: ignore[index]
    with store._pool.connection() as conn:  # type: ignore[attr-defined]
        assert conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0] > 0
        conn.execute("DEALLOCATE ALL")
    again = _decide_twice(store, rid, lambda tx: live.heartbeat(tx, 1e9 + 1, "h", "run-a", 60.0))
    assert [a["expires_in"] for a in again] == [60.0] * 3  # type: ignore[index]
    with store._pool.connection() as conn:  # type: ignore[attr-defined]
        assert conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0] > 0


def test_a_statement_the_server_cannot_prepare_still_runs(one_conn_store: object) -> None:
    """Parameter types the server cannot infer make PREPARE fail: that statement
    stays unprepared (sent with its values inline) and every decision still runs."""
    store: object = one_conn_store
    assert store.create_repo("alice", "q", "alice", False, 1.0)  # type: ignore[attr-defined]
    rid = store.get_repo("alice", "q").id  # type: ignore[attr-defined]
    got = _decide_twice(store, rid, lambda tx: tx.execute("SELECT ? + ?", (2, 3)).fetchone()[0])
    assert got == [5, 5, 5]
    got = _decide_twice(store, rid, lambda tx: tx.execute("SELECT ?::int * 2", (4,)).fetchone()[0])
    assert got == [8, 8, 8]
    with store._pool.connection() as conn:  # type: ignore[attr-defined]
        prepared = [r[0] for r in conn.execute("SELECT statement FROM pg_prepared_statements")]
    assert any("$1::int * 2" in p for p in prepared) and not any("+ $2" in p for p in prepared)


def test_a_decision_that_reads_nothing_is_one_round_trip(one_conn_store: object) -> None:
    """BEGIN, the writes and COMMIT travel together; a refused decision that read
    nothing sends nothing (its writes are dropped, not rolled back)."""
    from muse.storage.postgres import _LiveTx

    store: object = one_conn_store
    assert store.create_repo("alice", "q", "alice", False, 1.0)  # type: ignore[attr-defined]
    rid = store.get_repo("alice", "q").id  # type: ignore[attr-defined]
    sent: list[int] = []
    orig = _LiveTx.flush

    def flush(self: _LiveTx, last: str | None = None) -> None:
        sent.append(len(self._waiting) + (last is not None))
        orig(self, last)

    _LiveTx.flush = flush  # type: ignore[method-assign]
    try:
        with store.live_transaction(rid) as tx:  # type: ignore[attr-defined]
            tx.execute("INSERT INTO live_repos (repo_id, mode) VALUES (?, 'strict')", (rid,))
            tx.execute("UPDATE live_repos SET fence_seq = 7 WHERE repo_id = ?", (rid,))
        with pytest.raises(RuntimeError), store.live_transaction(rid) as tx:  # type: ignore[attr-defined]
            tx.execute("UPDATE live_repos SET fence_seq = 8 WHERE repo_id = ?", (rid,))
            raise RuntimeError("refused")
    finally:
        _LiveTx.flush = orig  # type: ignore[method-assign]
    assert sent == [4]  # BEGIN, INSERT, UPDATE, COMMIT in one round trip; nothing for the refusal
    with store.live_transaction(rid, write=False) as tx:  # type: ignore[attr-defined]
        assert tx.execute("SELECT mode, fence_seq FROM live_repos WHERE repo_id = ?",
                          (rid,)).fetchone() == ("strict", 7)
