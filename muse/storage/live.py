"""Live leases and the live task queue, decided inside one database transaction.

Every write here runs in :meth:`HubStore.live_transaction` with ``write=True``:
a transaction that holds the repository's lock (SQLite ``BEGIN IMMEDIATE``;
PostgreSQL ``SELECT … FOR UPDATE`` of the repository row, the same row
record pushes lock). Reading, deciding and writing inside it is therefore
atomic across threads and across hub processes sharing one PostgreSQL: two
strict reservers cannot both win, a task has exactly one claimer, and the
fencing sequence never repeats or goes back. The SQL is written once, with
``?`` parameters, in the subset both databases speak; each backend's
:class:`LiveTx` adapts it.

Lease rules (see ``docs/live.md``): times come from the hub clock (*now*),
never from clients. A lease's ``expires_at`` is materialised on its row: a
heartbeat raises it for every live lease of the run, and a lease granted to a
run that heartbeated starts at least at the run's expiry. A lease whose
``expires_at`` has passed is dead for good; the run's next heartbeat writes
the release / requeue records that make pulled records agree.

Every grant is also written as bus records in the core shapes
(``muse.core.records``), through :meth:`LiveTx.append_records`, so they take
the next record sequence numbers in the same transaction and show up in pulls.

Tables (``live_schema``): ``live_repos`` (fencing sequence, default mode),
``live_runs`` (run → signing handle, heartbeat expiry),
``live_reservations`` + ``live_symbols`` (one row per held address and one
per enclosing scope, so overlap checks are index lookups), ``live_tasks`` +
``live_task_deps`` (``blocked`` counts prerequisites not yet completed).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from muse.core.clock import format_ts
from muse.core.errors import ConflictError, MuseError, NotFound, StaleToken
from muse.core.state import symbol_ancestors
from muse.core.types import JsonDict, content_hash
from muse.storage.base import RecordRow

__all__ = [
    "MODES",
    "LiveTx",
    "RunOwnedElsewhere",
    "TaskSpec",
    "claim",
    "enqueue",
    "fence",
    "finish",
    "heartbeat",
    "intent",
    "live_schema",
    "release",
    "reserve",
    "set_mode",
    "status",
    "symbol_ancestors",
]

MODES = ("advisory", "strict")
_SEP = "\n"  # symbols and ids never contain a newline (checked at the boundary)


class RunOwnedElsewhere(MuseError):
    """The run id is bound to another signing handle on this repository."""

    exit_code = 1
    http_status = 403
    code = "forbidden"


class LiveTx(Protocol):
    """A backend transaction holding the repository's lock (for writes)."""

    repo_id: int

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run *sql* (``?`` parameters); returns a cursor (fetchone/fetchall/rowcount)."""

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run *sql* once per parameter row."""

    def append_records(self, rows: Sequence[RecordRow]) -> int:
        """Store bus records under the held lock (known ids skipped); returns the count stored."""


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
        """CREATE INDEX IF NOT EXISTS live_tasks_expiry
            ON live_tasks (repo_id, status, claim_expires_at)""",
        f"""CREATE TABLE IF NOT EXISTS live_task_deps (
            repo_id {integer} NOT NULL,
            depends_on TEXT NOT NULL,
            task_id TEXT NOT NULL,
            PRIMARY KEY (repo_id, depends_on, task_id))""",
    )


# ── helpers ──────────────────────────────────────────────────────────────────
def _covers(held: str, symbol: str) -> bool:
    return held == symbol or held in symbol_ancestors(symbol)


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _iso(t: float) -> str:
    return format_ts(t)


def _new_id(body: JsonDict) -> str:
    return content_hash({**body, "nonce": os.urandom(6).hex()})


def _bus(kind: str, record_id: str, run_id: str | None, payload: JsonDict,
         expires_at: str | None = None) -> RecordRow:
    import msgspec

    body = msgspec.msgpack.encode({"kind": kind, "record_id": record_id, "run_id": run_id,
                                   "payload": payload, "expires_at": expires_at})
    return RecordRow(kind, record_id, body)


def _next_token(tx: LiveTx) -> int:
    # One statement creates the counter row on first use or bumps it.
    row = tx.execute("INSERT INTO live_repos (repo_id, fence_seq) VALUES (?, 1)"
                     " ON CONFLICT (repo_id) DO UPDATE SET fence_seq = live_repos.fence_seq + 1"
                     " RETURNING fence_seq", (tx.repo_id,)).fetchone()
    return int(row[0])


