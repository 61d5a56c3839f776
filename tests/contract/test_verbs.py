"""Every coordination verb gives the same answer on every backend.

Run unchanged against local files, a hub on SQLite and a hub on PostgreSQL
(see conftest.py): documents, strict refusals, the heartbeat rule, claim
order and dependency blocking.
"""

from __future__ import annotations

import time

import pytest

from muse.core.coord.coordinator import Coordinator
from muse.core.vocab.errors import ConflictError, DependencyCycle, NotFound, TooLarge, UserError
from muse.core.vocab.outcomes import (
    ClaimOutcome,
    EnqueueOutcome,
    FinishOutcome,
    HeartbeatOutcome,
    IntentOutcome,
    ReleaseOutcome,
    ReserveOutcome,
    StatusOutcome,
    TasksOutcome,
)
from tests.contract.conftest import Engine


def _keys(doc: dict[str, object], cls: type) -> None:
    assert list(doc) == list(cls.FIELDS)  # type: ignore[attr-defined]


def test_each_verb_answers_its_one_document(coord: Coordinator) -> None:
    res = coord.reserve("run-a", ["kernel/sched/core.c::schedule"], ttl=600)
    _keys(res.to_json(), ReserveOutcome)
    assert res["run_id"] == "run-a" and res["symbols"] == ["kernel/sched/core.c::schedule"]
    assert res["mode"] == "advisory" and res["conflicts"] == []
    assert res["expires_in"] == pytest.approx(600, abs=2)
    assert res["backend"] == coord.backend
    intent = coord.intent("run-a", "modify", "kernel/sched/core.c::schedule",
                          reservation_id=res["reservation_id"], token=res["token"])
    _keys(intent.to_json(), IntentOutcome)
    assert intent["operation"] == "modify" and intent["reservation_id"] == res["reservation_id"]
    beat = coord.heartbeat("run-a", ttl=900)
    _keys(beat.to_json(), HeartbeatOutcome)
    assert beat["reservations"] == 1 and beat["claims"] == 0
    assert beat["expired"] == {"reservations": 0, "claims": 0}
    task = coord.enqueue("port the scheduler", task_id="sched", priority=3,
                         symbols=["kernel/sched/core.c"])
    _keys(task.to_json(), EnqueueOutcome)
    assert task["task_id"] == "sched" and task["symbols"] == ["kernel/sched/core.c"]
    claim = coord.claim("run-a", ttl=600)
    _keys(claim.to_json(), ClaimOutcome)
    assert claim.won and claim["task_id"] == "sched" and claim["priority"] == 3
    assert isinstance(claim["token"], int) and claim["run_id"] == "run-a"
    # A lease lasts at least as long as its run's last heartbeat (900 s here).
    assert claim["expires_in"] == pytest.approx(900, abs=2)
    status = coord.status(symbol="kernel/sched/core.c::schedule")
    _keys(status.to_json(), StatusOutcome)
    assert status["active_reservations"] == 1 and status["runs"] == 1
    assert status["tasks"]["claimed"] == 1
    assert [h["run_id"] for h in status["holders"]] == ["run-a"]
    done = coord.complete("sched", "run-a", token=claim["token"], detail="ported")
    _keys(done.to_json(), FinishOutcome)
    assert done["status"] == "completed" and done["token"] == claim["token"]
    tasks = coord.tasks()
    _keys(tasks.to_json(), TasksOutcome)
    assert tasks["counts"]["completed"] == 1 and tasks["tasks"][0]["task_id"] == "sched"
    rel = coord.release(res["reservation_id"], "run-a", token=res["token"])
    _keys(rel.to_json(), ReleaseOutcome)
    assert rel["reservation_id"] == res["reservation_id"] and rel["already_released"] is False
    again = coord.release(res["reservation_id"], "run-a", token=res["token"])
    assert again["already_released"] is True
    assert coord.status()["active_reservations"] == 0


