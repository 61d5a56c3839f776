"""The live tables and the operations on them: persistence and atomicity only.

Decisions (who may hold what, fencing, the heartbeat rule, claim order) live
in :mod:`muse.hub.lessor`, which calls the rules of :mod:`muse.core.vocab.rules`;
this module stores and fetches what it decided, in SQL both backends speak
(``?`` parameters; each backend's :class:`LiveTx` adapts it).

Every decision runs in :meth:`HubStore.live_transaction` with ``write=True``
(through :func:`muse.storage.base.decide_live`, which reruns it when the
database reports a deadlock). What makes reading, deciding and writing atomic
across threads and hub processes is the :class:`LiveTx` locking primitives the
lessor calls first (``row_lock`` / ``skip_locked`` / ``share_lock`` suffixes,
:meth:`LiveTx.lock_addresses`, the run row :func:`touch_run` locks): SQLite
serialises every write anyway (``BEGIN IMMEDIATE``), PostgreSQL locks exactly
the rows and addresses a decision touches (``docs/live.md``, "Scaling out").
So two strict reservers cannot both win, a task has exactly one claimer, and
fencing tokens never repeat or go back.

Tables (``live_schema``): ``live_repos`` (fencing sequence, default mode),
``live_runs`` (run → signing handle, heartbeat expiry),
``live_reservations`` + ``live_symbols`` (one row per held address and one
per enclosing scope, so overlap checks are index lookups), ``live_tasks`` +
``live_task_deps`` (``blocked`` counts prerequisites not yet completed),
``live_answers`` (answers kept for retries), ``hub_pruned`` (ids of pushed
records retention removed: a re-push skips them). Retention's queries and
deletes are here too; what is due is decided in :mod:`muse.hub.retention`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from muse.storage.base import RecordRow

__all__ = [
    "SEP",
    "TASK_COLS",
    "LiveTx",
    "bump_repo_fence",
    "bury_records",
    "completed_among",
    "count_capped",
    "delete_answers",
    "delete_reservations",
    "delete_runs",
    "delete_symbol_rows",
    "end_reservations",
    "ended_reservations",
    "ensure_repo_row",
    "existing_tasks",
    "expired_answers",
    "extend_run_leases",
    "forget_graveyard",
    "idle_runs",
    "insert_reservation",
    "insert_run",
    "insert_tasks",
    "lapsed_run_leases",
    "live_schema",
    "mark",
    "next_claimable",
    "next_token",
    "old_graveyard",
    "remember_answer",
    "remember_signature",
    "remembered_answer",
    "repo_fence",
    "repo_mode",
    "reservation_row",
    "reservation_symbols",
    "run_row",
    "set_claimed",
    "set_mode_row",
    "set_run_expiry",
    "set_task_state",
    "split",
    "status_rows",
    "symbol_rows",
    "table_counts",
    "task_row",
    "touch_run",
    "unblock_dependents",
    "undo_to_mark",
]

SEP = "\n"  # symbols and ids never contain a newline (checked at the boundary)
_CHUNK = 400  # parameters per IN (...) list


class LiveTx(Protocol):
    """A backend transaction for one repository's live tables.

    What makes a decision atomic is the backend's business, stated here as
    primitives the lessor calls before it reads what it decides about: SQLite
    runs every write under ``BEGIN IMMEDIATE`` (one writer: the primitives
    cost nothing); PostgreSQL locks only the rows and addresses a decision
    touches, so decisions about different things run in parallel.
    """

    repo_id: int
    row_lock: str  # appended to a SELECT that must lock its rows ('' when writes are serial)
    share_lock: str  # … that must keep its rows from changing until commit
    skip_locked: str  # … that must lock its rows, skipping rows another transaction holds

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run *sql* (``?`` parameters); returns a cursor (fetchone/fetchall/rowcount)."""

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run *sql* once per parameter row."""

    def append_records(self, rows: Sequence[RecordRow]) -> int:
        """Store bus records with the transaction (known ids skipped); returns the count stored."""

    def next_token(self) -> int:
        """The next fencing token: larger than every token granted before this call."""

    def fence(self) -> int:
        """The last fencing token handed out (what status reports)."""

    def lock_addresses(self, held: Sequence[str], scopes: Sequence[str]) -> None:
        """Until commit: exclusive on each *held* address, shared on each enclosing
        scope, so two transactions about overlapping addresses run one after the
        other (an address is in *held* of one and *held* or *scopes* of the other)."""


def live_schema(integer: str, real: str) -> tuple[str, ...]:
    """``CREATE`` statements for the live tables with the backend's type names."""
    return (
        f"""CREATE TABLE IF NOT EXISTS live_repos (
            repo_id {integer} PRIMARY KEY,
            fence_seq {integer} NOT NULL DEFAULT 0,
            mode TEXT NOT NULL DEFAULT 'advisory')""",
        f"""CREATE TABLE IF NOT EXISTS live_runs (
            repo_id {integer} NOT NULL,
            run_id TEXT NOT NULL,
            handle TEXT NOT NULL,
            expires_at {real} NOT NULL,
            PRIMARY KEY (repo_id, run_id))""",
        f"""CREATE TABLE IF NOT EXISTS live_reservations (
            repo_id {integer} NOT NULL,
            reservation_id TEXT NOT NULL,
            run_id TEXT NOT NULL,
            token {integer} NOT NULL,
            symbols TEXT NOT NULL,
            mode TEXT NOT NULL,
            granted_at {real} NOT NULL,
            expires_at {real} NOT NULL,
            state TEXT NOT NULL,
            ended_at {real},
            PRIMARY KEY (repo_id, reservation_id))""",
        # A run's leases by run and state, expiry last: heartbeats look up one
        # run's live leases, and with expires_at in this index the planner no
        # longer prefers scanning every live lease of the repository by expiry.
        """DROP INDEX IF EXISTS live_reservations_run""",
        """CREATE INDEX IF NOT EXISTS live_reservations_run_expiry
            ON live_reservations (repo_id, run_id, state, expires_at)""",
        """CREATE INDEX IF NOT EXISTS live_reservations_live
            ON live_reservations (repo_id, state, expires_at)""",
        f"""CREATE TABLE IF NOT EXISTS live_symbols (
            repo_id {integer} NOT NULL,
            symbol TEXT NOT NULL,
            reservation_id TEXT NOT NULL,
            exact {integer} NOT NULL,
            PRIMARY KEY (repo_id, symbol, reservation_id))""",
        # Who holds an enclosing scope itself, without its marker rows.
        """CREATE INDEX IF NOT EXISTS live_symbols_exact ON live_symbols (repo_id, symbol)
            WHERE exact = 1""",
        f"""CREATE TABLE IF NOT EXISTS live_tasks (
            repo_id {integer} NOT NULL,
            task_id TEXT NOT NULL,
            description TEXT NOT NULL,
            priority {integer} NOT NULL,
            depends_on TEXT NOT NULL,
            symbols TEXT NOT NULL,
            created_at {real} NOT NULL,
            status TEXT NOT NULL,
            blocked {integer} NOT NULL,
            holder TEXT,
            token {integer},
            slot {integer} NOT NULL DEFAULT 0,
            claim_expires_at {real},
            attempts {integer} NOT NULL DEFAULT 0,
            PRIMARY KEY (repo_id, task_id))""",
        """CREATE INDEX IF NOT EXISTS live_tasks_ready
            ON live_tasks (repo_id, status, blocked, priority DESC, created_at, task_id)""",
        """DROP INDEX IF EXISTS live_tasks_holder""",
        """CREATE INDEX IF NOT EXISTS live_tasks_holder_expiry
            ON live_tasks (repo_id, holder, status, claim_expires_at)""",
        # Claims by expiry (the lapsed ones are claimable again). Partial, on
        # claimed rows only: as a (repo_id, status, …) index it also matched
        # "status = 'pending'", and a planner without statistics yet (a queue
        # just filled) took it for the ready-task query and sorted every
        # pending task per claim (29 ms at 20,000 tasks) instead of reading
        # the first entry of live_tasks_ready.
        """DROP INDEX IF EXISTS live_tasks_expiry""",
        """CREATE INDEX IF NOT EXISTS live_tasks_lapsing
            ON live_tasks (repo_id, claim_expires_at) WHERE status = 'claimed'""",
        f"""CREATE TABLE IF NOT EXISTS live_task_deps (
            repo_id {integer} NOT NULL,
            depends_on TEXT NOT NULL,
            task_id TEXT NOT NULL,
            PRIMARY KEY (repo_id, depends_on, task_id))""",
        # Answers to requests that carried a request id, kept for a bounded time
        # so a client retrying after a lost answer gets the first one.
        f"""CREATE TABLE IF NOT EXISTS live_answers (
            repo_id {integer} NOT NULL,
            request_id TEXT NOT NULL,
            handle TEXT NOT NULL,
            answer TEXT NOT NULL,
            expires_at {real} NOT NULL,
            PRIMARY KEY (repo_id, request_id))""",
        """CREATE INDEX IF NOT EXISTS live_answers_expiry ON live_answers (repo_id, expires_at)""",
        # Runs per identity are bounded: counted by this index.
        """CREATE INDEX IF NOT EXISTS live_runs_handle ON live_runs (repo_id, handle)""",
        # Answers per identity are bounded: counted by this index.
        """CREATE INDEX IF NOT EXISTS live_answers_handle ON live_answers (repo_id, handle)""",
        # Retention's graveyard: ids of pushed records it pruned, so a re-push
        # skips them instead of storing them again (kept for a bounded time).
        f"""CREATE TABLE IF NOT EXISTS hub_pruned (
            repo_id {integer} NOT NULL,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            pruned_at {real} NOT NULL,
            PRIMARY KEY (repo_id, kind, record_id))""",
        """CREATE INDEX IF NOT EXISTS hub_pruned_age ON hub_pruned (repo_id, pruned_at)""",
    )




