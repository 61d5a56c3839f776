"""Fault injection with real processes: SIGKILL during writes, GC and index rebuilds.

Each round starts a child process that works on one repository and kills
it with SIGKILL at a random moment. The child prints an *acknowledged
writes ledger* (one line per write that returned to it); afterwards

* every acknowledged write is on disk, complete (0 lost, 0 torn),
* no temp file is left once the next command has listed the folder
  (the killed writer's pid is gone, so its temp file is debris),
* no intent or dependency edge outlives its reservation after the next GC,
* answers through the index equal answers read straight from the files.

Every round is bounded: the child is killed within a second, and every
command that follows runs with a timeout.
"""

from __future__ import annotations

import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import orjson
import pytest

from muse.core.coord.gc import run_coord_gc
from muse.core.coord.state import CoordState
from muse.core.files.fileio import DEAD_WRITER_GRACE, TEMP_PREFIX
from muse.core.paths import coordination_dir, state_dir
from muse.core.types import KIND_DIRS
from tests.conftest import subprocess_env

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

ROUND_TIMEOUT = 60.0
PAST = 1_000_000_000.0  # 2001: far beyond any grace period

_WRITER = """
import sys, pathlib
from muse.core import coordination as co
root = pathlib.Path(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    i += 1
    res = co.reserve(root, "writer", [f"w/f{i}.c::s"], ttl=3600).reservation.reservation_id
    print("reservation", res, flush=True)
    co.enqueue(root, f"task {i}", task_id=f"t-{i}")
    print("task", f"t-{i}", flush=True)
    won = co.claim(root, "writer", ttl=3600, task_id=f"t-{i}")
    print("claim", won.claim["claim_id"], flush=True)
"""

_REBUILD = """
import os, sys, pathlib, shutil
from muse.core.coordination import active_reservations
root = pathlib.Path(sys.argv[1])
index = root / ".muse" / "state" / "index"
print("ready", flush=True)
while True:
    for name in os.listdir(index) if index.exists() else []:
        if name.endswith((".base", ".delta")):
            os.unlink(index / name)
    active_reservations(root)
"""

_GC = """
import sys, pathlib
from muse.core.coord.gc import run_coord_gc
print("ready", flush=True)
run_coord_gc(pathlib.Path(sys.argv[1]), grace_period_seconds=60)
print("done", flush=True)
"""


