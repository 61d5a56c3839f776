"""The hub's lessor: live leases and the live task queue, decided by the rulebook.

Each verb runs inside :meth:`HubStore.live_transaction` (``write=True``) and
first locks what it decides about — the run (:func:`_touch_run`), the
addresses (:func:`_lock_addresses`), the task or lease row — through the
storage's primitives, so reading, deciding and writing are one atomic step
without a lock per repository (see :mod:`muse.storage.live` for the tables
and the SQL). The
decisions themselves are the functions of :mod:`muse.core.vocab.rules` the local
engine calls too: addresses and overlap, lease end and the heartbeat rule,
claim order, stale-token reasons, the strict refusal, record ids.

Lease rules (``docs/rules.md``, ``docs/live.md``): times come from the hub
clock (*now*), never from clients. A lease's ``expires_at`` is materialised on
its row: a heartbeat raises it for every live lease of the run, and a lease
granted to a run that heartbeated starts at least at the run's expiry. A lease
whose end has passed is dead for good; the run's next heartbeat writes the
release / requeue records that make pulled records agree.

Every grant is also written as bus records in the core shapes
(``muse.core.vocab.records``) through :meth:`LiveTx.append_records`, stored in the
same transaction, so they show up in pulls (SQLite numbers them there; PostgreSQL
numbers them after commit, ``muse.storage.postgres``).
Records pushed with ``coord push`` are applied to the live tables by
:func:`apply_pushed`, under the same rules, so pushed and live are one world
on a hub.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from muse.core.types import JsonDict
from muse.core.vocab.address import ancestors
from muse.core.vocab.clock import format_ts
from muse.core.vocab.errors import ConflictError, MuseError, NotFound
from muse.core.vocab.rules import (
    MAX_PREREQUISITES,
    Blocker,
    check_prerequisites,
    claim_fence,
    claim_order,
    claim_stale,
    cycle_refusal,
    find_cycle,
    grant_expiry,
    heartbeat_expiry,
    lease_end,
    new_record_id,
    reservation_fence,
    reservation_stale,
    retry_after,
    strict_refusal,
)
from muse.hub import bounds
from muse.storage import live as tables
from muse.storage.base import HubStore, RecordRow, decide_live
from muse.storage.live import LiveTx, split

__all__ = [
    "ANSWER_TTL",
    "MODES",
    "RunOwnedElsewhere",
    "TaskSpec",
    "answer_once",
    "apply_pushed",
    "apply_to_live",
    "claim",
    "depend",
    "enqueue",
    "fence",
    "finish",
    "finish_releasing",
    "heartbeat",
    "intent",
    "release",
    "reservation_page",
    "reserve",
    "set_mode",
    "status",
    "symbol_ancestors",
    "symbol_marks",
]

MODES = ("advisory", "strict")
_TASK_GRAPH = "\ntask graph"  # the lock name of a repository's dependency edges
symbol_ancestors = ancestors  # the one overlap relation (muse.core.vocab.address)


class RunOwnedElsewhere(MuseError):
    """The run id is bound to another signing handle on this repository."""

    exit_code = 1
    http_status = 403
    code = "forbidden"


# ── helpers ──────────────────────────────────────────────────────────────────
def _iso(t: float) -> str:
    return format_ts(t)


def _bus(kind: str, record_id: str, run_id: str | None, payload: JsonDict,
         expires_at: str | None = None) -> RecordRow:
    import msgspec

    body = msgspec.msgpack.encode({"kind": kind, "record_id": record_id, "run_id": run_id,
                                   "payload": payload, "expires_at": expires_at})
    return RecordRow(kind, record_id, body)


def _touch_run(tx: LiveTx, run_id: str, handle: str) -> float:
    """Bind *run_id* to *handle* (first use wins); return the run's heartbeat expiry.

    The run's row stays locked until commit: one run's decisions are serial.
    """
    row = tables.run_row(tx, run_id, lock=True)
    if row is None:
        bounds.check_runs(tx, handle)
        row = tables.touch_run(tx, run_id, handle)  # a racer may have created it first
    owner, expires_at = row
    if owner != handle:
        raise RunOwnedElsewhere(f"run {run_id} belongs to {owner}, not {handle}: "
                                "use a run id of your own", run_id=run_id)
    return expires_at


def _lock_addresses(tx: LiveTx, symbols: Sequence[str]) -> None:
    """Serialise this transaction with every other one about an overlapping address:
    each address exclusively, each enclosing scope shared (two addresses overlap
    when equal or one encloses the other, so overlapping ones always meet on a
    lock one of them takes exclusively)."""
    held = sorted(set(symbols))
    scopes = sorted({outer for sym in held for outer in ancestors(sym)} - set(held))
    tx.lock_addresses(held, scopes)


def symbol_marks(symbols: Sequence[str]) -> dict[str, int]:
    """The ``live_symbols`` rows of a lease: each address held (1) and each
    enclosing scope (0), so overlap checks are lookups by address."""
    marks: dict[str, int] = {}
    for sym in symbols:
        marks[sym] = 1
        for outer in ancestors(sym):
            marks.setdefault(outer, 0)
    return marks


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

    Rows at the symbol itself cover the same address and everything held
    below it; exact rows at its ancestors cover enclosing scopes. Dead rows met
    on the way are deleted (symbol rows only serve overlap checks).
    """
    wanted: dict[str, list[str]] = {}
    for sym in symbols:
        wanted.setdefault(sym, []).append(sym)
        for outer in ancestors(sym):
            wanted.setdefault(outer, []).append(sym)
    out: dict[str, list[_Holder]] = {}
    dead: list[tuple[str, str]] = []
    own = list(dict.fromkeys(symbols))
    scopes = [k for k in wanted if k not in set(own)]  # only enclosing scopes: exact rows
    for sym_row, exact, run, rid, token, exp, state, held in tables.symbol_rows(tx, own, scopes):
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
        tables.delete_symbol_rows(tx, dead)
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
    """Grant (or, strict, refuse) a reservation of canonical *symbols* for *run_id*.

    Raises:
        ConflictError: strict and another live run holds an overlapping address;
            nothing is written.
        RunOwnedElsewhere: *run_id* belongs to another handle.
    """
    run_expiry = _touch_run(tx, run_id, handle)
    mode = mode or tables.repo_mode(tx)
    _lock_addresses(tx, symbols)
    held = _holders(tx, symbols, now, exclude_run=run_id)
    if mode == "strict" and held:
        raise strict_refusal({s: [Blocker(s, h.run_id, h.reservation_id, h.expires_at) for h in hs]
                              for s, hs in held.items()}, now)
    token = tables.next_token(tx)
    expires = grant_expiry(now, ttl, run_expiry)
    body: JsonDict = {"run_id": run_id, "symbols": list(symbols), "created_at": _iso(now),
                      "expires_at": _iso(expires), "mode": mode, "token": token}
    rid = new_record_id(body)
    tables.insert_reservation(tx, rid, run_id, token, symbols, mode, now, expires,
                              symbol_marks(symbols))
    record = {"reservation_id": rid, **body}
    tx.append_records([_bus("reservation", rid, run_id, record, record["expires_at"])])
    return {"reservation_id": rid, "run_id": run_id, "symbols": list(symbols), "token": token,
            "mode": mode, "granted_at": _iso(now), "expires_at": _iso(expires),
            "expires_in": expires - now, "conflicts": _conflicts_json(held)}