def _marks(n: int) -> str:
    return ",".join("?" * n)


def split(text: str) -> list[str]:
    return text.split(SEP) if text else []


# ── repository and runs ──────────────────────────────────────────────────────
def next_token(tx: LiveTx) -> int:
    """Advance the fencing sequence; the new value."""
    return tx.next_token()


def bump_repo_fence(tx: LiveTx) -> int:
    """The repository's own fencing counter, advanced (a backend whose writes are serial)."""
    # One statement creates the counter row on first use or bumps it.
    row = tx.execute("INSERT INTO live_repos (repo_id, fence_seq) VALUES (?, 1)"
                     " ON CONFLICT (repo_id) DO UPDATE SET fence_seq = live_repos.fence_seq + 1"
                     " RETURNING fence_seq", (tx.repo_id,)).fetchone()
    return int(row[0])


def ensure_repo_row(tx: LiveTx) -> None:
    tx.execute("INSERT INTO live_repos (repo_id) VALUES (?) ON CONFLICT (repo_id) DO NOTHING",
               (tx.repo_id,))


def repo_mode(tx: LiveTx) -> str:
    """The repository's default reservation mode."""
    row = tx.execute("SELECT mode FROM live_repos WHERE repo_id=?", (tx.repo_id,)).fetchone()
    return str(row[0]) if row else "advisory"


