from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from muse.core.vocab.errors import InvalidRecord
from muse.core.vocab.records import (
    Claim,
    Dependency,
    Heartbeat,
    Intent,
    Release,
    Reservation,
    Task,
    decode,
)

FUT = "2099-12-31T23:59:59+00:00"


def test_minimal_records_of_every_kind_decode() -> None:
    r = decode("reservation", "res-1", {"reservation_id": "res-1", "run_id": "r", "expires_at": FUT, "symbols": ["a.c::f"]})
    assert isinstance(r, Reservation) and r.symbols == ("a.c::f",)
    assert isinstance(decode("intent", "i", {"intent_id": "i", "run_id": "r", "reservation_id": "res-1",
                                              "operation": "modify", "target": "a.c::f"}), Intent)
    assert isinstance(decode("release", "x", {"release_id": "x", "reservation_id": "res-1", "run_id": "r",
                                               "released_at": FUT}), Release)
    hb = decode("heartbeat", "h", {"run_id": "r", "extended_expires_at": FUT, "expires_at": FUT})
    assert isinstance(hb, Heartbeat) and hb.extended_expires_at > 4e9
    assert isinstance(decode("dependency", "d", {"reservation_id": "a", "depends_on": ["b"]}), Dependency)
    t = decode("task", "t", {"task_id": "t", "run_id": "r", "description": "d"})
    assert isinstance(t, Task) and t.priority == 0
    c = decode("claim", "t", {"task_id": "t", "claimer_run_id": "r", "expires_at": FUT})
    assert isinstance(c, Claim) and c.slot == 1 and c.status == "claimed"


def test_unknown_fields_are_ignored() -> None:
    r = decode("reservation", "x", {"run_id": "r", "expires_at": FUT, "symbols": [], "_pad": "x", "new": 1})
    assert r.reservation_id == "x"


@pytest.mark.parametrize("kind,data,field", [
    ("reservation", {"expires_at": FUT, "symbols": []}, "run_id"),
    ("reservation", {"run_id": "r", "expires_at": "tomorrow", "symbols": []}, "expires_at"),
    ("reservation", {"run_id": "r", "expires_at": "2099-01-01T00:00:00", "symbols": []}, "expires_at"),
    ("reservation", {"run_id": "r", "expires_at": FUT, "symbols": "a.c"}, "symbols"),
    ("reservation", {"run_id": 7, "expires_at": FUT, "symbols": []}, "run_id"),
    ("intent", {"run_id": "r", "operation": "explode", "target": "a"}, "operation"),
    ("task", {"task_id": "t", "priority": "high"}, "priority"),
    ("claim", {"task_id": "t", "claimer_run_id": "r", "expires_at": FUT, "status": "won"}, "status"),
])
def test_bad_fields_name_the_field(kind: str, data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRecord) as info:
        decode(kind, "x", data)
    assert info.value.details.get("field") == field


def test_non_object_is_invalid() -> None:
    with pytest.raises(InvalidRecord):
        decode("task", "x", [1, 2])



_values = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.text(max_size=3),
                    st.sampled_from([FUT, "2000-01-01T00:00:00+00:00", "2099-01-01T00:00:00", "x"]),
                    st.lists(st.one_of(st.text(max_size=3), st.integers()), max_size=2))


@given(st.dictionaries(st.sampled_from(["reservation_id", "run_id", "expires_at", "symbols",
                                        "created_at", "token"]), _values))
def test_reservation_fast_path_agrees_with_checked_path(data: dict[str, object]) -> None:
    try:
        checked = Reservation._checked("rid", data, False)
    except InvalidRecord:
        with pytest.raises(InvalidRecord):
            Reservation.decode("rid", data)
        return
    fast = Reservation.decode("rid", data)
    assert fast == checked and type(fast) is Reservation