def _reservation(tx: LiveTx, reservation_id: str, lock: bool = False) -> Any:
    row = tables.reservation_row(tx, reservation_id, lock)
    if row is None:
        raise NotFound(f"no live reservation {reservation_id!r}", reservation_id=reservation_id)
    return row


def _check_reservation(row: Any, reservation_id: str, run_id: str, token: int,
                       now: float) -> None:
    stale = reservation_stale(reservation_id, row[0], int(row[1]), row[2], float(row[3]),
                              run_id, token, now)
    if stale is not None:
        raise stale


def end_reservations(tx: LiveTx, ids: Sequence[str], state: str, now: float) -> None:
    """End leases *ids* (``released`` / ``expired``) and drop their symbol rows."""
    pairs = [(sym, rid) for rid, held in tables.reservation_symbols(tx, ids)
             for sym in symbol_marks(held)]
    tables.end_reservations(tx, ids, state, now, pairs)


def _release_row(reservation_id: str, run_id: str, token: int, now: float,
                 reason: str | None = None) -> RecordRow:
    body: JsonDict = {"reservation_id": reservation_id, "run_id": run_id,
                      "released_at": _iso(now), "token": token}
    if reason:
        body["reason"] = reason
    rel = new_record_id(body)
    return _bus("release", rel, run_id, {"release_id": rel, **body})