def repo_fence(tx: LiveTx) -> int:
    """The repository's own fencing counter (0 before the first grant)."""
    row = tx.execute("SELECT fence_seq FROM live_repos WHERE repo_id=?", (tx.repo_id,)).fetchone()
    return int(row[0]) if row else 0


def set_mode_row(tx: LiveTx, mode: str) -> None:
    ensure_repo_row(tx)
    tx.execute("UPDATE live_repos SET mode=? WHERE repo_id=?", (mode, tx.repo_id))


def touch_run(tx: LiveTx, run_id: str, handle: str) -> tuple[str, float]:
    """(handle, heartbeat expiry) of *run_id*, created for *handle* on first use.

    The run's row stays locked until commit: decisions of one run are serial
    (a heartbeat and a grant of the same run never interleave), decisions of
    different runs do not wait for each other. One statement once the run exists.
    """
    select = "SELECT handle, expires_at FROM live_runs WHERE repo_id=? AND run_id=?" + tx.row_lock
    row = tx.execute(select, (tx.repo_id, run_id)).fetchone()
    if row is None:  # first use (a racer may insert it first: then its row is read)
        tx.execute("INSERT INTO live_runs (repo_id, run_id, handle, expires_at) VALUES (?,?,?,0)"
                   " ON CONFLICT (repo_id, run_id) DO NOTHING", (tx.repo_id, run_id, handle))
        row = tx.execute(select, (tx.repo_id, run_id)).fetchone()
    return str(row[0]), float(row[1])


def run_row(tx: LiveTx, run_id: str, lock: bool = False) -> tuple[str, float] | None:
    """(handle, heartbeat expiry) of *run_id*, if the hub knows it (*lock*: its row, until commit)."""
    row = tx.execute("SELECT handle, expires_at FROM live_runs WHERE repo_id=? AND run_id=?"
                     + (tx.row_lock if lock else ""), (tx.repo_id, run_id)).fetchone()
    return None if row is None else (str(row[0]), float(row[1]))


def insert_run(tx: LiveTx, run_id: str, handle: str) -> None:
    tx.execute("INSERT INTO live_runs (repo_id, run_id, handle, expires_at) VALUES (?,?,?,?)",
               (tx.repo_id, run_id, handle, 0.0))


def set_run_expiry(tx: LiveTx, run_id: str, expires_at: float) -> None:
    tx.execute("UPDATE live_runs SET expires_at=? WHERE repo_id=? AND run_id=?",
               (expires_at, tx.repo_id, run_id))


# ── reservations ─────────────────────────────────────────────────────────────
def symbol_rows(tx: LiveTx, keys: Sequence[str], scopes: Sequence[str] = ()) -> list[Any]:
    """Rows ``(symbol, exact, run_id, reservation_id, token, expires_at, state,
    symbols)`` of every lease with a symbol row at one of *keys*, and of every
    lease holding one of *scopes* itself (its exact row).

    Only exact rows at enclosing scopes: a directory's marker rows (one per
    lease anywhere below it) would be thousands, and none of them overlaps.
    """
    results = []
    for names, exact_only in ((keys, ""), (scopes, " AND s.exact = 1")):
        for start in range(0, len(names), _CHUNK):
            chunk = names[start:start + _CHUNK]
            results.append(tx.execute(
                "SELECT s.symbol, s.exact, r.run_id, r.reservation_id, r.token, r.expires_at,"
                " r.state, r.symbols FROM live_symbols s JOIN live_reservations r"
                " ON r.repo_id = s.repo_id AND r.reservation_id = s.reservation_id"
                f" WHERE s.repo_id=? AND s.symbol IN ({_marks(len(chunk))}){exact_only}",
                (tx.repo_id, *chunk)))
    # Every statement sent before any is read: one wait on a pipelined backend.
    return [row for result in results for row in result.fetchall()]


