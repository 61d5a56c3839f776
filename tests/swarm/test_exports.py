"""``__all__`` of every swarm module names real public things; other commands never load the swarm."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from tests.conftest import subprocess_env

MODULES = ["muse.swarm", "muse.swarm.tree", "muse.swarm.plan", "muse.swarm.client",
           "muse.swarm.agent", "muse.swarm.worker", "muse.swarm.metrics", "muse.swarm.report",
           "muse.swarm.runner", "muse.swarm.hubs", "muse.cli.commands.swarm"]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_honest(name: str) -> None:
    mod = importlib.import_module(name)
    exported = mod.__all__
    assert len(set(exported)) == len(exported)
    for item in exported:
        assert hasattr(mod, item), f"{name}.__all__ names missing {item}"


def test_other_commands_do_not_import_the_swarm(tmp_path: object) -> None:
    code = ("import sys; from muse.cli.main import main; main(['coord', '--help']); "
            "main(['hub', '--help']); "
            "print(sorted(m for m in sys.modules if m.startswith('muse.swarm')))")
    out = subprocess.run([sys.executable, "-c", code], env=subprocess_env(), capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.stdout.strip().splitlines()[-1] == "[]"
