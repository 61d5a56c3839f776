"""Summaries shared by every shell (CLI, MCP, hub): status and the task queue.

One function per view, returning plain JSON-ready dicts, so that `muse coord
status --json`, the MCP ``status`` tool and the hub dashboard say the same.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from operator import attrgetter
from typing import Any

from muse.core.coord.state import CoordState, TaskState
from muse.core.types import JsonDict
from muse.core.vocab import clock, rules
from muse.core.vocab.address import canonical_or_raw, overlaps
from muse.core.vocab.records import Reservation

__all__ = ["TASK_STATUSES", "fence_view", "path_matches", "sorted_tasks", "status_view", "task_counts",
           "tasks_in", "tasks_view"]

TASK_STATUSES = ("pending", "ready", "blocked", "claimed", "completed", "failed")


def path_matches(symbol: str, path: str) -> bool:
    """Whether *symbol* and the scope *path* share code, by whole components.

    ``drivers/net/e1000`` matches ``drivers/net/e1000/main.c::probe`` (and a
    lease on all of ``drivers``) but not ``drivers/net/e1000e/...``; the rule
    is :func:`muse.core.vocab.address.overlaps`, the one every engine uses.
    """
    path = path.strip()
    if not path.strip("/"):
        return True
    return overlaps(canonical_or_raw(path), canonical_or_raw(symbol))


def status_view(
    state: CoordState, run_filter: str | None = None, path_prefix: str | None = None,
    limit: int | None = 20, *, cursor: str | None = None, symbol: str | None = None,
) -> JsonDict:
    """Active reservations (optionally one run's or under a path), runs, conflicts.

    ``reservations`` is one page in reservation-id order: up to *limit* rows
    (None: all) after *cursor*, produced lazily (an iterator), with
    ``next_cursor`` naming the last row when more follow. *symbol* adds its
    ``holders``. Section lists (conflicts, busiest files) are cut to *limit*.
    """
    active = state.active_reservations()
    if run_filter:
        active = [r for r in active if r.run_id == run_filter]
    if path_prefix:
        active = [r for r in active if any(path_matches(s, path_prefix) for s in r.symbols)]
    conflicts = state.conflicts(active)
    # Counted in C passes; ``counter[key] += 1`` per lease was most of this view's time.
    runs = set(map(attrgetter("run_id"), active))
    by_file = Counter(s.partition("::")[0] for r in active for s in r.symbols)
    ordered = sorted(active, key=attrgetter("reservation_id"))
    if cursor:
        ordered = ordered[bisect_right([r.reservation_id for r in ordered], cursor):]
    page = ordered if limit is None else ordered[:limit]
    more = limit is not None and len(ordered) > limit
    holders = None
    if symbol is not None:
        held = state.holders_of([symbol]).get(symbol, [])
        holders = [_holder_json(state, r) for r in held]
    return {
        "now": clock.format_ts(state.now),
        "backend": "local",
        "mode": "advisory",
        "fence": None,
        "active_reservations": len(active),
        "runs": len(runs),
        "conflict_count": len(conflicts),
        "conflicts": [c.to_json() for c in conflicts[:limit]],
        "busiest_files": [{"path": p, "symbols": n} for p, n in by_file.most_common(limit)],
        "tasks": task_counts(list(state.task_states().values())),
        "holders": holders,
        "reservations": (_holder_json(state, r) for r in page),
        "next_cursor": page[-1].reservation_id if more and page else None,
        "problems": [p.to_json() for p in state.problems],
    }


def _holder_json(state: CoordState, r: Reservation) -> JsonDict:
    return {"reservation_id": r.reservation_id, "run_id": r.run_id, "symbols": list(r.symbols),
            "token": r.token,
            "expires_at": clock.format_ts(state.effective_expiry(r.run_id, r.expires_at)),
            "remote": r.remote}


def fence_view(state: CoordState, token: int, *, reservation_id: str | None = None,
               task_id: str | None = None, symbol: str | None = None) -> JsonDict:
    """Whether *token* is still the live lease of a reservation (covering
    *symbol*) or of a task's claim, read from the records; ``reason`` says
    why not (the reasons the hub gives)."""
    from muse.core.vocab.errors import UsageError

    if (reservation_id is None) == (task_id is None):
        raise UsageError("fence needs exactly one of a reservation id and a task id")
    out: JsonDict = {"valid": False, "token": None, "holder": None, "expires_at": None,
                     "expires_in": None, "reason": None}
    if reservation_id is not None:
        res = next((r for r in state.reservations if r.reservation_id == reservation_id), None)
        if res is None:
            return {**out, "reason": "not_found"}
        exp = state.effective_expiry(res.run_id, res.expires_at)
        out.update(token=res.token, holder=res.run_id, expires_at=clock.format_ts(exp),
                   expires_in=max(0.0, exp - state.now))
        lease = "released" if reservation_id in state.released() else "live"
        reason = rules.reservation_fence(reservation_id, res.run_id, res.token, lease, exp,
                                         res.symbols, token, symbol, state.now)
        if reason is not None:
            return {**out, "reason": reason, **({"expires_in": 0.0} if reason == "expired" else {})}
        return {**out, "valid": True}
    st = state.task_states().get(str(task_id))
    if st is None:
        return {**out, "reason": "not_found"}
    out.update(token=st.token, holder=st.holder,
               expires_at=clock.format_ts(st.expires_at) if st.expires_at else None,
               expires_in=max(0.0, st.expires_at - state.now) if st.expires_at else None)
    reason = rules.claim_fence(str(task_id), st.status, st.holder, st.token, st.expires_at, token,
                               state.now)
    return {**out, "reason": reason} if reason is not None else {**out, "valid": True}


def sorted_tasks(state: CoordState) -> list[TaskState]:
    """Tasks in claim order: priority first, then age, then id."""
    return sorted(state.task_states().values(),
                  key=lambda s: rules.claim_order(s.task.priority, s.task.created_at, s.task.task_id))


def task_counts(states: list[TaskState]) -> dict[str, int]:
    """How many tasks are in each of :data:`TASK_STATUSES` (pending ones also
    counted as ready or blocked)."""
    counts = dict.fromkeys(TASK_STATUSES, 0)
    for st in states:
        counts[st.status] += 1
        if st.status == "pending":
            counts["ready" if st.ready else "blocked"] += 1
    return counts


def tasks_in(states: list[TaskState], status: str | None) -> list[TaskState]:
    """The tasks in *status* (one of :data:`TASK_STATUSES`; None: all)."""
    if status == "ready":
        return [s for s in states if s.ready]
    if status == "blocked":
        return [s for s in states if s.status == "pending" and not s.ready]
    if status:
        return [s for s in states if s.status == status]
    return states


def tasks_view(state: CoordState, status: str | None = None, limit: int | None = 50) -> JsonDict:
    """Counts per state and the (filtered, limited) queue."""
    rows = sorted_tasks(state)
    counts = task_counts(rows)
    rows = tasks_in(rows, status)
    shown = rows[:limit]
    tasks: list[Any] = [{**st.to_json(), "ready": st.ready} for st in shown]
    return {"counts": counts, "total": len(rows), "tasks": tasks,
            "problems": [p.to_json() for p in state.problems]}