def delete_symbol_rows(tx: LiveTx, pairs: Sequence[tuple[str, str]]) -> None:
    """Delete symbol rows by (symbol, reservation id): their full primary key.

    In key order, the same in every transaction: two that delete the same rows
    wait for each other instead of deadlocking.
    """
    tx.executemany("DELETE FROM live_symbols WHERE repo_id=? AND symbol=? AND reservation_id=?",
                   [(tx.repo_id, s, r) for s, r in sorted(set(pairs))])


def insert_reservation(tx: LiveTx, reservation_id: str, run_id: str, token: int,
                       symbols: Sequence[str], mode: str, granted_at: float, expires_at: float,
                       marks: dict[str, int]) -> None:
    """A live lease and its symbol rows (*marks*: address → 1 held, 0 enclosing scope)."""
    tx.execute(
        "INSERT INTO live_reservations (repo_id, reservation_id, run_id, token, symbols, mode,"
        " granted_at, expires_at, state) VALUES (?,?,?,?,?,?,?,?,'live')",
        (tx.repo_id, reservation_id, run_id, token, SEP.join(symbols), mode, granted_at,
         expires_at))
    tx.executemany("INSERT INTO live_symbols (repo_id, symbol, reservation_id, exact)"
                   " VALUES (?,?,?,?)", [(tx.repo_id, s, reservation_id, e)
                                         for s, e in marks.items()])


def reservation_row(tx: LiveTx, reservation_id: str, lock: bool = False) -> Any:
    """``(run_id, token, state, expires_at, symbols, ended_at)`` or None (*lock*: until commit)."""
    return tx.execute("SELECT run_id, token, state, expires_at, symbols, ended_at"
                      " FROM live_reservations WHERE repo_id=? AND reservation_id=?"
                      + (tx.row_lock if lock else ""), (tx.repo_id, reservation_id)).fetchone()


