"""Watch a repository's record store and turn what changes into events.

Records are write-once, so a file name that was not there before is a new
record and a name that disappeared was removed by GC. A :class:`Watcher`
keeps the decoded records it has seen and, on each poll:

1. stats the 14 record folders (7 kinds, local and ``remote/``) and lists
   only those whose mtime moved (or moved too recently to trust, the
   "racy git" rule), then reads just the new files;
2. re-derives the view (active reservations, conflicts, task states) through
   :class:`~muse.core.coord.state.CoordState` — the same rules every command uses —
   only when a record arrived or left, or when the earliest lease deadline
   passed (expiries happen by time alone, with no file to notice);
3. diffs that view against the previous one and yields :class:`WatchEvent`.

An idle poll therefore costs 14 ``stat`` calls. The first poll diffs against
an empty view, so it describes the current state (events marked
``snapshot``).

Event types::

    reserved  released  expired  removed        reservations (removed: deleted while active)
    conflict  conflict_resolved                 overlapping active reservations of different runs
    intent  dependency  heartbeat               new records of those kinds
    task_enqueued  task_claimed  task_completed  task_failed
    task_requeued  task_claim_expired  task_ready   task queue changes
"""

from __future__ import annotations

import os
import pathlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from muse.core.coord.snapshot import MemoryState
from muse.core.coord.state import CoordState, TaskState, symbol_ancestors
from muse.core.files.store import Problem, read_folder, record_names
from muse.core.paths import coordination_dir, remote_dir
from muse.core.types import KIND_DIRS, KINDS, JsonDict
from muse.core.vocab import clock
from muse.core.vocab.errors import InvalidRecord, NotFound, UserError
from muse.core.vocab.records import Reservation, decode

__all__ = [
    "DEFAULT_EVENTS",
    "EVENT_TYPES",
    "TASK_TARGETS",
    "TaskSettled",
    "WatchEvent",
    "WatchTimeout",
    "WatchView",
    "Watcher",
    "diff_views",
    "symbol_blockers",
    "task_reached",
    "watch",
]

EVENT_TYPES: tuple[str, ...] = (
    "reserved", "released", "expired", "removed",
    "conflict", "conflict_resolved",
    "intent", "dependency", "heartbeat",
    "task_enqueued", "task_claimed", "task_completed", "task_failed",
    "task_requeued", "task_claim_expired", "task_ready",
)
# Heartbeats arrive every few minutes from every live agent: opt-in only.
DEFAULT_EVENTS: frozenset[str] = frozenset(EVENT_TYPES) - {"heartbeat"}

# What `--until` accepts for a task, and the statuses that satisfy each.
TASK_TARGETS: dict[str, frozenset[str]] = {
    "completed": frozenset({"completed"}),
    "failed": frozenset({"failed"}),
    "done": frozenset({"completed", "failed"}),
    "claimed": frozenset({"claimed"}),
    "claimable": frozenset({"claimable"}),
    "pending": frozenset({"pending", "claimable"}),
}

# mtime granularity can be coarse (1-2 s on some filesystems): a folder whose
# mtime is this recent may change again without its mtime moving, so relist it.
_RACY_SECONDS = 2.0


class WatchTimeout(UserError):
    """The awaited condition did not happen within ``--timeout``."""

    code = "timeout"
    retryable = True


