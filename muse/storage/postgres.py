"""PostgreSQL hub store: psycopg 3 with a connection pool; several hubs may share it.

Nothing serialises on a repository. A live decision locks what it decides
about (``docs/live.md``, "Scaling out"): the run's row, the task row it
claims (``FOR UPDATE SKIP LOCKED``: claimers never queue behind each other),
the addresses it reserves (transaction-scoped advisory locks, exclusive on
each address and shared on its enclosing scopes, taken in key order);
fencing tokens come from the sequence ``live_fence``.

Bus records are stored unnumbered (``seq IS NULL``) by the transaction that
writes them, with no lock, and numbered *after* they committed by
:meth:`PostgresStore._number`: under a per-repository advisory lock held to
its own commit, it gives the committed unnumbered rows ``last_seq + 1 …`` and
advances ``last_seq`` in the same transaction. A row that commits later is
numbered by a later numbering, above every number given before, so a pull
cursor (``seq > cursor AND seq <= last_seq``, both read in one snapshot) can
never be overtaken by a late commit. Pulls and pushes number before they
answer, and each store numbers in the background every 0.1 s (so ``last_seq``
follows without pulls).

- Schema creation runs under an advisory lock, so hubs starting together do
  not race on ``CREATE TABLE IF NOT EXISTS``; it also migrates a store made
  by an earlier version (``hub_records`` gains its numbering columns).
- ``schema=`` puts the tables in their own PostgreSQL schema (tests use one
  per run).

psycopg and psycopg_pool are imported when a store is constructed, never at
import time of the package.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from muse.storage.base import (
    PERMISSIONS,
    DashboardSession,
    HubStore,
    Identity,
    InsertResult,
    Page,
    RecordRow,
    Repo,
    StoreBusy,
    StoreConflict,
    check_text,
    fresh_rows,
    has_nul,
)
from muse.storage.schema import LIVE_LEASES_SQL, LIVE_TASKS_SQL, STATS_SQL, hub_schema

__all__ = ["PostgresStore"]

_PRUNE_EVERY = 512
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_MIGRATE_LOCK = 0x6D757365  # "muse": advisory lock key for schema creation
_PRUNE_LOCK = 0x6D757370  # advisory lock key: one retention pass at a time per database

_NUMBER_EVERY = 0.1  # seconds between background numberings
_NUMBER_LOCK = 0x6E756D62  # "numb": (this, repo id) is the repository's numbering lock

SCHEMA = hub_schema(integer="BIGINT", real="DOUBLE PRECISION", blob="BYTEA",
                     serial_key="BIGSERIAL PRIMARY KEY", flag="BOOLEAN", false="FALSE") + (
    # Fencing tokens: one sequence, so a grant touches no shared row.
    "CREATE SEQUENCE IF NOT EXISTS live_fence",
)
# Run once on a store without hub_records.n (new, or made by an earlier version):
# records are numbered after commit (see the module docstring), so seq may be
# NULL until then, and `n` orders the unnumbered ones in insertion order.
_NUMBER_AFTER_COMMIT = (
    "ALTER TABLE hub_records ADD COLUMN n BIGSERIAL",
    "ALTER TABLE hub_records DROP CONSTRAINT IF EXISTS hub_records_pkey",
    "ALTER TABLE hub_records ALTER COLUMN seq DROP NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_records_seq ON hub_records (repo_id, seq)",
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_records_n ON hub_records (n)",
    "CREATE INDEX IF NOT EXISTS hub_records_unnumbered ON hub_records (repo_id, n)"
    " WHERE seq IS NULL",
)

# One statement for a batch of bus records: unnest() of parallel arrays is far
# cheaper than a statement per row. A known (kind, record_id) is skipped by the
# unique key, also against a concurrent insert of the same id (it waits for it),
# and so is one retention pruned: a re-push must not bring it back.
_APPEND_SQL = (
    "INSERT INTO hub_records (repo_id, kind, record_id, body)"
    " SELECT ?, k, r, b FROM unnest(?::text[], ?::text[], ?::bytea[]) AS t(k, r, b)"
    " WHERE NOT EXISTS (SELECT 1 FROM hub_pruned p WHERE p.repo_id = ? AND p.kind = t.k"
    " AND p.record_id = t.r)"
    " ON CONFLICT (repo_id, kind, record_id) DO NOTHING")

# Outside a decision, binary array parameters (%b) skip text-array quoting.
_APPEND_BINARY = _APPEND_SQL.replace("?::", "%b::").replace("?", "%s")

_SQL_CACHE: dict[str, str] = {}


def _pg_sql(sql: str) -> str:
    """``?`` parameters (the shared live SQL) → psycopg's ``%s``."""
    out = _SQL_CACHE.get(sql)
    if out is None:
        out = _SQL_CACHE[sql] = sql.replace("?", "%s")
    return out


