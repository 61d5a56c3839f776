"""Complete (or fail) and release in one request, on every backend.

``complete(..., release=[(reservation_id, token), …])``: the claim's token
guards the whole request (stale: nothing is released, the refusal is the
plain one); each named lease is released under its own token, and one that
cannot be released is reported without losing the completion; a retry is
harmless; what is recorded is ordinary release and claim-slot records.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest

from muse.core.coord.coordinator import Coordinator, LocalCoordinator
from muse.core.coord.state import CoordState
from muse.core.vocab.errors import StaleToken, TooLarge
from muse.core.vocab.outcomes import FinishOutcome
from muse.core.vocab.rules import MAX_RELEASES


@contextlib.contextmanager
def _records(coord: Coordinator) -> Iterator[CoordState]:
    """What the engine recorded: the record files, or the hub's pulled log."""
    if isinstance(coord, LocalCoordinator):
        yield CoordState(coord.root)
        return
    with coord._records(["reservation", "release", "task", "claim"]) as state:  # type: ignore[attr-defined]
        yield state


def _work(coord: Coordinator, run: str = "run-a", task: str = "t",
          symbols: tuple[str, ...] = ("a.c::f", "b.c::g")) -> tuple[int, list[tuple[str, int]]]:
    """A claimed task and one reservation per symbol: (claim token, [(rid, token)])."""
    coord.enqueue("work", task_id=task)
    claim = coord.claim(run, ttl=600, task_id=task)
    leases = []
    for sym in symbols:
        res = coord.reserve(run, [sym], ttl=600, strict=True)
        leases.append((res["reservation_id"], res["token"]))
    return claim["token"], leases


def test_complete_releases_every_named_lease_in_the_same_request(coord: Coordinator) -> None:
    token, leases = _work(coord)
    done = coord.complete("t", "run-a", token=token, detail="ok", release=leases)
    assert list(done.to_json()) == list(FinishOutcome.FIELDS)
    assert done["status"] == "completed" and done["already"] is False
    assert done["released"] == [
        {"reservation_id": rid, "released": True, "already_released": False, "reason": None}
        for rid, _ in leases]
    assert coord.status()["active_reservations"] == 0
    assert coord.tasks()["counts"]["completed"] == 1
    # Freed for anyone: a strict reserve of the same symbols by another run is granted.
    assert coord.reserve("run-b", ["a.c::f", "b.c::g"], ttl=60, strict=True)["token"]


def test_a_plain_complete_answers_an_empty_released(coord: Coordinator) -> None:
    token, _ = _work(coord, symbols=("a.c::f",))
    done = coord.complete("t", "run-a", token=token)
    assert done["released"] == [] and coord.status()["active_reservations"] == 1


def test_fail_with_requeue_releases_too(coord: Coordinator) -> None:
    token, leases = _work(coord)
    got = coord.fail("t", "run-a", token=token, requeue=True, release=leases)
    assert got["status"] == "pending" and all(r["released"] for r in got["released"])
    assert coord.status()["active_reservations"] == 0
    assert coord.claim("run-b", ttl=60)["task_id"] == "t"


def test_a_stale_claim_token_refuses_and_releases_nothing(coord: Coordinator) -> None:
    token, leases = _work(coord)
    with pytest.raises(StaleToken) as stale:
        coord.complete("t", "run-a", token=token + 100, release=leases)
    assert stale.value.details["reason"] == "mismatch"  # the same refusal as without release
    assert coord.status()["active_reservations"] == 2
    assert coord.tasks()["counts"]["claimed"] == 1
    with _records(coord) as state:
        assert state.released() == {}
    # Nothing was spent: the real token still completes and releases.
    assert all(r["released"] for r in coord.complete("t", "run-a", token=token,
                                                     release=leases)["released"])


def test_someone_elses_claim_releases_nothing(coord: Coordinator) -> None:
    token, leases = _work(coord)
    with pytest.raises(StaleToken):
        coord.complete("t", "run-b", token=token, release=leases)
    assert coord.status()["active_reservations"] == 2