def reservation_symbols(tx: LiveTx, ids: Sequence[str]) -> list[tuple[str, list[str]]]:
    """(reservation id, its held addresses) for each of *ids* the table has."""
    out: list[tuple[str, list[str]]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        out += [(rid, split(joined)) for rid, joined in tx.execute(
            "SELECT reservation_id, symbols FROM live_reservations WHERE repo_id=?"
            f" AND reservation_id IN ({_marks(len(chunk))})", (tx.repo_id, *chunk)).fetchall()]
    return out


def end_reservations(tx: LiveTx, ids: Sequence[str], state: str, now: float,
                     symbol_pairs: Sequence[tuple[str, str]]) -> None:
    """Mark leases *ids* ended (*state*) and delete their symbol rows (*symbol_pairs*).

    Symbol rows go by their full primary key, rebuilt by the caller from the
    leases' addresses: deleting by reservation alone would scan every symbol
    row of the repository (measured: most of a 7,000-agent hub's time).
    """
    tx.executemany("UPDATE live_reservations SET state=?, ended_at=? WHERE repo_id=?"
                   " AND reservation_id=?", [(state, now, tx.repo_id, r) for r in ids])
    delete_symbol_rows(tx, symbol_pairs)


_COUNT_RUN_LEASES = ("SELECT (SELECT COUNT(*) FROM live_reservations WHERE repo_id=? AND run_id=?"
                     " AND state='live'), (SELECT COUNT(*) FROM live_tasks WHERE repo_id=?"
                     " AND holder=? AND status='claimed')")


def lapsed_run_leases(tx: LiveTx, run_id: str, now: float
                      ) -> tuple[list[tuple[str, int]], list[tuple[str, int, int]], tuple[int, int]]:
    """(reservation id, token) of *run_id*'s leases still marked live but past
    their end, (task id, slot, token) of its claims past their end, each locked
    until commit, and its (live reservations, claims) counted after them, lapsed
    ones included. Sent together, read after: one round trip on PostgreSQL."""
    res = tx.execute("SELECT reservation_id, token FROM live_reservations WHERE repo_id=?"
                     " AND run_id=? AND state='live' AND expires_at<=? ORDER BY reservation_id"
                     + tx.row_lock, (tx.repo_id, run_id, now))
    claims = tx.execute("SELECT task_id, slot, token FROM live_tasks WHERE repo_id=? AND holder=?"
                        " AND status='claimed' AND claim_expires_at<=? ORDER BY task_id"
                        + tx.row_lock, (tx.repo_id, run_id, now))
    counts = tx.execute(_COUNT_RUN_LEASES, (tx.repo_id, run_id, tx.repo_id, run_id))
    dead = [(str(r[0]), int(r[1])) for r in res.fetchall()]
    lapsed = [(str(r[0]), int(r[1]), int(r[2])) for r in claims.fetchall()]
    n_res, n_claims = counts.fetchone()
    return dead, lapsed, (int(n_res), int(n_claims))


def extend_run_leases(tx: LiveTx, run_id: str, expires_at: float) -> None:
    """Raise every live lease and claim of *run_id* to at least *expires_at*."""
    tx.execute("UPDATE live_reservations SET expires_at=? WHERE repo_id=? AND run_id=?"
               " AND state='live' AND expires_at<?", (expires_at, tx.repo_id, run_id, expires_at))
    tx.execute("UPDATE live_tasks SET claim_expires_at=? WHERE repo_id=? AND holder=?"
               " AND status='claimed' AND claim_expires_at<?",
               (expires_at, tx.repo_id, run_id, expires_at))


# ── tasks ────────────────────────────────────────────────────────────────────
TASK_COLS = ("task_id, description, priority, depends_on, symbols, created_at, status, blocked,"
             " holder, token, slot, claim_expires_at")
# ORDER BY of muse.core.vocab.rules.claim_order, served by the live_tasks_ready index.
_CLAIM_ORDER = " ORDER BY priority DESC, created_at, task_id LIMIT 1"


def task_row(tx: LiveTx, task_id: str, lock: bool = False) -> Any:
    """The :data:`TASK_COLS` of *task_id*, or None (*lock*: the row, until commit)."""
    return tx.execute(f"SELECT {TASK_COLS} FROM live_tasks WHERE repo_id=? AND task_id=?"
                      + (tx.row_lock if lock else ""), (tx.repo_id, task_id)).fetchone()


def next_claimable(tx: LiveTx, now: float) -> tuple[Any, Any]:
    """The first ready pending task and the first lapsed claimed one that is not
    blocked (``depend`` may add prerequisites to a claimed task), in claim order,
    each locked until commit; rows other claimers hold are skipped, not waited for."""
    pending = tx.execute(f"SELECT {TASK_COLS} FROM live_tasks WHERE repo_id=?"
                         " AND status='pending' AND blocked=0" + _CLAIM_ORDER + tx.skip_locked,
                         (tx.repo_id,))
    lapsed = tx.execute(f"SELECT {TASK_COLS} FROM live_tasks WHERE repo_id=?"
                        " AND status='claimed' AND claim_expires_at<=? AND blocked=0"
                        + _CLAIM_ORDER + tx.skip_locked,
                        (tx.repo_id, now))
    return pending.fetchone(), lapsed.fetchone()  # both sent before either is read


def existing_tasks(tx: LiveTx, ids: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        out.update(r[0] for r in tx.execute(
            f"SELECT task_id FROM live_tasks WHERE repo_id=? AND task_id IN ({_marks(len(chunk))})",
            (tx.repo_id, *chunk)).fetchall())
    return out


def completed_among(tx: LiveTx, ids: Sequence[str], lock: bool = False) -> set[str]:
    """Which of *ids* are completed; *lock*: every one of them keeps its status
    until commit (a dependent enqueued now is counted right by a completion)."""
    out: set[str] = set()
    ids = sorted(ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        out.update(r[0] for r in tx.execute(
            f"SELECT task_id, status FROM live_tasks WHERE repo_id=?"
            f" AND task_id IN ({_marks(len(chunk))}) ORDER BY task_id"
            + (tx.share_lock if lock else ""), (tx.repo_id, *chunk)).fetchall()
            if r[1] == "completed")
    return out


def insert_tasks(tx: LiveTx, rows: Sequence[tuple[str, str, int, Sequence[str], Sequence[str],
                                                  float, int]]) -> None:
    """Insert pending tasks ``(task_id, description, priority, depends_on, symbols,
    created_at, blocked)`` and their dependency edges."""
    tx.executemany(
        "INSERT INTO live_tasks (repo_id, task_id, description, priority, depends_on, symbols,"
        " created_at, status, blocked) VALUES (?,?,?,?,?,?,?,'pending',?)",
        [(tx.repo_id, t, d, p, SEP.join(deps), SEP.join(syms), c, b)
         for t, d, p, deps, syms, c, b in rows])
    tx.executemany("INSERT INTO live_task_deps (repo_id, depends_on, task_id) VALUES (?,?,?)",
                   [(tx.repo_id, d, row[0]) for row in rows for d in row[3]])


def set_claimed(tx: LiveTx, task_id: str, run_id: str, token: int, slot: int,
                expires_at: float) -> None:
    tx.execute("UPDATE live_tasks SET status='claimed', holder=?, token=?, slot=?,"
               " claim_expires_at=?, attempts=attempts+1 WHERE repo_id=? AND task_id=?",
               (run_id, token, slot, expires_at, tx.repo_id, task_id))


def set_task_state(tx: LiveTx, task_id: str, status: str, holder: str | None, slot: int) -> None:
    """End a claim: *status* (``pending`` requeues), its holder and the slot written."""
    tx.execute("UPDATE live_tasks SET status=?, holder=?, slot=?, claim_expires_at=NULL"
               " WHERE repo_id=? AND task_id=?", (status, holder, slot, tx.repo_id, task_id))


def unblock_dependents(tx: LiveTx, task_id: str) -> None:
    """*task_id* completed: each dependent loses one blocker."""
    # Dependents first, then one primary-key update each: as a single
    # UPDATE … IN (subquery), SQLite without statistics walked every task
    # of the repository through the ready index (30,000 rows per complete).
    # In key order, the same in every transaction (no deadlock between two completions).
    dependents = tx.execute("SELECT task_id FROM live_task_deps WHERE repo_id=? AND depends_on=?"
                            " ORDER BY task_id", (tx.repo_id, task_id)).fetchall()
    for (dependent,) in dependents:
        tx.execute("UPDATE live_tasks SET blocked = blocked - 1 WHERE repo_id=? AND task_id=?"
                   " AND blocked > 0", (tx.repo_id, dependent))


def task_prerequisites(tx: LiveTx, task_id: str) -> list[str]:
    """The ids *task_id* waits for (none for a task the queue does not hold)."""
    row = tx.execute("SELECT depends_on FROM live_tasks WHERE repo_id=? AND task_id=?",
                     (tx.repo_id, task_id)).fetchone()
    return [] if row is None else split(row[0])


def add_task_prerequisites(tx: LiveTx, task_id: str, all_deps: Sequence[str],
                           new_deps: Sequence[str], blocking: int) -> None:
    """*task_id* now waits for *all_deps*: edges for *new_deps*, *blocking* more blockers."""
    tx.executemany("INSERT INTO live_task_deps (repo_id, depends_on, task_id) VALUES (?,?,?)",
                   [(tx.repo_id, d, task_id) for d in new_deps])
    tx.execute("UPDATE live_tasks SET depends_on=?, blocked = blocked + ? WHERE repo_id=?"
               " AND task_id=?", (SEP.join(all_deps), blocking, tx.repo_id, task_id))


# ── remembered answers ───────────────────────────────────────────────────────
def remembered_answer(tx: LiveTx, request_id: str, handle: str, now: float) -> str | None:
    """The stored answer to *handle*'s request *request_id*, if still kept."""
    row = tx.execute("SELECT answer FROM live_answers WHERE repo_id=? AND request_id=?"
                     " AND handle=? AND expires_at>?",
                     (tx.repo_id, request_id, handle, now)).fetchone()
    return None if row is None else str(row[0])


def remember_answer(tx: LiveTx, request_id: str, handle: str, answer: str, expires_at: float,
                    now: float) -> None:
    """Keep *answer* until *expires_at*; answers past their time go now."""
    tx.execute("DELETE FROM live_answers WHERE repo_id=? AND expires_at<=?", (tx.repo_id, now))
    tx.execute("INSERT INTO live_answers (repo_id, request_id, handle, answer, expires_at)"
               " VALUES (?,?,?,?,?) ON CONFLICT (repo_id, request_id) DO NOTHING",
               (tx.repo_id, request_id, handle, answer, expires_at))


# ── replay protection inside a decision ──────────────────────────────────────
_PRUNE_EVERY = 512
_seen_calls = itertools.count(1)


def remember_signature(tx: LiveTx, sig: bytes, keep_until: float, now: float) -> bool:
    """:meth:`HubStore.remember_signature` in the decision's own transaction
    (one commit per request); False if *sig* was seen before (a replay)."""
    if next(_seen_calls) % _PRUNE_EVERY == 0:
        tx.execute("DELETE FROM hub_seen_signatures WHERE expires_at < ?", (now,))
    return tx.execute("INSERT INTO hub_seen_signatures (sig, expires_at) VALUES (?,?)"
                      " ON CONFLICT (sig) DO NOTHING RETURNING 1",
                      (sig, keep_until)).fetchone() is not None


def mark(tx: LiveTx) -> None:
    """A point :func:`undo_to_mark` can roll the transaction back to."""
    tx.execute("SAVEPOINT decision")


def undo_to_mark(tx: LiveTx) -> None:
    """Undo everything since :func:`mark`; what came before still commits."""
    tx.execute("ROLLBACK TO SAVEPOINT decision")


# ── retention (decisions in muse.hub.retention) ──────────────────────────────
def ended_reservations(tx: LiveTx, horizon: float, limit: int) -> list[Any]:
    """Up to *limit* leases that ended before *horizon*: rows ``(reservation_id,
    run_id, state, expires_at, ended_at, symbols, run heartbeat expiry)``.

    Released/expired ones by ``ended_at``, never-ended ones by ``expires_at``
    (a candidate list: the rule in ``muse.core.vocab.rules`` decides).
    """
    cols = ("SELECT r.reservation_id, r.run_id, r.state, r.expires_at, r.ended_at, r.symbols,"
            " COALESCE(u.expires_at, 0) FROM live_reservations r LEFT JOIN live_runs u"
            " ON u.repo_id = r.repo_id AND u.run_id = r.run_id WHERE r.repo_id=?")
    ended = tx.execute(cols + " AND r.state IN ('released', 'expired') AND r.ended_at<=? LIMIT ?",
                       (tx.repo_id, horizon, limit)).fetchall()
    never = tx.execute(cols + " AND r.state='live' AND r.expires_at<=? LIMIT ?",
                       (tx.repo_id, horizon, max(0, limit - len(ended)))).fetchall()
    return [*ended, *never]


def delete_reservations(tx: LiveTx, ids: Sequence[str]) -> int:
    """Forget leases *ids* (their symbol rows are the caller's to delete)."""
    tx.executemany("DELETE FROM live_reservations WHERE repo_id=? AND reservation_id=?",
                   [(tx.repo_id, r) for r in ids])
    return len(ids)


def idle_runs(tx: LiveTx, horizon: float, limit: int) -> list[tuple[str, float]]:
    """Up to *limit* runs ``(run_id, heartbeat expiry)`` whose heartbeat ended
    before *horizon* and that hold nothing the hub still remembers: no lease row
    of any state and no claim."""
    return [(str(r[0]), float(r[1])) for r in tx.execute(
        "SELECT u.run_id, u.expires_at FROM live_runs u WHERE u.repo_id=? AND u.expires_at<=?"
        " AND NOT EXISTS (SELECT 1 FROM live_reservations r WHERE r.repo_id = u.repo_id"
        " AND r.run_id = u.run_id) AND NOT EXISTS (SELECT 1 FROM live_tasks t"
        " WHERE t.repo_id = u.repo_id AND t.holder = u.run_id AND t.status='claimed') LIMIT ?",
        (tx.repo_id, horizon, limit)).fetchall()]


def delete_runs(tx: LiveTx, ids: Sequence[str]) -> int:
    tx.executemany("DELETE FROM live_runs WHERE repo_id=? AND run_id=?",
                   [(tx.repo_id, r) for r in ids])
    return len(ids)


def expired_answers(tx: LiveTx, now: float, limit: int) -> list[str]:
    """Up to *limit* request ids whose remembered answer is past its time."""
    return [str(r[0]) for r in tx.execute("SELECT request_id FROM live_answers WHERE repo_id=?"
                                          " AND expires_at<=? LIMIT ?", (tx.repo_id, now, limit))]


def delete_answers(tx: LiveTx, request_ids: Sequence[str]) -> int:
    tx.executemany("DELETE FROM live_answers WHERE repo_id=? AND request_id=?",
                   [(tx.repo_id, r) for r in request_ids])
    return len(request_ids)


def bury_records(tx: LiveTx, keys: Sequence[tuple[str, str]], now: float) -> int:
    """Delete pushed records *keys* ``(kind, record_id)`` and enter them in the
    graveyard, which a later push consults; the count deleted. Sequence
    numbers are never reused, so pull cursors stay valid."""
    tx.executemany("INSERT INTO hub_pruned (repo_id, kind, record_id, pruned_at) VALUES (?,?,?,?)"
                   " ON CONFLICT (repo_id, kind, record_id) DO NOTHING",
                   [(tx.repo_id, k, r, now) for k, r in keys])
    deleted = 0
    for k, r in keys:  # one by one: rowcount says whether another pruner was first
        deleted += max(0, int(tx.execute("DELETE FROM hub_records WHERE repo_id=? AND kind=?"
                                         " AND record_id=?", (tx.repo_id, k, r)).rowcount))
    return deleted


def old_graveyard(tx: LiveTx, before: float, limit: int) -> list[tuple[str, str]]:
    """Up to *limit* graveyard entries ``(kind, record_id)`` older than *before*."""
    return [(str(k), str(r)) for k, r in tx.execute(
        "SELECT kind, record_id FROM hub_pruned WHERE repo_id=? AND pruned_at<? LIMIT ?",
        (tx.repo_id, before, limit)).fetchall()]


def forget_graveyard(tx: LiveTx, keys: Sequence[tuple[str, str]]) -> int:
    """Drop graveyard entries *keys*: a re-push of them is stored again."""
    tx.executemany("DELETE FROM hub_pruned WHERE repo_id=? AND kind=? AND record_id=?",
                   [(tx.repo_id, k, r) for k, r in keys])
    return len(keys)


def table_counts(tx: LiveTx) -> dict[str, int]:
    """Rows per table of the repository (what retention keeps bounded)."""
    out: dict[str, int] = {}
    for table in ("live_reservations", "live_symbols", "live_runs", "live_tasks", "live_answers",
                  "hub_records", "hub_pruned"):
        out[table] = int(tx.execute(f"SELECT COUNT(*) FROM {table} WHERE repo_id=?",
                                    (tx.repo_id,)).fetchone()[0])
    return out


# ── bounds on what a client can make the hub remember ────────────────────────
def count_capped(tx: LiveTx, table: str, where: str, params: Sequence[Any], cap: int) -> int:
    """``COUNT(*)`` of *table*'s rows of the repository matching *where*, counting
    no further than *cap* (a bound check need not scan past it)."""
    return int(tx.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE repo_id=?"
                          f"{' AND ' + where if where else ''} LIMIT ?) AS capped",
                          (tx.repo_id, *params, cap)).fetchone()[0])


# ── status ───────────────────────────────────────────────────────────────────
def status_rows(tx: LiveTx, now: float, limit: int, run_id: str | None) -> dict[str, Any]:
    """The raw counts and rows of the live status view."""
    active, runs = tx.execute(
        "SELECT COUNT(*), COUNT(DISTINCT run_id) FROM live_reservations WHERE repo_id=?"
        " AND state='live' AND expires_at>?", (tx.repo_id, now)).fetchone()
    # A conflict: some run holds the address itself and another run holds it or a member.
    syms = [r[0] for r in tx.execute(
        "SELECT s.symbol FROM live_reservations r JOIN live_symbols s"
        " ON s.repo_id = r.repo_id AND s.reservation_id = r.reservation_id"
        " WHERE r.repo_id=? AND r.state='live' AND r.expires_at>?"
        " GROUP BY s.symbol HAVING COUNT(DISTINCT r.run_id) > 1 AND MAX(s.exact) > 0"
        " ORDER BY s.symbol LIMIT ?", (tx.repo_id, now, limit)).fetchall()]
    conflict_rows: list[Any] = []
    if syms:
        conflict_rows = tx.execute(
            "SELECT s.symbol, s.exact, r.run_id, r.reservation_id, r.expires_at"
            " FROM live_symbols s JOIN live_reservations r ON r.repo_id = s.repo_id"
            " AND r.reservation_id = s.reservation_id WHERE s.repo_id=?"
            f" AND s.symbol IN ({_marks(len(syms))}) AND r.state='live' AND r.expires_at>?",
            (tx.repo_id, *syms, now)).fetchall()
    task_counts = tx.execute(
        "SELECT status, CASE WHEN blocked > 0 THEN 1 ELSE 0 END,"
        " CASE WHEN status='claimed' AND claim_expires_at<=? THEN 1 ELSE 0 END, COUNT(*)"
        " FROM live_tasks WHERE repo_id=? GROUP BY 1, 2, 3", (now, tx.repo_id)).fetchall()
    out: dict[str, Any] = {"active": int(active), "runs": int(runs), "conflict_symbols": syms,
                           "conflict_rows": conflict_rows, "task_counts": task_counts}
    if run_id is not None:
        out["run"] = tx.execute("SELECT expires_at FROM live_runs WHERE repo_id=? AND run_id=?",
                                (tx.repo_id, run_id)).fetchone()
        out["run_reservations"] = tx.execute(
            "SELECT reservation_id, symbols, token, expires_at FROM live_reservations"
            " WHERE repo_id=? AND run_id=? AND state='live' AND expires_at>?"
            " ORDER BY token LIMIT ?", (tx.repo_id, run_id, now, limit)).fetchall()
        out["run_claims"] = tx.execute(
            "SELECT task_id, token, claim_expires_at FROM live_tasks WHERE repo_id=?"
            " AND holder=? AND status='claimed' AND claim_expires_at>?"
            " ORDER BY token LIMIT ?", (tx.repo_id, run_id, now, limit)).fetchall()
    return out


def reservation_page(tx: LiveTx, now: float, limit: int, after: str,
                     run_id: str | None) -> list[Any]:
    """Up to *limit* live leases (of *run_id*) after *after*, in reservation-id order:
    ``(reservation_id, run_id, symbols, token, expires_at)`` (the primary key serves it)."""
    sql = ("SELECT reservation_id, run_id, symbols, token, expires_at FROM live_reservations"
           " WHERE repo_id=? AND reservation_id>? AND state='live' AND expires_at>?")
    params: list[Any] = [tx.repo_id, after, now]
    if run_id is not None:
        sql += " AND run_id=?"
        params.append(run_id)
    return list(tx.execute(sql + " ORDER BY reservation_id LIMIT ?", (*params, limit)).fetchall())


def count_live_run_reservations(tx: LiveTx, run_id: str, now: float) -> int:
    """How many leases of *run_id* are live at *now* (the run/expiry index serves it)."""
    return int(tx.execute("SELECT COUNT(*) FROM live_reservations WHERE repo_id=? AND run_id=?"
                          " AND state='live' AND expires_at>?",
                          (tx.repo_id, run_id, now)).fetchone()[0])