class TaskSettled(UserError):
    """The awaited task reached a final state other than the one awaited."""

    code = "task_settled"


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One observed change. ``data`` holds the type-specific fields."""

    type: str
    at: float
    data: JsonDict = field(default_factory=dict)
    snapshot: bool = False

    def to_json(self) -> JsonDict:
        out: JsonDict = {"event": self.type, "at": clock.format_ts(self.at), **self.data}
        if self.snapshot:
            out["snapshot"] = True
        return out

    def to_text(self) -> str:
        d = self.data
        stamp = clock.format_ts(self.at)[11:19]
        if self.type in ("reserved", "released", "expired", "removed"):
            syms = ", ".join(d.get("symbols", ()))
            tail = f" until {d['expires_at']}" if self.type == "reserved" and "expires_at" in d else ""
            return f"{stamp} {self.type:<18} {d.get('run_id')}: {syms}{tail} [{d.get('reservation_id')}]"
        if self.type in ("conflict", "conflict_resolved"):
            runs = ", ".join(sorted({h["run_id"] for h in d.get("holders", ())}))
            return f"{stamp} {self.type:<18} {d.get('symbol')} ({d.get('overlap')}): {runs}"
        if self.type.startswith("task_"):
            who = f" by {d['holder']}" if d.get("holder") else ""
            extra = f" ({d['detail']})" if d.get("detail") else ""
            return f"{stamp} {self.type:<18} {d.get('task_id')}{who}{extra}"
        if self.type == "intent":
            return f"{stamp} {'intent':<18} {d.get('run_id')}: {d.get('operation')} {d.get('target')}"
        if self.type == "dependency":
            return f"{stamp} {'dependency':<18} {d.get('node')} waits for {', '.join(d.get('depends_on', ()))}"
        if self.type == "heartbeat":
            return f"{stamp} {'heartbeat':<18} {d.get('run_id')} alive until {d.get('expires_at')}"
        return f"{stamp} {self.type:<18} {d}"


@dataclass
class WatchView:
    """What the watcher derives from one snapshot of the store."""

    now: float
    state: CoordState
    reservation_ids: set[str]
    active: dict[str, tuple[Reservation, float]]  # reservation_id → (record, effective expiry)
    conflicts: dict[tuple[str, str, frozenset[str]], JsonDict]
    tasks: dict[str, TaskState]
    next_deadline: float  # earliest time the view changes without a new record

    EMPTY_DEADLINE: ClassVar[float] = float("inf")

    @classmethod
    def empty(cls, root: pathlib.Path) -> WatchView:
        return cls(0.0, MemoryState({}, 0.0, root=root), set(), {}, {}, {}, cls.EMPTY_DEADLINE)

    @classmethod
    def derive(cls, state: CoordState) -> WatchView:
        now = state.now
        deadline = cls.EMPTY_DEADLINE
        active: dict[str, tuple[Reservation, float]] = {}
        for r in state.active_reservations():
            expiry = state.effective_expiry(r.run_id, r.expires_at)
            deadline = min(deadline, expiry)
            active[r.reservation_id] = (r, expiry)  # formatted only if it becomes an event
        conflicts: dict[tuple[str, str, frozenset[str]], JsonDict] = {}
        for c in state.conflicts():
            key = (c.symbol, c.overlap, frozenset(rid for _, rid, _ in c.holders))
            conflicts[key] = c.to_json()
        tasks = state.task_states()
        for st in tasks.values():
            if st.status == "claimed" and st.expires_at is not None:
                deadline = min(deadline, st.expires_at)
        return cls(now, state, {r.reservation_id for r in state.reservations}, active,
                   conflicts, tasks, deadline)


def _reservation_data(r: Reservation, expiry: float) -> JsonDict:
    data: JsonDict = {"reservation_id": r.reservation_id, "run_id": r.run_id,
                      "symbols": list(r.symbols), "expires_at": clock.format_ts(expiry)}
    if r.remote:
        data["remote"] = True
    return data


def _task_status(st: TaskState) -> str:
    """``claimable`` for a ready pending task, else the task's status."""
    return "claimable" if st.ready else st.status


def _task_data(st: TaskState) -> JsonDict:
    data: JsonDict = {"task_id": st.task.task_id, "status": _task_status(st)}
    if st.holder:
        data["holder"] = st.holder
        data["token"] = st.token
    if st.expires_at is not None and st.status == "claimed":
        data["expires_at"] = clock.format_ts(st.expires_at)
    if st.blocked_by:
        data["blocked_by"] = list(st.blocked_by)
    if st.detail:
        data["detail"] = st.detail
    return data


def _task_event(old: TaskState | None, new: TaskState) -> str | None:
    """Which event (if any) moves a task from *old* to *new*."""
    if old is None:
        return "task_enqueued"
    if (old.status, old.top_slot, old.holder) == (new.status, new.top_slot, new.holder):
        if old.blocked_by and not new.blocked_by and new.status == "pending":
            return "task_ready"
        return None
    if new.status == "claimed":
        return "task_claimed"
    if new.status == "completed":
        return "task_completed"
    if new.status == "failed":
        return "task_failed"
    # Back to pending: either a requeueing failure or a claim that lapsed.
    return "task_requeued" if new.top_slot != old.top_slot else "task_claim_expired"


