"""Coordination verbs and queries on one repository's record store.

Write side: :func:`reserve`, :func:`intend`, :func:`release`, :func:`heartbeat`,
:func:`depend`, :func:`enqueue`, :func:`claim`, :func:`complete`, :func:`fail`.
Read side: :func:`active_reservations`, the ``load_*`` helpers and
:class:`~muse.core.coord.state.CoordState`. GC: :func:`run_coord_gc`.

Every write is a new write-once record; races are settled by exclusive create
(claims) or by a deterministic re-check after writing (strict reservations),
never by read-decide-write.
"""

from __future__ import annotations

import _thread
import os
import pathlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from muse.core.coord.state import Conflict, CoordState, TaskState
from muse.core.files.fence import next_token
from muse.core.files.store import CoordStore, Problem
from muse.core.types import OPERATIONS, JsonDict, check_id
from muse.core.vocab import clock
from muse.core.vocab.address import SCOPE
from muse.core.vocab.errors import ConflictError, DependencyCycle, NotFound, StaleToken, UserError
from muse.core.vocab.records import (
    Claim,
    Dependency,
    Heartbeat,
    Intent,
    Release,
    Reservation,
    Task,
    claim_slot_id,
)
from muse.core.vocab.rules import (
    DEFAULT_TTL,
    Blocker,
    check_address,
    check_prerequisites,
    check_symbols,
    claim_order,
    claim_stale,
    cycle_refusal,
    find_cycle,
    grant_expiry,
    heartbeat_expiry,
    lapsed,
    new_record_id,
    reservation_stale,
    strict_refusal,
)

TYPE_CHECKING = False  # not typing's: reserve's start-up must not load typing
if TYPE_CHECKING:
    from muse.core.coord.gc import CoordGcResult, run_coord_gc

__all__ = [
    "DEFAULT_TTL",
    "Claim",
    "ClaimResult",
    "Conflict",
    "CoordGcResult",
    "CoordState",
    "Dependency",
    "Heartbeat",
    "Intent",
    "Release",
    "Reservation",
    "ReserveResult",
    "Task",
    "TaskState",
    "active_reservations",
    "claim",
    "complete",
    "depend",
    "enqueue",
    "fail",
    "find_conflicts",
    "heartbeat",
    "intend",
    "load_claims",
    "load_dependencies",
    "load_heartbeat_map",
    "load_intents",
    "load_released_ids",
    "load_reservations",
    "load_tasks",
    "release",
    "reserve",
    "run_coord_gc",
]



# ── read helpers (each reads only the folders it needs) ─────────────────────
def active_reservations(root: pathlib.Path, now: float | None = None) -> list[Reservation]:
    """Reservations that are neither released nor expired (heartbeats extend runs)."""
    return CoordState(pathlib.Path(root), clock.now() if now is None else now).active_reservations()


def load_reservations(root: pathlib.Path) -> list[Reservation]:
    return CoordState(pathlib.Path(root)).reservations


def load_released_ids(root: pathlib.Path) -> set[str]:
    return set(CoordState(pathlib.Path(root)).released())


def load_heartbeat_map(root: pathlib.Path) -> dict[str, float]:
    return CoordState(pathlib.Path(root)).heartbeat_map()


def load_intents(root: pathlib.Path) -> list[Intent]:
    return CoordState(pathlib.Path(root)).intents


def load_dependencies(root: pathlib.Path) -> list[Dependency]:
    return CoordState(pathlib.Path(root)).dependencies


def load_tasks(root: pathlib.Path) -> list[Task]:
    return CoordState(pathlib.Path(root)).tasks


def load_claims(root: pathlib.Path) -> list[Claim]:
    return CoordState(pathlib.Path(root)).claims


def find_conflicts(root: pathlib.Path, now: float | None = None) -> list[Conflict]:
    return CoordState(pathlib.Path(root), clock.now() if now is None else now).conflicts()