def release(tx: LiveTx, now: float, handle: str, reservation_id: str, run_id: str,
            token: int) -> JsonDict:
    """Release a live reservation presenting its token (a repeat is harmless).

    Raises:
        NotFound: no such reservation.
        StaleToken: another run's, wrong token, or expired.
    """
    _touch_run(tx, run_id, handle)
    row = _reservation(tx, reservation_id, lock=True)
    if row[2] == "released" and row[0] == run_id and int(row[1]) == token:
        return {"reservation_id": reservation_id, "released_at": _iso(float(row[5] or now)),
                "already_released": True}
    _check_reservation(row, reservation_id, run_id, token, now)
    # The lease's addresses are on the row just read: no second read of them.
    tables.end_reservations(tx, [reservation_id], "released", now,
                            [(sym, reservation_id) for sym in symbol_marks(split(row[4]))])
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
    iid = new_record_id(body)
    record = {"intent_id": iid, **body}
    tx.append_records([_bus("intent", iid, run_id, record)])
    return record


# ── heartbeats ───────────────────────────────────────────────────────────────
def heartbeat(tx: LiveTx, now: float, handle: str, run_id: str, ttl: float) -> JsonDict:
    """Extend every live lease of *run_id* to at least now + *ttl*; bury the lapsed ones first."""
    run_expiry = _touch_run(tx, run_id, handle)
    new = heartbeat_expiry(now, ttl, run_expiry)
    rows, dead, lapsed, (n_res, n_claims) = _extend_run(tx, run_id, new, now)
    ts = _iso(new)
    body: JsonDict = {"run_id": run_id, "at": _iso(now), "extended_expires_at": ts,
                      "expires_at": ts}
    hb = new_record_id(body)
    rows.append(_bus("heartbeat", hb, run_id, {"heartbeat_id": hb, **body}, ts))
    tx.append_records(rows)
    return {"run_id": run_id, "expires_at": ts, "expires_in": new - now,
            "reservations": n_res, "claims": n_claims,
            "expired": {"reservations": dead, "claims": lapsed}}


def _extend_run(tx: LiveTx, run_id: str, new: float, now: float
                ) -> tuple[list[RecordRow], int, int, tuple[int, int]]:
    """The heartbeat rule: bury *run_id*'s lapsed leases (release / requeue
    records), then raise the others to *new*. Returns the records, the counts
    buried, and the run's (reservations, claims) still held after."""
    tables.set_run_expiry(tx, run_id, new)
    rows: list[RecordRow] = []
    dead, lapsed, (n_res, n_claims) = tables.lapsed_run_leases(tx, run_id, now)
    if dead:
        end_reservations(tx, [d[0] for d in dead], "expired", now)
        rows += [_release_row(rid, run_id, token, now, "expired") for rid, token in dead]
    for task_id, slot, token in lapsed:
        rows.append(_requeue_expired(tx, task_id, slot, token, run_id, now))
    tables.extend_run_leases(tx, run_id, new)
    return rows, len(dead), len(lapsed), (n_res - len(dead), n_claims - len(lapsed))


