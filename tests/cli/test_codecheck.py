"""`reserve`/`intent` against the working tree (the vendored kernel slice), in a real process."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from tests.conftest import subprocess_env
from tests.kernel_slice import E1000, copy_slice

MAIN = f"{E1000}/e1000_main.c"


@pytest.fixture
def tree(tmp_path: pathlib.Path) -> pathlib.Path:
    return copy_slice(tmp_path / "tree")


def _muse(cwd: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "muse", *args], cwd=cwd, capture_output=True,
                          text=True, env=subprocess_env(MUSE_RUN_ID="agent-1"), timeout=120)


def test_reserve_warns_and_goes_on(tree: pathlib.Path) -> None:
    proc = _muse(tree, "coord", "reserve", f"{MAIN}::e1000_probx", "--json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["symbols"] == [f"{MAIN}::e1000_probx"]
    warning = json.loads(proc.stderr.strip().splitlines()[0])
    assert warning["warning"] == "no-symbol" and warning["suggestions"][0] == f"{MAIN}::e1000_probe"
    text = _muse(tree, "coord", "reserve", "include/linux/mi.h")
    assert text.returncode == 0 and "did you mean include/linux/mii.h?" in text.stderr


def test_reserve_check_refuses(tree: pathlib.Path) -> None:
    proc = _muse(tree, "coord", "reserve", f"{MAIN}::e1000_probe", f"{MAIN}::e1000_probx",
                 "--check", "--json")
    assert proc.returncode == 1 and proc.stdout == ""
    err = json.loads(proc.stderr)
    assert err["error"] == "user_error"
    assert [a["address"] for a in err["details"]["addresses"]] == [f"{MAIN}::e1000_probx"]
    assert list((tree / ".muse" / "coordination" / "reservations").iterdir()) == []  # nothing written


def test_intent_check_and_the_repository_setting(tree: pathlib.Path) -> None:
    ok = _muse(tree, "coord", "intent", "modify", f"{MAIN}::e1000_probe", "--check")
    assert ok.returncode == 0 and ok.stderr == ""
    cfg = tree / ".muse" / "config.toml"
    cfg.write_text(cfg.read_text() + "[coord]\ncheck_addresses = true\n")
    refused = _muse(tree, "coord", "intent", "delete", f"{E1000}/e1000_hw.c::e1000_reset_hwx")
    assert refused.returncode == 1
    assert "did you mean drivers/net/ethernet/intel/e1000/e1000_hw.c::e1000_reset_hw" in refused.stderr


def test_checking_a_real_file_keeps_the_heavy_imports_out(tree: pathlib.Path) -> None:
    from tests.cli.test_imports import _PROBE, HEAVY

    probe = _PROBE.replace("kernel/sched/core.c::schedule", f"{MAIN}::e1000_probe")
    proc = subprocess.run([sys.executable, "-c", probe, json.dumps([*HEAVY, "concurrent.futures"])],
                          cwd=tree, capture_output=True, text=True,
                          env=subprocess_env(MUSE_RUN_ID="agent-1"), timeout=60)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report == {"code": 0, "loaded": []}