def diff_views(old: WatchView, new: WatchView, *, snapshot: bool = False) -> list[WatchEvent]:
    """Events that turn *old* into *new* (record-kind events are added by the Watcher)."""
    t = new.now
    events: list[WatchEvent] = []
    released = new.state.released()
    for rid in sorted(old.active.keys() - new.active.keys()):
        data = _reservation_data(*old.active[rid])
        if rid in released:
            rel = released[rid]
            data["released_at"] = clock.format_ts(rel.released_at)
            events.append(WatchEvent("released", t, data, snapshot))
        elif rid not in new.reservation_ids:
            events.append(WatchEvent("removed", t, data, snapshot))
        else:
            events.append(WatchEvent("expired", t, data, snapshot))
    for rid in sorted(new.active.keys() - old.active.keys()):
        events.append(WatchEvent("reserved", t, _reservation_data(*new.active[rid]), snapshot))
    for key in sorted(old.conflicts.keys() - new.conflicts.keys(), key=_conflict_order):
        events.append(WatchEvent("conflict_resolved", t, dict(old.conflicts[key]), snapshot))
    for key in sorted(new.conflicts.keys() - old.conflicts.keys(), key=_conflict_order):
        events.append(WatchEvent("conflict", t, dict(new.conflicts[key]), snapshot))
    for task_id in sorted(new.tasks):
        st = new.tasks[task_id]
        prev = old.tasks.get(task_id)
        kind = _task_event(prev, st)
        if kind is not None:
            events.append(WatchEvent(kind, t, _task_data(st), snapshot))
    return events


def _conflict_order(key: tuple[str, str, frozenset[str]]) -> tuple[str, str, list[str]]:
    return key[0], key[1], sorted(key[2])


def _record_event(kind: str, record: Any, t: float, snapshot: bool) -> WatchEvent | None:
    """The event a brand-new record of an "append-only log" kind stands for."""
    if kind == "intent":
        data: JsonDict = {"intent_id": record.intent_id, "run_id": record.run_id,
                          "operation": record.operation, "target": record.target}
        if record.reservation_id:
            data["reservation_id"] = record.reservation_id
        if record.new_name:
            data["new_name"] = record.new_name
        return WatchEvent("intent", t, data, snapshot)
    if kind == "dependency":
        return WatchEvent("dependency", t, {
            "node": record.node, "on_tasks": record.task_id is not None,
            "depends_on": list(record.depends_on)}, snapshot)
    if kind == "heartbeat":
        return WatchEvent("heartbeat", t, {
            "run_id": record.run_id,
            "expires_at": clock.format_ts(record.extended_expires_at)}, snapshot)
    return None


@dataclass
class _Folder:
    """One record folder and what the watcher knows of it."""

    kind: str
    path: str
    remote: bool
    mtime_ns: int = -1
    names: set[str] = field(default_factory=set)
    records: dict[str, Any] = field(default_factory=dict)  # file name → decoded record
    bad: set[str] = field(default_factory=set)  # names that failed to decode once


