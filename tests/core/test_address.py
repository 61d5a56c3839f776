"""Addresses: one canonical spelling, and overlap that means what it names."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muse.core import coordination as co
from muse.core.coord.state import CoordState
from muse.core.vocab.address import AddressError, ancestors, canonical, encloses, overlaps
from muse.core.vocab.errors import ConflictError

# Path components and names as real trees have them: dots, '+', ',', '-', case.
_COMP = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_+,.\-]{0,6}", fullmatch=True).filter(
    lambda c: c not in (".", "..") and ".." not in c and not c.endswith("."))
_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)


@st.composite
def addresses(draw: st.DrawFn) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(path components, scope parts) of one canonical address."""
    path = tuple(draw(st.lists(_COMP, min_size=1, max_size=4)))
    names = tuple(draw(st.lists(_NAME, max_size=3)))
    return path, names


def _canonical_text(path: tuple[str, ...], names: tuple[str, ...]) -> str:
    return "/".join(path) + ("::" + ".".join(names) if names else "")


@st.composite
def spellings(draw: st.DrawFn, path: tuple[str, ...], names: tuple[str, ...]) -> str:
    """Another way of writing the address: ./, //, /./, \\, spaces, '::' scopes, trailing /."""
    seps = [draw(st.sampled_from(["/", "//", "/./", "\\", "\\\\"])) for _ in path[1:]]
    text = draw(st.sampled_from(["", "./", "././", ".//"])) + path[0]
    for sep, comp in zip(seps, path[1:], strict=True):
        text += sep + comp
    if names:
        text += draw(st.sampled_from(["::", " :: ", ":: "])) + names[0]
        for name in names[1:]:
            text += draw(st.sampled_from([".", "::", " . "])) + name
    else:
        text += draw(st.sampled_from(["", "/", "//"]))
    return draw(st.sampled_from(["", " ", "  "])) + text + draw(st.sampled_from(["", " ", "   "]))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_two_spellings_are_one_address(data: st.DataObject) -> None:
    path, names = data.draw(addresses())
    a, b = data.draw(spellings(path, names)), data.draw(spellings(path, names))
    assert canonical(a) == canonical(b) == _canonical_text(path, names)
    assert overlaps(canonical(a), canonical(b))


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_canonicalisation_is_idempotent(text: str) -> None:
    try:
        once = canonical(text)
    except AddressError:
        return
    assert canonical(once) == once


def _brute_encloses(outer: tuple[tuple[str, ...], tuple[str, ...]],
                    inner: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
    """The definition: a directory or file encloses everything below it by whole
    components; a scope encloses its members; symbols never enclose other files."""
    (op, on), (ip, iname) = outer, inner
    if on:
        return op == ip and iname[:len(on)] == on
    return ip[:len(op)] == op


@settings(max_examples=200, deadline=None)
@given(st.lists(addresses(), min_size=2, max_size=6), st.data())
def test_overlap_is_the_brute_force_relation_on_random_trees(
        tree: list[tuple[tuple[str, ...], tuple[str, ...]]], data: st.DataObject) -> None:
    # Mix in prefixes of each other, so enclosing pairs are common.
    extra = []
    for path, names in tree:
        cut = data.draw(st.integers(1, len(path)))
        extra.append((path[:cut], ()))
        if names:
            extra.append((path, names[:data.draw(st.integers(1, len(names)))]))
    every = tree + extra
    for a in every:
        for b in every:
            ta, tb = _canonical_text(*a), _canonical_text(*b)
            assert encloses(ta, tb) == _brute_encloses(a, b), (ta, tb)
            assert (ta in ancestors(tb)) == (_brute_encloses(a, b) and ta != tb), (ta, tb)


def test_component_wise_directories() -> None:
    assert not overlaps("drivers/net/ethernet/intel/e1000", "drivers/net/ethernet/intel/e1000e")
    assert encloses("drivers/net/ethernet/intel/e1000", "drivers/net/ethernet/intel/e1000/hw.c::x")
    assert not encloses("a.c::Foo", "a.c::Foobar")


@pytest.mark.parametrize(("bad", "why"), [
    ("", "empty"), ("   ", "empty"), ("a.c::", "empty scope"), ("a.c::Foo.", "empty scope"),
    ("::x", "path before"), ("a.c::a..b", "empty scope"), ("../x.c", "'..'"),
    ("a/../../etc", "'..'"), ("/etc/passwd", "absolute"), ("C:\\x.c", "absolute"),
    ("a\x00b", "control"), ("a.c\r", "control"), ("a\tb", "control"), (".", "names no"),
    ("x" * 1100, "longer"), (7, "string"),
])
def test_refusals_say_why(bad: object, why: str) -> None:
    with pytest.raises(AddressError) as exc:
        canonical(bad)
    assert why in exc.value.message and exc.value.exit_code == 1


@pytest.mark.parametrize("odd", ["arch/powerpc/perf/power5+-pmu.c", "tools/perf/util/c++/x.c",
                                 "Documentation/a,b.rst", "drivers/gpu/Kconfig", "a/.hidden/x.c",
                                 "lib/x.cc::operator new"])
def test_odd_legal_names_work_end_to_end(repo: pathlib.Path, odd: str) -> None:
    assert canonical(odd) == odd
    co.reserve(repo, "run-a", [odd])
    with pytest.raises(ConflictError):
        co.reserve(repo, "run-b", [odd], strict=True)
    task = co.enqueue(repo, "port", symbols=[odd])
    assert CoordState(repo).tasks[0].symbols == (odd,) and task["symbols"] == [odd]


def test_hand_written_records_are_read_in_canonical_form(repo: pathlib.Path) -> None:
    folder = repo / ".muse" / "coordination" / "reservations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reservation-000001.json").write_text(
        '{"reservation_id": "reservation-000001", "run_id": "run-x",'
        ' "expires_at": "2099-12-31T23:59:59+00:00", "symbols": ["./kernel//sched/core.c::schedule"]}')
    state = CoordState(repo)
    assert state.reservations[0].symbols == ("kernel/sched/core.c::schedule",)
    with pytest.raises(ConflictError):
        co.reserve(repo, "run-b", ["kernel/sched"], strict=True)


def test_symbol_ancestors_include_directories() -> None:
    from muse.core.coord.state import symbol_ancestors

    assert symbol_ancestors("kernel/sched/core.c::Rq.lock") == [
        "kernel", "kernel/sched", "kernel/sched/core.c", "kernel/sched/core.c::Rq"]


def test_status_path_filter_is_component_wise(repo: pathlib.Path) -> None:
    from muse.core.coord.views import status_view

    co.reserve(repo, "run-a", ["drivers/net/ethernet/intel/e1000/hw.c::e1000_reset"])
    co.reserve(repo, "run-b", ["drivers/net/ethernet/intel/e1000e/netdev.c::e1000_open"])
    got = status_view(CoordState(repo), path_prefix="./drivers/net/ethernet/intel/e1000/")
    assert [r["run_id"] for r in got["reservations"]] == ["run-a"]
