"""The rulebook's pure functions (both engines call these)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from muse.core.vocab import rules
from muse.core.vocab.address import AddressError
from muse.core.vocab.errors import UserError


@given(st.floats(0.0, 1e6), st.floats(0.0, 1e6))
def test_retry_after_rounds_up_and_is_at_least_one(expires: float, now: float) -> None:
    wait = rules.retry_after(expires, now)
    assert wait >= 1 and isinstance(wait, int)
    if expires - now >= 1:
        assert wait - 1 < expires - now <= wait


def test_strict_refusal_names_the_lease_that_ends_last() -> None:
    held = {"a.c::f": [rules.Blocker("a.c::f", "run-1", "r1", 150.0)],
            "b.c": [rules.Blocker("b.c", "run-2", "r2", 400.0),
                    rules.Blocker("b.c", "run-3", "r3", 200.0)]}
    err = rules.strict_refusal(held, now=100.2)
    assert err.details["holder"] == "run-2" and err.details["symbol"] == "b.c"
    assert err.details["retry_after"] == 300
    assert err.details["conflicts"] == {"a.c::f": ["run-1"], "b.c": ["run-2", "run-3"]}


def test_claim_order_is_priority_then_age_then_id() -> None:
    tasks = [(0, 5.0, "b"), (3, 9.0, "z"), (0, 5.0, "a"), (0, 1.0, "c"), (3, 9.0, "y")]
    ordered = sorted(tasks, key=lambda t: rules.claim_order(*t))
    assert [t[2] for t in ordered] == ["y", "z", "c", "a", "b"]


def test_lease_end_and_the_heartbeat_rule() -> None:
    assert rules.lease_end(100.0, 0.0) == 100.0 and rules.lease_end(100.0, 300.0) == 300.0
    assert rules.lapsed(100.0, 90.0, now=100.0) and not rules.lapsed(100.0, 150.0, now=120.0)
    assert rules.grant_expiry(1000.0, 60.0, run_heartbeat=2000.0) == 2000.0
    assert rules.grant_expiry(1000.0, 60.0, run_heartbeat=500.0) == 1060.0  # a dead run's beat
    assert rules.heartbeat_expiry(1000.0, 60.0, run_heartbeat=5000.0) == 5000.0  # never shortens


@pytest.mark.parametrize(("args", "reason"), [
    (("t", "claimed", "run-b", 5, 999.0, "run-a", 5), "not_holder"),
    (("t", "claimed", "run-b", 5, 999.0, "run-a", 3), "superseded"),
    (("t", "claimed", "run-a", 5, 999.0, "run-a", 7), "mismatch"),
    (("t", "pending", None, 5, None, "run-a", 5), "expired"),
    (("t", "claimed", "run-a", 5, 50.0, "run-a", 5), "expired"),
    (("t", "completed", "run-a", 5, None, "run-a", 5), "not_claimed"),
    (("t", "claimed", "run-a", None, 999.0, "run-a", 1), "mismatch"),
])
def test_claim_stale_reasons(args: tuple, reason: str) -> None:  # type: ignore[type-arg]
    stale = rules.claim_stale(*args, now=100.0)
    assert stale is not None and stale.details["reason"] == reason
    assert reason in rules.STALE_REASONS


def test_a_live_claim_with_its_token_is_not_stale() -> None:
    assert rules.claim_stale("t", "claimed", "run-a", 5, 999.0, "run-a", 5, now=100.0) is None
    assert rules.claim_stale("t", "claimed", "run-a", 5, 999.0, "run-a", None, now=100.0) is None


@pytest.mark.parametrize(("state", "expires", "run", "token", "reason"), [
    ("live", 999.0, "run-b", 4, "not_holder"), ("live", 999.0, "run-a", 5, "mismatch"),
    ("released", 999.0, "run-a", 4, "released"), ("expired", 999.0, "run-a", 4, "expired"),
    ("live", 99.0, "run-a", 4, "expired"), ("live", 99.0, None, None, "expired"),
])
def test_reservation_stale_reasons(state: str, expires: float, run: str | None,
                                   token: int | None, reason: str) -> None:
    stale = rules.reservation_stale("r", "run-a", 4, state, expires, run, token, now=100.0)
    assert stale is not None and stale.details["reason"] == reason


def test_check_symbols_canonicalises_dedupes_and_caps() -> None:
    assert rules.check_symbols(["./a.c", "a.c", "b.c::X::y"]) == ["a.c", "b.c::X.y"]
    with pytest.raises(UserError):
        rules.check_symbols([])
    assert rules.check_symbols([], allow_empty=True) == []
    with pytest.raises(rules.TooManySymbols) as exc:
        rules.check_symbols([f"f{i}.c" for i in range(rules.MAX_SYMBOLS + 1)])
    assert exc.value.http_status == 413 and exc.value.exit_code == 1
    with pytest.raises(AddressError):
        rules.check_symbols(["a.c", "../b.c"])


def test_record_ids_differ_for_identical_bodies() -> None:
    body = {"run_id": "r", "at": "2099-01-01T00:00:00+00:00"}
    ids = {rules.new_record_id(body) for _ in range(50)}
    assert len(ids) == 50 and all(i.startswith("sha256:") and len(i) == 71 for i in ids)


def test_the_rulebook_imports_no_typing() -> None:
    probe = ("import sys; import muse.core.vocab.rules, muse.core.vocab.address, muse.core.files.fence;"
             "print([m for m in ('typing', 'dataclasses', 'shutil') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True,
                         timeout=60, check=True, cwd=str(__import__("pathlib").Path(__file__)
                                                         .resolve().parents[2])).stdout
    assert out.strip() == "[]"
