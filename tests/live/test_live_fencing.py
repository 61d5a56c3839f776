"""Leases judged on the hub's clock, and fencing tokens, against real processes.

* Clients whose clocks are ±5 minutes off (libfaketime) sign their way in by
  learning the hub's clock, and still cannot steal a live lease.
* A holder paused with SIGSTOP past its lease wakes up to a ``stale_token``
  refusal, in the API and in the CLI (exit 1).
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import time

import pytest

from tests.hub.conftest import HubProcess, make_repo_dir, run_muse
from tests.live.conftest import Team, faketime_or_skip, finish, make_team, spawn_worker


@pytest.fixture
def team(hub: HubProcess, tmp_path: pathlib.Path) -> Team:
    return make_team([hub], tmp_path, 3)


@pytest.mark.parametrize("skew", ["+5m", "-5m"])
def test_skewed_client_cannot_steal_a_live_lease(team: Team, skew: str) -> None:
    faketime = faketime_or_skip()
    holder = team.client(team.agents[0])
    held = holder.reserve("run-0", ["fs/ext4/inode.c::ext4_write_begin"], ttl=120, strict=True)
    holder.enqueue([{"task_id": "port-ext4", "description": "port ext4"}])
    claimed = holder.claim("run-0", ttl=120, task_id="port-ext4")
    job = team.job(1, "steal", symbol="fs/ext4/inode.c", task_id="port-ext4",
                   holder_token=claimed["token"], own_symbol=f"mm/{skew}.c")
    proc = spawn_worker(job, prefix=[faketime, "-f", skew],
                        env={"FAKETIME_DONT_FAKE_MONOTONIC": "1"})
    got = finish(proc, timeout=120)
    shift = 300 if skew == "+5m" else -300
    assert abs(got["local_time"] - time.time() - shift) < 30, "faketime did not skew the client"
    assert abs(got["offset"] + shift) < 10, "client learnt the hub's clock offset"
    assert got["reserve"] == "refused" and got["holder"] == "run-0"
    assert got["claim_named"] == "claimed" and got["claim_next"] is None
    assert got["complete"] == "not_holder" and got["fence_valid"] is True
    # Its own lease runs on hub time: ttl 60 from the hub's now, whatever its clock says.
    assert got["own_expires_in"] == 60.0
    from muse.core.vocab.clock import parse_ts

    assert abs(parse_ts(got["own_expires_at"]) - (got["hub_now"] + 60)) <= 1
    assert abs(got["hub_now"] - time.time()) < 30
    # And the holder still holds both.
    assert holder.fence(held["token"], reservation_id=held["reservation_id"])["valid"]
    assert holder.fence(claimed["token"], task_id="port-ext4")["valid"]


def test_skewed_cli_signs_with_hub_time(team: Team, tmp_path: pathlib.Path) -> None:
    faketime = faketime_or_skip()
    agent = team.agents[2]
    root = make_repo_dir(tmp_path / "skewed", team.hub_urls[0], team.owner.handle, team.slug,
                         agent)
    import subprocess
    import sys

    from tests.conftest import subprocess_env

    home = tmp_path / "home"
    proc = subprocess.run(
        [faketime, "-f", "-5m", sys.executable, "-m", "muse", "coord", "heartbeat", "--live",
         "--run", "run-2", "--ttl", "90", "--json"],
        cwd=root, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env=subprocess_env(HOME=str(home), MUSE_HOME=str(home / ".muse"),
                           FAKETIME_DONT_FAKE_MONOTONIC="1"), check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["expires_in"] == 90.0


def test_paused_holder_is_fenced_off(team: Team, tmp_path: pathlib.Path) -> None:
    owner = team.client()
    owner.enqueue([{"task_id": "port-sched", "description": "port the scheduler"}])
    holder = spawn_worker(team.job(0, "claim_wait", task_id="port-sched", ttl=2))
    assert holder.stdout is not None and holder.stdin is not None
    old_token = json.loads(holder.stdout.readline())["token"]
    os.kill(holder.pid, signal.SIGSTOP)
    try:
        # Wait (on the hub's word) until the paused holder's lease is gone.
        deadline = time.monotonic() + 60
        while owner.fence(old_token, task_id="port-sched")["valid"]:
            assert time.monotonic() < deadline, "lease never expired"
            time.sleep(0.25)
        taker = team.client(team.agents[1]).claim("run-1", ttl=300, task_id="port-sched")
        assert taker["token"] > old_token
    finally:
        os.kill(holder.pid, signal.SIGCONT)
    holder.stdin.write("go\n")
    holder.stdin.flush()
    got = finish(holder, timeout=120)
    assert got == {"complete": "stale_token", "reason": "superseded", "holder": "run-1",
                   "exit_code": 1}
    # The CLI says the same with exit 1 and a JSON error naming the reason.
    root = make_repo_dir(tmp_path / "cli", team.hub_urls[0], team.owner.handle, team.slug,
                         team.agents[0])
    res = run_muse(root, "coord", "complete", "port-sched", "--live", "--run", "run-0",
                   "--token", str(old_token), "--json", home=tmp_path / "home")
    assert res.code == 1, res
    err = json.loads(res.err.strip().splitlines()[-1])
    assert err["error"] == "stale_token" and err["details"]["reason"] == "superseded"
    # The rightful holder completes with its token.
    done = run_muse(root, "coord", "complete", "port-sched", "--live", "--run", "run-1",
                    "--token", str(taker["token"]), "--json", home=tmp_path / "home",
                    env={"MUSE_HANDLE": team.agents[1].handle,
                         "MUSE_KEY": str(team.agents[1].key_path)})
    assert done.code == 0, done
    assert json.loads(done.out)["status"] == "completed"
