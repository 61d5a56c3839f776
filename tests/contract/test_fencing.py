"""Fencing tokens on every backend: a stale token is refused with its reason
(the reasons of docs/rules.md), and tokens only grow."""

from __future__ import annotations

import time

import pytest

from muse.core.coord.coordinator import Coordinator
from muse.core.vocab.errors import StaleToken


def test_each_claim_of_a_task_gets_a_higher_token(coord: Coordinator) -> None:
    coord.enqueue("t", task_id="t")
    tokens = []
    for i in range(3):
        got = coord.claim(f"run-{i}", ttl=60)
        tokens.append(got["token"])
        coord.fail("t", f"run-{i}", token=got["token"], requeue=True)
    assert all(isinstance(t, int) for t in tokens) and tokens == sorted(set(tokens))


def test_reservations_carry_growing_tokens(coord: Coordinator) -> None:
    a = coord.reserve("run-a", ["a.c::f"], ttl=60)["token"]
    b = coord.reserve("run-b", ["b.c::g"], ttl=60)["token"]
    assert isinstance(a, int) and isinstance(b, int) and a < b
    assert [r["token"] for r in coord.status(run_id="run-a").iter_reservations()] == [a]


def test_completing_with_a_superseded_token_is_refused(coord: Coordinator) -> None:
    coord.enqueue("slow", task_id="slow")
    first = coord.claim("run-a", ttl=1)
    time.sleep(1.6)
    second = coord.claim("run-b", ttl=60)
    assert second["task_id"] == "slow" and second["token"] > first["token"]
    with pytest.raises(StaleToken) as stale:
        coord.complete("slow", "run-a", token=first["token"])
    assert stale.value.details["reason"] == "superseded"
    assert stale.value.details["holder"] == "run-b"
    assert coord.complete("slow", "run-b", token=second["token"])["status"] == "completed"


def test_completing_someone_elses_claim_is_refused(coord: Coordinator) -> None:
    coord.enqueue("t", task_id="t")
    got = coord.claim("run-a", ttl=60)
    with pytest.raises(StaleToken):
        coord.complete("t", "run-b", token=got["token"])
    assert coord.tasks(status="claimed")["total"] == 1


def test_a_wrong_token_is_refused_on_complete(coord: Coordinator) -> None:
    coord.enqueue("t", task_id="t")
    got = coord.claim("run-a", ttl=60)
    with pytest.raises(StaleToken) as stale:
        coord.complete("t", "run-a", token=got["token"] + 100)
    assert stale.value.details["reason"] == "mismatch"


def test_releasing_with_a_stale_token_is_refused(coord: Coordinator) -> None:
    res = coord.reserve("run-a", ["a.c::f"], ttl=60)
    with pytest.raises(StaleToken) as stale:
        coord.release(res["reservation_id"], "run-a", token=res["token"] + 100)
    assert stale.value.details["reason"] == "mismatch"
    assert coord.status()["active_reservations"] == 1


def test_releasing_another_runs_lease_is_refused(coord: Coordinator) -> None:
    res = coord.reserve("run-a", ["a.c::f"], ttl=60)
    with pytest.raises(StaleToken) as stale:
        coord.release(res["reservation_id"], "run-b", token=res["token"])
    assert stale.value.details["reason"] == "not_holder"


def test_releasing_an_expired_lease_is_refused(coord: Coordinator) -> None:
    res = coord.reserve("run-a", ["a.c::f"], ttl=1)
    time.sleep(1.6)
    with pytest.raises(StaleToken) as stale:
        coord.release(res["reservation_id"], "run-a", token=res["token"])
    assert stale.value.details["reason"] == "expired"


def test_fence_reports_a_claim_until_it_is_finished(coord: Coordinator) -> None:
    coord.enqueue("t", task_id="t")
    got = coord.claim("run-a", ttl=60)
    ok = coord.fence(got["token"], task_id="t")
    assert ok["valid"] is True and ok["holder"] == "run-a" and ok["token"] == got["token"]
    assert coord.fence(got["token"] + 5, task_id="t")["reason"] == "mismatch"
    coord.complete("t", "run-a", token=got["token"])
    done = coord.fence(got["token"], task_id="t")
    assert done["valid"] is False and done["reason"] == "not_claimed"
    assert coord.fence(1, task_id="nope")["reason"] == "not_found"


def test_fence_reports_a_reservation_until_released(coord: Coordinator) -> None:
    res = coord.reserve("run-a", ["mm/slab.c::kmalloc"], ttl=60)
    assert coord.fence(res["token"], reservation_id=res["reservation_id"],
                       symbol="mm/slab.c::kmalloc")["valid"] is True
    assert coord.fence(res["token"], reservation_id=res["reservation_id"],
                       symbol="mm/slab.c::kfree")["reason"] == "not_covered"
    coord.release(res["reservation_id"], "run-a", token=res["token"])
    assert coord.fence(res["token"], reservation_id=res["reservation_id"])["reason"] == "released"


def test_an_intent_with_a_stale_token_is_refused(coord: Coordinator) -> None:
    res = coord.reserve("run-a", ["mm/slab.c::kmalloc"], ttl=60)
    with pytest.raises(StaleToken) as stale:
        coord.intent("run-a", "modify", "mm/slab.c::kmalloc",
                     reservation_id=res["reservation_id"], token=res["token"] + 100)
    assert stale.value.details["reason"] == "mismatch"


def test_an_intent_on_another_runs_or_a_released_lease_is_refused(coord: Coordinator) -> None:
    res = coord.reserve("run-a", ["mm/slab.c::kmalloc"], ttl=60)
    rid, token = res["reservation_id"], res["token"]
    with pytest.raises(StaleToken) as theirs:
        coord.intent("run-b", "modify", "mm/slab.c::kmalloc", reservation_id=rid, token=token)
    assert theirs.value.details["reason"] == "not_holder"
    coord.release(rid, "run-a", token=token)
    with pytest.raises(StaleToken) as ended:
        coord.intent("run-a", "modify", "mm/slab.c::kmalloc", reservation_id=rid, token=token)
    assert ended.value.details["reason"] == "released"
