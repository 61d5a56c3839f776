"""The verdict functions catch what they claim to, on hand-made logs."""

from __future__ import annotations

import pytest

from muse.swarm.metrics import (
    conflict_check,
    cpu_seconds,
    double_claims,
    hub_claim_check,
    percentile,
    vm_hwm_kib,
)

# grant: [task_id, token, run_id, lease_end, claim_sent, claim_acked, end_sent] (monotonic)


def test_sequential_grants_are_not_double_claims() -> None:
    grants = [["t1", 5, "a", 100.0, 1.0, 1.1, 2.0],   # failed (re-queued) at 2.0
              ["t1", 9, "b", 100.0, 2.5, 2.6, 3.0],   # claimed after that
              ["t2", 6, "a", 100.0, 1.0, 1.1, 1.5]]
    completions = [["t1", 9, "b", True, ""], ["t2", 6, "a", True, ""]]
    out = double_claims(grants, completions)
    assert out["total"] == 0 and out["regranted"] == 1


def test_overlapping_grants_are_double_claims() -> None:
    # b was answered at 1.5, before a (lease to 100) even sent its complete at 2.0.
    grants = [["t1", 5, "a", 100.0, 1.0, 1.1, 2.0], ["t1", 7, "b", 100.0, 1.2, 1.5, 2.2]]
    assert double_claims(grants, [])["overlapping_grants"] == 1
    # … but not when a's lease had certainly run out first (a lost it legitimately).
    grants[0][3] = 1.3
    assert double_claims(grants, [])["overlapping_grants"] == 0
    # Ambiguous by our clocks (b answered after a's complete was sent): left to the hub check.
    grants = [["t1", 5, "a", 100.0, 1.0, 1.1, 2.0], ["t1", 7, "b", 100.0, 1.9, 2.1, 2.5]]
    assert double_claims(grants, [])["total"] == 0


def test_same_token_and_double_completion() -> None:
    grants = [["t1", 5, "a", 100.0, 1.0, 1.1, 2.0], ["t1", 5, "b", 100.0, 3.0, 3.1, 4.0]]
    completions = [["t1", 5, "a", True, ""], ["t1", 5, "b", True, ""], ["t1", 5, "c", False, "x"]]
    out = double_claims(grants, completions)
    assert out["same_token"] == 1 and out["completed_twice"] == 1 and out["total"] == 2


def _slot(task: str, slot: int, status: str) -> dict:
    return {"kind": "claim", "record_id": f"{task}+{slot}",
            "payload": {"task_id": task, "slot": slot, "status": status}}


def test_hub_claim_slots() -> None:
    good = [_slot("t1", 1, "claimed"), _slot("t1", 2, "failed"), _slot("t1", 3, "claimed"),
            _slot("t1", 4, "completed"), _slot("t2", 1, "claimed"), _slot("t2", 2, "completed")]
    assert hub_claim_check(good) == {"tasks": 2, "completed": 2, "double_claims": 0,
                                     "completed_twice": 0, "slots_missing": 0}
    bad = [_slot("t1", 2, "claimed"), _slot("t1", 1, "claimed"), _slot("t1", 3, "completed"),
           _slot("t1", 4, "completed")]
    out = hub_claim_check(bad)
    assert out["double_claims"] == 1 and out["completed_twice"] == 1


def test_a_pruned_slot_is_missing_evidence_not_a_double_claim() -> None:
    # Slot 2 (the failed outcome of slot 1) was pruned by the hub's retention.
    pruned = [_slot("t1", 1, "claimed"), _slot("t1", 3, "claimed"), _slot("t1", 4, "completed")]
    out = hub_claim_check(pruned)
    assert out["double_claims"] == 0 and out["slots_missing"] == 1 and out["completed"] == 1
    # Consecutive claimed slots stay a double claim, gaps elsewhere or not.
    both = [*pruned, _slot("t2", 1, "claimed"), _slot("t2", 2, "claimed"),
            _slot("t2", 5, "completed")]
    out = hub_claim_check(both)
    assert out["double_claims"] == 1 and out["slots_missing"] == 3


# reservation: [task_id, run_id, sent, acked, release_sent, release_acked, conflicts, token, released]

def test_conflicts_against_the_plan() -> None:
    partners = {"a": ("b", "f.c::x"), "b": ("a", "f.c::x")}
    res = [["a", "r1", 1.0, 1.1, 3.0, 3.1, [], 10, 0.0],
           ["b", "r2", 1.05, 1.2, 2.0, 2.1, [["f.c::x", ["r1"]]], 11, 0.0],
           ["c", "r3", 1.0, 1.1, 1.5, 1.6, [], 12, 0.0]]
    out = conflict_check(res, partners, planted=1)
    # b's token is larger (granted after a) and answered before a's release was sent.
    assert (out.planted, out.concurrent, out.detected, out.missed, out.unplanted) == (1, 1, 1, 0, 0)
    # The hub staying silent about a certain overlap is a miss.
    res[1][6] = []
    out = conflict_check(res, partners, planted=1)
    assert out.concurrent == 1 and out.detected == 0 and out.missed == 1
    # A conflict no planted pair explains is counted apart.
    res[2][6] = [["g.c::y", ["r9"]]]
    assert conflict_check(res, partners, planted=1).unplanted == 1
    # Pairs that ran one after the other need not be reported.
    seq = [["a", "r1", 1.0, 1.1, 1.2, 1.3, [], 10, 0.0], ["b", "r2", 2.0, 2.1, 2.2, 2.3, [], 11, 0.0]]
    out = conflict_check(seq, partners, planted=1)
    assert out.concurrent == 0 and out.missed == 0


def test_percentile_and_process_figures() -> None:
    values = sorted(float(i) for i in range(1, 101))
    assert percentile(values, 0.5) == 50.0 and percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) == 0.0
    assert (vm_hwm_kib() or 0) > 0 and (cpu_seconds() or 0) > 0
    assert vm_hwm_kib(2**30) is None


def test_recorder_result_is_msgpack_ready() -> None:
    msgspec = pytest.importorskip("msgspec")
    from muse.swarm.metrics import Recorder

    rec = Recorder()
    rec.sink("claim", 0.01, 0.02, 200)
    rec.error("claim", 409, {"error": "conflict", "message": "held"})
    result = msgspec.msgpack.decode(msgspec.msgpack.encode(rec.to_result(0, 3)))
    assert result["requests"] == 1 and result["error_kinds"] == {"claim:409:conflict": 1}