class Watcher:
    """Incremental reader of one repository's records; see the module docstring.

    Args:
        root: repository root.
        clock_fn: wall-clock epoch seconds (tests pass a fake).
        include_remote: also watch records pulled from a hub.
    """

    def __init__(
        self,
        root: pathlib.Path,
        *,
        clock_fn: Callable[[], float] = clock.now,
        include_remote: bool = True,
    ) -> None:
        self.root = pathlib.Path(root)
        self.clock_fn = clock_fn
        self.problems: list[Problem] = []
        local, remote = os.fspath(coordination_dir(self.root)), os.fspath(remote_dir(self.root))
        self._folders: list[_Folder] = []
        for kind in KINDS:
            self._folders.append(_Folder(kind, os.path.join(local, KIND_DIRS[kind]), False))
            if include_remote:
                self._folders.append(_Folder(kind, os.path.join(remote, KIND_DIRS[kind]), True))
        self.view = WatchView.empty(self.root)
        self.polls = 0
        self.files_read = 0  # how many record files were ever read (tests check it stays small)

    # ── loading ──────────────────────────────────────────────────────────
    def _refresh(self, folder: _Folder, wall: float) -> list[Any]:
        """Bring *folder* up to date; return the records that are new since last time."""
        try:
            mtime_ns = os.stat(folder.path).st_mtime_ns
        except FileNotFoundError:
            mtime_ns = -2
        if mtime_ns == folder.mtime_ns and wall - mtime_ns / 1e9 > _RACY_SECONDS:
            return []
        folder.mtime_ns = mtime_ns
        names = set(record_names(folder.path)) if mtime_ns != -2 else set()
        if names == folder.names:
            return []
        for gone in folder.names - names:
            folder.records.pop(gone, None)
            folder.bad.discard(gone)
        fresh = sorted(names - folder.names - folder.bad)
        folder.names = names
        added: list[Any] = []
        for record_id, data in read_folder(folder.path, self.problems, [n for n in fresh]):
            self.files_read += 1
            try:
                rec = decode(folder.kind, record_id, data, folder.remote)
            except InvalidRecord as exc:
                folder.bad.add(record_id + ".json")
                self.problems.append(Problem(os.path.join(folder.path, record_id + ".json"), exc.message))
                continue
            folder.records[record_id + ".json"] = rec
            added.append(rec)
        return added

    def _records_by_kind(self) -> dict[str, list[Any]]:
        # Same precedence as CoordState.records: a local record wins over a
        # pulled copy with the same id.
        out: dict[str, list[Any]] = {}
        for kind in KINDS:
            seen: dict[str, Any] = {}
            for folder in self._folders:
                if folder.kind == kind and not folder.remote:
                    seen.update(folder.records)
            for folder in self._folders:
                if folder.kind == kind and folder.remote:
                    for name, rec in folder.records.items():
                        seen.setdefault(name, rec)
            out[kind] = list(seen.values())
        return out

    # ── polling ──────────────────────────────────────────────────────────
    def poll(self, events: Iterable[str] | None = None) -> list[WatchEvent]:
        """Look once; return the events since the previous poll (all of them on the first)."""
        wall = self.clock_fn()
        first = self.polls == 0
        self.polls += 1
        changed = False
        new_records: list[tuple[str, Any]] = []
        for folder in self._folders:
            before = len(folder.records)
            added = self._refresh(folder, wall)
            if added or len(folder.records) != before + len(added):
                changed = True
            new_records.extend((folder.kind, rec) for rec in added)
        if not (first or changed or wall >= self.view.next_deadline):
            return []
        # Same CoordState rules as every command; only the loading differs.
        state = MemoryState(self._records_by_kind(), wall, root=self.root)
        new_view = WatchView.derive(state)
        out = diff_views(self.view, new_view, snapshot=first)
        for kind, rec in new_records:
            if first and kind == "intent" and rec.reservation_id is not None \
                    and rec.reservation_id not in new_view.active:
                continue  # the snapshot describes live work, not history
            ev = _record_event(kind, rec, wall, first)
            if ev is not None:
                out.append(ev)
        self.view = new_view
        wanted = DEFAULT_EVENTS if events is None else frozenset(events)
        return [e for e in out if e.type in wanted]

    @property
    def state(self) -> CoordState:
        """The derived state as of the last poll."""
        return self.view.state


def symbol_blockers(state: CoordState, symbols: list[str], run_id: str | None) -> JsonDict:
    """symbol → holders (other runs' active reservations overlapping it)."""
    held = state.holders_of(symbols, exclude_run=run_id)
    return {
        sym: [{"run_id": r.run_id, "reservation_id": r.reservation_id,
               "expires_at": clock.format_ts(state.effective_expiry(r.run_id, r.expires_at))}
              for r in holders]
        for sym, holders in sorted(held.items())
    }


def task_reached(state: CoordState, task_id: str, until: str) -> bool:
    """True once *task_id* is in a status *until* accepts.

    Raises:
        NotFound: no such task.
        TaskSettled: the task is final (completed / failed) and not what *until* wants.
    """
    st = state.task_states().get(task_id)
    if st is None:
        raise NotFound(f"no task {task_id!r}", task_id=task_id)
    if _task_status(st) in TASK_TARGETS[until]:
        return True
    if st.status in ("completed", "failed"):
        raise TaskSettled(
            f"task {task_id} is {st.status}"
            + (f" (by {st.holder})" if st.holder else "")
            + f" and will not become {until}",
            task_id=task_id, status=st.status, until=until,
        )
    return False


