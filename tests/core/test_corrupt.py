"""A bad record file never hides the good ones and never crashes a read."""

from __future__ import annotations

import json
import pathlib

import pytest

from muse.core import coordination as co
from muse.core.coord.state import CoordState
from muse.core.paths import coordination_dir

FUT = "2099-12-31T23:59:59+00:00"

BAD_FILES = {
    "empty.json": "",
    "torn.json": '{"reservation_id": "torn", "symb',
    "array.json": "[1, 2, 3]",
    "wrongtype.json": json.dumps({"run_id": 5, "expires_at": FUT, "symbols": []}),
    "badts.json": json.dumps({"run_id": "r", "expires_at": "next tuesday", "symbols": []}),
    "naive.json": json.dumps({"run_id": "r", "expires_at": "2099-01-01T00:00:00", "symbols": []}),
    "binary.json": "\udcff",
}


@pytest.fixture
def messy(repo: pathlib.Path) -> pathlib.Path:
    d = coordination_dir(repo) / "reservations"
    for name, text in BAD_FILES.items():
        (d / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    (d / "good.json").write_text(json.dumps({"reservation_id": "good", "run_id": "r",
                                             "expires_at": FUT, "symbols": ["a.c::f"]}))
    (d / ".tmp-123-partial.json").write_text("{")  # an in-flight write: invisible
    (d / "notes.txt").write_text("not a record")
    return repo


def test_good_records_survive_bad_neighbours(messy: pathlib.Path) -> None:
    state = CoordState(messy)
    assert [r.reservation_id for r in state.active_reservations()] == ["good"]
    bad = sorted(pathlib.Path(p.path).name for p in state.problems)
    assert bad == sorted(BAD_FILES)
    assert all(p.message for p in state.problems)


def test_writes_and_queries_still_work(messy: pathlib.Path) -> None:
    r = co.reserve(messy, "r2", ["a.c::f"])
    assert set(r.conflicts) == {"a.c::f"}
    assert len(co.active_reservations(messy)) == 2