# ── helpers ──────────────────────────────────────────────────────────────────
def _max_token(state: CoordState) -> int:
    """The highest fencing token in the records (seeds a lost counter file)."""
    return max([r.token or 0 for r in state.reservations] + [c.fence for c in state.claims],
               default=0)


def _token(root: pathlib.Path, state: CoordState, at_least: int = 1) -> int:
    return next_token(root, at_least=at_least, seed=lambda: _max_token(state))


# ── strict reservations within one process ──────────────────────────────────
# Threads of one process serialise their strict reservations of overlapping
# addresses here, so they never race each other into the write-then-re-check
# below (which stays, for other processes). Addresses inside a file
# (``path::name``) overlap only within that file: they take the file's stripe
# and share the gate. A whole file or directory may enclose any of them: it
# takes the gate alone (a turnstile keeps it from waiting behind a stream of
# narrow ones).
class _Gate:
    """Many narrow holders at once, or one wide holder (``_thread`` locks: no
    ``threading`` import on the start-up path; a lock may be released by
    another thread than the one that took it)."""

    def __init__(self) -> None:
        self.mutex, self.room, self.turnstile = _thread.allocate_lock(), _thread.allocate_lock(), \
            _thread.allocate_lock()
        self.narrow = 0

    def enter_narrow(self) -> None:
        with self.turnstile:
            pass
        with self.mutex:
            self.narrow += 1
            if self.narrow == 1:
                self.room.acquire()

    def leave_narrow(self) -> None:
        with self.mutex:
            self.narrow -= 1
            if self.narrow == 0:
                self.room.release()

    def enter_wide(self) -> None:
        with self.turnstile:
            self.room.acquire()

    def leave_wide(self) -> None:
        self.room.release()


_STRIPES = 64
_gate = _Gate()
_stripes = [_thread.allocate_lock() for _ in range(_STRIPES)]


def _fresh_turns() -> None:  # a forked child: another thread may have held a turn
    global _gate, _stripes
    _gate = _Gate()
    _stripes = [_thread.allocate_lock() for _ in range(_STRIPES)]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_turns)


@contextmanager
def _strict_turn(symbols: list[str]) -> Iterator[None]:
    """Hold this process's turn to reserve *symbols* strictly."""
    if any(SCOPE not in sym for sym in symbols):
        _gate.enter_wide()
        try:
            yield
        finally:
            _gate.leave_wide()
        return
    stripes = sorted({hash(sym.partition(SCOPE)[0]) % _STRIPES for sym in symbols})  # one order: no deadlock
    _gate.enter_narrow()
    taken: list[int] = []
    try:
        for i in stripes:
            _stripes[i].acquire()
            taken.append(i)
        yield
    finally:
        for i in reversed(taken):
            _stripes[i].release()
        _gate.leave_narrow()


# ── reservations ─────────────────────────────────────────────────────────────
class ReserveResult:
    """A granted reservation and, in advisory mode, who else overlaps it."""

    __slots__ = ("conflicts", "record", "reservation")

    def __init__(self, reservation: Reservation, record: JsonDict,
                 conflicts: dict[str, list[Reservation]] | None = None) -> None:
        self.reservation = reservation
        self.record = record
        self.conflicts = conflicts or {}

    def to_json(self) -> JsonDict:
        return {
            **self.record,
            "conflicts": [
                {
                    "symbol": sym,
                    "holders": [
                        {"run_id": r.run_id, "reservation_id": r.reservation_id}
                        for r in holders
                    ],
                }
                for sym, holders in sorted(self.conflicts.items())
            ],
        }


