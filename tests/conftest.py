"""Shared fixtures: a scrubbed environment and a fresh repository per test."""

from __future__ import annotations

import os
import pathlib
import sys

import pytest
from hypothesis import settings

# No per-example deadline: a cold first example (imports, a busy 2-core CI
# machine) must not fail a property that holds; time is not what they test.
settings.register_profile("muse", deadline=None)
settings.load_profile("muse")

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _scrub_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No MUSE_* setting or real home directory leaks into a test."""
    for key in list(os.environ):
        if key.startswith("MUSE_") and key not in ("MUSE_TEST_PG_DSN", "MUSE_REQUIRE_PG"):
            monkeypatch.delenv(key, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MUSE_HOME", str(home / ".muse"))


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    from muse.cli.commands.init import init_repo

    init_repo(tmp_path)
    return tmp_path


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for child processes: scrubbed, with this checkout importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSE_")}
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


PYTHON = sys.executable
