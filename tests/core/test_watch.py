"""muse.core.files.watch: events from successive snapshots, incremental reads, waits."""

from __future__ import annotations

import os
import pathlib
import subprocess
import time

import pytest

from muse.core import coordination as co
from muse.core.client.sync import write_remote_records
from muse.core.files.watch import TaskSettled, Watcher, WatchTimeout, watch
from muse.core.paths import kind_dir
from muse.core.vocab.errors import NotFound
from tests.conftest import PYTHON, subprocess_env

T0 = 4_000_000_000.0  # a fixed "now" so expiry is decided by the test, not the machine


class FakeClock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def types(events: list) -> list[str]:  # type: ignore[type-arg]
    return [e.type for e in events]


def test_first_poll_describes_current_state(repo: pathlib.Path) -> None:
    r = co.reserve(repo, "alice", ["a.c::f"], ttl=100, now=T0)
    co.reserve(repo, "bob", ["a.c"], ttl=100, now=T0)
    co.enqueue(repo, "port a.c", task_id="t1", now=T0)
    co.intend(repo, "alice", "modify", "a.c::f", reservation_id=r.reservation.reservation_id, now=T0)
    w = Watcher(repo, clock_fn=FakeClock(T0 + 1))
    events = w.poll()
    assert all(e.snapshot for e in events)
    assert sorted(types(events)) == sorted(["reserved", "reserved", "conflict", "task_enqueued", "intent"])
    conflict = next(e for e in events if e.type == "conflict")
    assert conflict.data["symbol"] == "a.c::f"
    assert {h["run_id"] for h in conflict.data["holders"]} == {"alice", "bob"}
    task = next(e for e in events if e.type == "task_enqueued")
    assert task.data["status"] == "claimable"


def test_changes_become_events_and_idle_polls_are_free(repo: pathlib.Path) -> None:
    clock = FakeClock(T0)
    w = Watcher(repo, clock_fn=clock)
    assert w.poll() == []
    r = co.reserve(repo, "alice", ["a.c::f"], ttl=100, now=T0)
    assert types(w.poll()) == ["reserved"]
    read = w.files_read
    assert w.poll() == [] and w.poll() == []
    assert w.files_read == read, "idle polls must not re-read record files"
    co.reserve(repo, "bob", ["a.c::f"], ttl=100, now=T0)
    assert sorted(types(w.poll())) == ["conflict", "reserved"]
    assert w.files_read == read + 1, "only the new file is read"
    co.release(repo, r.reservation.reservation_id, "alice", now=T0)
    events = w.poll()
    assert sorted(types(events)) == ["conflict_resolved", "released"]
    released = next(e for e in events if e.type == "released")
    assert released.data["run_id"] == "alice" and released.data["symbols"] == ["a.c::f"]


def test_expiry_is_noticed_by_time_alone(repo: pathlib.Path) -> None:
    clock = FakeClock(T0)
    co.reserve(repo, "alice", ["a.c::f"], ttl=10, now=T0)
    w = Watcher(repo, clock_fn=clock)
    assert types(w.poll()) == ["reserved"]
    clock.t = T0 + 5
    assert w.poll() == []
    # A heartbeat moves the deadline: no expiry at the old one.
    co.heartbeat(repo, "alice", ttl=20, now=T0 + 5)
    assert w.poll() == []  # heartbeats are opt-in events
    clock.t = T0 + 15
    assert w.poll() == []
    clock.t = T0 + 26
    events = w.poll()
    assert types(events) == ["expired"]
    assert events[0].data["run_id"] == "alice"


def test_heartbeat_events_are_opt_in(repo: pathlib.Path) -> None:
    w = Watcher(repo, clock_fn=FakeClock(T0))
    w.poll()
    co.heartbeat(repo, "alice", ttl=60, now=T0)
    assert types(w.poll(["heartbeat", "reserved"])) == ["heartbeat"]


def test_task_lifecycle(repo: pathlib.Path) -> None:
    clock = FakeClock(T0)
    w = Watcher(repo, clock_fn=clock)
    w.poll()
    co.enqueue(repo, "first", task_id="t1", now=T0)
    co.enqueue(repo, "second", task_id="t2", depends_on=["t1"], now=T0)
    events = w.poll()
    assert types(events) == ["task_enqueued", "task_enqueued"]
    assert events[1].data["blocked_by"] == ["t1"]
    c = co.claim(repo, "alice", ttl=30, now=T0)
    assert c is not None and c.task.task_id == "t1"
    claimed = w.poll()
    assert types(claimed) == ["task_claimed"] and claimed[0].data["holder"] == "alice"
    clock.t = T0 + 31
    assert types(w.poll()) == ["task_claim_expired"]
    c = co.claim(repo, "bob", task_id="t1", now=T0 + 31)
    assert c is not None
    assert types(w.poll()) == ["task_claimed"]
    co.complete(repo, "t1", "bob", token=c.token, now=T0 + 32)
    assert types(w.poll()) == ["task_completed", "task_ready"]
    c2 = co.claim(repo, "bob", now=T0 + 33)
    assert c2 is not None
    w.poll()
    co.fail(repo, "t2", "bob", requeue=True, now=T0 + 34)
    assert types(w.poll()) == ["task_requeued"]