def reserve(
    root: pathlib.Path,
    run_id: str,
    symbols: list[str],
    *,
    ttl: float = DEFAULT_TTL,
    strict: bool = False,
    now: float | None = None,
    problems: list[Problem] | None = None,
) -> ReserveResult:
    """Reserve *symbols* for *run_id* for *ttl* seconds.

    Advisory (default): always granted; overlaps with other runs are returned.
    Strict: refused with :class:`ConflictError` naming the holder. Two strict
    reservers racing both write, then both re-check: the later one (by
    creation time, then id) withdraws, so exactly one keeps the symbols.
    """
    check_id(run_id, "run id")
    symbols = check_symbols(symbols)
    if strict:
        with _strict_turn(symbols):
            return _reserve(pathlib.Path(root), run_id, symbols, ttl, True,
                            clock.now() if now is None else now, problems)
    return _reserve(pathlib.Path(root), run_id, symbols, ttl, False, clock.now() if now is None else now,
                    problems)


def _reserve(root: pathlib.Path, run_id: str, symbols: list[str], ttl: float, strict: bool, t: float,
             problems: list[Problem] | None) -> ReserveResult:
    state = CoordState(root, t)
    if strict:
        held = state.holders_of(symbols, exclude_run=run_id)
        if held:
            raise _strict_conflict(held, state)
    token = _token(root, state)
    body: JsonDict = {
        "run_id": run_id,
        "symbols": symbols,
        "created_at": clock.format_ts(t),
        "expires_at": clock.format_ts(grant_expiry(t, ttl, state.heartbeat_map().get(run_id, 0.0))),
        "mode": "strict" if strict else "advisory",
        "token": token,
    }
    rid = new_record_id(body)
    record = {"reservation_id": rid, **body}
    CoordStore(root).create("reservation", rid, record)
    res = Reservation.decode(rid, record)
    if strict:
        rivals = _strict_recheck(root, symbols, run_id, (res.created_at or t, rid), t)
        if rivals is not None:
            release(root, rid, run_id, now=t)
            raise _strict_conflict(rivals[0], rivals[1])
        return ReserveResult(res, record)
    held = state.holders_of(symbols, exclude_run=run_id)
    if problems is not None:  # unusable record files met on the way (read lazily, so now)
        problems.extend(state.problems)
    return ReserveResult(res, record, held)


def _strict_recheck(
    root: pathlib.Path, symbols: list[str], run_id: str, mine: tuple[float, str], t: float
) -> tuple[dict[str, list[Reservation]], CoordState] | None:
    """After writing a strict reservation: keep it only if no live rival is visible.

    Each strict reserver writes first and checks second, so of two racers at
    least the later checker sees the other. A racer that sees an *earlier*
    rival withdraws at once; one that sees only later rivals waits briefly for
    them to withdraw and withdraws itself if they do not. Hence at most one
    keeps the symbols (and usually exactly one).
    """
    import time

    deadline = time.monotonic() + 0.5
    while True:
        state = CoordState(root, t)
        rivals = state.holders_of(symbols, exclude_run=run_id)
        if not rivals:
            return None
        earlier = any((r.created_at or 0.0, r.reservation_id) < mine for rs in rivals.values() for r in rs)
        if earlier or time.monotonic() > deadline:
            return rivals, state
        time.sleep(0.02)


def _strict_conflict(held: dict[str, list[Reservation]], state: CoordState) -> ConflictError:
    blockers = {
        sym: [Blocker(sym, r.run_id, r.reservation_id, state.effective_expiry(r.run_id, r.expires_at))
              for r in holders]
        for sym, holders in held.items()
    }
    return strict_refusal(blockers, state.now)


