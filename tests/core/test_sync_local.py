"""The local half of sync: gathering bus records and writing pulled ones safely."""

from __future__ import annotations

import os
import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muse.core import coordination as co
from muse.core.client.sync import gather_local_records, load_cursor, save_cursor, write_remote_records
from muse.core.paths import coordination_dir, muse_dir

FUT = "2099-12-31T23:59:59+00:00"


def _bus(kind: str, rid: object, **payload: object) -> dict[str, object]:
    return {"kind": kind, "record_id": rid, "run_id": "far", "payload": payload or {"x": 1}, "expires_at": FUT}


def test_gather_returns_bus_records_of_requested_kinds(repo: pathlib.Path) -> None:
    rid = co.reserve(repo, "run-a", ["a.c::f"]).reservation.reservation_id
    co.heartbeat(repo, "run-a")
    recs = gather_local_records(repo, ["reservation"])
    assert [r["record_id"] for r in recs] == [rid]
    assert recs[0]["kind"] == "reservation" and recs[0]["run_id"] == "run-a"
    assert recs[0]["payload"]["symbols"] == ["a.c::f"]
    assert len(gather_local_records(repo, ["reservation", "heartbeat"])) == 2


def test_pulled_records_are_readable_as_remote(repo: pathlib.Path) -> None:
    res = write_remote_records(repo, [_bus("reservation", "far-1", run_id="far", symbols=["a.c::f"], expires_at=FUT)])
    assert res.written == 1
    active = co.active_reservations(repo)
    assert [(r.reservation_id, r.remote) for r in active] == [("far-1", True)]
    # Pulling the same page again writes nothing new (write-once).
    assert write_remote_records(repo, [_bus("reservation", "far-1")]).existing == 1


def test_records_we_already_have_locally_are_not_duplicated(repo: pathlib.Path) -> None:
    co.reserve(repo, "run-a", ["a.c::f"])
    mine = gather_local_records(repo, ["reservation"])
    assert write_remote_records(repo, mine).existing == 1
    assert not os.listdir(coordination_dir(repo) / "remote" / "reservations")


@pytest.mark.parametrize("rid", ["../../../evil", "/etc/passwd", "..", ".hidden", "a/b", "x" * 300, "", None, 7])
def test_hostile_ids_are_refused(repo: pathlib.Path, rid: object) -> None:
    res = write_remote_records(repo, [_bus("reservation", rid)])
    assert res.written == 0 and len(res.rejected) == 1
    assert not (muse_dir(repo).parent / "evil").exists()


@pytest.mark.parametrize("bad", [
    {"kind": "nonsense", "record_id": "a", "payload": {}},
    {"kind": "task", "record_id": "a", "payload": []},
    {"kind": "task", "record_id": "a", "payload": {}, "run_id": 5},
    "not a dict",
])
def test_malformed_bus_records_are_refused(repo: pathlib.Path, bad: object) -> None:
    assert len(write_remote_records(repo, [bad]).rejected) == 1


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=0, max_size=40))
def test_no_record_id_escapes_remote(repo: pathlib.Path, rid: str) -> None:
    write_remote_records(repo, [_bus("task", rid)])
    base = coordination_dir(repo)
    for dirpath, _dirs, files in os.walk(muse_dir(repo).parent):
        for f in files:
            full = os.path.realpath(os.path.join(dirpath, f))
            assert full.startswith(os.path.realpath(muse_dir(repo))), full
    assert all(not n.startswith(".tmp-") for n in os.listdir(base / "remote" / "tasks"))


def test_cursor_round_trip(repo: pathlib.Path) -> None:
    assert load_cursor(repo, "http://h", "o", "s") == 0
    save_cursor(repo, "http://h", "o", "s", 42)
    save_cursor(repo, "http://other", "o", "s", 7)
    assert load_cursor(repo, "http://h/", "o", "s") == 42
    assert load_cursor(repo, "http://other", "o", "s") == 7


def test_filtered_pull_keeps_its_own_cursor(repo: pathlib.Path) -> None:
    from muse.core.client.sync import HubTarget, pull_into

    pages: list[tuple[int, tuple[str, ...]]] = []

    def fetch(url: str, owner: str, slug: str, since_id: int = 0, kinds: list[str] | None = None,
              limit: int = 500, signing: object = None) -> dict[str, object]:
        pages.append((since_id, tuple(kinds or ())))
        return {"records": [], "cursor": 50, "has_more": False}

    target = HubTarget("http://h", "o", "s", None)
    pull_into(repo, target, kinds=["claim"], fetch=fetch)
    pull_into(repo, target, fetch=fetch)  # a full pull must start from 0, not 50
    pull_into(repo, target, fetch=fetch)
    assert [p[0] for p in pages] == [0, 0, 50]