def test_deleted_and_remote_records(repo: pathlib.Path) -> None:
    w = Watcher(repo, clock_fn=FakeClock(T0))
    w.poll()
    r = co.reserve(repo, "alice", ["a.c::f"], ttl=100, now=T0)
    w.poll()
    os.unlink(kind_dir(repo, "reservation") / f"{r.reservation.reservation_id}.json")
    assert types(w.poll()) == ["removed"]
    write_remote_records(repo, [{
        "kind": "reservation", "record_id": "reservation-000001", "run_id": "far-away",
        "payload": {"reservation_id": "reservation-000001", "run_id": "far-away",
                    "expires_at": "2099-12-31T23:59:59+00:00", "symbols": ["b.c::g"]},
        "expires_at": "2099-12-31T23:59:59+00:00"}], graveyard=set())
    events = w.poll()
    assert types(events) == ["reserved"] and events[0].data["remote"] is True


def test_invalid_record_is_reported_once_and_skipped(repo: pathlib.Path) -> None:
    w = Watcher(repo, clock_fn=FakeClock(T0))
    (kind_dir(repo, "reservation") / "broken.json").write_text('{"run_id": 5}')
    co.reserve(repo, "alice", ["a.c::f"], ttl=100, now=T0)
    assert types(w.poll()) == ["reserved"]
    assert len(w.problems) == 1
    co.reserve(repo, "bob", ["z.c"], ttl=100, now=T0)
    w.poll()
    assert len(w.problems) == 1


def test_watch_waits_for_symbol_and_times_out(repo: pathlib.Path) -> None:
    co.reserve(repo, "alice", ["a.c"], ttl=600)
    free = list(watch(repo, symbols=["b.c::g"], run_id="me", timeout=30))
    assert types(free) == ["symbol_free"]
    # Own reservations never block; the file held by alice blocks its members.
    co.reserve(repo, "me", ["b.c::g"], ttl=600)
    mine = list(watch(repo, symbols=["b.c::g"], run_id="me", timeout=30))
    assert types(mine) == ["reserved", "symbol_free"]  # the snapshot shows it, it does not block
    with pytest.raises(WatchTimeout) as info:
        list(watch(repo, symbols=["a.c::f"], run_id="me", timeout=0.3, interval=0.05))
    assert info.value.details["blockers"]["a.c::f"][0]["run_id"] == "alice"
    assert info.value.exit_code == 1
    with pytest.raises(WatchTimeout, match="not yet"):
        list(watch(repo, symbols=["a.c::f"], run_id="me", once=True))


def test_watch_task_conditions(repo: pathlib.Path) -> None:
    co.enqueue(repo, "x", task_id="t1")
    events = list(watch(repo, task_id="t1", until="claimable", timeout=30))
    assert events[-1].type == "task_reached" and events[-1].data["status"] == "claimable"
    c = co.claim(repo, "alice")
    assert c is not None
    co.fail(repo, "t1", "alice", token=c.token)
    with pytest.raises(TaskSettled):
        list(watch(repo, task_id="t1", until="completed", timeout=30))
    assert list(watch(repo, task_id="t1", until="done", timeout=30))[-1].type == "task_reached"
    with pytest.raises(NotFound):
        list(watch(repo, task_id="nope", timeout=30))


_HOLDER = """
import pathlib, sys, time
from muse.core import coordination as co
root, marks = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
r = co.reserve(root, "holder", ["kernel/sched/core.c::schedule"], ttl=600)
(marks / "reserved").write_text(r.reservation.reservation_id)
deadline = time.monotonic() + 120
while not (marks / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.05)
co.release(root, r.reservation.reservation_id, "holder")
"""


def test_watch_sees_another_process_release(repo: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    marks = tmp_path_factory.mktemp("marks")
    proc = subprocess.Popen([PYTHON, "-c", _HOLDER, str(repo), str(marks)], env=subprocess_env())
    try:
        deadline = time.monotonic() + 60
        while not (marks / "reserved").exists():
            assert time.monotonic() < deadline, "holder process never reserved"
            assert proc.poll() is None, "holder process died"
            time.sleep(0.05)
        seen = []
        for ev in watch(repo, symbols=["kernel/sched/core.c::schedule"], run_id="me",
                        timeout=90, interval=0.05):
            seen.append(ev)
            if ev.type == "reserved":
                (marks / "go").write_text("")  # only now may the holder let go
        assert types(seen) == ["reserved", "released", "symbol_free"]
        assert seen[1].data["run_id"] == "holder"
    finally:
        (marks / "go").write_text("")
        proc.wait(timeout=60)
    assert proc.returncode == 0