def release(
    root: pathlib.Path, reservation_id: str, run_id: str | None = None, *,
    token: int | None = None, now: float | None = None,
) -> JsonDict:
    """Write a release tombstone for *reservation_id* (a repeat is harmless).

    Fencing as on the hub: the lease must still be *run_id*'s (when given),
    carry *token* (when given) and not have lapsed.

    Raises:
        NotFound: no such reservation.
        StaleToken: another run's, another token, or expired (``reason`` says which).
    """
    check_id(reservation_id, "reservation id")
    t = clock.now() if now is None else now
    state = CoordState(pathlib.Path(root), t)
    res = next((r for r in state.reservations if r.reservation_id == reservation_id), None)
    if res is None:
        raise NotFound(f"no reservation {reservation_id!r}", reservation_id=reservation_id)
    existing = state.released().get(reservation_id)
    if (existing is not None and existing.reason != "expired"
            and run_id in (None, res.run_id) and token in (None, res.token)):
        return {"release_id": existing.release_id, "reservation_id": reservation_id,
                "run_id": existing.run_id, "released_at": clock.format_ts(existing.released_at),
                "already_released": True}
    stale = _stale(state, res, run_id, token)
    if stale is not None:
        raise stale
    record = _release_record(res, t)
    CoordStore(pathlib.Path(root)).create("release", record["release_id"], record)
    return record


def _stale(state: CoordState, res: Reservation, run_id: str | None,
           token: int | None) -> StaleToken | None:
    """Why *run_id* presenting *token* no longer holds *res* (the rulebook's reasons)."""
    ended = state.released().get(res.reservation_id)
    lease = "live" if ended is None else ("expired" if ended.reason == "expired" else "released")
    return reservation_stale(res.reservation_id, res.run_id, res.token, lease,
                             state.effective_expiry(res.run_id, res.expires_at), run_id, token,
                             state.now)


def _release_record(res: Reservation, t: float, reason: str | None = None) -> JsonDict:
    body: JsonDict = {
        "reservation_id": res.reservation_id,
        "run_id": res.run_id,
        "released_at": clock.format_ts(t),
    }
    if res.token is not None:
        body["token"] = res.token
    if reason:
        body["reason"] = reason
    return {"release_id": new_record_id(body), **body}


def heartbeat(
    root: pathlib.Path, run_id: str, *, ttl: float = DEFAULT_TTL, now: float | None = None
) -> JsonDict:
    """Extend every lease (reservations and claims) of *run_id* to now + *ttl*.

    Leases of the run that already lapsed are buried first (a release record,
    or a requeue slot for a claim), as the hub does: a late heartbeat never
    revives a lease someone else may have taken meanwhile.
    """
    check_id(run_id, "run id")
    t = clock.now() if now is None else now
    root = pathlib.Path(root)
    state = CoordState(root, t)
    store = CoordStore(root)
    run_hb = state.heartbeat_map().get(run_id, 0.0)
    released = state.released()
    dead = [r for r in state.reservations
            if r.run_id == run_id and r.reservation_id not in released
            and lapsed(r.expires_at, run_hb, t)]
    for res in dead:
        record = _release_record(res, t, "expired")
        store.create("release", record["release_id"], record)
    requeued = 0
    for task_id, slots in state.claim_log().items():
        top = slots[-1]
        if (top.status == "claimed" and top.claimer_run_id == run_id
                and lapsed(top.expires_at, run_hb, t)):
            requeued += _claim_slot(store, task_id, top.slot + 1, {
                "claimer_run_id": run_id, "status": "failed", "at": clock.format_ts(t),
                "detail": "lease expired", "of_slot": top.slot, "requeue": True,
                "token": top.fence}) is not None
    ts = clock.format_ts(heartbeat_expiry(t, ttl, run_hb))
    body: JsonDict = {"run_id": run_id, "at": clock.format_ts(t), "extended_expires_at": ts, "expires_at": ts}
    hb_id = new_record_id(body)
    record = {"heartbeat_id": hb_id, **body}
    store.create("heartbeat", hb_id, record)
    return {**record, "expired": {"reservations": len(dead), "claims": requeued}}