def _ensure_repo_row(tx: LiveTx) -> None:
    tx.execute("INSERT INTO live_repos (repo_id) VALUES (?) ON CONFLICT (repo_id) DO NOTHING",
               (tx.repo_id,))


def _repo_mode(tx: LiveTx) -> tuple[str, int]:
    row = tx.execute("SELECT mode, fence_seq FROM live_repos WHERE repo_id=?",
                     (tx.repo_id,)).fetchone()
    return (str(row[0]), int(row[1])) if row else ("advisory", 0)


def _touch_run(tx: LiveTx, run_id: str, handle: str) -> float:
    """Bind *run_id* to *handle* (first use wins); return the run's heartbeat expiry."""
    row = tx.execute("SELECT handle, expires_at FROM live_runs WHERE repo_id=? AND run_id=?",
                     (tx.repo_id, run_id)).fetchone()
    if row is None:
        tx.execute("INSERT INTO live_runs (repo_id, run_id, handle, expires_at) VALUES (?,?,?,?)",
                   (tx.repo_id, run_id, handle, 0.0))
        return 0.0
    if row[0] != handle:
        raise RunOwnedElsewhere(f"run {run_id} belongs to {row[0]}, not {handle}: "
                                "use a run id of your own", run_id=run_id)
    return float(row[1])


def _lease_expiry(now: float, ttl: float, run_expiry: float) -> float:
    return max(now + ttl, run_expiry if run_expiry > now else 0.0)


@dataclass(frozen=True, slots=True)
class _Holder:
    symbol: str  # the row's address (the requested one, or an enclosing/member scope)
    run_id: str
    reservation_id: str
    token: int
    expires_at: float
    exact: bool
    symbols: str


def _holders(tx: LiveTx, symbols: Sequence[str], now: float,
             exclude_run: str | None, prune: bool = True) -> dict[str, list[_Holder]]:
    """Live reservations overlapping each of *symbols* (other runs only if *exclude_run*).

    Rows at the symbol itself cover the same address and members held under
    it; exact rows at its ancestors cover enclosing scopes. Dead rows met on
    the way are deleted (symbol rows only serve overlap checks).
    """
    wanted: dict[str, list[str]] = {}
    for sym in symbols:
        wanted.setdefault(sym, []).append(sym)
        for outer in symbol_ancestors(sym):
            wanted.setdefault(outer, []).append(sym)
    keys = list(wanted)
    out: dict[str, list[_Holder]] = {}
    dead: list[tuple[str, str]] = []
    for start in range(0, len(keys), 400):
        chunk = keys[start:start + 400]
        rows = tx.execute(
            "SELECT s.symbol, s.exact, r.run_id, r.reservation_id, r.token, r.expires_at,"
            " r.state, r.symbols FROM live_symbols s JOIN live_reservations r"
            " ON r.repo_id = s.repo_id AND r.reservation_id = s.reservation_id"
            f" WHERE s.repo_id=? AND s.symbol IN ({_marks(len(chunk))})",
            (tx.repo_id, *chunk)).fetchall()
        for sym_row, exact, run, rid, token, exp, state, held in rows:
            if state != "live" or exp <= now:
                dead.append((sym_row, rid))
                continue
            if run == exclude_run:
                continue
            for asked in wanted[sym_row]:
                # At the asked address: any row. At an ancestor: only who holds it whole.
                if sym_row == asked or exact:
                    h = _Holder(sym_row, run, rid, int(token), float(exp), bool(exact), held)
                    lst = out.setdefault(asked, [])
                    if all(x.reservation_id != rid for x in lst):
                        lst.append(h)
    if dead and prune:
        tx.executemany("DELETE FROM live_symbols WHERE repo_id=? AND symbol=? AND reservation_id=?",
                       [(tx.repo_id, s, r) for s, r in dead])
    return out


def _conflicts_json(held: dict[str, list[_Holder]]) -> list[JsonDict]:
    out = []
    for sym in sorted(held):
        hs = sorted(held[sym], key=lambda h: (h.run_id, h.reservation_id))
        same = any(h.exact and h.symbol == sym for h in hs)
        out.append({"symbol": sym, "overlap": "same" if same else "contains",
                    "holders": [{"run_id": h.run_id, "reservation_id": h.reservation_id,
                                 "expires_at": _iso(h.expires_at)} for h in hs]})
    return out