# ── tasks ────────────────────────────────────────────────────────────────────
@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A task to enqueue (validated by the caller)."""

    task_id: str
    description: str = ""
    priority: int = 0
    depends_on: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()
    created_at: float | None = None  # None: now (pushed tasks keep their own)


def enqueue(tx: LiveTx, now: float, handle: str, tasks: Sequence[TaskSpec],
            write_records: bool = True) -> JsonDict:
    """Add *tasks*; ids the queue already has (or repeated in *tasks*) are skipped."""
    ids = list(dict.fromkeys(t.task_id for t in tasks))
    existing = tables.existing_tasks(tx, ids)
    fresh: list[TaskSpec] = []
    for t in tasks:
        if t.task_id not in existing:
            existing.add(t.task_id)
            fresh.append(t)
    bounds.check_tasks(tx, len(fresh))
    done = tables.completed_among(tx, sorted({d for t in fresh for d in t.depends_on}), lock=True)
    tables.insert_tasks(tx, [
        (t.task_id, t.description, t.priority, t.depends_on, t.symbols,
         now if t.created_at is None else t.created_at,
         sum(1 for d in t.depends_on if d not in done)) for t in fresh])
    if write_records:
        rows = []
        for t in fresh:
            record = {"task_id": t.task_id, "run_id": None, "description": t.description,
                      "priority": t.priority, "depends_on": list(t.depends_on),
                      "symbols": list(t.symbols), "created_at": _iso(now), "enqueued_by": handle}
            rows.append(_bus("task", t.task_id, None, record))
        tx.append_records(rows)
    return {"inserted": len(fresh), "skipped": len(tasks) - len(fresh)}


def depend(tx: LiveTx, now: float, handle: str, task_id: str, depends_on: Sequence[str],
           run_id: str | None) -> JsonDict:
    """Make *task_id* wait for *depends_on* as well (the local ``depend --task``).

    Prerequisites may name tasks not queued yet (as at enqueue); each one not
    completed blocks the task until it is.

    Raises:
        NotFound: *task_id* is not queued.
        DependencyCycle: the new edges would close a cycle (the cycle is named).
    """
    if run_id is not None:
        _touch_run(tx, run_id, handle)
    # The cycle check reads the whole dependency graph: added edges are decided
    # one at a time (a name no address can take: addresses hold no newline).
    tx.lock_addresses([_TASK_GRAPH], [])
    row = tables.task_row(tx, task_id, lock=True)
    if row is None:
        raise NotFound(f"no task {task_id!r} in the live queue", task_id=task_id)
    have = split(row[3])
    check_prerequisites(task_id, len({*have, *depends_on}))
    cycle = find_cycle(lambda n: tables.task_prerequisites(tx, n), task_id, depends_on)
    if cycle:
        raise cycle_refusal(cycle)
    _add_prerequisites(tx, task_id, have, depends_on)
    body: JsonDict = {"task_id": task_id, "depends_on": sorted(set(depends_on))}
    if run_id is not None:
        body["run_id"] = run_id
    did = new_record_id(body)
    record = {"dependency_id": did, **body}
    tx.append_records([_bus("dependency", did, run_id, record)])
    return record


def _add_prerequisites(tx: LiveTx, task_id: str, have: Sequence[str],
                       depends_on: Sequence[str]) -> None:
    """Add the edges *task_id* lacks; each prerequisite not completed is one more blocker."""
    new = [d for d in dict.fromkeys(depends_on) if d not in have]
    if new:
        done = tables.completed_among(tx, new, lock=True)
        tables.add_task_prerequisites(tx, task_id, [*have, *new], new,
                                      sum(1 for d in new if d not in done))


def _task_json(row: Any) -> JsonDict:
    return {"task_id": row[0], "description": row[1], "priority": int(row[2]),
            "symbols": split(row[4]), "depends_on": split(row[3])}


def _slot_row(task_id: str, slot: int, body: JsonDict) -> RecordRow:
    cid = f"{task_id}+{slot}"
    record = {"claim_id": cid, "task_id": task_id, "slot": slot, **body}
    return _bus("claim", cid, str(body["claimer_run_id"]), record, body.get("expires_at"))


def _requeue_expired(tx: LiveTx, task_id: str, slot: int, token: int, run_id: str,
                     now: float) -> RecordRow:
    tables.set_task_state(tx, task_id, "pending", None, slot + 1)
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
    if task_id is not None:
        row = tables.task_row(tx, task_id, lock=True)
        if row is None:
            raise NotFound(f"no task {task_id!r} in the live queue", task_id=task_id)
        status, blocked, holder, exp = row[6], int(row[7]), row[8], row[11]
        if status == "claimed" and exp is not None and exp > now:
            raise ConflictError(f"task {task_id} is claimed by run {holder} until {_iso(exp)}",
                                task_id=task_id, status=status, holder=holder,
                                expires_at=_iso(exp), retry_after=retry_after(exp, now))
        if status in ("completed", "failed"):
            raise ConflictError(f"task {task_id} is {status}", task_id=task_id, status=status,
                                holder=holder)
        if blocked:
            waiting = _blocked_by(tx, row)
            raise ConflictError(f"task {task_id} is blocked by {', '.join(waiting) or 'prerequisites'}",
                                task_id=task_id, status="blocked", blocked_by=waiting)
    else:
        found = [r for r in tables.next_claimable(tx, now) if r is not None]
        if not found:
            return {"task": None, "token": None, "expires_at": None, "expires_in": None}
        row = min(found, key=lambda r: claim_order(int(r[2]), float(r[5]), r[0]))
    task_id, slot = row[0], int(row[10]) + 1
    token = tables.next_token(tx)
    expires = grant_expiry(now, ttl, run_expiry)
    tables.set_claimed(tx, task_id, run_id, token, slot, expires)
    tx.append_records([_slot_row(task_id, slot, {
        "claimer_run_id": run_id, "status": "claimed", "at": _iso(now),
        "expires_at": _iso(expires), "token": token})])
    return {"task": _task_json(row), "token": token, "expires_at": _iso(expires),
            "expires_in": expires - now}


def _blocked_by(tx: LiveTx, row: Any) -> list[str]:
    deps = split(row[3])
    if not deps:
        return []
    done = tables.completed_among(tx, deps)
    return [d for d in deps if d not in done]


def _check_claim(row: Any, task_id: str, run_id: str, token: int, now: float) -> None:
    stale = claim_stale(task_id, row[6], row[8], None if row[9] is None else int(row[9]),
                        row[11], run_id, token, now)
    if stale is not None:
        raise stale


def finish(tx: LiveTx, now: float, handle: str, task_id: str, run_id: str, token: int,
           status: str, detail: str, requeue: bool = False) -> JsonDict:
    """Complete or fail the task *run_id* holds with *token* (a repeat is harmless).

    Raises:
        NotFound: no such task.
        StaleToken: the claim is not *run_id*'s live claim with *token*.
    """
    _touch_run(tx, run_id, handle)
    row = tables.task_row(tx, task_id, lock=True)
    if row is None:
        raise NotFound(f"no task {task_id!r} in the live queue", task_id=task_id)
    if (row[6] == status and status != "pending" and row[8] == run_id
            and row[9] is not None and int(row[9]) == token):
        return {"task_id": task_id, "status": status, "token": token, "already": True}
    _check_claim(row, task_id, run_id, token, now)
    slot = int(row[10]) + 1
    new_status = "pending" if (status == "failed" and requeue) else status
    tables.set_task_state(tx, task_id, new_status, None if new_status == "pending" else run_id,
                          slot)
    if status == "completed":
        tables.unblock_dependents(tx, task_id)  # each task completes once
    body: JsonDict = {"claimer_run_id": run_id, "status": status, "at": _iso(now),
                      "detail": detail, "of_slot": slot - 1, "token": token}
    if requeue and status == "failed":
        body["requeue"] = True
    tx.append_records([_slot_row(task_id, slot, body)])
    return {"task_id": task_id, "status": new_status, "token": token, "already": False}


def finish_releasing(tx: LiveTx, now: float, handle: str, task_id: str, run_id: str, token: int,
                     status: str, detail: str, requeue: bool,
                     leases: Sequence[tuple[str, int]]) -> JsonDict:
    """:func:`finish`, then :func:`release` of each of *leases* ``(reservation_id,
    token)`` of *run_id*, in this one transaction, by the rulebook's
    :func:`~muse.core.vocab.rules.finish_releasing`: a stale claim token refuses
    the whole request (nothing released); a lease that cannot be released is
    reported in ``released``, the finish stands. (A refused :func:`release`
    raises before it writes anything, so the transaction goes on cleanly.)
    """
    from muse.core.vocab.rules import finish_releasing as rule

    done, released = rule(
        lambda: finish(tx, now, handle, task_id, run_id, token, status, detail, requeue),
        lambda rid, tok: release(tx, now, handle, rid, run_id, int(tok or 0)), leases)
    return {**done, "released": released}


# ── answers that survive a lost reply ────────────────────────────────────────
ANSWER_TTL = 600.0  # seconds a granted answer is kept for a retry carrying its request id


def answer_once(tx: LiveTx, now: float, handle: str, request_id: str | None,
                decide: Callable[[], JsonDict]) -> JsonDict:
    """*decide* once per *request_id*: a retry (the client lost the first answer)
    gets the first answer again, marked ``replayed``, instead of a second grant.

    Only answers are kept, not refusals: a refused request wrote nothing, so
    deciding its retry afresh is right.
    """
    if request_id is None:
        return decide()
    import msgspec

    kept = tables.remembered_answer(tx, request_id, handle, now)
    if kept is not None:
        first: JsonDict = msgspec.json.decode(kept)
        return {**first, "replayed": True}
    bounds.check_answers(tx, handle)
    out = decide()
    tables.remember_answer(tx, request_id, handle, msgspec.json.encode(out).decode(),
                           now + ANSWER_TTL, now)
    return out


# ── reads ────────────────────────────────────────────────────────────────────
def fence(tx: LiveTx, now: float, token: int, reservation_id: str | None = None,
          task_id: str | None = None, symbol: str | None = None) -> JsonDict:
    """Whether *token* is the live lease of the reservation (covering *symbol*) or task."""
    out: JsonDict = {"valid": False, "token": None, "holder": None, "expires_at": None,
                     "expires_in": None}
    if reservation_id is not None:
        row = tables.reservation_row(tx, reservation_id)
        if row is None:
            return {**out, "reason": "not_found"}
        run, cur, exp = row[0], int(row[1]), float(row[3])
        out.update(token=cur, holder=run, expires_at=_iso(exp), expires_in=max(0.0, exp - now))
        reason = reservation_fence(reservation_id, run, cur, row[2], exp, split(row[4]), token,
                                   symbol, now)
        if reason is not None:
            return {**out, "reason": reason, **({"expires_in": 0.0} if reason == "expired" else {})}
        return {**out, "valid": True}
    row = tables.task_row(tx, str(task_id))
    if row is None:
        return {**out, "reason": "not_found"}
    exp = row[11]
    out.update(token=row[9], holder=row[8], expires_at=_iso(exp) if exp else None,
               expires_in=max(0.0, exp - now) if exp else None)
    reason = claim_fence(str(task_id), row[6], row[8], None if row[9] is None else int(row[9]),
                         exp, token, now)
    if reason is not None:
        return {**out, "reason": reason}
    return {**out, "valid": True}


def set_mode(tx: LiveTx, mode: str) -> JsonDict:
    tables.set_mode_row(tx, mode)
    return {"mode": mode}


def status(tx: LiveTx, now: float, limit: int, run_id: str | None = None,
           symbol: str | None = None) -> JsonDict:
    """Counts, up to *limit* conflicts, and optionally one run's leases or a symbol's holders."""
    mode, fence_seq = tables.repo_mode(tx), tx.fence()
    raw = tables.status_rows(tx, now, limit, run_id)
    by_sym: dict[str, list[Any]] = {}
    for r in raw["conflict_rows"]:
        by_sym.setdefault(r[0], []).append(r)
    conflicts: list[JsonDict] = []
    for sym in raw["conflict_symbols"]:
        group = sorted(by_sym.get(sym, []), key=lambda r: (r[2], r[3]))
        exact_runs = {r[2] for r in group if r[1]}
        conflicts.append({
            "symbol": sym, "overlap": "same" if len(exact_runs) > 1 else "contains",
            "holders": [{"run_id": r[2], "reservation_id": r[3], "expires_at": _iso(r[4])}
                        for r in group[:limit]]})
    counts = {"pending": 0, "ready": 0, "blocked": 0, "claimed": 0, "completed": 0, "failed": 0}
    for st, blocked, lapsed, n in raw["task_counts"]:
        n = int(n)
        if st == "pending" or lapsed:
            counts["pending"] += n
            counts["blocked" if blocked else "ready"] += n
        elif st in counts:
            counts[st] += n
    out: JsonDict = {"mode": mode, "fence": fence_seq,
                     "reservations": {"active": raw["active"], "runs": raw["runs"]},
                     "conflicts": conflicts, "tasks": counts}
    if run_id is not None:
        run = raw["run"]
        out["run"] = {
            "run_id": run_id,
            "expires_at": _iso(run[0]) if run and run[0] > now else None,
            "reservations": [{"reservation_id": r[0], "symbols": split(r[1]),
                              "token": int(r[2]), "expires_at": _iso(r[3])}
                             for r in raw["run_reservations"]],
            "claims": [{"task_id": c[0], "token": int(c[1]), "expires_at": _iso(c[2])}
                       for c in raw["run_claims"]]}
    if symbol is not None:
        held = _holders(tx, [symbol], now, exclude_run=None, prune=False).get(symbol, [])
        out["holders"] = [{"run_id": h.run_id, "reservation_id": h.reservation_id,
                           "token": h.token, "symbols": split(h.symbols),
                           "expires_at": _iso(h.expires_at)}
                          for h in sorted(held, key=lambda h: h.token)[:limit]]
    return out



def reservation_page(tx: LiveTx, now: float, limit: int, cursor: str,
                     run_id: str | None = None) -> JsonDict:
    """One page of live leases (of *run_id*) in reservation-id order after
    *cursor* ("": the first), as the local status lists them; ``next_cursor``
    when more follow; with *run_id*, ``total``: how many that run holds."""
    rows = tables.reservation_page(tx, now, limit + 1, cursor, run_id)
    page = rows[:limit]
    out: JsonDict = {
        "reservations": [{"reservation_id": r[0], "run_id": r[1], "symbols": split(r[2]),
                          "token": int(r[3]), "expires_at": _iso(float(r[4])), "remote": False}
                         for r in page],
        "next_cursor": page[-1][0] if len(rows) > limit and page else None}
    if run_id is not None:
        out["total"] = tables.count_live_run_reservations(tx, run_id, now)
    return out


# ── pushed records: one world with the live tables ───────────────────────────
_APPLY_ORDER = ("task", "dependency", "reservation", "claim", "release", "heartbeat")


def apply_to_live(store: HubStore, repo_id: int, now: float, handle: str,
                  records: Sequence[JsonDict]) -> JsonDict:
    """:func:`apply_pushed` for a batch the push route has just stored.

    Its own transaction after the store's: applying is idempotent, so a
    re-push after a crash in between applies what was missed.
    """
    return decide_live(store, repo_id, lambda tx: apply_pushed(tx, now, handle, records))


def apply_pushed(tx: LiveTx, now: float, handle: str, records: Sequence[JsonDict]) -> JsonDict:
    """Apply records pushed with ``coord push`` to the live tables, under the same rules.

    * a reservation still active at hub time becomes a live lease (a strict
      live reserve of an overlapping address is then refused);
    * a release ends that lease; a heartbeat follows the heartbeat rule
      (lapsed leases of the run are buried, the others extended);
    * a task joins the live queue (claimable there); a task dependency adds
      its edges (blocking the task) unless the task is not queued or the
      edges would close a cycle; a claim slot that is the next one of a live
      task moves it (claimed, completed, failed).

    A record of a run bound to another identity, or already applied, or dead
    at hub time changes nothing. Idempotent: re-pushing a batch applies nothing
    twice. Returns counts per kind applied.
    """
    from muse.core.vocab.errors import InvalidRecord
    from muse.core.vocab.records import decode

    typed: dict[str, list[Any]] = {k: [] for k in _APPLY_ORDER}
    for rec in records:
        kind = rec.get("kind")
        if kind in typed:
            try:
                typed[kind].append(decode(kind, str(rec["record_id"]), rec["payload"]))
            except (InvalidRecord, KeyError, TypeError, ValueError):
                continue  # the record is stored; it just decides nothing here
    applied = {k: 0 for k in _APPLY_ORDER}
    owned: dict[str, bool] = {}

    def mine(run_id: str | None) -> bool:
        if not run_id:
            return False
        if run_id not in owned:
            owned[run_id] = tables.touch_run(tx, run_id, handle)[0] == handle
        return owned[run_id]

    specs = [TaskSpec(t.task_id, t.description, t.priority, t.depends_on, t.symbols,
                      t.created_at) for t in typed["task"]
             if "+" not in t.task_id]  # '+' names claim slots: not a task the queue can hold
    if specs:
        try:
            applied["task"] = int(enqueue(tx, now, handle, specs, write_records=False)["inserted"])
        except bounds.LimitReached:
            pass  # stored as records; the live queue is full (docs/operations.md, Retention)
    applied["dependency"] = sum(_apply_dependency(tx, d) for d in typed["dependency"])
    for res in typed["reservation"]:
        if not mine(res.run_id) or tables.reservation_row(tx, res.reservation_id) is not None:
            continue
        run = tables.run_row(tx, res.run_id)
        expires = lease_end(res.expires_at, run[1] if run else 0.0)
        if expires <= now:
            continue
        _lock_addresses(tx, res.symbols)
        tables.insert_reservation(tx, res.reservation_id, res.run_id, tables.next_token(tx),
                                  res.symbols, "advisory", res.created_at or now, expires,
                                  symbol_marks(res.symbols))
        applied["reservation"] += 1
    for c in sorted(typed["claim"], key=lambda c: (c.task_id, c.slot)):
        applied["claim"] += _apply_claim(tx, now, c, mine)
    for rel in typed["release"]:
        row = tables.reservation_row(tx, rel.reservation_id, lock=True)
        if (row is not None and row[2] == "live" and row[0] == (rel.run_id or row[0])
                and mine(row[0])):
            end_reservations(tx, [rel.reservation_id], "released", now)
            applied["release"] += 1
    for hb in typed["heartbeat"]:
        if mine(hb.run_id):
            run = tables.run_row(tx, hb.run_id)
            new = max(hb.extended_expires_at, run[1] if run else 0.0)
            if new > now:
                tx.append_records(_extend_run(tx, hb.run_id, new, now)[0])
                applied["heartbeat"] += 1
    return applied


def _apply_claim(tx: LiveTx, now: float, c: Any, mine: Any) -> int:
    row = tables.task_row(tx, c.task_id, lock=True)
    if row is None or c.slot != int(row[10]) + 1 or not mine(c.claimer_run_id):
        return 0  # not a live task, or the hub already wrote that slot
    if c.status == "claimed":
        if row[6] != "pending" or int(row[7]) or c.expires_at <= now:
            return 0
        tables.set_claimed(tx, c.task_id, c.claimer_run_id, tables.next_token(tx), c.slot,
                           c.expires_at)
        return 1
    if row[6] != "claimed" or row[8] != c.claimer_run_id:
        return 0
    status = "pending" if (c.status == "failed" and c.requeue) else c.status
    tables.set_task_state(tx, c.task_id, status, None if status == "pending" else c.claimer_run_id,
                          c.slot)
    if status == "completed":
        tables.unblock_dependents(tx, c.task_id)
    return 1


def _apply_dependency(tx: LiveTx, d: Any) -> int:
    """A pushed task dependency, under :func:`depend`'s rules (reservation ones decide nothing)."""
    if d.task_id is None:
        return 0
    row = tables.task_row(tx, d.task_id)
    if row is None or find_cycle(lambda n: tables.task_prerequisites(tx, n), d.task_id,
                                 d.depends_on):
        return 0
    have = split(row[3])
    if all(dep in have for dep in d.depends_on) or len({*have, *d.depends_on}) > MAX_PREREQUISITES:
        return 0  # already applied, or over the limit
    _add_prerequisites(tx, d.task_id, have, d.depends_on)
    return 1