def _spawn(script: str, root: pathlib.Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", script, str(root)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=subprocess_env(), stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
    return proc


def _kill_after(proc: subprocess.Popen[str], delay: float) -> str:
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, _err = proc.communicate(timeout=ROUND_TIMEOUT)
    return out


def _muse(root: pathlib.Path, *argv: str) -> subprocess.CompletedProcess[str]:
    home = root.parent / "home"
    return subprocess.run([sys.executable, "-m", "muse", *argv], cwd=root, capture_output=True, text=True,
                          env=subprocess_env(HOME=str(home), MUSE_HOME=str(home / ".muse")),
                          timeout=ROUND_TIMEOUT, stdin=subprocess.DEVNULL)


def _temps(*folders: pathlib.Path) -> list[str]:
    return [str(f / n) for f in folders if f.is_dir() for n in os.listdir(f) if n.startswith(TEMP_PREFIX)]


def _all_record_folders(root: pathlib.Path) -> list[pathlib.Path]:
    base = coordination_dir(root)
    return [base / sub for sub in KIND_DIRS.values()] + [base / "remote" / sub for sub in KIND_DIRS.values()]


def _check_files_whole(root: pathlib.Path) -> int:
    """Every record file parses (0 torn); returns how many there are."""
    n = 0
    for folder in _all_record_folders(root):
        for name in os.listdir(folder) if folder.is_dir() else []:
            if name.endswith(".json") and not name.startswith("."):
                assert isinstance(orjson.loads((folder / name).read_bytes()), dict), f"torn file {name}"
                n += 1
    return n


def test_sigkill_during_writes_loses_no_acknowledged_write(repo: pathlib.Path) -> None:
    rng = random.Random(1313)
    acked: list[tuple[str, str]] = []
    torn = lost = 0
    for _round in range(6):
        proc = _spawn(_WRITER, repo)
        out = _kill_after(proc, rng.uniform(0.05, 0.8))
        # The last line may be cut by the kill: only whole lines are acknowledged.
        lines = out.split("\n")[:-1]
        acked += [(kind, rid) for kind, rid in (line.split(" ", 1) for line in lines)]
        for kind, rid in acked:
            path = coordination_dir(repo) / KIND_DIRS[kind] / f"{rid}.json"
            if not path.exists():
                lost += 1
        try:
            _check_files_whole(repo)
        except AssertionError:
            torn += 1
    assert acked, "the writer never acknowledged a write: the rounds proved nothing"
    assert (lost, torn) == (0, 0)

    time.sleep(DEAD_WRITER_GRACE + 0.2)  # the killed writers' temp files are now debris
    status = _muse(repo, "coord", "status", "--json")
    tasks = _muse(repo, "coord", "tasks", "--json")
    assert status.returncode == 0 and tasks.returncode == 0, status.stderr + tasks.stderr
    base = coordination_dir(repo)
    assert _temps(base / "reservations", base / "releases", base / "heartbeats",
                  base / "tasks", base / "claims") == []  # the folders those commands list
    gc = _muse(repo, "coord", "gc", "--json")
    assert gc.returncode == 0, gc.stderr
    assert _temps(*_all_record_folders(repo), state_dir(repo) / "index", state_dir(repo)) == []


def test_sigkill_during_index_rebuilds_never_gives_a_wrong_answer(repo: pathlib.Path) -> None:
    for i in range(3000):  # a third expired, so the answer depends on every file's content
        expires = "2099-12-31T23:59:59+00:00" if i % 3 else "2001-09-09T01:46:40+00:00"
        _write(repo, "reservation", f"r-{i:05d}", {"reservation_id": f"r-{i:05d}", "run_id": f"run-{i % 50}",
                                                   "expires_at": expires, "symbols": [f"k/f{i}.c::s"]})
    truth = sorted(r.reservation_id for r in CoordState(repo).active_reservations())
    rng = random.Random(17)
    for _round in range(6):
        proc = _spawn(_REBUILD, repo)
        _kill_after(proc, rng.uniform(0.05, 1.0))
        got = sorted(r.reservation_id for r in CoordState(repo).active_reservations())
        assert got == truth
    time.sleep(DEAD_WRITER_GRACE + 0.2)
    assert _muse(repo, "coord", "gc", "--json").returncode == 0
    assert _temps(state_dir(repo) / "index") == []
    assert sorted(r.reservation_id for r in CoordState(repo).active_reservations()) == truth


def _write(root: pathlib.Path, kind: str, rid: str, body: dict[str, object]) -> None:
    (coordination_dir(root) / KIND_DIRS[kind] / f"{rid}.json").write_bytes(orjson.dumps(body))


def _dead_leases_with_dependents(root: pathlib.Path, n: int) -> None:
    """*n* long-expired leases, each with an intent and a dependency edge."""
    old = "2001-09-09T01:46:40+00:00"
    for i in range(n):
        rid = f"res-{i:05d}"
        _write(root, "reservation", rid, {"reservation_id": rid, "run_id": f"run-{i}", "expires_at": old,
                                          "symbols": [f"g/f{i}.c::s"]})
        _write(root, "intent", f"int-{i:05d}", {"intent_id": f"int-{i:05d}", "run_id": f"run-{i}",
                                                "reservation_id": rid, "operation": "modify",
                                                "target": f"g/f{i}.c::s", "created_at": old})
        _write(root, "dependency", f"dep-{i:05d}", {"reservation_id": rid, "depends_on": [f"other-{i}"]})


def _orphans(root: pathlib.Path) -> int:
    state = CoordState(root)
    known = {r.reservation_id for r in state.reservations}
    return (sum(1 for i in state.intents if i.reservation_id not in known)
            + sum(1 for d in state.dependencies if d.reservation_id not in known))


def test_gc_killed_partway_leaves_nothing_the_next_gc_misses(repo: pathlib.Path) -> None:
    _dead_leases_with_dependents(repo, 1500)
    graveyard = coordination_dir(repo) / "graveyard.log"
    rng = random.Random(7)
    kills = 0
    for _round in range(5):
        before = graveyard.stat().st_size if graveyard.exists() else 0
        proc = _spawn(_GC, repo)
        deadline = time.monotonic() + ROUND_TIMEOUT
        while (not graveyard.exists() or graveyard.stat().st_size == before) and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.001)  # deletion starts right after the graveyard grows
        time.sleep(rng.uniform(0.0, 0.05))
        if proc.poll() is None:
            kills += 1
        _kill_after(proc, 0)
        if not CoordState(repo).reservations:
            break
    assert kills, "no GC was killed mid-way: the test proved nothing"
    run_coord_gc(repo, grace_period_seconds=60)
    assert CoordState(repo).reservations == []
    assert _orphans(repo) == 0
    assert len(os.listdir(coordination_dir(repo) / "intents")) == 0
    assert len(os.listdir(coordination_dir(repo) / "dependencies")) == 0