def test_advisory_reports_overlaps_with_their_holders(coord: Coordinator) -> None:
    mine = coord.reserve("run-a", ["fs/ext4/inode.c::ext4_write"], ttl=600)
    theirs = coord.reserve("run-b", ["fs/ext4/inode.c"], ttl=600)
    (c,) = theirs["conflicts"]
    assert c["symbol"] == "fs/ext4/inode.c" and c["overlap"] == "contains"
    assert [(h["run_id"], h["reservation_id"]) for h in c["holders"]] == [
        ("run-a", mine["reservation_id"])]
    st = coord.status()
    assert st["conflict_count"] == 1 and st["runs"] == 2
    assert {h["run_id"] for h in st["conflicts"][0]["holders"]} == {"run-a", "run-b"}
    # Filtered to one run, every count is that run's (a conflict needs two runs).
    mine = coord.status(run_id="run-b")
    assert (mine["active_reservations"], mine["runs"], mine["conflict_count"]) == (1, 1, 0)


def test_strict_refusal_names_the_holder_and_when_to_retry(coord: Coordinator) -> None:
    held = coord.reserve("run-a", ["mm/slab.c::kmalloc"], ttl=120)
    with pytest.raises(ConflictError) as refused:
        coord.reserve("run-b", ["mm/slab.c"], ttl=60, strict=True)
    d = refused.value.details
    assert d["holder"] == "run-a" and d["reservation_id"] == held["reservation_id"]
    assert isinstance(d["retry_after"], int) and 1 <= d["retry_after"] <= 121
    assert d["expires_at"] == held["expires_at"]
    assert coord.status()["active_reservations"] == 1  # nothing was written
    # The holder itself is never refused by its own lease.
    assert coord.reserve("run-a", ["mm/slab.c"], ttl=60, strict=True)["mode"] == "strict"


def test_heartbeat_extends_every_lease_of_the_run(coord: Coordinator) -> None:
    coord.reserve("run-a", ["a.c::f"], ttl=2)
    coord.enqueue("t", task_id="t1")
    coord.claim("run-a", ttl=2)
    beat = coord.heartbeat("run-a", ttl=120)
    assert beat["reservations"] == 1 and beat["claims"] == 1
    time.sleep(2.5)
    st = coord.status()
    assert st["active_reservations"] == 1 and st["tasks"]["claimed"] == 1


def test_a_late_heartbeat_does_not_revive_an_expired_lease(coord: Coordinator) -> None:
    coord.reserve("run-a", ["a.c::f"], ttl=1)
    time.sleep(1.6)
    beat = coord.heartbeat("run-a", ttl=120)
    assert beat["expired"]["reservations"] == 1 and beat["reservations"] == 0
    assert coord.status()["active_reservations"] == 0
    # The symbol is free for a strict reserver.
    assert coord.reserve("run-b", ["a.c::f"], ttl=60, strict=True)["conflicts"] == []


def test_claim_order_priority_then_age(coord: Coordinator) -> None:
    for tid, prio in (("t0-low", 1), ("t1-high", 5), ("t2-mid", 3), ("t3-high", 5)):
        coord.enqueue(tid, task_id=tid, priority=prio)
    got = [coord.claim(f"run-{i}", ttl=600)["task_id"] for i in range(5)]
    assert got == ["t1-high", "t3-high", "t2-mid", "t0-low", None]


def test_nothing_ready_is_one_document_with_a_null_task(coord: Coordinator) -> None:
    got = coord.claim("run-a", ttl=60)
    assert not got.won and got["task_id"] is None and got["token"] is None
    assert list(got.to_json()) == list(ClaimOutcome.FIELDS)


def test_dependencies_block_until_completed(coord: Coordinator) -> None:
    coord.enqueue("base", task_id="base", priority=0)
    coord.enqueue("top", task_id="top", priority=9, depends_on=["base"])
    assert coord.tasks(status="blocked")["tasks"][0]["task_id"] == "top"
    with pytest.raises(ConflictError) as blocked:
        coord.claim("run-a", ttl=60, task_id="top")
    assert blocked.value.details["blocked_by"] == ["base"]
    first = coord.claim("run-a", ttl=60)
    assert first["task_id"] == "base"
    assert not coord.claim("run-b", ttl=60).won
    coord.complete("base", "run-a", token=first["token"])
    assert coord.claim("run-b", ttl=60)["task_id"] == "top"


def test_a_task_id_is_enqueued_once(coord: Coordinator) -> None:
    coord.enqueue("one", task_id="dup")
    with pytest.raises(UserError):
        coord.enqueue("two", task_id="dup")
    assert coord.tasks()["total"] == 1