def _address_key(repo_id: int, address: str) -> int:
    """The advisory lock key of *address* in a repository (a signed 64-bit hash;
    a collision only makes two transactions wait for each other)."""
    from hashlib import blake2b

    digest = blake2b(f"{repo_id}\n{address}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_MAX_PREPARED = 256  # prepared statements per connection


class _Prepared:
    """The statements prepared on one pooled connection, and those worth preparing.

    A decision's statements travel as one query string, which the server
    would parse and plan anew each time. So each statement a connection runs
    is prepared on it (``PREPARE``, parameter types inferred by the server),
    before the next transaction that connection begins — outside any
    transaction, so a statement the server cannot prepare only stays
    unprepared — and is then sent as ``EXECUTE name(literals)``.
    """

    __slots__ = ("names", "refused", "wanted")

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.wanted: set[str] = set()
        self.refused: set[str] = set()

    def statement(self, sql: str, n_params: int) -> str:
        """The text to send for *sql* (``?`` parameters) with *n_params* parameters."""
        name = self.names.get(sql)
        if name is not None:
            return f"EXECUTE {name}({','.join(['%s'] * n_params)})" if n_params else f"EXECUTE {name}"
        if (sql not in self.refused and len(self.names) + len(self.wanted) < _MAX_PREPARED
                and not sql.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "ROLLBACK"))):
            self.wanted.add(sql)
        return _pg_sql(sql)

    def prepare(self, conn: Any) -> None:
        """Prepare the wanted statements on *conn*, outside a transaction."""
        import psycopg

        wanted, self.wanted = self.wanted, set()
        for sql in sorted(wanted):
            parts = sql.split("?")
            numbered = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
            name = f"muse_live_{len(self.names)}"
            try:
                conn.execute(f"PREPARE {name} AS {numbered}")
            except psycopg.Error:
                self.refused.add(sql)
            else:
                self.names[sql] = name


class _Result:
    """What a statement of a :class:`_LiveTx` returned, read when first asked for.

    Asking for its rows (or its row count) sends the statements still
    waiting, this one last, in one round trip.
    """

    __slots__ = ("__weakref__", "_rowcount", "_rows", "_tx")

    def __init__(self, tx: _LiveTx) -> None:
        self._tx = tx
        self._rows: list[Any] | None = None
        self._rowcount = -1

    def _ready(self) -> list[Any]:
        if self._tx._waiting:
            self._tx.flush()
        return self._rows if self._rows is not None else []

    def fetchone(self) -> Any:
        rows = self._ready()
        return rows[0] if rows else None

    def fetchall(self) -> list[Any]:
        return self._ready()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._ready())

    @property
    def rowcount(self) -> int:
        self._ready()
        return self._rowcount


