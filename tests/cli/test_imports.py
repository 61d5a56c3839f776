"""`muse coord reserve` must not pay for what it does not use."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from tests.conftest import subprocess_env

HEAVY = ["msgspec", "cryptography", "http.client", "sqlite3", "starlette", "uvicorn", "psycopg",
         "mcp", "muse.hub", "muse.storage", "tomllib", "asyncio"]

_PROBE = """
import sys, json, os
from muse.cli.main import main
code = main(["coord", "reserve", "kernel/sched/core.c::schedule", "--json"])
heavy = json.loads(sys.argv[1])
sys.stderr.write(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def test_reserve_imports_only_what_it_uses(repo: pathlib.Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(HEAVY)], cwd=repo,
                          capture_output=True, text=True, env=subprocess_env(MUSE_RUN_ID="agent-1"),
                          timeout=60)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 0
    assert report["loaded"] == []


def test_reserve_start_up_needs_no_typing_or_shutil(repo: pathlib.Path) -> None:
    """Without site-packages (``-S``) nothing else pre-imports them, so this is exact."""
    proc = subprocess.run([sys.executable, "-S", "-c", _PROBE, json.dumps(["typing", "shutil", "dataclasses"])],
                          cwd=repo, capture_output=True, text=True,
                          env=subprocess_env(MUSE_RUN_ID="agent-1"), timeout=60)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 0
    assert report["loaded"] == []
