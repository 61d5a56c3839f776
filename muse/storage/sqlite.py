"""SQLite hub store: one file, WAL mode, one connection per thread.

Differences from the contract's general description:

- Writers take the database lock up front (``BEGIN IMMEDIATE``), so a batch
  never fails half-way on a lock upgrade and commits are serialised — which
  is also what keeps per-repository sequence numbers in commit order.
- ``synchronous=NORMAL``: in WAL mode a commit survives a process crash; a
  power cut may lose the last transactions but never corrupts the file
  (clients re-push idempotently).
- :meth:`SqliteStore.submit` (how the hub runs live requests) queues calls
  for one writer thread, which runs what is queued as a batch inside one
  ``BEGIN IMMEDIATE … COMMIT``: every write a call makes becomes a SAVEPOINT
  (rolled back alone when it raises), and the callers hear back, in one
  wake-up of their event loop, only after the COMMIT returned. One lock
  hand-off and one thread wake-up per batch instead of per request.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

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
    check_text,
    fresh_rows,
    has_nul,
)
from muse.storage.live import bump_repo_fence, repo_fence
from muse.storage.schema import LIVE_LEASES_SQL, LIVE_TASKS_SQL, STATS_SQL, hub_schema

__all__ = ["SqliteStore"]

T = TypeVar("T")
log = logging.getLogger("muse.hub")

_BUSY_TIMEOUT_MS = 30_000
_PRUNE_EVERY = 512
_MAX_BATCH = 64  # calls per writer transaction: bounds how long other processes wait
_Job = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any]", asyncio.AbstractEventLoop]

SCHEMA = hub_schema(integer="INTEGER", real="REAL", blob="BLOB",
                     serial_key="INTEGER PRIMARY KEY AUTOINCREMENT", flag="INTEGER", false="0")


def _settle(settled: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    """On the event loop: hand each caller of a batch its result."""
    for future, ok, value in settled:
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


class _LiveTx:
    """``muse.storage.live.LiveTx`` on a connection inside ``BEGIN IMMEDIATE``.

    One writer at a time: every lock a decision asks for is already held.
    """

    row_lock = share_lock = skip_locked = ""

    def __init__(self, conn: sqlite3.Connection, repo_id: int, last_seq: int) -> None:
        self.conn, self.repo_id, self.last_seq = conn, repo_id, last_seq

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if has_nul(params):
            check_text(*params)
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        for row in rows:
            if has_nul(row):
                check_text(*row)
        self.conn.executemany(sql, rows)

    def append_records(self, rows: Sequence[RecordRow]) -> int:
        stored, self.last_seq = SqliteStore._append(self.conn, self.repo_id, self.last_seq, rows)
        return stored

    def next_token(self) -> int:
        return bump_repo_fence(self)

    def fence(self) -> int:
        return repo_fence(self)

    def lock_addresses(self, held: Sequence[str], scopes: Sequence[str]) -> None:
        """Nothing to take: the database's write lock serialises every decision."""