# ── reservations ─────────────────────────────────────────────────────────────
def reserve(tx: LiveTx, now: float, handle: str, run_id: str, symbols: Sequence[str],
            ttl: float, mode: str | None) -> JsonDict:
    """Grant (or, strict, refuse) a reservation of *symbols* for *run_id*.

    Raises:
        ConflictError: strict and another live run holds an overlapping address;
            nothing is written.
        RunOwnedElsewhere: *run_id* belongs to another handle.
    """
    run_expiry = _touch_run(tx, run_id, handle)
    mode = mode or _repo_mode(tx)[0]
    held = _holders(tx, symbols, now, exclude_run=run_id)
    if mode == "strict" and held:
        sym = min(held)
        first = min(held[sym], key=lambda h: (h.expires_at, h.reservation_id))
        retry = max(1, int(first.expires_at - now + 0.999))
        raise ConflictError(
            f"{sym} is held by run {first.run_id} until {_iso(first.expires_at)}"
            f" (reservation {first.reservation_id}); retry in {retry}s",
            symbol=sym, holder=first.run_id, reservation_id=first.reservation_id,
            expires_at=_iso(first.expires_at), retry_after=retry,
            conflicts={s: sorted({h.run_id for h in hs}) for s, hs in held.items()})
    token = _next_token(tx)
    expires = _lease_expiry(now, ttl, run_expiry)
    body: JsonDict = {"run_id": run_id, "symbols": list(symbols), "created_at": _iso(now),
                      "expires_at": _iso(expires), "mode": mode, "token": token}
    rid = _new_id(body)
    tx.execute(
        "INSERT INTO live_reservations (repo_id, reservation_id, run_id, token, symbols, mode,"
        " granted_at, expires_at, state) VALUES (?,?,?,?,?,?,?,?,'live')",
        (tx.repo_id, rid, run_id, token, _SEP.join(symbols), mode, now, expires))
    tx.executemany("INSERT INTO live_symbols (repo_id, symbol, reservation_id, exact)"
                   " VALUES (?,?,?,?)", [(tx.repo_id, s, rid, e) for s, e in _symbol_rows(symbols).items()])
    record = {"reservation_id": rid, **body}
    tx.append_records([_bus("reservation", rid, run_id, record, record["expires_at"])])
    return {"reservation_id": rid, "run_id": run_id, "symbols": list(symbols), "token": token,
            "mode": mode, "granted_at": _iso(now), "expires_at": _iso(expires),
            "expires_in": expires - now, "conflicts": _conflicts_json(held)}


def _reservation(tx: LiveTx, reservation_id: str) -> Any:
    row = tx.execute("SELECT run_id, token, state, expires_at, symbols, ended_at"
                     " FROM live_reservations WHERE repo_id=? AND reservation_id=?",
                     (tx.repo_id, reservation_id)).fetchone()
    if row is None:
        raise NotFound(f"no live reservation {reservation_id!r}", reservation_id=reservation_id)
    return row


def _check_reservation(row: Any, reservation_id: str, run_id: str, token: int,
                       now: float) -> None:
    run, cur, state, exp = row[0], int(row[1]), row[2], float(row[3])
    what = f"reservation {reservation_id}"
    if run != run_id:
        raise StaleToken(f"{what} belongs to run {run}, not {run_id}", reason="not_holder",
                         holder=run, token=cur)
    if token != cur:
        raise StaleToken(f"token {token} does not match {what} (token {cur})", reason="mismatch",
                         holder=run, token=cur)
    if state == "released":
        raise StaleToken(f"{what} was released", reason="released", holder=run, token=cur)
    if state != "live" or exp <= now:
        raise StaleToken(f"{what} expired at {_iso(exp)} (hub time); reserve again",
                         reason="expired", holder=run, token=cur, expires_at=_iso(exp))


def _symbol_rows(symbols: Sequence[str]) -> dict[str, int]:
    """The ``live_symbols`` rows of a lease: each address held (exact=1) and
    each enclosing scope (exact=0), for overlap lookups by address."""
    marks: dict[str, int] = {}
    for sym in symbols:
        marks[sym] = 1
        for outer in symbol_ancestors(sym):
            marks.setdefault(outer, 0)
    return marks


