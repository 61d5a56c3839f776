"""Addresses checked against the real files of the vendored kernel slice."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muse.cli.commands.init import init_repo
from muse.core.source.check import check_addresses, check_required
from muse.core.source.parse import parse_source
from tests.kernel_slice import E1000, SLICE, copy_slice

MAIN = f"{E1000}/e1000_main.c"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return copy_slice(tmp_path_factory.mktemp("slice") / "tree")


def test_a_misspelt_symbol_warns_with_the_nearest_name(tree: pathlib.Path) -> None:
    [w] = check_addresses(tree, [f"{MAIN}::e1000_probx"])
    assert w.problem == "no-symbol"
    assert w.suggestions[0] == f"{MAIN}::e1000_probe"
    assert "did you mean" in w.message()


def test_a_missing_file_warns_with_the_nearest_path(tree: pathlib.Path) -> None:
    [w] = check_addresses(tree, ["include/linux/mi.h::mii_nway_result"])
    assert w.problem == "no-file" and w.suggestions == ("include/linux/mii.h",)
    [w] = check_addresses(tree, ["drivers/net/ethernet/intell/e1000/e1000_main.c::e1000_probe"])
    assert w.suggestions == (f"{MAIN}",)


def test_existing_addresses_and_odd_names_pass(tree: pathlib.Path) -> None:
    ok = [f"{MAIN}::e1000_probe", MAIN, E1000, f"{E1000}/e1000_hw.h::E1000_CTRL",
          f"{E1000}/e1000_hw.h::e1000_hw.mac_type",  # a struct member: the struct is indexed
          "arch/powerpc/perf/power5+-pmu.c", "tools/perf/util/c++/clang.h",
          "include/dt-bindings/sound/qcom,q6afe.h", "MAINTAINERS::anything"]
    assert check_addresses(tree, ok) == []


def test_no_working_tree_means_no_check(tmp_path: pathlib.Path) -> None:
    init_repo(tmp_path)
    assert check_addresses(tmp_path, ["kernel/sched/core.c::schedule"]) == []


def test_the_repository_setting(tmp_path: pathlib.Path) -> None:
    init_repo(tmp_path)
    assert check_required(tmp_path) is False
    cfg = tmp_path / ".muse" / "config.toml"
    cfg.write_text(cfg.read_text() + "[coord]\ncheck_addresses = true\n")
    assert check_required(tmp_path) is True


_HW = f"{E1000}/e1000_hw.c"
_HW_SYMBOLS = parse_source(_HW, (SLICE / _HW).read_bytes()).symbols


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(_HW_SYMBOLS), st.text("abcdefghijklmnopqrstuvwxyz_0123456789", max_size=3))
def test_check_agrees_with_the_parsed_symbols(tree: pathlib.Path, name: str, suffix: str) -> None:
    """An address warns exactly when its name is not a symbol of the file."""
    candidate = name + suffix
    warnings = check_addresses(tree, [f"{_HW}::{candidate}"])
    assert bool(warnings) == (candidate not in _HW_SYMBOLS)


def test_other_spellings_are_checked_as_their_canonical_address(tree: pathlib.Path) -> None:
    assert check_addresses(tree, ["./include//linux/mii.h", f" {MAIN} :: e1000_probe "]) == []
    [w] = check_addresses(tree, [f"./{MAIN}::e1000_probx"])
    assert w.address == f"./{MAIN}::e1000_probx" and w.suggestions[0] == f"{MAIN}::e1000_probe"
    assert check_addresses(tree, ["../outside.c"]) == []  # invalid: the verb itself refuses it
