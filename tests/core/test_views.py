"""The shared views: status paging and path filters by whole components."""

from __future__ import annotations

import pathlib

from hypothesis import given
from hypothesis import strategies as st

from muse.core import coordination as co
from muse.core.coord.state import CoordState
from muse.core.coord.views import path_matches, status_view

_part = st.text(alphabet="abcde019_+.,-", min_size=1, max_size=6).filter(lambda s: s not in (".", ".."))


def test_path_filter_matches_whole_components(repo: pathlib.Path) -> None:
    """Regression: ``--path .../e1000`` used to return ``e1000e`` reservations too."""
    co.reserve(repo, "a", ["drivers/net/ethernet/intel/e1000/e1000_main.c::e1000_probe"])
    co.reserve(repo, "b", ["drivers/net/ethernet/intel/e1000e/netdev.c::e1000_probe"])
    co.reserve(repo, "c", ["drivers/net/ethernet/intel/e1000"])
    got = status_view(CoordState(repo), path_prefix="drivers/net/ethernet/intel/e1000", limit=None)
    assert sorted(r["run_id"] for r in got["reservations"]) == ["a", "c"]
    slash = status_view(CoordState(repo), path_prefix="drivers/net/ethernet/intel/e1000/",
                        limit=None)
    assert slash["active_reservations"] == 2


@given(st.lists(_part, min_size=1, max_size=4), st.lists(_part, min_size=1, max_size=4),
       st.sampled_from(["", "::f", "::C.m"]))
def test_path_matches_is_component_prefix(base: list[str], rest: list[str], member: str) -> None:
    path = "/".join(base)
    symbol = "/".join(base + rest) + member
    assert path_matches(symbol, path)
    assert path_matches(path + member, path)
    # A sibling whose name only starts with the last component never matches.
    sibling = "/".join(base[:-1] + [base[-1] + "x"] + rest) + member
    assert not path_matches(sibling, path)


def test_symbol_filter_covers_members_not_lookalikes() -> None:
    assert path_matches("a.c::Foo.bar", "a.c::Foo")
    assert path_matches("a.c::Foo", "a.c::Foo")
    assert not path_matches("a.c::Foobar", "a.c::Foo")


def test_pages_cover_every_reservation_once(repo: pathlib.Path) -> None:
    ids = {co.reserve(repo, f"run-{i}", [f"f{i}.c"]).reservation.reservation_id for i in range(7)}
    seen: list[str] = []
    cursor = None
    while True:
        page = status_view(CoordState(repo), limit=3, cursor=cursor)
        rows = list(page["reservations"])
        assert len(rows) <= 3
        seen += [r["reservation_id"] for r in rows]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert cursor == rows[-1]["reservation_id"]
    assert seen == sorted(ids)
    assert status_view(CoordState(repo), limit=None)["next_cursor"] is None
