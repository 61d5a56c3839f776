"""The local fencing sequence: unique under racing processes, never going back."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

from muse.core import coordination as co
from muse.core.files.fence import next_token
from muse.core.paths import state_dir
from tests.conftest import REPO_ROOT, subprocess_env

_TAKE = """
import pathlib, sys
from muse.core.files.fence import next_token
root = pathlib.Path(sys.argv[1])
print(" ".join(str(next_token(root)) for _ in range(40)))
"""


def test_racing_processes_never_share_a_token(repo: pathlib.Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", _TAKE, str(repo)], stdout=subprocess.PIPE,
                              text=True, cwd=REPO_ROOT, env=subprocess_env()) for _ in range(4)]
    runs = [[int(t) for t in p.communicate(timeout=120)[0].split()] for p in procs]
    every = [t for run in runs for t in run]
    assert len(every) == 160 and len(set(every)) == 160
    assert all(run == sorted(run) for run in runs)
    assert max(every) == 160


def test_a_lost_or_damaged_counter_restarts_above_the_records(repo: pathlib.Path) -> None:
    co.reserve(repo, "run-a", ["a.c"])
    co.enqueue(repo, "t", task_id="t")
    won = co.claim(repo, "run-a", ttl=60)
    assert won is not None
    shutil.rmtree(state_dir(repo))
    after_loss = co.reserve(repo, "run-b", ["b.c"]).record["token"]
    assert after_loss > won.token
    (state_dir(repo) / "fence").write_bytes(b"\x00garbage")
    assert co.reserve(repo, "run-b", ["c.c"]).record["token"] > after_loss


def test_at_least_lifts_the_sequence(repo: pathlib.Path) -> None:
    assert next_token(repo) == 1
    assert next_token(repo, at_least=10) == 10
    assert next_token(repo) == 11