def intend(
    root: pathlib.Path,
    run_id: str,
    operation: str,
    target: str,
    *,
    reservation_id: str | None = None,
    token: int | None = None,
    new_name: str | None = None,
    now: float | None = None,
) -> JsonDict:
    """Declare that *run_id* will apply *operation* to *target*.

    An intent on *reservation_id* is fenced as on the hub: the lease must
    still be *run_id*'s, carry *token* (when given) and not have ended.

    Raises:
        NotFound: no such reservation.
        StaleToken: another run's, another token, released or expired (``reason``).
    """
    check_id(run_id, "run id")
    if operation not in OPERATIONS:
        raise UserError(f"unknown operation {operation!r}: use one of {', '.join(OPERATIONS)}")
    target = check_address(target)
    if operation in ("rename", "move") and not new_name:
        raise UserError(f"a {operation} intent needs the new name/destination (--to)")
    t = clock.now() if now is None else now
    if reservation_id is not None:
        check_id(reservation_id, "reservation id")
        state = CoordState(pathlib.Path(root), t)
        res = next((r for r in state.reservations if r.reservation_id == reservation_id), None)
        if res is None:
            raise NotFound(f"no reservation {reservation_id!r}", reservation_id=reservation_id)
        stale = _stale(state, res, run_id, token)
        if stale is not None:
            raise stale
    body: JsonDict = {
        "run_id": run_id,
        "reservation_id": reservation_id,
        "operation": operation,
        "target": target,
        "created_at": clock.format_ts(t),
    }
    if new_name:
        body["new_name"] = new_name
    iid = new_record_id(body)
    record = {"intent_id": iid, **body}
    CoordStore(pathlib.Path(root)).create("intent", iid, record)
    return record


# ── dependencies ─────────────────────────────────────────────────────────────
def depend(
    root: pathlib.Path,
    node: str,
    depends_on: list[str],
    *,
    on_tasks: bool = False,
    run_id: str | None = None,
) -> JsonDict:
    """Record that *node* (a reservation, or a task with *on_tasks*) waits for *depends_on*.

    Raises:
        DependencyCycle: the new edges would close a cycle (the cycle is named).
    """
    check_id(node, "task id" if on_tasks else "reservation id")
    if not depends_on:
        raise UserError("give at least one prerequisite (--on ID)")
    for d in depends_on:
        check_id(d, "prerequisite id")
    state = CoordState(pathlib.Path(root))
    edges: dict[str, set[str]] = defaultdict(set)
    if on_tasks:
        edges.update(state.task_dependencies())
        known = {t.task_id for t in state.tasks}
    else:
        for dep in state.dependencies:
            if dep.reservation_id is not None:
                edges[dep.reservation_id].update(dep.depends_on)
        known = {r.reservation_id for r in state.reservations}
    if node not in known:
        raise NotFound(f"no {'task' if on_tasks else 'reservation'} {node!r}", id=node)
    if on_tasks:
        check_prerequisites(node, len({*edges.get(node, ()), *depends_on}))
    cycle = find_cycle(lambda n: edges.get(n, ()), node, depends_on)
    if cycle:
        raise cycle_refusal(cycle)
    body: JsonDict = {("task_id" if on_tasks else "reservation_id"): node, "depends_on": sorted(set(depends_on))}
    if run_id:
        body["run_id"] = run_id
    did = new_record_id(body)
    record = {"dependency_id": did, **body}
    CoordStore(pathlib.Path(root)).create("dependency", did, record)
    return record


