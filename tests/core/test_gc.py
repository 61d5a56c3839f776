from __future__ import annotations

import json
import os
import pathlib

from muse.core import coordination as co
from muse.core.client.sync import gather_local_records, write_remote_records
from muse.core.coord.gc import load_graveyard, run_coord_gc
from muse.core.paths import coordination_dir

T0 = 2_000_000_000.0


def _count(root: pathlib.Path, sub: str) -> int:
    return len([n for n in os.listdir(coordination_dir(root) / sub) if n.endswith(".json")])


def test_gc_removes_dead_reservations_and_what_served_them(repo: pathlib.Path) -> None:
    dead = co.reserve(repo, "run-a", ["a.c::f"], ttl=60, now=T0).reservation.reservation_id
    co.intend(repo, "run-a", "modify", "a.c::f", reservation_id=dead, now=T0)
    released = co.reserve(repo, "run-b", ["b.c::g"], ttl=3600, now=T0).reservation.reservation_id
    co.release(repo, released, "run-b", now=T0 + 10)
    alive = co.reserve(repo, "run-c", ["c.c::h"], ttl=60, now=T0).reservation.reservation_id
    co.heartbeat(repo, "run-c", ttl=60, now=T0 + 5)
    co.heartbeat(repo, "run-c", ttl=10_000, now=T0 + 50)  # supersedes the one above
    co.depend(repo, alive, [dead])

    dry = run_coord_gc(repo, dry_run=True, grace_period_seconds=100, now=T0 + 500)
    assert (dry.reservations_removed, dry.intents_removed, dry.releases_removed) == (2, 1, 1)
    assert dry.heartbeats_removed == 1 and dry.dependencies_removed == 0
    assert _count(repo, "reservations") == 3  # dry run deleted nothing

    live = run_coord_gc(repo, dry_run=False, grace_period_seconds=100, now=T0 + 500)
    assert live.to_json() | {"dry_run": True} == dry.to_json()
    assert [r.reservation_id for r in co.load_reservations(repo)] == [alive]
    assert _count(repo, "intents") == 0 and _count(repo, "releases") == 0
    assert _count(repo, "heartbeats") == 1
    assert ("reservation", dead) in load_graveyard(repo)


def test_grace_period_keeps_recently_dead_records(repo: pathlib.Path) -> None:
    co.reserve(repo, "run-a", ["a.c::f"], ttl=60, now=T0)
    assert run_coord_gc(repo, grace_period_seconds=600, now=T0 + 300).reservations_removed == 0
    assert run_coord_gc(repo, grace_period_seconds=600, now=T0 + 700).reservations_removed == 1


def test_gc_removes_superseded_claim_slots_but_keeps_task_state(repo: pathlib.Path) -> None:
    co.enqueue(repo, "t", task_id="t", now=T0)
    c = co.claim(repo, "run-a", ttl=60, now=T0)
    assert c is not None
    co.complete(repo, "t", "run-a", now=T0 + 1)
    result = run_coord_gc(repo, grace_period_seconds=10, now=T0 + 1000)
    assert result.claims_removed == 1
    assert co.CoordState(repo, T0 + 1001).task_states()["t"].status == "completed"
    assert co.claim(repo, "run-b", now=T0 + 1002) is None


def test_removed_records_never_come_back_through_remote(repo: pathlib.Path) -> None:
    rid = co.reserve(repo, "run-a", ["a.c::f"], ttl=60, now=T0).reservation.reservation_id
    pushed = gather_local_records(repo, ["reservation"])  # what a hub would hold
    run_coord_gc(repo, grace_period_seconds=0, now=T0 + 100)
    result = write_remote_records(repo, pushed)  # the hub sends it back on pull
    assert result.buried == 1 and result.written == 0
    assert not (coordination_dir(repo) / "remote" / "reservations" / f"{rid}.json").exists()
    assert co.load_reservations(repo) == []


def test_gc_collects_pulled_records_too(repo: pathlib.Path) -> None:
    write_remote_records(repo, [{
        "kind": "reservation", "record_id": "far-1", "run_id": "elsewhere",
        "payload": {"reservation_id": "far-1", "run_id": "elsewhere", "symbols": ["z.c"],
                    "expires_at": "2000-01-01T00:00:00+00:00"},
        "expires_at": "2000-01-01T00:00:00+00:00"}])
    assert run_coord_gc(repo, grace_period_seconds=0).reservations_removed == 1
    assert not (coordination_dir(repo) / "remote/reservations/far-1.json").exists()


def test_gc_on_hand_written_corrupt_files_reports_and_continues(repo: pathlib.Path) -> None:
    d = coordination_dir(repo) / "reservations"
    (d / "torn.json").write_text('{"reservation_id": "torn", "run_')
    (d / "old.json").write_text(json.dumps({"reservation_id": "old", "run_id": "r",
                                            "expires_at": "2000-01-01T00:00:00+00:00", "symbols": []}))
    result = run_coord_gc(repo, grace_period_seconds=0)
    assert result.reservations_removed == 1
    assert len(result.problems) == 1 and "torn.json" in result.problems[0]["path"]
    assert (d / "torn.json").exists()  # GC never deletes what it cannot understand


def test_a_graveyard_that_is_not_a_file_stops_gc_before_it_removes_anything(repo: pathlib.Path) -> None:
    import pytest

    from muse.core.coord.gc import graveyard_path
    from muse.core.vocab.errors import UserError

    co.reserve(repo, "run-a", ["a.c::f"], ttl=60, now=T0)
    os.mkfifo(graveyard_path(repo))  # appending to it would block forever
    with pytest.raises(UserError, match="nothing removed"):
        run_coord_gc(repo, grace_period_seconds=10, now=T0 + 1000)
    assert _count(repo, "reservations") == 1
    assert load_graveyard(repo) == set()