def test_orphans_of_an_older_crash_are_collected(repo: pathlib.Path) -> None:
    """A GC killed by an older version (reservations first) left intents and edges."""
    _dead_leases_with_dependents(repo, 20)
    from muse.core.coord.gc import _bury

    doomed = [("reservation", r.record_id) for r in CoordState(repo).reservations]
    _bury(repo, doomed)  # what that GC wrote first …
    for _kind, rid in doomed:  # … and the files it removed before it was killed
        os.unlink(coordination_dir(repo) / "reservations" / f"{rid}.json")
    assert _orphans(repo) == 40
    result = run_coord_gc(repo, grace_period_seconds=60)
    assert (result.intents_removed, result.dependencies_removed) == (20, 20)
    assert _orphans(repo) == 0


def test_an_intent_waiting_for_its_pulled_reservation_is_kept(repo: pathlib.Path) -> None:
    """Unknown is not dead: only a reservation GC removed makes its dependents orphans."""
    _write(repo, "intent", "waiting", {"intent_id": "waiting", "run_id": "run-x", "operation": "modify",
                                       "reservation_id": "not-pulled-yet", "target": "a.c::f",
                                       "created_at": "2001-09-09T01:46:40+00:00"})
    assert run_coord_gc(repo, grace_period_seconds=60).intents_removed == 0
    assert json.loads(_muse(repo, "coord", "gc", "--json").stdout)["intents_removed"] == 0


_CRASH_MID_WRITE = """
import os, sys
fd = os.open(os.path.join(sys.argv[1], f".tmp-{os.getpid()}-1-r.json"), os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b'{"reservation_id": "r", "ru')
os.kill(os.getpid(), 9)
"""


@pytest.mark.parametrize("sub", ["reservations", "tasks"])
def test_a_crashed_writers_temp_file_is_gone_after_the_next_command(repo: pathlib.Path, sub: str) -> None:
    assert _muse(repo, "coord", "status", "--json").returncode == 0  # an index exists
    assert _muse(repo, "coord", "tasks", "--json").returncode == 0
    folder = coordination_dir(repo) / sub
    crash = subprocess.run([sys.executable, "-c", _CRASH_MID_WRITE, str(folder)], timeout=ROUND_TIMEOUT)
    assert crash.returncode == -signal.SIGKILL and len(_temps(folder)) == 1
    verb = "status" if sub == "reservations" else "tasks"
    # A command right after the crash sees the temp file too young to judge …
    assert _muse(repo, "coord", verb, "--json").returncode == 0
    time.sleep(DEAD_WRITER_GRACE + 0.2)
    # … and the next one removes it, although the folder has not changed since.
    assert _muse(repo, "coord", verb, "--json").returncode == 0
    assert _temps(folder) == []