def _end_reservations(tx: LiveTx, ids: Sequence[str], state: str, now: float) -> None:
    tx.executemany("UPDATE live_reservations SET state=?, ended_at=? WHERE repo_id=?"
                   " AND reservation_id=?", [(state, now, tx.repo_id, r) for r in ids])
    # Symbol rows go by their full primary key (repo, symbol, reservation),
    # rebuilt from the lease's symbols: deleting by reservation alone would
    # scan every symbol row of the repository (measured: most of a 7,000-agent
    # hub's time).
    doomed: list[tuple[int, str, str]] = []
    for start in range(0, len(ids), 400):
        chunk = ids[start:start + 400]
        for rid, joined in tx.execute(
                "SELECT reservation_id, symbols FROM live_reservations WHERE repo_id=?"
                f" AND reservation_id IN ({_marks(len(chunk))})", (tx.repo_id, *chunk)).fetchall():
            doomed += [(tx.repo_id, sym, rid) for sym in _symbol_rows(joined.split(_SEP) if joined else [])]
    tx.executemany("DELETE FROM live_symbols WHERE repo_id=? AND symbol=? AND reservation_id=?", doomed)


def _release_row(reservation_id: str, run_id: str, token: int, now: float,
                 reason: str | None = None) -> RecordRow:
    body: JsonDict = {"reservation_id": reservation_id, "run_id": run_id,
                      "released_at": _iso(now), "token": token}
    if reason:
        body["reason"] = reason
    rel = _new_id(body)
    return _bus("release", rel, run_id, {"release_id": rel, **body})


def release(tx: LiveTx, now: float, handle: str, reservation_id: str, run_id: str,
            token: int) -> JsonDict:
    """Release a live reservation presenting its token (a repeat is harmless).

    Raises:
        NotFound: no such reservation.
        StaleToken: another run's, wrong token, or expired.
    """
    _touch_run(tx, run_id, handle)
    row = _reservation(tx, reservation_id)
    if row[2] == "released" and row[0] == run_id and int(row[1]) == token:
        return {"reservation_id": reservation_id, "released_at": _iso(float(row[5] or now)),
                "already_released": True}
    _check_reservation(row, reservation_id, run_id, token, now)
    _end_reservations(tx, [reservation_id], "released", now)
    tx.append_records([_release_row(reservation_id, run_id, token, now)])
    return {"reservation_id": reservation_id, "released_at": _iso(now), "already_released": False}


def intent(tx: LiveTx, now: float, handle: str, run_id: str, operation: str, target: str,
           reservation_id: str | None, token: int | None, new_name: str | None) -> JsonDict:
    """Record an intent; one on a reservation must present that lease's live token."""
    _touch_run(tx, run_id, handle)
    if reservation_id is not None:
        row = _reservation(tx, reservation_id)
        _check_reservation(row, reservation_id, run_id, token or 0, now)
    body: JsonDict = {"run_id": run_id, "reservation_id": reservation_id, "operation": operation,
                      "target": target, "created_at": _iso(now)}
    if new_name:
        body["new_name"] = new_name
    iid = _new_id(body)
    record = {"intent_id": iid, **body}
    tx.append_records([_bus("intent", iid, run_id, record)])
    return record


# ── heartbeats ───────────────────────────────────────────────────────────────
def heartbeat(tx: LiveTx, now: float, handle: str, run_id: str, ttl: float) -> JsonDict:
    """Extend every live lease of *run_id* to at least now + *ttl*; end the dead ones."""
    run_expiry = _touch_run(tx, run_id, handle)
    new = max(now + ttl, run_expiry if run_expiry > now else 0.0)
    tx.execute("UPDATE live_runs SET expires_at=? WHERE repo_id=? AND run_id=?",
               (new, tx.repo_id, run_id))
    rows: list[RecordRow] = []
    # Leases that ran out are not revived: release / requeue them, in records too.
    dead = tx.execute("SELECT reservation_id, token FROM live_reservations WHERE repo_id=?"
                      " AND run_id=? AND state='live' AND expires_at<=?",
                      (tx.repo_id, run_id, now)).fetchall()
    if dead:
        _end_reservations(tx, [d[0] for d in dead], "expired", now)
        rows += [_release_row(d[0], run_id, int(d[1]), now, "expired") for d in dead]
    tx.execute("UPDATE live_reservations SET expires_at=? WHERE repo_id=? AND run_id=?"
               " AND state='live' AND expires_at<?", (new, tx.repo_id, run_id, new))
    lapsed = tx.execute("SELECT task_id, slot, token FROM live_tasks WHERE repo_id=? AND holder=?"
                        " AND status='claimed' AND claim_expires_at<=?",
                        (tx.repo_id, run_id, now)).fetchall()
    for task_id, slot, token in lapsed:
        rows.append(_requeue_expired(tx, task_id, int(slot), int(token), run_id, now))
    tx.execute("UPDATE live_tasks SET claim_expires_at=? WHERE repo_id=? AND holder=?"
               " AND status='claimed' AND claim_expires_at<?", (new, tx.repo_id, run_id, new))
    n_res = tx.execute("SELECT COUNT(*) FROM live_reservations WHERE repo_id=? AND run_id=?"
                       " AND state='live'", (tx.repo_id, run_id)).fetchone()[0]
    n_claims = tx.execute("SELECT COUNT(*) FROM live_tasks WHERE repo_id=? AND holder=?"
                          " AND status='claimed'", (tx.repo_id, run_id)).fetchone()[0]
    ts = _iso(new)
    body: JsonDict = {"run_id": run_id, "at": _iso(now), "extended_expires_at": ts,
                      "expires_at": ts}
    hb = _new_id(body)
    rows.append(_bus("heartbeat", hb, run_id, {"heartbeat_id": hb, **body}, ts))
    tx.append_records(rows)
    return {"run_id": run_id, "expires_at": ts, "expires_in": new - now,
            "reservations": int(n_res), "claims": int(n_claims),
            "expired": {"reservations": len(dead), "claims": len(lapsed)}}


