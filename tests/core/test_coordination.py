from __future__ import annotations

import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muse.core import coordination as co
from muse.core.coord.state import CoordState, symbol_ancestors
from muse.core.vocab.clock import format_ts
from muse.core.vocab.errors import ConflictError, DependencyCycle, NotFound, StaleToken, UserError

T0 = 2_000_000_000.0  # a fixed "now" keeps every expiry decision explicit


def test_reserve_is_active_until_expiry(repo: pathlib.Path) -> None:
    res = co.reserve(repo, "run-a", ["a.c::f"], ttl=60, now=T0).reservation
    assert [r.reservation_id for r in co.active_reservations(repo, now=T0 + 59)] == [res.reservation_id]
    assert co.active_reservations(repo, now=T0 + 61) == []


def test_heartbeat_extends_every_lease_of_the_run(repo: pathlib.Path) -> None:
    co.reserve(repo, "run-a", ["a.c::f"], ttl=60, now=T0)
    co.reserve(repo, "run-a", ["b.c::g"], ttl=60, now=T0)
    co.reserve(repo, "run-b", ["c.c::h"], ttl=60, now=T0)
    co.heartbeat(repo, "run-a", ttl=600, now=T0 + 30)
    alive = co.active_reservations(repo, now=T0 + 300)
    assert sorted(r.symbols[0] for r in alive) == ["a.c::f", "b.c::g"]


def test_release_ends_a_reservation_and_is_idempotent(repo: pathlib.Path) -> None:
    rid = co.reserve(repo, "run-a", ["a.c::f"], now=T0).reservation.reservation_id
    co.release(repo, rid, "run-a", now=T0 + 1)
    assert co.active_reservations(repo, now=T0 + 2) == []
    again = co.release(repo, rid, "run-a", now=T0 + 3)
    assert again["already_released"] is True
    with pytest.raises(NotFound):
        co.release(repo, "nope", "run-a")
    rid2 = co.reserve(repo, "run-a", ["a.c::g"], now=T0).reservation.reservation_id
    with pytest.raises(UserError):
        co.release(repo, rid2, "run-b")


def test_advisory_reserve_reports_overlaps(repo: pathlib.Path) -> None:
    co.reserve(repo, "run-a", ["kernel/sched/core.c::schedule"], now=T0)
    co.reserve(repo, "run-b", ["kernel/mm/slab.c"], now=T0)
    r = co.reserve(repo, "run-c", ["kernel/sched/core.c", "kernel/mm/slab.c::kmalloc"], now=T0)
    assert set(r.conflicts) == {"kernel/sched/core.c", "kernel/mm/slab.c::kmalloc"}
    # The same run never conflicts with itself; only run-c's whole-file lease overlaps.
    again = co.reserve(repo, "run-a", ["kernel/sched/core.c::schedule"], now=T0).conflicts
    assert {r.run_id for rs in again.values() for r in rs} == {"run-c"}
    assert co.reserve(repo, "run-d", ["other.c::f"], now=T0).conflicts == {}


def test_strict_reserve_names_the_holder(repo: pathlib.Path) -> None:
    co.reserve(repo, "run-a", ["a.c::Foo"], ttl=100, now=T0)
    with pytest.raises(ConflictError) as info:
        co.reserve(repo, "run-b", ["a.c::Foo.bar"], strict=True, now=T0 + 10)
    assert info.value.details["holder"] == "run-a"
    assert info.value.details["retry_after"] == 90
    # After expiry the strict reservation is granted.
    co.reserve(repo, "run-b", ["a.c::Foo.bar"], strict=True, now=T0 + 101)


def test_conflicts_are_between_different_runs_only(repo: pathlib.Path) -> None:
    co.reserve(repo, "run-a", ["a.c::f", "a.c::g"], now=T0)
    co.reserve(repo, "run-a", ["a.c::f"], now=T0)
    co.reserve(repo, "run-b", ["a.c::g"], now=T0)
    conflicts = co.find_conflicts(repo, now=T0)
    assert [c.symbol for c in conflicts] == ["a.c::g"]
    assert {h[0] for h in conflicts[0].holders} == {"run-a", "run-b"}


def test_intent_validation(repo: pathlib.Path) -> None:
    with pytest.raises(UserError):
        co.intend(repo, "run-a", "explode", "a.c::f")
    with pytest.raises(UserError):
        co.intend(repo, "run-a", "rename", "a.c::f")  # needs --to
    with pytest.raises(NotFound):
        co.intend(repo, "run-a", "modify", "a.c::f", reservation_id="missing")
    rec = co.intend(repo, "run-a", "rename", "a.c::f", new_name="g")
    assert rec["operation"] == "rename" and rec["new_name"] == "g"