class _LiveTx:
    """``muse.storage.live.LiveTx`` on a pooled connection (READ COMMITTED).

    Locks are row locks and advisory locks, held until commit; each statement
    sees what committed before it started, so a check made after taking a
    lock sees the work of the transaction that held it before.

    Round trips: a statement is not sent when it is executed but when its
    result is first read, together with every statement executed before it,
    as one query string (parameters bound client-side by psycopg, statements
    run in order by the server, one after the other). So ``BEGIN`` travels
    with the first read, the writes nobody reads (an advisory lock, inserts,
    updates) with the next read, and the last writes with ``COMMIT``: a
    decision costs one round trip per read it depends on. The server still
    runs each statement after the ones before it, so a statement sees the
    locks and writes of its predecessors; an error surfaces at the next read
    or at commit and rolls the whole transaction back, as before. A
    transaction that never read anything and fails sends nothing at all.
    """

    row_lock = " FOR UPDATE"
    share_lock = " FOR SHARE"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, conn: Any, repo_id: int, begin: str, prepared: _Prepared) -> None:
        import psycopg

        self.conn, self.repo_id, self._prepared = conn, repo_id, prepared
        self._cur = psycopg.ClientCursor(conn)
        self._waiting: list[tuple[str, Sequence[Any], weakref.ref[_Result] | None]] = [
            (begin, (), None)]
        self.opened = False  # BEGIN was sent

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if has_nul(params):
            check_text(*params)
        out = _Result(self)
        self._waiting.append((sql, params, weakref.ref(out)))
        return out

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            if has_nul(row):
                check_text(*row)
            self._waiting.append((sql, row, None))

    def flush(self, last: str | None = None) -> None:
        """Send every waiting statement (then *last*, e.g. ``COMMIT``) in one round
        trip, and keep each result somebody may still read."""
        waiting, self._waiting = self._waiting, []
        if last is not None:
            waiting.append((last, (), None))
        if not waiting:
            return
        params: list[Any] = []
        texts: list[str] = []
        statement = self._prepared.statement
        for q, p, _ in waiting:
            texts.append(statement(q, len(p)))
            params.extend(p)
        cur = self._cur
        self.opened = True
        cur.execute(";".join(texts), params)
        for n, (_, _, ref) in enumerate(waiting):
            if n:
                cur.nextset()
            res = None if ref is None else ref()
            if res is not None:
                res._rows = cur.fetchall() if cur.description is not None else []
                res._rowcount = cur.rowcount

    def append_records(self, rows: Sequence[RecordRow]) -> int:
        """Sent with the next read or the commit: the count is not waited for (the
        lessor never reads it), so it is the count of fresh rows asked to store."""
        fresh = fresh_rows(rows, set())
        if fresh:
            self.execute(_APPEND_SQL, (self.repo_id, [r.kind for r in fresh],
                                       [r.record_id for r in fresh], [r.body for r in fresh],
                                       self.repo_id))
        return len(fresh)

    def next_token(self) -> int:
        return int(self.execute("SELECT nextval('live_fence')").fetchone()[0])

    def fence(self) -> int:
        row = self.execute("SELECT last_value, is_called FROM live_fence").fetchone()
        return int(row[0]) if row[1] else 0

    def lock_addresses(self, held: Sequence[str], scopes: Sequence[str]) -> None:
        keys: dict[int, bool] = {_address_key(self.repo_id, a): False for a in scopes}
        keys.update((_address_key(self.repo_id, a), True) for a in held)
        if not keys:
            return
        order = sorted(keys)  # one global order: no two transactions wait in a cycle
        # unnest() yields the rows in array order, and each row takes its lock then.
        # Not read back: the statements after it run once it holds every lock.
        self.execute(
            "SELECT CASE WHEN x THEN pg_advisory_xact_lock(k)::text"
            " ELSE pg_advisory_xact_lock_shared(k)::text END"
            " FROM unnest(?::bigint[], ?::boolean[]) AS t(k, x)",
            (order, [keys[k] for k in order]))