def test_failed_with_requeue_goes_back_with_a_higher_token(coord: Coordinator) -> None:
    coord.enqueue("flaky", task_id="flaky")
    first = coord.claim("run-a", ttl=60)
    failed = coord.fail("flaky", "run-a", token=first["token"], detail="oops", requeue=True)
    assert failed["status"] == "pending"
    again = coord.claim("run-b", ttl=60)
    assert again["task_id"] == "flaky" and again["token"] > first["token"]
    final = coord.fail("flaky", "run-b", token=again["token"], detail="no")
    assert final["status"] == "failed"
    assert coord.tasks()["counts"]["failed"] == 1


def test_unknown_ids_are_not_found(coord: Coordinator) -> None:
    with pytest.raises(NotFound):
        coord.claim("run-a", ttl=60, task_id="no-such-task")
    with pytest.raises(NotFound):
        coord.complete("no-such-task", "run-a", token=1)


def test_a_request_over_the_symbol_cap_is_a_user_error(coord: Coordinator) -> None:
    from muse.core.vocab.rules import MAX_SYMBOLS

    too_many = [f"s{i}.c" for i in range(MAX_SYMBOLS + 1)]
    with pytest.raises(TooLarge) as refused:
        coord.reserve("run-a", too_many, ttl=60)
    assert refused.value.exit_code == 1 and refused.value.code == "payload_too_large"
    assert f"limit of {MAX_SYMBOLS}" in refused.value.message
    with pytest.raises(TooLarge):
        coord.enqueue("wide", task_id="wide", symbols=too_many)
    assert coord.status()["active_reservations"] == 0 and coord.tasks()["total"] == 0


def test_releasing_an_unknown_reservation_is_not_found(coord: Coordinator) -> None:
    with pytest.raises(NotFound):
        coord.release("sha256:" + "0" * 64, "run-a", token=1)


def test_status_pages_and_paths(coord: Coordinator) -> None:
    ids = [coord.reserve(f"run-{i}", [f"drivers/net/e1000{'e' if i % 2 else ''}/m{i}.c::probe"],
                         ttl=600)["reservation_id"] for i in range(5)]
    first = coord.status(limit=2, cursor="")  # "": the first page of the listing
    rows = list(first.iter_reservations())
    assert len(rows) == 2 and first["next_cursor"] == rows[-1]["reservation_id"]
    seen = [r["reservation_id"] for r in rows]
    cursor = first["next_cursor"]
    while cursor:
        page = coord.status(limit=2, cursor=cursor)
        seen += [r["reservation_id"] for r in page.iter_reservations()]
        cursor = page["next_cursor"]
    assert seen == sorted(ids)
    e1000 = coord.status(path="drivers/net/e1000", limit=None)
    assert e1000["active_reservations"] == 3


def test_status_lists_one_page_of_reservations_without_a_cursor(coord: Coordinator) -> None:
    made = [coord.reserve(f"run-{i % 2}", [f"lib/m{i}.c::f"], ttl=600) for i in range(3)]
    ids = sorted(r["reservation_id"] for r in made)
    page = coord.status(limit=2)
    rows = list(page.iter_reservations())
    assert [r["reservation_id"] for r in rows] == ids[:2] and page["next_cursor"] == ids[1]
    first = next(r for r in made if r["reservation_id"] == ids[0])
    assert rows[0] == {"reservation_id": ids[0], "run_id": first["run_id"],
                       "symbols": first["symbols"], "token": first["token"],
                       "expires_at": first["expires_at"], "remote": False}
    mine = coord.status(run_id="run-1", limit=None)
    assert [r["run_id"] for r in mine.iter_reservations()] == ["run-1"]
    assert mine["next_cursor"] is None
    assert (mine["active_reservations"], mine["runs"], mine["conflict_count"]) == (1, 1, 0)
    coord.release(made[0]["reservation_id"], "run-0", token=made[0]["token"])
    left = [r["reservation_id"] for r in coord.status().iter_reservations()]
    assert left == sorted(r["reservation_id"] for r in made[1:])


def test_depend_on_tasks_blocks_claims(coord: Coordinator) -> None:
    coord.enqueue("a", task_id="a")
    coord.enqueue("b", task_id="b", priority=5)
    dep = coord.depend("b", ["a"], on_tasks=True, run_id="run-a")
    assert dep["kind"] == "task" and dep["depends_on"] == ["a"] and dep["run_id"] == "run-a"
    assert [t["task_id"] for t in coord.tasks(status="blocked")["tasks"]] == ["b"]
    with pytest.raises(ConflictError) as blocked:
        coord.claim("run-b", ttl=60, task_id="b")
    assert blocked.value.details["blocked_by"] == ["a"]
    first = coord.claim("run-a", ttl=60)
    assert first["task_id"] == "a"
    assert not coord.claim("run-b", ttl=60).won
    coord.complete("a", "run-a", token=first["token"])
    assert coord.claim("run-b", ttl=60)["task_id"] == "b"