# ── task queue ───────────────────────────────────────────────────────────────
def enqueue(
    root: pathlib.Path,
    description: str,
    *,
    task_id: str | None = None,
    priority: int = 0,
    depends_on: list[str] | None = None,
    symbols: list[str] | None = None,
    run_id: str | None = None,
    now: float | None = None,
) -> JsonDict:
    """Add a task; exclusive create, so a task id can be enqueued once."""
    t = clock.now() if now is None else now
    deps = sorted(set(depends_on or ()))
    body: JsonDict = {
        "run_id": run_id,
        "description": description,
        "priority": priority,
        "depends_on": deps,
        "symbols": check_symbols(symbols or [], allow_empty=True),
        "created_at": clock.format_ts(t),
    }
    if task_id is None:
        task_id = "task-" + new_record_id(body)[7:23]
    check_id(task_id, "task id")
    if "+" in task_id:
        raise UserError(f"task id {task_id!r} must not contain '+' (reserved for claim slots)")
    for d in deps:
        check_id(d, "prerequisite id")
    check_prerequisites(task_id, len(deps))
    if task_id in deps:
        raise DependencyCycle(f"task {task_id} cannot depend on itself", cycle=[task_id, task_id])
    record = {"task_id": task_id, **body}
    if not CoordStore(pathlib.Path(root)).create("task", task_id, record):
        raise UserError(f"task {task_id!r} already exists", task_id=task_id)
    return record


class ClaimResult:
    """The task a run won, its claim record and the fencing token (the claim slot)."""

    __slots__ = ("claim", "task", "token")

    def __init__(self, task: Task, claim: JsonDict, token: int) -> None:
        self.task, self.claim, self.token = task, claim, token

    def to_json(self) -> JsonDict:
        return {
            "task_id": self.task.task_id,
            "description": self.task.description,
            "priority": self.task.priority,
            "symbols": list(self.task.symbols),
            "claimer_run_id": self.claim["claimer_run_id"],
            "expires_at": self.claim["expires_at"],
            "token": self.token,
        }


def _claim_slot(
    store: CoordStore, task_id: str, slot: int, body: JsonDict
) -> JsonDict | None:
    record = {"claim_id": claim_slot_id(task_id, slot), "task_id": task_id, "slot": slot, **body}
    if store.create("claim", claim_slot_id(task_id, slot), record):
        return record
    return None


_claiming: set[tuple[str, str, int]] = set()  # (store, task id, slot) being created by a thread here


def claim(
    root: pathlib.Path,
    run_id: str,
    *,
    ttl: float = DEFAULT_TTL,
    task_id: str | None = None,
    now: float | None = None,
    problems: list[Problem] | None = None,
) -> ClaimResult | None:
    """Take the highest-priority ready task (or *task_id*) for *run_id*.

    Exactly one caller wins each claim slot (exclusive create), so racing
    processes never share a task. Returns None when nothing is claimable.
    Unusable task and claim files are skipped and, with *problems*, listed there.

    Raises:
        NotFound: *task_id* names no task.
        ConflictError: *task_id* is held by another live run, done or blocked.
    """
    check_id(run_id, "run id")
    t = clock.now() if now is None else now
    state = CoordState(pathlib.Path(root), t)
    states = state.task_states()
    if problems is not None:
        problems.extend(state.problems)
    if task_id is not None:
        check_id(task_id, "task id")
        st = states.get(task_id)
        if st is None:
            raise NotFound(f"no task {task_id!r}", task_id=task_id)
        if not st.ready:
            why = f"blocked by {', '.join(st.blocked_by)}" if st.blocked_by else st.status
            if st.holder:
                why += f" by {st.holder}"
            raise ConflictError(f"task {task_id} is not claimable: {why}", task_id=task_id,
                                status=st.status, holder=st.holder, blocked_by=list(st.blocked_by))
        candidates = [st]
    else:
        candidates = sorted(
            (s for s in states.values() if s.ready),
            key=lambda s: claim_order(s.task.priority, s.task.created_at, s.task.task_id),
        )
    root = pathlib.Path(root)
    store = CoordStore(root)
    expires = clock.format_ts(grant_expiry(t, ttl, state.heartbeat_map().get(run_id, 0.0)))
    here = store.local_base
    if len(candidates) > 1:  # slots another thread of this process is creating now go last
        candidates.sort(key=lambda s: (here, s.task.task_id, s.top_slot + 1) in _claiming)
    for st in candidates:
        slot = (here, st.task.task_id, st.top_slot + 1)
        if store.exists("claim", claim_slot_id(*slot[1:])):
            continue  # taken since the folder was read: no token spent on a lost race
        _claiming.add(slot)
        try:
            token = _token(root, state, at_least=(st.token or 0) + 1)
            body: JsonDict = {
                "claimer_run_id": run_id,
                "status": "claimed",
                "at": clock.format_ts(t),
                "expires_at": expires,
                "token": token,
            }
            won = _claim_slot(store, st.task.task_id, st.top_slot + 1, body)
        finally:
            _claiming.discard(slot)
        if won is not None:
            return ClaimResult(st.task, won, token)
    if task_id is not None:
        raise ConflictError(f"task {task_id} was claimed by another run first", task_id=task_id)
    return None