class PostgresStore(HubStore):
    """A :class:`~muse.storage.base.HubStore` on PostgreSQL."""

    backend = "postgresql"

    def __init__(self, dsn: str, *, schema: str | None = None, min_size: int = 1,
                 max_size: int = 10, timeout: float = 30.0) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"invalid PostgreSQL schema name {schema!r}")
        self.dsn = dsn
        self.schema = schema
        self._psycopg = psycopg
        self._sig_calls = 0
        self._sig_lock = threading.Lock()
        self._stop = threading.Event()
        self._known_repos: set[int] = set()
        self._prepared: weakref.WeakKeyDictionary[Any, _Prepared] = weakref.WeakKeyDictionary()
        # One direct connection first: a wrong DSN fails here at once with the
        # server's reason, instead of as a pool timeout later.
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
            if schema is not None:
                conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATE_LOCK,))
                try:
                    conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATE_LOCK,))

        def configure(conn: Any) -> None:
            if schema is not None:
                conn.execute(f'SET search_path TO "{schema}"')
                conn.commit()

        self._pool = ConnectionPool(dsn, min_size=min_size, max_size=max_size, timeout=timeout,
                                    # Autocommit: a single read is one round trip (no
                                    # BEGIN/COMMIT); _conn() opens its transactions itself.
                                    # No prepared statements of psycopg's own: on a
                                    # rollback it drops every statement of the session
                                    # (DEALLOCATE ALL), the decisions' too (_Prepared).
                                    configure=configure, kwargs={"autocommit": True,
                                                                 "prepare_threshold": None},
                                    open=True, name="muse-hub")
        try:
            # One transaction per statement: DDL in one transaction would hold
            # share locks on several tables at once and deadlock with a serving
            # hub writing them in another order (a second hub, `muse hub prune`).
            for stmt in SCHEMA:
                with self._conn() as conn:
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
                    conn.execute(stmt)
            with self._conn() as conn:  # once per database, before any hub serves it
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
                if conn.execute("SELECT 1 FROM information_schema.columns WHERE table_schema ="
                                " current_schema() AND table_name = 'hub_records'"
                                " AND column_name = 'n'").fetchone() is None:
                    for stmt in _NUMBER_AFTER_COMMIT:
                        conn.execute(stmt)
        except BaseException:
            self._pool.close()
            raise
        self._numberer = threading.Thread(target=self._number_in_background,
                                          name="muse-numberer", daemon=True)
        self._numberer.start()

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        """A pooled connection inside one transaction (committed on success).

        Raises:
            StoreBusy: no connection within the pool timeout, or the server went away.
        """
        with self._translated(), self._pool.connection() as conn, conn.transaction():
            yield conn

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """The database's failures as the store's: no connection or the server
        gone → StoreBusy; a lost race (deadlock, serialization, unique key) →
        StoreConflict, which :func:`~muse.storage.base.decide_live` retries."""
        from psycopg_pool import PoolTimeout

        try:
            yield
        except PoolTimeout as exc:
            raise StoreBusy(f"no database connection available ({exc})") from exc
        except (self._psycopg.errors.TransactionRollback,  # deadlock, serialization failure
                self._psycopg.errors.UniqueViolation) as exc:
            raise StoreConflict(f"transaction lost a race ({str(exc).strip()[:200]})") from exc
        except self._psycopg.OperationalError as exc:
            raise StoreBusy(f"database unavailable ({str(exc).strip()[:200]})") from exc

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """A pooled connection for one read statement, outside a transaction
        (autocommit: one round trip, no ``BEGIN``/``COMMIT``).

        Raises:
            StoreBusy: as :meth:`_conn`.
        """
        with self._translated(), self._pool.connection() as conn:
            yield conn

    def ping(self) -> None:
        with self._read() as conn:
            conn.execute("SELECT 1").fetchone()

    def close(self) -> None:
        self._stop.set()
        # Its transaction ends before the pool closes: a store's tables can be
        # dropped right after close() without meeting a numbering in progress.
        if self._numberer is not threading.current_thread():
            self._numberer.join(timeout=10)
        self._pool.close()

    def _number_in_background(self) -> None:
        """Every :data:`_NUMBER_EVERY` s, number what live decisions committed, so
        ``last_seq`` (repository info, the dashboard's change check, stats)
        follows within a moment even when nobody pulls. Pulls number anyway."""
        while not self._stop.wait(_NUMBER_EVERY):
            try:
                with self._conn() as conn:
                    repos = [int(r[0]) for r in conn.execute(
                        "SELECT DISTINCT repo_id FROM hub_records WHERE seq IS NULL").fetchall()]
                for repo_id in repos:
                    self._number(repo_id)
            except Exception:  # a busy or closing database: try next time
                continue

    # ── identities ──
    def create_identity(self, handle: str, public_key: str, now: float) -> bool:
        check_text(handle, public_key)
        with self._conn() as conn:
            cur = conn.execute(
                "INSERT INTO hub_identities (handle, public_key, created_at) VALUES (%s,%s,%s)"
                " ON CONFLICT (handle) DO NOTHING", (handle, public_key, now))
            return bool(cur.rowcount == 1)

    def get_identity(self, handle: str) -> Identity | None:
        if has_nul((handle,)):
            return None
        with self._read() as conn:
            row = conn.execute(
                "SELECT handle, public_key, created_at FROM hub_identities WHERE handle=%s",
                (handle,)).fetchone()
        return Identity(*row) if row else None

    # ── repositories ──
    def create_repo(self, owner: str, slug: str, created_by: str, public: bool, now: float) -> bool:
        check_text(owner, slug, created_by)
        with self._conn() as conn:
            row = conn.execute(
                "INSERT INTO hub_repos (owner, slug, created_by, public, created_at)"
                " VALUES (%s,%s,%s,%s,%s) ON CONFLICT (owner, slug) DO NOTHING RETURNING id",
                (owner, slug, created_by, public, now)).fetchone()
            if row is None:
                return False
            conn.execute("INSERT INTO hub_members (repo_id, handle, permission) VALUES (%s,%s,%s)",
                         (row[0], created_by, "admin"))
            return True

    def get_repo(self, owner: str, slug: str) -> Repo | None:
        if has_nul((owner, slug)):
            return None
        with self._read() as conn:
            row = conn.execute(
                "SELECT id, owner, slug, created_by, public, created_at, last_seq FROM hub_repos"
                " WHERE owner=%s AND slug=%s", (owner, slug)).fetchone()
        if row is None:
            return None
        return Repo(int(row[0]), row[1], row[2], row[3], bool(row[4]), float(row[5]), int(row[6]))

    def set_permission(self, repo_id: int, handle: str, permission: str | None) -> None:
        if permission is not None and permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        check_text(handle)
        with self._conn() as conn:
            if permission is None:
                conn.execute("DELETE FROM hub_members WHERE repo_id=%s AND handle=%s",
                             (repo_id, handle))
            else:
                conn.execute(
                    "INSERT INTO hub_members (repo_id, handle, permission) VALUES (%s,%s,%s)"
                    " ON CONFLICT (repo_id, handle) DO UPDATE SET permission=EXCLUDED.permission",
                    (repo_id, handle, permission))

    def get_permission(self, repo_id: int, handle: str) -> str | None:
        if has_nul((handle,)):
            return None
        with self._read() as conn:
            row = conn.execute(
                "SELECT permission FROM hub_members WHERE repo_id=%s AND handle=%s",
                (repo_id, handle)).fetchone()
        return str(row[0]) if row else None

    def list_members(self, repo_id: int) -> list[tuple[str, str]]:
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT handle, permission FROM hub_members WHERE repo_id=%s ORDER BY handle",
                (repo_id,)).fetchall()
        return [(str(h), str(p)) for h, p in rows]

    # ── records ──
    def insert_records(self, repo_id: int, rows: Sequence[RecordRow]) -> InsertResult:
        with self._conn() as conn:
            if conn.execute("SELECT 1 FROM hub_repos WHERE id=%s", (repo_id,)).fetchone() is None:
                raise LookupError(f"no repository with id {repo_id}")
            stored = self._append(conn, repo_id, rows)
        return InsertResult(stored, len(rows) - stored, self._number(repo_id))

    @staticmethod
    def _append(conn: Any, repo_id: int, rows: Sequence[RecordRow]) -> int:
        """Insert the rows the repository lacks, unnumbered; return how many were stored."""
        fresh = fresh_rows(rows, set())
        if not fresh:
            return 0
        cur = conn.execute(_APPEND_BINARY,
                           (repo_id, [r.kind for r in fresh], [r.record_id for r in fresh],
                            [r.body for r in fresh], repo_id))
        return int(cur.rowcount)

    def _number(self, repo_id: int) -> int:
        """Number the repository's committed unnumbered records; its last seq after.

        Under the repository's numbering lock, held to this transaction's commit:
        numberings are serial, each starts from the last one's ``last_seq`` and
        sees every record committed before it started, so a record always gets
        a number above every number given out before it was visible.
        """
        with self._conn() as conn:
            if conn.execute("SELECT 1 FROM hub_records WHERE repo_id=%s AND seq IS NULL LIMIT 1",
                            (repo_id,)).fetchone() is not None:
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                             (_NUMBER_LOCK, repo_id & 0x7FFFFFFF))
                # A new statement: its snapshot is taken after the lock was granted.
                conn.execute(
                    "WITH todo AS (SELECT n, row_number() OVER (ORDER BY n) AS rn"
                    "  FROM hub_records WHERE repo_id=%s AND seq IS NULL),"
                    " done AS (UPDATE hub_records h SET seq = base.last_seq + todo.rn"
                    "  FROM todo, (SELECT last_seq FROM hub_repos WHERE id=%s) AS base"
                    "  WHERE h.n = todo.n RETURNING h.seq)"
                    " UPDATE hub_repos SET last_seq = GREATEST(last_seq, (SELECT max(seq) FROM done))"
                    " WHERE id=%s", (repo_id, repo_id, repo_id))
            found = conn.execute("SELECT last_seq FROM hub_repos WHERE id=%s",
                                 (repo_id,)).fetchone()
        if found is None:
            raise LookupError(f"no repository with id {repo_id}")
        return int(found[0])

    def fetch_records(self, repo_id: int, since: int, kinds: Sequence[str] | None,
                      limit: int) -> Page:
        self._number(repo_id)  # what committed before this pull is in it
        with self._conn() as conn:
            # One snapshot: `last` and the rows numbered up to it (same numbering
            # transaction) are seen together.
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            found = conn.execute("SELECT last_seq FROM hub_repos WHERE id=%s",
                                 (repo_id,)).fetchone()
            if found is None:
                raise LookupError(f"no repository with id {repo_id}")
            last = int(found[0])
            # Numbers are final once visible and never given below `last`, so
            # the later statements below see every row up to it.
            #
            # Scan in bounded windows of seq: with an open range `seq > since AND
            # seq <= last` the planner may pick a bitmap scan of *every* remaining
            # row plus a sort for each page (quadratic over a full pull) when its
            # statistics are stale. A window bounds each page's work; it doubles
            # when a kinds filter leaves it sparse.
            sql = ("SELECT seq, body FROM hub_records WHERE repo_id=%s AND seq>%s AND seq<=%s"
                   + (" AND kind = ANY(%s)" if kinds else "") + " ORDER BY seq LIMIT %s")
            rows: list[Any] = []
            lo, window = since, max(limit + 1, 1000)
            while lo < last and len(rows) <= limit:
                hi = min(last, lo + window)
                params: tuple[Any, ...] = (repo_id, lo, hi)
                if kinds:
                    params += (list(kinds),)
                # binary=True: bytea arrives as bytes, not hex text to decode (3x).
                rows.extend(conn.execute(sql, (*params, limit + 1 - len(rows)),
                                         binary=True).fetchall())
                lo, window = hi, window * 2
        if len(rows) > limit:
            return Page([bytes(r[1]) for r in rows[:limit]], int(rows[limit - 1][0]), True)
        return Page([bytes(r[1]) for r in rows], max(since, last), False)

    # ── replay protection ──
    def remember_signature(self, sig: bytes, expires_at: float, now: float) -> bool:
        with self._sig_lock:
            self._sig_calls += 1
            prune = self._sig_calls % _PRUNE_EVERY == 0
        with self._conn() as conn:
            if prune:
                conn.execute("DELETE FROM hub_seen_signatures WHERE expires_at < %s", (now,))
            cur = conn.execute(
                "INSERT INTO hub_seen_signatures (sig, expires_at) VALUES (%s,%s)"
                " ON CONFLICT (sig) DO NOTHING", (sig, expires_at))
            return bool(cur.rowcount == 1)

    # ── the hub itself ──
    def stats(self, now: float) -> dict[str, Any]:
        with self._conn() as conn:
            out: dict[str, Any] = {name: int(conn.execute(sql).fetchone()[0])
                                   for name, sql in STATS_SQL}
            out["live_leases"] = int(conn.execute(_pg_sql(LIVE_LEASES_SQL), (now,)).fetchone()[0])
            out["live_tasks"] = {str(k): int(n) for k, n in conn.execute(LIVE_TASKS_SQL)}
        pool = self._pool.get_stats()
        out["db_pool_size"] = int(pool.get("pool_size", 0))
        out["db_pool_available"] = int(pool.get("pool_available", 0))
        out["db_pool_waiting"] = int(pool.get("requests_waiting", 0))
        return out

    def meta(self, key: str, if_absent: str) -> str:
        with self._conn() as conn:
            conn.execute("INSERT INTO hub_meta (key, value) VALUES (%s,%s)"
                         " ON CONFLICT (key) DO NOTHING", (key, if_absent))
            row = conn.execute("SELECT value FROM hub_meta WHERE key=%s", (key,)).fetchone()
        return str(row[0])

    # ── invitations ──
    def create_invite(self, code_hash: str, now: float, expires_at: float) -> None:
        with self._conn() as conn:
            conn.execute("INSERT INTO hub_invites (code_hash, created_at, expires_at)"
                         " VALUES (%s,%s,%s)", (code_hash, now, expires_at))

    def use_invite(self, code_hash: str, handle: str, now: float) -> bool:
        check_text(code_hash, handle)
        with self._conn() as conn:
            cur = conn.execute("UPDATE hub_invites SET used_by=%s, used_at=%s WHERE code_hash=%s"
                               " AND used_by IS NULL AND expires_at > %s",
                               (handle, now, code_hash, now))
            return bool(cur.rowcount == 1)

    # ── live coordination ──
    @contextmanager
    def live_transaction(self, repo_id: int, write: bool = True) -> Iterator[_LiveTx]:
        self._check_repo(repo_id)
        # Read-only: one snapshot for every statement of a status answer.
        # No lock here: each decision locks what it decides about (_LiveTx).
        begin = "BEGIN" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
        with self._translated():
            with self._pool.connection() as conn:
                prepared = self._prepared.get(conn)
                if prepared is None:
                    prepared = self._prepared[conn] = _Prepared()
                if prepared.wanted:
                    prepared.prepare(conn)
                tx = _LiveTx(conn, repo_id, begin, prepared)
                try:
                    yield tx
                    tx.flush("COMMIT")
                except BaseException as exc:
                    if tx.opened and not conn.closed:
                        conn.execute("ROLLBACK")
                    if isinstance(exc, self._psycopg.errors.InvalidSqlStatementName):
                        # Our statements were dropped on this session (nothing here
                        # drops them): prepare afresh, and decide again.
                        self._prepared.pop(conn, None)
                        raise StoreConflict("prepared statements were dropped") from exc
                    raise

    def _check_repo(self, repo_id: int) -> None:
        """Raise LookupError unless repository *repo_id* exists. Repositories are
        never deleted, so one seen is remembered: no round trip per decision."""
        if repo_id in self._known_repos:
            return
        with self._conn() as conn:
            if conn.execute("SELECT 1 FROM hub_repos WHERE id=%s", (repo_id,)).fetchone() is None:
                raise LookupError(f"no repository with id {repo_id}")
        self._known_repos.add(repo_id)

    # ── dashboard sign-ins ──
    def dashboard_generation(self, repo_id: int, handle: str) -> tuple[int, float]:
        with self._read() as conn:
            row = conn.execute(
                "SELECT generation, changed_at FROM hub_dashboard_generations"
                " WHERE repo_id=%s AND handle=%s", (repo_id, handle)).fetchone()
        return (int(row[0]), float(row[1])) if row else (0, 0.0)

    def end_dashboard_sessions(self, repo_id: int, handle: str, now: float) -> int:
        with self._conn() as conn:
            row = conn.execute(
                "INSERT INTO hub_dashboard_generations (repo_id, handle, generation, changed_at)"
                " VALUES (%s,%s,1,%s) ON CONFLICT (repo_id, handle) DO UPDATE SET"
                " generation=hub_dashboard_generations.generation+1,"
                " changed_at=EXCLUDED.changed_at RETURNING generation",
                (repo_id, handle, now)).fetchone()
        return int(row[0])

    def get_dashboard_session(self, cap_id: str) -> DashboardSession | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT cap_id, repo_id, handle, generation, created_at, expires_at, revoked"
                " FROM hub_dashboard_sessions WHERE cap_id=%s", (cap_id,)).fetchone()
        return None if row is None else DashboardSession(
            row[0], int(row[1]), row[2], int(row[3]), float(row[4]), float(row[5]), bool(row[6]))

    def add_dashboard_session(self, session: DashboardSession, now: float, limit: int) -> bool:
        with self._conn() as conn:
            conn.execute("DELETE FROM hub_dashboard_sessions WHERE expires_at < %s", (now,))
            # Count and insert under one lock per (repository, handle), so
            # concurrent sign-ins on several hubs cannot pass the limit together.
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                         (f"muse-dashboard:{session.repo_id}:{session.handle}",))
            held = conn.execute("SELECT count(*) FROM hub_dashboard_sessions"
                                " WHERE repo_id=%s AND handle=%s",
                                (session.repo_id, session.handle)).fetchone()[0]
            if int(held) >= limit:
                return False
            conn.execute(
                "INSERT INTO hub_dashboard_sessions (cap_id, repo_id, handle, generation,"
                " created_at, expires_at, revoked) VALUES (%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT (cap_id) DO NOTHING",
                (session.cap_id, session.repo_id, session.handle, session.generation,
                 session.created_at, session.expires_at, session.revoked))
            return True

    def revoke_dashboard_session(self, cap_id: str) -> bool:
        with self._conn() as conn:
            cur = conn.execute("UPDATE hub_dashboard_sessions SET revoked=TRUE WHERE cap_id=%s",
                               (cap_id,))
            return bool(cur.rowcount == 1)

    # ── retention ──
    def repo_ids(self) -> list[int]:
        with self._conn() as conn:
            return [int(r[0]) for r in conn.execute("SELECT id FROM hub_repos ORDER BY id")]

    def prune_signatures(self, now: float, limit: int) -> int:
        with self._conn() as conn:
            cur = conn.execute("DELETE FROM hub_seen_signatures WHERE sig IN (SELECT sig FROM"
                               " hub_seen_signatures WHERE expires_at < %s LIMIT %s)", (now, limit))
            return int(cur.rowcount)

    @contextmanager
    def prune_lock(self) -> Iterator[bool]:
        # A session-level advisory lock on a connection kept for the pass: the
        # server drops it if this process dies, so a crashed pruner blocks nobody.
        from psycopg_pool import PoolTimeout

        try:
            with self._pool.connection() as conn:
                # Keyed by schema too: hubs on other schemas of the database are others' business.
                got = bool(conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(current_schema()))",
                                        (_PRUNE_LOCK,)).fetchone()[0])
                conn.commit()
                try:
                    yield got
                finally:
                    if got:
                        conn.execute("SELECT pg_advisory_unlock(%s, hashtext(current_schema()))",
                                     (_PRUNE_LOCK,))
                        conn.commit()
        except PoolTimeout as exc:
            raise StoreBusy(f"no database connection available ({exc})") from exc
