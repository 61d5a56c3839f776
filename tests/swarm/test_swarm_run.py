"""Real swarms: worker processes of agents against a real hub process on loopback.

Small sizes (20 agents, 200 files, 50 tasks) so each run takes seconds even
on a loaded 2-core machine; every check the report makes must hold.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from tests.conftest import subprocess_env
from tests.hub.conftest import HubProcess, make_agent

_TIMEOUT = 240  # a loaded machine starts Python processes slowly; the run itself takes ~3 s


def _swarm(*args: str, cwd: pathlib.Path) -> tuple[int, dict, str]:
    env = subprocess_env(HOME=str(cwd), MUSE_HOME=str(cwd / ".muse-home"))
    proc = subprocess.run([sys.executable, "-m", "muse", "swarm", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    report = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {}
    return proc.returncode, report, proc.stderr


def _check(report: dict, tasks: int) -> None:
    assert report["ok"] is True, report["problems"]
    assert report["problems"] == []
    assert report["tasks"]["enqueued"] == report["tasks"]["completed"] == tasks
    assert report["tasks"]["lost"] == 0
    assert report["tasks"]["hub_counts"]["completed"] == tasks
    assert report["double_claims"]["total"] == 0
    assert report["double_claims"]["agents"]["total"] == 0
    hub = report["double_claims"]["hub"]
    assert hub == {"tasks": tasks, "completed": tasks, "double_claims": 0, "completed_twice": 0,
                   "slots_missing": 0}
    # Re-queued tasks are granted again, and only they.
    assert report["tasks"]["grants"] == tasks + report["tasks"]["requeued"]
    c = report["conflicts"]
    # The documented relation: every reported conflict is a planted one, and every
    # planted pair whose reservations certainly overlapped was reported.
    assert c["unplanted"] == 0 and c["missed"] == 0
    assert c["concurrent"] <= c["detected"] <= c["planted"]
    assert c["active_reservations_left"] == 0
    assert report["errors"]["stale_tokens"] == 0
    assert report["errors"]["by_kind"] == {}
    lat = report["latency"]
    for verb in ("claim", "reserve", "intent", "heartbeat", "release", "complete"):
        assert lat[verb]["count"] > 0 and lat[verb]["errors"] == 0
        assert 0 < lat[verb]["p50_ms"] <= lat[verb]["p99_ms"] <= lat[verb]["max_ms"]
    assert lat["complete"]["count"] == tasks
    t = report["throughput"]
    assert t["tasks_per_s"] > 0 and t["records_per_s"] > 0 and t["requests"] >= 6 * tasks
    assert t["records"] >= 5 * tasks  # claim, reservation, intent, release, completion slot …
    assert all(m > 0 for m in report["memory_mib"]["workers"])
    assert len(report["memory_mib"]["workers"]) == report["config"]["workers"]


def test_small_swarm_against_a_local_hub(tmp_path: pathlib.Path) -> None:
    code, report, err = _swarm("--agents", "20", "--files", "200", "--tasks", "50",
                               "--overlap", "0.4", "--seed", "7", "--json", cwd=tmp_path)
    assert code == 0, err
    _check(report, 50)
    assert report["conflicts"]["planted"] == 10
    # Planted pairs are claimed side by side and nearly always run together.
    assert report["conflicts"]["detected"] >= 5
    assert report["memory_mib"]["hub"] > 0
    assert report["config"]["hub"] == "local"
    assert "swarm" in err and "done" in err  # progress went to stderr


def test_table_output_and_exit_code(tmp_path: pathlib.Path) -> None:
    code, _, _ = _swarm("--agents", "5", "--files", "40", "--tasks", "10", "--quiet",
                        cwd=tmp_path)
    assert code == 0
    env = subprocess_env(HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "muse", "swarm", "--agents", "5", "--files",
                           "40", "--tasks", "10", "--workers", "1"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr
    for words in ("tasks/s", "records/s", "p50 ms", "p99 ms", "double claims", "lost tasks",
                  "conflicts detected", "peak memory", "OK: every task completed exactly once"):
        assert words in proc.stdout
    # Sizes that cannot work are usage errors (exit 2), not crashes.
    proc = subprocess.run([sys.executable, "-m", "muse", "swarm", "--files", "10", "--tasks", "11"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    assert proc.returncode == 2 and "--tasks" in proc.stderr


def test_signed_swarm_against_a_running_hub(tmp_path: pathlib.Path) -> None:
    """``--hub URL`` with an identity: every agent request is MSign-signed."""
    hub = HubProcess(tmp_path / "hub", str(tmp_path / "hub" / "hub.sqlite3"))
    try:
        agent = make_agent(hub, tmp_path, "swarm")
        code, report, err = _swarm("--hub", hub.url, "--handle", agent.handle, "--key",
                                   str(agent.key_path), "--agents", "12", "--files", "100",
                                   "--tasks", "30", "--json", cwd=tmp_path)
        assert code == 0, err
        _check(report, 30)
        assert report["config"]["repo"].startswith(agent.handle + "/")
        assert report["memory_mib"]["hub"] is None  # not ours to measure
    finally:
        hub.stop()


def test_unreachable_hub_is_a_remote_error(tmp_path: pathlib.Path) -> None:
    code, _, err = _swarm("--hub", "http://127.0.0.1:9", "--agents", "2", "--files", "10",
                          cwd=tmp_path)
    assert code == 5, err
    assert "hub" in err