# ── tasks ────────────────────────────────────────────────────────────────────
@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A task to enqueue (validated by the caller)."""

    task_id: str
    description: str = ""
    priority: int = 0
    depends_on: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()


def enqueue(tx: LiveTx, now: float, handle: str, tasks: Sequence[TaskSpec]) -> JsonDict:
    """Add *tasks*; ids the queue already has (or repeated in *tasks*) are skipped."""
    ids = list(dict.fromkeys(t.task_id for t in tasks))
    existing: set[str] = set()
    for start in range(0, len(ids), 400):
        chunk = ids[start:start + 400]
        existing.update(r[0] for r in tx.execute(
            f"SELECT task_id FROM live_tasks WHERE repo_id=? AND task_id IN ({_marks(len(chunk))})",
            (tx.repo_id, *chunk)).fetchall())
    fresh: list[TaskSpec] = []
    for t in tasks:
        if t.task_id not in existing:
            existing.add(t.task_id)
            fresh.append(t)
    deps = sorted({d for t in fresh for d in t.depends_on})
    done: set[str] = set()
    for start in range(0, len(deps), 400):
        chunk = deps[start:start + 400]
        done.update(r[0] for r in tx.execute(
            f"SELECT task_id FROM live_tasks WHERE repo_id=? AND status='completed'"
            f" AND task_id IN ({_marks(len(chunk))})", (tx.repo_id, *chunk)).fetchall())
    tx.executemany(
        "INSERT INTO live_tasks (repo_id, task_id, description, priority, depends_on, symbols,"
        " created_at, status, blocked) VALUES (?,?,?,?,?,?,?,'pending',?)",
        [(tx.repo_id, t.task_id, t.description, t.priority, _SEP.join(t.depends_on),
          _SEP.join(t.symbols), now, sum(1 for d in t.depends_on if d not in done))
         for t in fresh])
    tx.executemany("INSERT INTO live_task_deps (repo_id, depends_on, task_id) VALUES (?,?,?)",
                   [(tx.repo_id, d, t.task_id) for t in fresh for d in t.depends_on])
    rows = []
    for t in fresh:
        record = {"task_id": t.task_id, "run_id": None, "description": t.description,
                  "priority": t.priority, "depends_on": list(t.depends_on),
                  "symbols": list(t.symbols), "created_at": _iso(now), "enqueued_by": handle}
        rows.append(_bus("task", t.task_id, None, record))
    tx.append_records(rows)
    return {"inserted": len(fresh), "skipped": len(tasks) - len(fresh)}


_TASK_COLS = ("task_id, description, priority, depends_on, symbols, created_at, status, blocked,"
              " holder, token, slot, claim_expires_at")


def _split(text: str) -> list[str]:
    return text.split(_SEP) if text else []


def _task_json(row: Any) -> JsonDict:
    return {"task_id": row[0], "description": row[1], "priority": int(row[2]),
            "symbols": _split(row[4]), "depends_on": _split(row[3])}


def _slot_row(task_id: str, slot: int, body: JsonDict) -> RecordRow:
    cid = f"{task_id}+{slot}"
    record = {"claim_id": cid, "task_id": task_id, "slot": slot, **body}
    return _bus("claim", cid, str(body["claimer_run_id"]), record, body.get("expires_at"))


def _requeue_expired(tx: LiveTx, task_id: str, slot: int, token: int, run_id: str,
                     now: float) -> RecordRow:
    tx.execute("UPDATE live_tasks SET status='pending', holder=NULL, claim_expires_at=NULL,"
               " slot=? WHERE repo_id=? AND task_id=?", (slot + 1, tx.repo_id, task_id))
    return _slot_row(task_id, slot + 1, {
        "claimer_run_id": run_id, "status": "failed", "at": _iso(now),
        "detail": "lease expired", "of_slot": slot, "requeue": True, "token": token})


def claim(tx: LiveTx, now: float, handle: str, run_id: str, ttl: float,
          task_id: str | None) -> JsonDict:
    """Give *run_id* the best ready task (or *task_id*): exactly one caller wins it.

    Raises:
        NotFound: *task_id* is not queued.
        ConflictError: *task_id* is held by a live claim, finished, or blocked.
    """
    run_expiry = _touch_run(tx, run_id, handle)
    order = " ORDER BY priority DESC, created_at, task_id LIMIT 1"
    if task_id is not None:
        row = tx.execute(f"SELECT {_TASK_COLS} FROM live_tasks WHERE repo_id=? AND task_id=?",
                         (tx.repo_id, task_id)).fetchone()
        if row is None:
            raise NotFound(f"no task {task_id!r} in the live queue", task_id=task_id)
        status, blocked, holder, exp = row[6], int(row[7]), row[8], row[11]
        if status == "claimed" and exp is not None and exp > now:
            raise ConflictError(f"task {task_id} is claimed by run {holder} until {_iso(exp)}",
                                task_id=task_id, status=status, holder=holder,
                                expires_at=_iso(exp), retry_after=max(1, int(exp - now + 0.999)))
        if status in ("completed", "failed"):
            raise ConflictError(f"task {task_id} is {status}", task_id=task_id, status=status,
                                holder=holder)
        if blocked:
            waiting = _blocked_by(tx, row)
            raise ConflictError(f"task {task_id} is blocked by {', '.join(waiting) or 'prerequisites'}",
                                task_id=task_id, status="blocked", blocked_by=waiting)
    else:
        pending = tx.execute(f"SELECT {_TASK_COLS} FROM live_tasks WHERE repo_id=?"
                             " AND status='pending' AND blocked=0" + order,
                             (tx.repo_id,)).fetchone()
        lapsed = tx.execute(f"SELECT {_TASK_COLS} FROM live_tasks WHERE repo_id=?"
                            " AND status='claimed' AND claim_expires_at<=?" + order,
                            (tx.repo_id, now)).fetchone()
        found = [r for r in (pending, lapsed) if r is not None]
        if not found:
            return {"task": None, "token": None, "expires_at": None, "expires_in": None}
        row = min(found, key=lambda r: (-int(r[2]), float(r[5]), r[0]))
    task_id, slot = row[0], int(row[10]) + 1
    token = _next_token(tx)
    expires = _lease_expiry(now, ttl, run_expiry)
    tx.execute("UPDATE live_tasks SET status='claimed', holder=?, token=?, slot=?,"
               " claim_expires_at=?, attempts=attempts+1 WHERE repo_id=? AND task_id=?",
               (run_id, token, slot, expires, tx.repo_id, task_id))
    tx.append_records([_slot_row(task_id, slot, {
        "claimer_run_id": run_id, "status": "claimed", "at": _iso(now),
        "expires_at": _iso(expires), "token": token})])
    return {"task": _task_json(row), "token": token, "expires_at": _iso(expires),
            "expires_in": expires - now}


def _blocked_by(tx: LiveTx, row: Any) -> list[str]:
    deps = _split(row[3])
    if not deps:
        return []
    done = {r[0] for r in tx.execute(
        f"SELECT task_id FROM live_tasks WHERE repo_id=? AND status='completed'"
        f" AND task_id IN ({_marks(len(deps))})", (tx.repo_id, *deps)).fetchall()}
    return [d for d in deps if d not in done]


def _check_claim(row: Any, task_id: str, run_id: str, token: int, now: float) -> None:
    status, holder, cur, exp = row[6], row[8], row[9], row[11]
    what = f"task {task_id}"
    if cur is None or token > int(cur):
        raise StaleToken(f"token {token} was never the claim of {what} (current: {cur})",
                         reason="mismatch", token=cur, holder=holder)
    if token < int(cur):
        by = f" by run {holder}" if status == "claimed" else ""
        raise StaleToken(f"{what} was claimed again{by} (token {cur}) after your claim "
                         f"(token {token}) lapsed", reason="superseded", token=int(cur),
                         holder=holder, status=status)
    if status == "pending":
        raise StaleToken(f"your claim of {what} expired (hub time) and it went back to the queue",
                         reason="expired", token=int(cur), holder=None)
    if status != "claimed":
        raise StaleToken(f"{what} is already {status}", reason="not_claimed", token=int(cur),
                         holder=holder, status=status)
    if holder != run_id:
        raise StaleToken(f"{what} is held by run {holder}, not {run_id}", reason="not_holder",
                         token=int(cur), holder=holder)
    if exp is None or exp <= now:
        raise StaleToken(f"your claim of {what} expired at {_iso(exp or 0.0)} (hub time)",
                         reason="expired", token=int(cur), holder=holder,
                         expires_at=_iso(exp or 0.0))


def finish(tx: LiveTx, now: float, handle: str, task_id: str, run_id: str, token: int,
           status: str, detail: str, requeue: bool = False) -> JsonDict:
    """Complete or fail the task *run_id* holds with *token* (a repeat is harmless).

    Raises:
        NotFound: no such task.
        StaleToken: the claim is not *run_id*'s live claim with *token*.
    """
    _touch_run(tx, run_id, handle)
    row = tx.execute(f"SELECT {_TASK_COLS} FROM live_tasks WHERE repo_id=? AND task_id=?",
                     (tx.repo_id, task_id)).fetchone()
    if row is None:
        raise NotFound(f"no task {task_id!r} in the live queue", task_id=task_id)
    if (row[6] == status and status != "pending" and row[8] == run_id
            and row[9] is not None and int(row[9]) == token):
        return {"task_id": task_id, "status": status, "token": token, "already": True}
    _check_claim(row, task_id, run_id, token, now)
    slot = int(row[10]) + 1
    new_status = "pending" if (status == "failed" and requeue) else status
    tx.execute("UPDATE live_tasks SET status=?, holder=?, slot=?, claim_expires_at=NULL"
               " WHERE repo_id=? AND task_id=?",
               (new_status, None if new_status == "pending" else run_id, slot, tx.repo_id,
                task_id))
    if status == "completed":
        # Each task completes once, so each dependent loses one blocker exactly once.
        # Dependents first, then one primary-key update each: as a single
        # UPDATE … IN (subquery), SQLite without statistics walked every task
        # of the repository through the ready index (30,000 rows per complete).
        dependents = tx.execute("SELECT task_id FROM live_task_deps WHERE repo_id=? AND depends_on=?",
                                (tx.repo_id, task_id)).fetchall()
        for (dependent,) in dependents:
            tx.execute("UPDATE live_tasks SET blocked = blocked - 1 WHERE repo_id=? AND task_id=?"
                       " AND blocked > 0", (tx.repo_id, dependent))
    body: JsonDict = {"claimer_run_id": run_id, "status": status, "at": _iso(now),
                      "detail": detail, "of_slot": slot - 1, "token": token}
    if requeue and status == "failed":
        body["requeue"] = True
    tx.append_records([_slot_row(task_id, slot, body)])
    return {"task_id": task_id, "status": new_status, "token": token, "already": False}


# ── reads ────────────────────────────────────────────────────────────────────
def fence(tx: LiveTx, now: float, token: int, reservation_id: str | None = None,
          task_id: str | None = None, symbol: str | None = None) -> JsonDict:
    """Whether *token* is the live lease of the reservation (covering *symbol*) or task."""
    out: JsonDict = {"valid": False, "token": None, "holder": None, "expires_at": None,
                     "expires_in": None}
    if reservation_id is not None:
        row = tx.execute("SELECT run_id, token, state, expires_at, symbols FROM live_reservations"
                         " WHERE repo_id=? AND reservation_id=?",
                         (tx.repo_id, reservation_id)).fetchone()
        if row is None:
            return {**out, "reason": "not_found"}
        run, cur, state, exp = row[0], int(row[1]), row[2], float(row[3])
        out.update(token=cur, holder=run, expires_at=_iso(exp), expires_in=max(0.0, exp - now))
        if token != cur:
            return {**out, "reason": "superseded" if token < cur else "mismatch"}
        if state == "released":
            return {**out, "reason": "released"}
        if state != "live" or exp <= now:
            return {**out, "reason": "expired", "expires_in": 0.0}
        if symbol is not None and not any(_covers(h, symbol) for h in _split(row[4])):
            return {**out, "reason": "not_covered"}
        return {**out, "valid": True}
    row = tx.execute(f"SELECT {_TASK_COLS} FROM live_tasks WHERE repo_id=? AND task_id=?",
                     (tx.repo_id, task_id)).fetchone()
    if row is None:
        return {**out, "reason": "not_found"}
    exp = row[11]
    out.update(token=row[9], holder=row[8], expires_at=_iso(exp) if exp else None,
               expires_in=max(0.0, exp - now) if exp else None)
    try:
        _check_claim(row, str(task_id), str(row[8]), token, now)
    except StaleToken as exc:
        return {**out, "reason": exc.details.get("reason", "stale")}
    return {**out, "valid": True}


def set_mode(tx: LiveTx, mode: str) -> JsonDict:
    _ensure_repo_row(tx)
    tx.execute("UPDATE live_repos SET mode=? WHERE repo_id=?", (mode, tx.repo_id))
    return {"mode": mode}


def status(tx: LiveTx, now: float, limit: int, run_id: str | None = None,
           symbol: str | None = None) -> JsonDict:
    """Counts, up to *limit* conflicts, and optionally one run's leases or a symbol's holders."""
    mode, fence_seq = _repo_mode(tx)
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
    conflicts: list[JsonDict] = []
    if syms:
        rows = tx.execute(
            "SELECT s.symbol, s.exact, r.run_id, r.reservation_id, r.expires_at"
            " FROM live_symbols s JOIN live_reservations r ON r.repo_id = s.repo_id"
            " AND r.reservation_id = s.reservation_id WHERE s.repo_id=?"
            f" AND s.symbol IN ({_marks(len(syms))}) AND r.state='live' AND r.expires_at>?",
            (tx.repo_id, *syms, now)).fetchall()
        by_sym: dict[str, list[Any]] = {}
        for r in rows:
            by_sym.setdefault(r[0], []).append(r)
        for sym in syms:
            group = sorted(by_sym.get(sym, []), key=lambda r: (r[2], r[3]))
            exact_runs = {r[2] for r in group if r[1]}
            conflicts.append({
                "symbol": sym, "overlap": "same" if len(exact_runs) > 1 else "contains",
                "holders": [{"run_id": r[2], "reservation_id": r[3], "expires_at": _iso(r[4])}
                            for r in group[:limit]]})
    counts = {"pending": 0, "ready": 0, "blocked": 0, "claimed": 0, "completed": 0, "failed": 0}
    for st, blocked, lapsed, n in tx.execute(
            "SELECT status, CASE WHEN blocked > 0 THEN 1 ELSE 0 END,"
            " CASE WHEN status='claimed' AND claim_expires_at<=? THEN 1 ELSE 0 END, COUNT(*)"
            " FROM live_tasks WHERE repo_id=? GROUP BY 1, 2, 3", (now, tx.repo_id)).fetchall():
        n = int(n)
        if st == "pending" or lapsed:
            counts["pending"] += n
            counts["blocked" if blocked else "ready"] += n
        elif st in counts:
            counts[st] += n
    out: JsonDict = {"mode": mode, "fence": fence_seq,
                     "reservations": {"active": int(active), "runs": int(runs)},
                     "conflicts": conflicts, "tasks": counts}
    if run_id is not None:
        run = tx.execute("SELECT expires_at FROM live_runs WHERE repo_id=? AND run_id=?",
                         (tx.repo_id, run_id)).fetchone()
        res = tx.execute("SELECT reservation_id, symbols, token, expires_at FROM live_reservations"
                         " WHERE repo_id=? AND run_id=? AND state='live' AND expires_at>?"
                         " ORDER BY token LIMIT ?", (tx.repo_id, run_id, now, limit)).fetchall()
        cl = tx.execute("SELECT task_id, token, claim_expires_at FROM live_tasks WHERE repo_id=?"
                        " AND holder=? AND status='claimed' AND claim_expires_at>?"
                        " ORDER BY token LIMIT ?", (tx.repo_id, run_id, now, limit)).fetchall()
        out["run"] = {
            "run_id": run_id,
            "expires_at": _iso(run[0]) if run and run[0] > now else None,
            "reservations": [{"reservation_id": r[0], "symbols": _split(r[1]),
                              "token": int(r[2]), "expires_at": _iso(r[3])} for r in res],
            "claims": [{"task_id": c[0], "token": int(c[1]), "expires_at": _iso(c[2])}
                       for c in cl]}
    if symbol is not None:
        held = _holders(tx, [symbol], now, exclude_run=None, prune=False).get(symbol, [])
        out["holders"] = [{"run_id": h.run_id, "reservation_id": h.reservation_id,
                           "token": h.token, "symbols": _split(h.symbols),
                           "expires_at": _iso(h.expires_at)}
                          for h in sorted(held, key=lambda h: h.token)[:limit]]
    return out