def test_a_lapsed_claim_of_a_task_that_now_waits_is_not_handed_out(coord: Coordinator) -> None:
    coord.enqueue("a", task_id="a")
    coord.enqueue("b", task_id="b", priority=5)
    assert coord.claim("run-x", ttl=1)["task_id"] == "b"
    coord.depend("b", ["a"], on_tasks=True)
    time.sleep(1.6)
    assert coord.claim("run-y", ttl=60)["task_id"] == "a"
    assert not coord.claim("run-z", ttl=60).won


def test_depend_on_a_completed_task_does_not_block(coord: Coordinator) -> None:
    coord.enqueue("a", task_id="a")
    got = coord.claim("run-a", ttl=60)
    coord.complete("a", "run-a", token=got["token"])
    coord.enqueue("b", task_id="b")
    coord.depend("b", ["a"], on_tasks=True)
    assert coord.claim("run-b", ttl=60)["task_id"] == "b"


def test_a_task_dependency_cycle_is_refused_and_named(coord: Coordinator) -> None:
    for tid in ("a", "b", "c"):
        coord.enqueue(tid, task_id=tid)
    coord.depend("b", ["a"], on_tasks=True)
    coord.depend("c", ["b"], on_tasks=True)
    with pytest.raises(DependencyCycle) as cycle:
        coord.depend("a", ["c"], on_tasks=True)
    assert cycle.value.details["cycle"] == ["a", "c", "b", "a"]
    assert "a -> c -> b -> a" in cycle.value.message
    with pytest.raises(DependencyCycle) as itself:
        coord.depend("a", ["a"], on_tasks=True)
    assert itself.value.details["cycle"] == ["a", "a"]
    assert coord.claim("run-a", ttl=60)["task_id"] == "a"  # nothing was written


def test_depend_on_an_unknown_task_is_not_found(coord: Coordinator) -> None:
    coord.enqueue("a", task_id="a")
    with pytest.raises(NotFound):
        coord.depend("no-such-task", ["a"], on_tasks=True)
    # A prerequisite may be enqueued later (as with enqueue --after): it blocks until done.
    coord.depend("a", ["later"], on_tasks=True)
    assert not coord.claim("run-a", ttl=60).won


def test_a_task_waits_for_at_most_the_prerequisite_cap(coord: Coordinator) -> None:
    from muse.core.vocab.rules import MAX_PREREQUISITES

    coord.enqueue("t", task_id="t", depends_on=[f"p{i}" for i in range(MAX_PREREQUISITES - 1)])
    coord.depend("t", ["p0", f"p{MAX_PREREQUISITES - 1}"], on_tasks=True)  # 256: at the cap
    with pytest.raises(TooLarge) as refused:
        coord.depend("t", ["one-more"], on_tasks=True)
    assert refused.value.exit_code == 1 and refused.value.details["limit"] == MAX_PREREQUISITES
    assert len(coord.tasks()["tasks"][0]["blocked_by"]) == MAX_PREREQUISITES


def test_reservation_dependencies_are_recorded_and_checked(coord: Coordinator) -> None:
    one = coord.reserve("run-a", ["a.c::f"], ttl=60)["reservation_id"]
    two = coord.reserve("run-b", ["b.c::g"], ttl=60)["reservation_id"]
    dep = coord.depend(two, [one], run_id="run-b")
    assert dep["kind"] == "reservation" and dep["depends_on"] == [one]
    assert dep["node"] == two and dep["backend"] == coord.backend
    with pytest.raises(DependencyCycle) as cycle:
        coord.depend(one, [two])
    assert cycle.value.details["cycle"] == [one, two, one]
    with pytest.raises(NotFound):
        coord.depend("sha256:" + "0" * 64, [one])


def test_run_isolation_between_repositories(engine: Engine) -> None:
    one, two = engine(), engine()
    one.reserve("run-a", ["x.c::f"], ttl=60)
    assert two.status()["active_reservations"] == 0