def test_reservation_dependencies_refuse_cycles(repo: pathlib.Path) -> None:
    ids = [co.reserve(repo, f"run-{i}", [f"f{i}.c"], now=T0).reservation.reservation_id for i in range(3)]
    co.depend(repo, ids[0], [ids[1]])
    co.depend(repo, ids[1], [ids[2]])
    with pytest.raises(DependencyCycle) as info:
        co.depend(repo, ids[2], [ids[0]])
    assert info.value.details["cycle"][0] == ids[2]
    with pytest.raises(DependencyCycle):
        co.depend(repo, ids[0], [ids[0]])
    with pytest.raises(NotFound):
        co.depend(repo, "ghost", [ids[0]])


def test_claim_takes_highest_priority_ready_task(repo: pathlib.Path) -> None:
    co.enqueue(repo, "low", task_id="low", priority=1, now=T0)
    co.enqueue(repo, "high", task_id="high", priority=9, now=T0)
    co.enqueue(repo, "blocked", task_id="blocked", priority=99, depends_on=["low"], now=T0)
    first = co.claim(repo, "run-a", now=T0)
    assert first is not None and first.task.task_id == "high" and first.token == 1
    second = co.claim(repo, "run-b", now=T0)
    assert second is not None and second.task.task_id == "low"
    assert co.claim(repo, "run-c", now=T0) is None  # "blocked" waits for "low"
    co.complete(repo, "low", "run-b", token=second.token, now=T0 + 1)
    third = co.claim(repo, "run-c", now=T0 + 2)
    assert third is not None and third.task.task_id == "blocked"


def test_expired_claim_is_taken_over_and_old_holder_is_fenced(repo: pathlib.Path) -> None:
    co.enqueue(repo, "t", task_id="t", now=T0)
    a = co.claim(repo, "run-a", ttl=60, now=T0)
    assert a is not None
    assert co.claim(repo, "run-b", now=T0 + 30) is None
    b = co.claim(repo, "run-b", ttl=60, now=T0 + 61)
    assert b is not None and b.token == 2
    with pytest.raises(StaleToken):
        co.complete(repo, "t", "run-a", token=a.token, now=T0 + 62)
    with pytest.raises(StaleToken):
        co.complete(repo, "t", "run-b", token=1, now=T0 + 62)
    co.complete(repo, "t", "run-b", token=b.token, now=T0 + 62)
    st = CoordState(repo, T0 + 63).task_states()["t"]
    assert st.status == "completed" and st.holder == "run-b"


def test_heartbeat_keeps_a_claim_alive(repo: pathlib.Path) -> None:
    co.enqueue(repo, "t", task_id="t", now=T0)
    assert co.claim(repo, "run-a", ttl=60, now=T0) is not None
    co.heartbeat(repo, "run-a", ttl=600, now=T0 + 50)
    assert co.claim(repo, "run-b", now=T0 + 300) is None


def test_fail_and_requeue(repo: pathlib.Path) -> None:
    co.enqueue(repo, "t", task_id="t", now=T0)
    co.enqueue(repo, "u", task_id="u", now=T0)
    a = co.claim(repo, "run-a", task_id="t", now=T0)
    assert a is not None
    co.fail(repo, "t", "run-a", detail="compile error", requeue=True, now=T0 + 1)
    again = co.claim(repo, "run-b", task_id="t", now=T0 + 2)
    # The repository's token sequence only grows; the claim record carries it.
    assert again is not None and again.token > a.token and again.claim["token"] == again.token
    assert again.claim["slot"] == 3
    co.claim(repo, "run-a", task_id="u", now=T0)
    co.fail(repo, "u", "run-a", now=T0 + 1)
    st = CoordState(repo, T0 + 2).task_states()
    assert st["u"].status == "failed"
    with pytest.raises(ConflictError):
        co.claim(repo, "run-c", task_id="u", now=T0 + 3)


def test_claim_errors(repo: pathlib.Path) -> None:
    with pytest.raises(NotFound):
        co.claim(repo, "run-a", task_id="missing")
    with pytest.raises(NotFound):
        co.complete(repo, "missing", "run-a")
    co.enqueue(repo, "t", task_id="t")
    with pytest.raises(UserError):
        co.complete(repo, "t", "run-a")  # not claimed
    with pytest.raises(UserError):
        co.enqueue(repo, "dup", task_id="t")
    with pytest.raises(UserError):
        co.enqueue(repo, "bad", task_id="a+1")


