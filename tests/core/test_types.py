from __future__ import annotations

import os
import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from muse.core.paths import record_path
from muse.core.types import canonical_json, check_id, content_hash, is_safe_id
from muse.core.vocab.errors import InvalidId


def test_content_hash_is_canonical_json_sha256() -> None:
    a = content_hash({"b": 1, "a": [1, "é"]})
    b = content_hash({"a": [1, "é"], "b": 1})
    assert a == b
    assert a.startswith("sha256:") and len(a) == 7 + 64
    assert canonical_json({"b": 1, "a": "é"}) == b'{"a":"\\u00e9","b":1}'


@pytest.mark.parametrize("bad", ["", ".", "..", "../x", "a/b", "a\\b", ".hidden", "-x", "a..b",
                                 "x" * 201, "a\x00b", "a b", "é", None, 5])
def test_unsafe_ids_are_refused(bad: object) -> None:
    assert not is_safe_id(bad)
    with pytest.raises(InvalidId):
        check_id(bad)


@pytest.mark.parametrize("good", ["reservation-000001", "sha256:" + "a" * 64, "task+3", "a.b_c@d=e"])
def test_safe_ids_are_accepted(good: str) -> None:
    assert check_id(good) == good


@given(st.text(min_size=1, max_size=60))
def test_any_accepted_id_stays_inside_its_folder(value: str) -> None:
    root = pathlib.Path("/r")
    if not is_safe_id(value):
        return
    path = record_path(root, "reservation", value)
    assert os.path.dirname(os.path.normpath(path)) == "/r/.muse/coordination/reservations"
    assert path.name == value + ".json"