_STORED_STATUS = {"claimed": "claimed", "completed": "completed"}


def _finish(
    root: pathlib.Path,
    task_id: str,
    run_id: str,
    status: str,
    *,
    token: int | None,
    detail: str,
    requeue: bool = False,
    now: float | None = None,
) -> JsonDict:
    check_id(task_id, "task id")
    check_id(run_id, "run id")
    t = clock.now() if now is None else now
    state = CoordState(pathlib.Path(root), t)
    st = state.task_states().get(task_id)
    if st is None:
        raise NotFound(f"no task {task_id!r}", task_id=task_id)
    log = state.claim_log().get(task_id, [])
    top = log[-1] if log else None
    if top is None and token is None:
        raise StaleToken(f"task {task_id} is not claimed (status: {st.status})",
                         reason="not_claimed", token=None, holder=None, status=st.status)
    current = st.token
    if (top is not None and top.status == status and not top.requeue
            and top.claimer_run_id == run_id and token in (None, current)):
        return {"claim_id": top.record_id, "task_id": task_id, "claimer_run_id": run_id,
                "status": status, "token": current, "already": True}  # a repeat is harmless
    # The task's stored status, as the hub keeps it: a requeued task is pending.
    stored = "pending" if top is None else _STORED_STATUS.get(
        top.status, "pending" if top.requeue else "failed")
    holder = None if top is None else top.claimer_run_id
    expires = None if top is None else state.effective_expiry(top.claimer_run_id, top.expires_at)
    stale = claim_stale(task_id, stored, holder, current, expires, run_id, token, t)
    if stale is not None:
        raise stale
    assert top is not None
    body: JsonDict = {
        "claimer_run_id": run_id,
        "status": status,
        "at": clock.format_ts(t),
        "detail": detail,
        "of_slot": top.slot,
        "token": current,
    }
    if requeue:
        body["requeue"] = True
    won = _claim_slot(CoordStore(pathlib.Path(root)), task_id, top.slot + 1, body)
    if won is None:
        raise StaleToken(
            f"task {task_id} was taken over by another run after your claim lapsed (token {current})",
            reason="superseded", token=current,
        )
    return {**won, "already": False}


def complete(
    root: pathlib.Path, task_id: str, run_id: str, *, token: int | None = None,
    detail: str = "", now: float | None = None,
) -> JsonDict:
    """Mark *task_id* done; only the current claimer (and token) may."""
    return _finish(root, task_id, run_id, "completed", token=token, detail=detail, now=now)


def fail(
    root: pathlib.Path, task_id: str, run_id: str, *, token: int | None = None,
    detail: str = "", requeue: bool = False, now: float | None = None,
) -> JsonDict:
    """Mark *task_id* failed; with *requeue* it returns to the queue for another run."""
    return _finish(root, task_id, run_id, "failed", token=token, detail=detail, requeue=requeue, now=now)


def __getattr__(name: str) -> object:
    # GC is a verb of its own: ``CoordGcResult`` and ``run_coord_gc`` stay
    # importable from here (the contract names them) without every verb
    # loading the collector at start-up.
    if name in ("CoordGcResult", "run_coord_gc"):
        from muse.core.coord import gc

        return getattr(gc, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