class SqliteStore(HubStore):
    """A :class:`~muse.storage.base.HubStore` in one SQLite file."""

    backend = "sqlite"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        parent = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(parent, exist_ok=True)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._prune_lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = []
        self._closed = False
        self._sig_calls = 0
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._batches = self._batched = 0  # writer transactions, calls they ran (metrics)
        with self._write() as conn:
            for stmt in SCHEMA:
                conn.execute(stmt)

    # ── connections and transactions ──
    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise RuntimeError("store is closed")
            # isolation_level=None: we issue BEGIN/COMMIT ourselves.
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=_BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        if getattr(self._local, "batch", False):
            # The writer thread, inside a batch's transaction: this write is a
            # savepoint, undone alone when it raises.
            conn.execute("SAVEPOINT muse_write")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK TO muse_write")
                conn.execute("RELEASE muse_write")
                raise
            conn.execute("RELEASE muse_write")
            return
        # Writers of this process queue on a lock instead of on SQLite's busy
        # handler, which sleeps and backs off rather than handing the lock
        # over: under load the handler made writers convoy (measured: 80% of
        # a busy hub's time asleep in BEGIN IMMEDIATE). Other processes on the
        # same file still meet the busy timeout.
        if not self._write_lock.acquire(timeout=_BUSY_TIMEOUT_MS / 1000):
            raise StoreBusy("database is busy (writers queued past the busy timeout)")
        try:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:  # still locked after the busy timeout
                raise StoreBusy(f"database is busy ({exc})") from exc
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            self._write_lock.release()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        if getattr(self._local, "batch", False):  # already inside the batch's transaction
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # ── the writer thread (``submit``) ──
    async def submit(self, fn: Callable[..., T], *args: Any) -> T:
        """Await ``fn(*args)`` run by this store's writer thread in its next batch.

        The batch is one transaction: the result (or the exception *fn* raised)
        arrives once it committed. If the transaction cannot begin or commit
        (another process held the file past the busy timeout, a disk error),
        every call of the batch gets :class:`StoreBusy` and none of their
        writes stays. *fn* must not wait for another call of this store's
        ``submit`` (it would wait for itself).
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if self._writer is None:
            with self._lock:
                if self._closed:
                    raise RuntimeError("store is closed")
                if self._writer is None:
                    self._writer = threading.Thread(target=self._serve, name="muse-sqlite-writer",
                                                    daemon=True)
                    self._writer.start()
        elif self._closed:
            raise RuntimeError("store is closed")
        self._jobs.put((fn, args, future, loop))
        return await future

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            batch = [job]
            stop = False
            while len(batch) < _MAX_BATCH:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._run_batch(batch)
            if stop:
                return

    def _run_batch(self, batch: list[_Job]) -> None:
        self._batches += 1
        self._batched += len(batch)
        results: list[tuple[bool, Any]] = []
        try:
            conn = self._connection()
            if not self._write_lock.acquire(timeout=_BUSY_TIMEOUT_MS / 1000):
                raise StoreBusy("database is busy (writers queued past the busy timeout)")
            try:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    raise StoreBusy(f"database is busy ({exc})") from exc
                self._local.batch = True
                try:
                    for fn, args, future, _ in batch:
                        if future.cancelled():
                            results.append((False, None))
                            continue
                        try:
                            results.append((True, fn(*args)))
                        except Exception as exc:  # the caller's to answer
                            results.append((False, exc))
                finally:
                    self._local.batch = False
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                    raise StoreBusy(f"database is busy (commit failed: {exc})") from exc
            finally:
                self._write_lock.release()
        except Exception as exc:  # nothing of the batch was written
            if not isinstance(exc, StoreBusy):
                log.exception("SQLite writer batch failed", exc_info=exc)
            results = [(False, exc)] * len(batch)
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
        for (_, _, future, loop), (ok, value) in zip(batch, results, strict=True):
            by_loop.setdefault(loop, []).append((future, ok, value))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # that event loop is closed: no one is waiting
                pass

    def ping(self) -> None:
        self._connection().execute("SELECT 1").fetchone()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            writer, self._writer = self._writer, None
        if writer is not None:
            self._jobs.put(None)  # after the calls already queued
            if writer is not threading.current_thread():
                writer.join()
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.ProgrammingError:  # pragma: no cover - closed from its own thread
                pass
        self._local = threading.local()

    # ── identities ──
    def create_identity(self, handle: str, public_key: str, now: float) -> bool:
        check_text(handle, public_key)
        with self._write() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO hub_identities (handle, public_key, created_at) VALUES (?,?,?)",
                (handle, public_key, now))
            return cur.rowcount == 1

    def get_identity(self, handle: str) -> Identity | None:
        if has_nul((handle,)):
            return None
        row = self._connection().execute(
            "SELECT handle, public_key, created_at FROM hub_identities WHERE handle=?",
            (handle,)).fetchone()
        return Identity(*row) if row else None

    # ── repositories ──
    def create_repo(self, owner: str, slug: str, created_by: str, public: bool, now: float) -> bool:
        check_text(owner, slug, created_by)
        with self._write() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO hub_repos (owner, slug, created_by, public, created_at)"
                " VALUES (?,?,?,?,?)", (owner, slug, created_by, int(public), now))
            if cur.rowcount != 1:
                return False
            conn.execute("INSERT INTO hub_members (repo_id, handle, permission) VALUES (?,?,?)",
                         (cur.lastrowid, created_by, "admin"))
            return True

    def get_repo(self, owner: str, slug: str) -> Repo | None:
        if has_nul((owner, slug)):
            return None
        row = self._connection().execute(
            "SELECT id, owner, slug, created_by, public, created_at, last_seq FROM hub_repos"
            " WHERE owner=? AND slug=?", (owner, slug)).fetchone()
        if row is None:
            return None
        return Repo(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6])

    def set_permission(self, repo_id: int, handle: str, permission: str | None) -> None:
        if permission is not None and permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        check_text(handle)
        with self._write() as conn:
            if permission is None:
                conn.execute("DELETE FROM hub_members WHERE repo_id=? AND handle=?", (repo_id, handle))
            else:
                conn.execute(
                    "INSERT INTO hub_members (repo_id, handle, permission) VALUES (?,?,?)"
                    " ON CONFLICT (repo_id, handle) DO UPDATE SET permission=excluded.permission",
                    (repo_id, handle, permission))

    def get_permission(self, repo_id: int, handle: str) -> str | None:
        if has_nul((handle,)):
            return None
        row = self._connection().execute(
            "SELECT permission FROM hub_members WHERE repo_id=? AND handle=?",
            (repo_id, handle)).fetchone()
        return str(row[0]) if row else None

    def list_members(self, repo_id: int) -> list[tuple[str, str]]:
        rows = self._connection().execute(
            "SELECT handle, permission FROM hub_members WHERE repo_id=? ORDER BY handle",
            (repo_id,)).fetchall()
        return [(str(h), str(p)) for h, p in rows]

    # ── records ──
    def insert_records(self, repo_id: int, rows: Sequence[RecordRow]) -> InsertResult:
        with self._write() as conn:
            found = conn.execute("SELECT last_seq FROM hub_repos WHERE id=?", (repo_id,)).fetchone()
            if found is None:
                raise LookupError(f"no repository with id {repo_id}")
            stored, last = self._append(conn, repo_id, int(found[0]), rows)
            return InsertResult(stored, len(rows) - stored, last)

    @classmethod
    def _append(cls, conn: sqlite3.Connection, repo_id: int, last: int,
                rows: Sequence[RecordRow]) -> tuple[int, int]:
        """Insert the rows the repository lacks after seq *last* (lock held);
        return (stored, new last seq)."""
        if not rows:
            return 0, last
        fresh = fresh_rows(rows, cls._existing(conn, repo_id, rows))
        if fresh:
            # Numbers only for new rows: last_seq counts what is stored, and a
            # retried push does not inflate it.
            conn.executemany(
                "INSERT INTO hub_records (repo_id, seq, kind, record_id, body) VALUES (?,?,?,?,?)",
                [(repo_id, last + i, r.kind, r.record_id, r.body) for i, r in enumerate(fresh, 1)])
            conn.execute("UPDATE hub_repos SET last_seq=? WHERE id=?", (last + len(fresh), repo_id))
        return len(fresh), last + len(fresh)

    @staticmethod
    def _existing(conn: sqlite3.Connection, repo_id: int,
                  rows: Sequence[RecordRow]) -> set[tuple[str, str]]:
        by_kind: dict[str, list[str]] = {}
        for r in rows:
            by_kind.setdefault(r.kind, []).append(r.record_id)
        found: set[tuple[str, str]] = set()
        for kind, ids in by_kind.items():
            for start in range(0, len(ids), 900):  # stay under SQLite's variable limit
                chunk = ids[start:start + 900]
                cur = conn.execute(
                    "SELECT record_id FROM hub_records WHERE repo_id=? AND kind=?"
                    f" AND record_id IN ({','.join('?' * len(chunk))})", (repo_id, kind, *chunk))
                found.update((kind, rid) for (rid,) in cur)
                # Pruned by retention: a re-push must not bring them back.
                cur = conn.execute(
                    "SELECT record_id FROM hub_pruned WHERE repo_id=? AND kind=?"
                    f" AND record_id IN ({','.join('?' * len(chunk))})", (repo_id, kind, *chunk))
                found.update((kind, rid) for (rid,) in cur)
        return found

    def fetch_records(self, repo_id: int, since: int, kinds: Sequence[str] | None,
                      limit: int) -> Page:
        with self._read() as conn:
            found = conn.execute("SELECT last_seq FROM hub_repos WHERE id=?", (repo_id,)).fetchone()
            if found is None:
                raise LookupError(f"no repository with id {repo_id}")
            last = int(found[0])
            sql = "SELECT seq, body FROM hub_records WHERE repo_id=? AND seq>? AND seq<=?"
            params: list[object] = [repo_id, since, last]
            if kinds:
                sql += f" AND kind IN ({','.join('?' * len(kinds))})"
                params.extend(kinds)
            sql += " ORDER BY seq LIMIT ?"
            params.append(limit + 1)
            rows = conn.execute(sql, params).fetchall()
        if len(rows) > limit:
            return Page([r[1] for r in rows[:limit]], int(rows[limit - 1][0]), True)
        return Page([r[1] for r in rows], max(since, last), False)

    # ── replay protection ──
    def remember_signature(self, sig: bytes, expires_at: float, now: float) -> bool:
        with self._write() as conn:
            self._sig_calls += 1
            if self._sig_calls % _PRUNE_EVERY == 0:
                conn.execute("DELETE FROM hub_seen_signatures WHERE expires_at < ?", (now,))
            cur = conn.execute(
                "INSERT OR IGNORE INTO hub_seen_signatures (sig, expires_at) VALUES (?,?)",
                (sig, expires_at))
            return cur.rowcount == 1

    # ── the hub itself ──
    def stats(self, now: float) -> dict[str, Any]:
        with self._read() as conn:
            out: dict[str, Any] = {name: int(conn.execute(sql).fetchone()[0])
                                   for name, sql in STATS_SQL}
            out["live_leases"] = int(conn.execute(LIVE_LEASES_SQL, (now,)).fetchone()[0])
            out["live_tasks"] = {str(k): int(n) for k, n in conn.execute(LIVE_TASKS_SQL)}
        out["writer_batches_total"] = self._batches
        out["writer_calls_total"] = self._batched
        return out

    def meta(self, key: str, if_absent: str) -> str:
        with self._write() as conn:
            conn.execute("INSERT OR IGNORE INTO hub_meta (key, value) VALUES (?,?)", (key, if_absent))
            return str(conn.execute("SELECT value FROM hub_meta WHERE key=?", (key,)).fetchone()[0])

    # ── invitations ──
    def create_invite(self, code_hash: str, now: float, expires_at: float) -> None:
        with self._write() as conn:
            conn.execute("INSERT INTO hub_invites (code_hash, created_at, expires_at) VALUES (?,?,?)",
                         (code_hash, now, expires_at))

    def use_invite(self, code_hash: str, handle: str, now: float) -> bool:
        check_text(code_hash, handle)
        with self._write() as conn:
            cur = conn.execute("UPDATE hub_invites SET used_by=?, used_at=? WHERE code_hash=?"
                               " AND used_by IS NULL AND expires_at > ?",
                               (handle, now, code_hash, now))
            return cur.rowcount == 1

    # ── live coordination ──
    @contextmanager
    def live_transaction(self, repo_id: int, write: bool = True) -> Iterator[_LiveTx]:
        # BEGIN IMMEDIATE takes the database's write lock: one writer at a time,
        # which is more than the repository lock the contract asks for.
        with (self._write() if write else self._read()) as conn:
            found = conn.execute("SELECT last_seq FROM hub_repos WHERE id=?", (repo_id,)).fetchone()
            if found is None:
                raise LookupError(f"no repository with id {repo_id}")
            yield _LiveTx(conn, repo_id, int(found[0]))

    # ── dashboard sign-ins ──
    def dashboard_generation(self, repo_id: int, handle: str) -> tuple[int, float]:
        row = self._connection().execute(
            "SELECT generation, changed_at FROM hub_dashboard_generations"
            " WHERE repo_id=? AND handle=?", (repo_id, handle)).fetchone()
        return (int(row[0]), float(row[1])) if row else (0, 0.0)

    def end_dashboard_sessions(self, repo_id: int, handle: str, now: float) -> int:
        with self._write() as conn:
            row = conn.execute(
                "INSERT INTO hub_dashboard_generations (repo_id, handle, generation, changed_at)"
                " VALUES (?,?,1,?) ON CONFLICT (repo_id, handle) DO UPDATE SET"
                " generation=generation+1, changed_at=excluded.changed_at RETURNING generation",
                (repo_id, handle, now)).fetchone()
            return int(row[0])

    def get_dashboard_session(self, cap_id: str) -> DashboardSession | None:
        row = self._connection().execute(
            "SELECT cap_id, repo_id, handle, generation, created_at, expires_at, revoked"
            " FROM hub_dashboard_sessions WHERE cap_id=?", (cap_id,)).fetchone()
        return None if row is None else DashboardSession(
            row[0], int(row[1]), row[2], int(row[3]), float(row[4]), float(row[5]), bool(row[6]))

    def add_dashboard_session(self, session: DashboardSession, now: float, limit: int) -> bool:
        with self._write() as conn:
            conn.execute("DELETE FROM hub_dashboard_sessions WHERE expires_at < ?", (now,))
            held = conn.execute("SELECT count(*) FROM hub_dashboard_sessions"
                                " WHERE repo_id=? AND handle=?",
                                (session.repo_id, session.handle)).fetchone()[0]
            if int(held) >= limit:
                return False
            conn.execute(
                "INSERT OR IGNORE INTO hub_dashboard_sessions (cap_id, repo_id, handle, generation,"
                " created_at, expires_at, revoked) VALUES (?,?,?,?,?,?,?)",
                (session.cap_id, session.repo_id, session.handle, session.generation,
                 session.created_at, session.expires_at, int(session.revoked)))
            return True

    def revoke_dashboard_session(self, cap_id: str) -> bool:
        with self._write() as conn:
            cur = conn.execute("UPDATE hub_dashboard_sessions SET revoked=1 WHERE cap_id=?",
                               (cap_id,))
            return cur.rowcount == 1

    # ── retention ──
    def repo_ids(self) -> list[int]:
        return [int(r[0]) for r in self._connection().execute("SELECT id FROM hub_repos ORDER BY id")]

    def prune_signatures(self, now: float, limit: int) -> int:
        with self._write() as conn:
            sigs = conn.execute("SELECT sig FROM hub_seen_signatures WHERE expires_at < ? LIMIT ?",
                                (now, limit)).fetchall()
            conn.executemany("DELETE FROM hub_seen_signatures WHERE sig=?", sigs)
            return len(sigs)

    @contextmanager
    def prune_lock(self) -> Iterator[bool]:
        # One pruner per process; hubs sharing the file serialise on its write
        # lock, and every prune step is idempotent, so two of them are safe.
        got = self._prune_lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                self._prune_lock.release()
