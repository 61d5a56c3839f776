"""MemoryState / RecordSet: the same derivations as CoordState, over records in memory."""

from __future__ import annotations

import pathlib
import time

from muse.core.client.sync import write_remote_records
from muse.core.coord.snapshot import MemoryState, RecordSet, from_bus_records
from muse.core.coord.state import CoordState
from muse.core.coord.views import status_view, tasks_view
from tests.dashboard.data import bus, swarm_records


def test_same_views_as_records_on_disk(repo: pathlib.Path) -> None:
    now = time.time()
    records = swarm_records(now, runs=30, tasks=20, backlog=10)
    write_remote_records(repo, records)
    on_disk = CoordState(repo, now)
    in_memory = from_bus_records(records, now)
    a, b = status_view(on_disk, limit=None), status_view(in_memory, limit=None)
    for key in ("active_reservations", "runs", "conflict_count"):
        assert a[key] == b[key]
    # Disk lists files in name order, memory keeps arrival order: compare as sets.
    for key in ("busiest_files", "reservations", "conflicts"):
        assert sorted(map(repr, a[key])) == sorted(map(repr, b[key]))
    a, b = tasks_view(on_disk, limit=None), tasks_view(in_memory, limit=None)
    assert a["counts"] == b["counts"] and a["tasks"] == b["tasks"]


def test_records_added_later_show_in_a_new_state() -> None:
    now = time.time()
    rs = RecordSet()
    rs.add_bus_records(swarm_records(now, runs=5, tasks=0))
    before = rs.state(now)
    n = len(before.active_reservations())
    exp = "2099-12-31T23:59:59+00:00"
    got = rs.add_bus_records([bus("reservation", "r-new", {
        "reservation_id": "r-new", "run_id": "x", "symbols": ["a.c::f"], "expires_at": exp})])
    assert [k for k, _ in got] == ["reservation"]
    assert len(rs.state(now).active_reservations()) == n + 1
    assert len(before.active_reservations()) == n  # a state is a snapshot of its moment


def test_unusable_bus_records_are_reported_and_skipped() -> None:
    rs = RecordSet(max_problems=2)
    got = rs.add_bus_records([
        "not a dict", {"kind": "nope", "record_id": "x", "payload": {}},
        {"kind": "task", "record_id": "t", "payload": {"task_id": "t", "priority": "high"}},
        {"kind": "task", "record_id": "ok", "payload": {"task_id": "ok"}},
    ])
    assert [r.task_id for _, r in got] == ["ok"]
    assert rs.skipped == 3 and len(rs.problems) == 2
    assert len(rs) == 1


def test_cached_conflicts_match_and_filtered_lists_are_not_cached() -> None:
    now = time.time()
    state = from_bus_records(swarm_records(now, runs=60, tasks=0, conflict_rate=0.3), now)
    assert isinstance(state, MemoryState)
    fresh = from_bus_records(swarm_records(now, runs=60, tasks=0, conflict_rate=0.3), now)
    assert state.conflicts() == CoordState.conflicts(fresh)
    subset = state.active_reservations()[:5]
    assert state.conflicts(subset) == CoordState.conflicts(fresh, subset)
    assert state.conflicts() is not state.conflicts()  # callers get their own list
