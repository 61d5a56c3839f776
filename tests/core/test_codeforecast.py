"""The code-aware forecast pass on real files: kernel C (the slice) and this project's Python."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from muse.cli.commands.init import init_repo
from muse.core.coord.forecast import Prediction, forecast
from muse.core.coordination import reserve
from muse.core.source.index import update_index
from tests.kernel_slice import E1000, copy_slice

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path: pathlib.Path) -> pathlib.Path:
    return copy_slice(tmp_path / "tree")


def _code_rows(root: pathlib.Path) -> list[Prediction]:
    fc = forecast(root, code=update_index(root)[0])
    return [p for p in fc.predictions if p.kind in ("include", "import", "call")]


def test_a_header_and_its_includers_give_one_row_per_run_with_the_fan_in(tree: pathlib.Path) -> None:
    reserve(tree, "run-a", [f"{E1000}/e1000.h::e1000_adapter"])
    reserve(tree, "run-b", [f"{E1000}/e1000_main.c", f"{E1000}/e1000_param.c",
                            f"{E1000}/e1000_ethtool.c::e1000_get_link"])
    reserve(tree, "run-c", ["lib/list_sort.c::list_sort"])
    rows = [p for p in _code_rows(tree) if p.kind == "include"]
    on_header = [p for p in rows if p.target == f"{E1000}/e1000.h"]
    assert [(p.runs, p.severity) for p in on_header] == [(("run-a", "run-b"), "low")]
    assert "fan-in 3" in on_header[0].reason
    # Nothing relates run-c by includes: list_sort.c includes no header another run holds.
    assert all("run-c" not in p.runs for p in rows)


def test_a_function_and_its_callers(tree: pathlib.Path) -> None:
    reserve(tree, "run-a", [f"{E1000}/e1000_hw.c::e1000_reset_hw"])
    reserve(tree, "run-b", [f"{E1000}/e1000_main.c::e1000_reset", f"{E1000}/e1000_main.c::e1000_probe"])
    calls = [p for p in _code_rows(tree) if p.kind == "call"]
    assert [(p.target, p.runs) for p in calls] == [(f"{E1000}/e1000_hw.c::e1000_reset_hw", ("run-a", "run-b"))]
    assert "2 caller(s)" in calls[0].reason  # e1000_reset and e1000_probe both call it


def test_static_functions_are_not_reached_from_other_files(tmp_path: pathlib.Path) -> None:
    init_repo(tmp_path)
    (tmp_path / "a.c").write_text("static int helper(void) { return 1; }\nint shared(void) { return 2; }\n")
    (tmp_path / "b.c").write_text("int user(void) { return helper() + shared(); }\n")
    reserve(tmp_path, "run-a", ["a.c::helper", "a.c::shared"])
    reserve(tmp_path, "run-b", ["b.c::user"])
    calls = [(p.target, p.runs) for p in _code_rows(tmp_path) if p.kind == "call"]
    assert calls == [("a.c::shared", ("run-a", "run-b"))]


def test_code_rows_rank_below_direct_overlaps_and_need_the_index(tree: pathlib.Path) -> None:
    reserve(tree, "run-a", [f"{E1000}/e1000.h", f"{E1000}/e1000_main.c::e1000_up"])
    reserve(tree, "run-b", [f"{E1000}/e1000_main.c::e1000_up", f"{E1000}/e1000_param.c"])
    reserve(tree, "run-c", [f"{E1000}/e1000_main.c::e1000_down"])
    fc = forecast(tree, code=update_index(tree)[0])
    kinds = [p.kind for p in fc.predictions]
    assert kinds[0] == "reservation" and "include" in kinds
    first_code = min(i for i, k in enumerate(kinds) if k in ("include", "call"))
    assert all(k in ("include", "import", "call") for k in kinds[first_code:])
    assert "include" not in [p.kind for p in forecast(tree).predictions]


def test_a_module_and_its_importers(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "src"
    shutil.copytree(ROOT / "muse", root / "muse")
    init_repo(root)
    reserve(root, "run-a", ["muse/core/vocab/clock.py::now"])
    reserve(root, "run-b", ["muse/core/coord/forecast.py::forecast", "muse/core/coord/gc.py"])
    rows = [p for p in _code_rows(root) if p.kind == "import"]
    assert [(p.target, p.runs) for p in rows] == [("muse/core/vocab/clock.py", ("run-a", "run-b"))]
    assert "fan-in 2" in rows[0].reason
    calls = [p for p in _code_rows(root) if p.kind == "call"]
    assert ("muse/core/vocab/clock.py::now", ("run-a", "run-b")) in [(p.target, p.runs) for p in calls]


def test_forecast_code_on_the_command_line(tree: pathlib.Path) -> None:
    import json
    import subprocess
    import sys

    from tests.conftest import subprocess_env

    reserve(tree, "run-a", [f"{E1000}/e1000.h"])
    reserve(tree, "run-b", [f"{E1000}/e1000_param.c"])

    def run(*args: str) -> dict:  # type: ignore[type-arg]
        proc = subprocess.run([sys.executable, "-m", "muse", "coord", "forecast", *args, "--json"],
                              cwd=tree, capture_output=True, text=True, env=subprocess_env(), timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)  # type: ignore[no-any-return]

    assert run()["conflicts"] == []
    [row] = run("--code")["conflicts"]
    assert (row["kind"], row["target"], row["runs"]) == ("include", f"{E1000}/e1000.h", ["run-a", "run-b"])