def test_a_stale_lease_is_reported_and_the_completion_stands(coord: Coordinator) -> None:
    token, leases = _work(coord)
    (good, good_tok), (bad, bad_tok) = leases
    theirs = coord.reserve("run-b", ["c.c::h"], ttl=600)
    done = coord.complete("t", "run-a", token=token, release=[
        (good, good_tok), (bad, bad_tok + 100), (theirs["reservation_id"], theirs["token"])])
    assert done["status"] == "completed"
    assert [(r["reservation_id"], r["released"], r["reason"]) for r in done["released"]] == [
        (good, True, None), (bad, False, "mismatch"),
        (theirs["reservation_id"], False, "not_holder")]
    live = {r["reservation_id"] for r in coord.status(limit=None).iter_reservations()}
    assert live == {bad, theirs["reservation_id"]}


def test_a_lapsed_lease_does_not_cost_the_completion(coord: Coordinator) -> None:
    coord.enqueue("work", task_id="t")
    claim = coord.claim("run-a", ttl=600)
    short = coord.reserve("run-a", ["a.c::f"], ttl=1, strict=True)
    time.sleep(1.6)
    done = coord.complete("t", "run-a", token=claim["token"],
                          release=[(short["reservation_id"], short["token"])])
    assert done["status"] == "completed"
    assert done["released"] == [{"reservation_id": short["reservation_id"], "released": False,
                                 "already_released": False, "reason": "expired"}]


def test_an_unknown_lease_is_reported_not_found(coord: Coordinator) -> None:
    token, _ = _work(coord, symbols=())
    done = coord.complete("t", "run-a", token=token, release=[("no-such-lease", 5)])
    assert done["status"] == "completed"
    assert done["released"][0]["reason"] == "not_found"


def test_a_retry_after_a_lost_answer_is_harmless(coord: Coordinator) -> None:
    token, leases = _work(coord)
    first = coord.complete("t", "run-a", token=token, release=leases)
    again = coord.complete("t", "run-a", token=token, release=leases)  # the answer was lost
    assert first["already"] is False and again["already"] is True
    assert again["status"] == "completed" and again["token"] == first["token"]
    assert [(r["released"], r["already_released"]) for r in again["released"]] == [
        (True, True), (True, True)]
    with _records(coord) as state:
        assert len(state.released()) == 2  # one release record each, not two
        assert [s.status for s in state.claim_log()["t"]] == ["claimed", "completed"]


def test_the_records_are_ordinary_release_and_completion_records(coord: Coordinator) -> None:
    token, leases = _work(coord)
    coord.complete("t", "run-a", token=token, detail="done", release=leases)
    with _records(coord) as state:
        released = state.released()
        assert sorted(released) == sorted(rid for rid, _ in leases)
        for rid, _ in leases:
            rel = released[rid]
            assert rel.run_id == "run-a" and rel.reason is None
        top = state.claim_log()["t"][-1]
        assert (top.status, top.claimer_run_id, top.fence) == ("completed", "run-a", token)
        assert state.task_states()["t"].status == "completed"


def test_too_many_leases_are_refused_before_anything_is_decided(coord: Coordinator) -> None:
    token, _ = _work(coord, symbols=())
    with pytest.raises(TooLarge):
        coord.complete("t", "run-a", token=token,
                       release=[(f"r{i}", 1) for i in range(MAX_RELEASES + 1)])
    assert coord.tasks()["counts"]["claimed"] == 1


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)  # the hub's request body: live backends only
def test_the_hub_checks_the_release_list_at_the_boundary(coord: Coordinator) -> None:
    from muse.core.client.hub_client import HubCall
    from muse.core.vocab.errors import UserError

    token, leases = _work(coord, symbols=("a.c::f",))
    client = coord.client  # type: ignore[attr-defined]
    base = {"task_id": "t", "run_id": "run-a", "token": token}
    for bad, field in (("x", "'release' must be a list"),
                       ([{"reservation_id": leases[0][0]}], "release[0].token"),
                       ([{"reservation_id": "../x", "token": 1}], "release[0].reservation_id"),
                       (["x"], "release[0] must be an object")):
        with pytest.raises(UserError) as refused:
            client.send(HubCall("complete", "POST", "live/complete", {**base, "release": bad}))
        assert field in str(refused.value)
    assert coord.tasks()["counts"]["claimed"] == 1 and coord.status()["active_reservations"] == 1