def watch(
    root: pathlib.Path,
    *,
    interval: float = 0.5,
    timeout: float | None = None,
    events: Iterable[str] | None = None,
    symbols: list[str] | None = None,
    run_id: str | None = None,
    task_id: str | None = None,
    until: str = "completed",
    once: bool = False,
    new_only: bool = False,
    before_poll: Callable[[], None] | None = None,
    clock_fn: Callable[[], float] = clock.now,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[WatchEvent]:
    """Yield events until a condition holds (or forever without one).

    With *symbols*, the last event is ``symbol_free`` once none of them is
    held by another run than *run_id*; with *task_id*, ``task_reached`` once
    the task's status matches *until* (see :data:`TASK_TARGETS`). *once*
    yields the current snapshot and stops. *before_poll* runs before each
    poll (the CLI pulls from a hub there).

    Raises:
        WatchTimeout: *timeout* seconds passed first (measured on a monotonic clock).
        TaskSettled: the task ended in another final state.
        NotFound: *task_id* names no task.
    """
    if interval <= 0:
        raise UserError("--interval must be positive")
    if until not in TASK_TARGETS:
        raise UserError(f"unknown --until {until!r}: use one of {', '.join(TASK_TARGETS)}")
    if events is not None:
        unknown = sorted(set(events) - set(EVENT_TYPES))
        if unknown:
            raise UserError(f"unknown event type(s) {', '.join(unknown)}: use {', '.join(EVENT_TYPES)}")
    watcher = Watcher(root, clock_fn=clock_fn)
    deadline = None if timeout is None else time.monotonic() + timeout
    pace = interval
    while True:
        if before_poll is not None:
            before_poll()
        started = time.monotonic()
        batch = watcher.poll(events)
        # On a huge, busy store re-deriving the view can take a good part of a
        # second: never spend more than about a third of the time deriving.
        pace = max(interval, 2 * (time.monotonic() - started))
        if not (new_only and watcher.polls == 1):
            for ev in batch:
                if _relevant(ev, symbols, task_id):
                    yield ev
        state = watcher.state
        if symbols:
            blockers = symbol_blockers(state, symbols, run_id)
            if not blockers:
                yield WatchEvent("symbol_free", state.now, {"symbols": list(symbols),
                                                            **({"run_id": run_id} if run_id else {})})
                return
        if task_id is not None and task_reached(state, task_id, until):
            st = state.task_states()[task_id]
            yield WatchEvent("task_reached", state.now, {**_task_data(st), "until": until})
            return
        if once:
            if symbols or task_id is not None:
                raise _timeout(None, state, symbols, run_id, task_id, until)
            return
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _timeout(timeout or 0.0, state, symbols, run_id, task_id, until)
            sleep(min(pace, left))
        else:
            sleep(pace)


def _relevant(event: WatchEvent, symbols: list[str] | None, task_id: str | None) -> bool:
    """While waiting on symbols or a task, show only the events about them."""
    if not symbols and task_id is None:
        return True
    if task_id is not None and event.data.get("task_id") == task_id:
        return True
    if symbols:
        touched = set(event.data.get("symbols", ()))
        if "symbol" in event.data:
            touched.add(event.data["symbol"])
        if "target" in event.data:
            touched.add(event.data["target"])
        for held in touched:
            family = {held, *symbol_ancestors(held)}
            for sym in symbols:
                if sym in family or held in symbol_ancestors(sym):
                    return True
    return False


def _timeout(
    timeout: float | None, state: CoordState, symbols: list[str] | None, run_id: str | None,
    task_id: str | None, until: str,
) -> WatchTimeout:
    lead = "not yet" if timeout is None else f"timed out after {timeout:g}s"
    if symbols:
        blockers = symbol_blockers(state, symbols, run_id)
        first_sym, holders = next(iter(blockers.items()))
        h = holders[0]
        return WatchTimeout(
            f"{lead}: {first_sym} is still held by run {h['run_id']}"
            f" until {h['expires_at']}",
            symbols=list(symbols), blockers=blockers, timeout=timeout,
        )
    if task_id is not None:
        st = state.task_states().get(task_id)
        status = _task_status(st) if st is not None else "unknown"
        who = f" by {st.holder}" if st is not None and st.holder else ""
        return WatchTimeout(
            f"{lead}: task {task_id} is {status}{who}, not {until}",
            task_id=task_id, status=status, until=until, timeout=timeout,
        )
    return WatchTimeout(f"watched for {timeout:g}s", timeout=timeout)