def test_task_dependency_cycle_refused(repo: pathlib.Path) -> None:
    co.enqueue(repo, "a", task_id="a")
    co.enqueue(repo, "b", task_id="b", depends_on=["a"])
    with pytest.raises(DependencyCycle):
        co.depend(repo, "a", ["b"], on_tasks=True)
    co.enqueue(repo, "c", task_id="c")
    co.depend(repo, "c", ["b"], on_tasks=True)
    assert CoordState(repo).task_states()["c"].blocked_by == ("b",)


def test_hand_written_minimal_claim_is_understood(repo: pathlib.Path) -> None:
    import json

    (repo / ".muse/coordination/tasks/t1.json").write_text(json.dumps(
        {"task_id": "t1", "run_id": "r", "description": "d"}))
    (repo / ".muse/coordination/claims/t1.json").write_text(json.dumps(
        {"task_id": "t1", "claimer_run_id": "someone", "expires_at": format_ts(T0 + 100)}))
    st = CoordState(repo, T0).task_states()["t1"]
    assert st.status == "claimed" and st.holder == "someone" and st.top_slot == 1
    taken = co.claim(repo, "run-b", now=T0 + 101)
    assert taken is not None and taken.token == 2


def _brute_conflicts(active: list[co.Reservation]) -> set[tuple[str, str]]:
    """O(n²) definition: (symbol, overlap) for every pair of runs that overlap."""
    from muse.core.coord.state import symbol_ancestors

    out: set[tuple[str, str]] = set()
    for a in active:
        for b in active:
            if a.run_id == b.run_id:
                continue
            for sa in a.symbols:
                for sb in b.symbols:
                    if sa == sb:
                        out.add((sa, "same"))
                    elif sb in symbol_ancestors(sa):
                        out.add((sa, "contains"))
    return out



_SYMBOLS = st.sampled_from(["a.c", "a.c::F", "a.c::F.g", "a.c::F.g.h", "a.c::k", "b.c", "b.c::m"])
_HOLDS = st.lists(st.tuples(st.sampled_from(["r1", "r2", "r3"]), st.lists(_SYMBOLS, min_size=1, max_size=3)),
                  max_size=8)


def _held(holds: list[tuple[str, list[str]]]) -> tuple[CoordState, list[co.Reservation]]:
    """A state at T0 and one live reservation per (run, symbols)."""
    active = [co.Reservation(f"res{i}", f"res{i}", run, T0 + 100, tuple(dict.fromkeys(syms)))
              for i, (run, syms) in enumerate(holds)]
    return CoordState(pathlib.Path("/nonexistent"), T0), active


@settings(max_examples=200, deadline=None)
@given(_HOLDS)
def test_conflicts_match_the_brute_force_definition(holds: list[tuple[str, list[str]]]) -> None:
    state, active = _held(holds)
    got = {(c.symbol, c.overlap) for c in state.conflicts(active)}
    assert got == _brute_conflicts(active)


@settings(max_examples=200, deadline=None)
@given(_HOLDS)
def test_shared_files_match_the_definition(holds: list[tuple[str, list[str]]]) -> None:
    """Files whose symbols several runs hold, from the same pass as the conflicts."""
    state, active = _held(holds)
    conflicts, shared_files = state.conflicts_and_shared_files(active)
    runs_of: dict[str, set[str]] = {}
    for r in active:
        for sym in r.symbols:
            runs_of.setdefault(sym.partition("::")[0], set()).add(r.run_id)
    assert shared_files == {path: runs for path, runs in runs_of.items() if len(runs) > 1}
    assert conflicts == state.conflicts(active)


@settings(max_examples=200, deadline=None)
@given(_HOLDS, st.lists(_SYMBOLS, min_size=1, max_size=3), st.sampled_from([None, "r1"]))
def test_holders_of_matches_the_overlap_definition(
    holds: list[tuple[str, list[str]]], asked: list[str], exclude: str | None
) -> None:
    """Same address, an enclosing one, or a member: nothing else, nothing missed."""
    state, active = _held(holds)
    state.active_reservations = lambda: active  # type: ignore[method-assign]
    got = state.holders_of(asked, exclude_run=exclude)
    for sym in asked:
        want = {r.reservation_id for r in active if r.run_id != exclude and any(
            h == sym or h in symbol_ancestors(sym) or sym in symbol_ancestors(h) for h in r.symbols)}
        assert {r.reservation_id for r in got.get(sym, [])} == want
        assert len(got.get(sym, [])) == len(want)  # each lease once
