"""Summaries shared by every shell (CLI, MCP, hub): status and the task queue.

One function per view, returning plain JSON-ready dicts, so that `muse coord
status --json`, the MCP ``status`` tool and the hub dashboard say the same.
"""

from __future__ import annotations

from collections import Counter
from operator import attrgetter
from typing import Any

from muse.core import clock
from muse.core.address import canonical, overlaps
from muse.core.state import CoordState, TaskState
from muse.core.types import JsonDict

__all__ = ["TASK_STATUSES", "sorted_tasks", "status_view", "task_counts", "tasks_in", "tasks_view"]

TASK_STATUSES = ("pending", "ready", "blocked", "claimed", "completed", "failed")


def status_view(
    state: CoordState, run_filter: str | None = None, path_prefix: str | None = None,
    limit: int | None = 20,
) -> JsonDict:
    """Active reservations (optionally one run's or under a path), runs, conflicts."""
    active = state.active_reservations()
    if run_filter:
        active = [r for r in active if r.run_id == run_filter]
    if path_prefix:  # by whole components: e1000 is not e1000e (muse.core.address)
        scope = canonical(path_prefix)
        active = [r for r in active if any(overlaps(scope, s) for s in r.symbols)]
    conflicts = state.conflicts(active)
    # Counted in C passes; ``counter[key] += 1`` per lease was most of this view's time.
    runs = set(map(attrgetter("run_id"), active))
    by_file = Counter(s.partition("::")[0] for r in active for s in r.symbols)
    hb = state.heartbeat_map()
    return {
        "now": clock.format_ts(state.now),
        "active_reservations": len(active),
        "runs": len(runs),
        "conflict_count": len(conflicts),
        "busiest_files": [{"path": p, "symbols": n} for p, n in by_file.most_common(limit)],
        "reservations": [
            {"reservation_id": r.reservation_id, "run_id": r.run_id, "symbols": list(r.symbols),
             "token": r.token, "expires_at": clock.format_ts(max(r.expires_at, hb.get(r.run_id, 0.0))),
             "remote": r.remote}
            for r in active[:limit]
        ],
        "conflicts": [c.to_json() for c in conflicts[:limit]],
        "problems": [p.to_json() for p in state.problems],
    }


def sorted_tasks(state: CoordState) -> list[TaskState]:
    """Tasks in claim order: priority first, then age, then id."""
    return sorted(state.task_states().values(),
                  key=lambda s: (-s.task.priority, s.task.created_at or 0.0, s.task.task_id))


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
