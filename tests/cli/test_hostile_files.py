"""Hostile files in record folders, under every verb, as real processes.

Each case plants one bad entry named ``x.json`` in every kind folder next to
good records, then runs a verb as a child process with a timeout: the verb
must finish (no hang), exit 0, name the bad file on stderr, and answer from
the good records as if the bad one were not there. ``push`` talks to a real
hub process.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from collections.abc import Callable, Iterator

import orjson
import pytest

from muse.core.files.fileio import MAX_RECORD_BYTES
from muse.core.types import KIND_DIRS
from tests.conftest import subprocess_env
from tests.hub.conftest import Agent, HubProcess, create_repo, make_agent, make_repo_dir, running_hub

FUT = "2099-12-31T23:59:59+00:00"
VERB_TIMEOUT = 30.0  # a verb normally takes well under a second; a hang hits this

# A record that would be believed if the symlink were followed.
OUTSIDE = {"reservation_id": "leaked", "task_id": "leaked", "run_id": "leaker", "expires_at": FUT,
           "symbols": ["secret.c::leak"], "description": "leaked", "claimer_run_id": "leaker",
           "extended_expires_at": FUT, "depends_on": [], "operation": "modify",
           "target": "secret.c::leak", "priority": 99}


def _fifo(path: pathlib.Path, outside: pathlib.Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: pathlib.Path, outside: pathlib.Path) -> None:
    path.symlink_to("/dev/zero")


def _outside_json(path: pathlib.Path, outside: pathlib.Path) -> None:
    path.symlink_to(outside)


def _nested(path: pathlib.Path, outside: pathlib.Path) -> None:
    path.write_bytes(b"[" * 200_000 + b"]" * 200_000)


def _wrong_types(path: pathlib.Path, outside: pathlib.Path) -> None:
    path.write_bytes(orjson.dumps({"reservation_id": 5, "task_id": ["x"], "run_id": 7, "expires_at": 8,
                                   "symbols": "a.c::f", "claimer_run_id": {}, "priority": "top"}))


def _oversized(path: pathlib.Path, outside: pathlib.Path) -> None:
    # Valid JSON of a usable record, only too large.
    body = {**OUTSIDE, "reservation_id": "big", "task_id": "big", "_pad": "x" * (MAX_RECORD_BYTES + 1)}
    path.write_bytes(orjson.dumps(body))


CASES: dict[str, Callable[[pathlib.Path, pathlib.Path], None]] = {
    "fifo": _fifo,
    "symlink-dev-zero": _dev_zero,
    "symlink-outside-json": _outside_json,
    "deeply-nested": _nested,
    "wrong-types": _wrong_types,
    "oversized": _oversized,
}
VERBS = ("status", "forecast", "gc", "tasks", "claim", "push", "reserve")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with running_hub(tmp_path_factory.mktemp("hub"), "sqlite") as h:
        yield h


@pytest.fixture(scope="module")
def agent(hub: HubProcess, tmp_path_factory: pytest.TempPathFactory) -> Agent:
    return make_agent(hub, tmp_path_factory.mktemp("agent"), "hostile")


def _plant(root: pathlib.Path, case: str, outside: pathlib.Path) -> None:
    coord = root / ".muse" / "coordination"
    (coord / "reservations" / "good-res.json").write_bytes(orjson.dumps(
        {"reservation_id": "good-res", "run_id": "good-run", "expires_at": FUT, "symbols": ["a.c::f"]}))
    (coord / "tasks" / "good-task.json").write_bytes(orjson.dumps(
        {"task_id": "good-task", "run_id": "good-run", "description": "the good task"}))
    for sub in KIND_DIRS.values():
        folder = coord / sub
        folder.mkdir(parents=True, exist_ok=True)
        CASES[case](folder / "x.json", outside)


def _run(root: pathlib.Path, *argv: str) -> subprocess.CompletedProcess[str]:
    home = root.parent / "home"
    return subprocess.run([sys.executable, "-m", "muse", *argv], cwd=root, capture_output=True, text=True,
                          env=subprocess_env(HOME=str(home), MUSE_HOME=str(home / ".muse")),
                          timeout=VERB_TIMEOUT, stdin=subprocess.DEVNULL)


def _argv(verb: str) -> list[str]:
    extra = {"claim": ["--run", "claimer"], "reserve": ["--run", "reserver", "b.c::g"]}
    return ["coord", verb, "--json", *extra.get(verb, [])]


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file_is_reported_and_never_blocks(case: str, verb: str, hub: HubProcess, agent: Agent,
                                                    tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_bytes(orjson.dumps(OUTSIDE))
    slug = create_repo(hub, agent)
    root = make_repo_dir(tmp_path / "repo", hub.url, agent.handle, slug, agent)
    _plant(root, case, outside)

    try:
        done = _run(root, *_argv(verb))
    except subprocess.TimeoutExpired:
        pytest.fail(f"`muse coord {verb}` hung on a {case} x.json (> {VERB_TIMEOUT:.0f} s)")
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    out = orjson.loads(done.stdout)
    assert "x.json" in done.stderr, done.stderr[-2000:]
    assert "leak" not in done.stdout  # a file outside the repository is never read as a record
    if verb == "status":
        assert out["active_reservations"] == 1
    elif verb == "tasks":
        assert [t["task_id"] for t in out["tasks"]] == ["good-task"]
    elif verb == "claim":
        assert out["task_id"] == "good-task"
        assert any("x.json" in p["path"] for p in out["problems"])
    elif verb == "push":
        assert out["inserted"] == 2  # the good reservation and the good task
    elif verb == "reserve":
        assert out["run_id"] == "reserver"
        assert any("x.json" in p["path"] for p in out["problems"])
    elif verb == "gc":
        assert any("x.json" in p["path"] for p in out["problems"])


def test_a_hostile_pulled_task_is_quarantined_and_claim_still_works(hub: HubProcess, agent: Agent,
                                                                    tmp_path: pathlib.Path) -> None:
    from muse.core.coord_bus import push_to_hub

    slug = create_repo(hub, agent)
    hostile = {"kind": "task", "record_id": "evil", "run_id": "peer", "expires_at": None,
               "payload": {"task_id": "../../../etc/evil", "description": "mine first", "priority": 10**9}}
    typed = {"kind": "task", "record_id": "typed", "run_id": "peer", "expires_at": None,
             "payload": {"task_id": "typed", "priority": "top"}}
    good = {"kind": "task", "record_id": "good-task", "run_id": "peer", "expires_at": None,
            "payload": {"task_id": "good-task", "description": "the good task"}}
    assert push_to_hub(hub.url, agent.handle, slug, [hostile, typed, good],
                       signing=agent.identity)["inserted"] == 3  # the hub stores payloads as given
    root = make_repo_dir(tmp_path / "repo", hub.url, agent.handle, slug, agent)

    pulled = _run(root, "coord", "pull", "--json")
    assert pulled.returncode == 0, pulled.stderr
    summary = orjson.loads(pulled.stdout)
    assert (summary["written"], summary["quarantined"]) == (1, 2)
    assert "task/evil" in pulled.stderr and "task/typed" in pulled.stderr
    assert sorted(os.listdir(root / ".muse/coordination/quarantine/tasks")) == ["evil.json", "typed.json"]

    claimed = _run(root, "coord", "claim", "--json", "--run", "me")
    assert claimed.returncode == 0, claimed.stderr
    assert orjson.loads(claimed.stdout)["task_id"] == "good-task"


def test_records_the_hub_refuses_are_skipped_and_the_rest_pushed(hub: HubProcess, agent: Agent,
                                                                 tmp_path: pathlib.Path) -> None:
    slug = create_repo(hub, agent)
    root = make_repo_dir(tmp_path / "repo", hub.url, agent.handle, slug, agent)
    tasks = root / ".muse/coordination/tasks"
    for i in range(1200):
        (tasks / f"t-{i:04d}.json").write_bytes(orjson.dumps({"task_id": f"t-{i:04d}", "description": "ok"}))
    deep: object = 1
    for _ in range(300):  # readable here, deeper than the hub accepts
        deep = [deep]
    (tasks / "deep.json").write_text(json.dumps({"task_id": "deep", "x": deep}))
    (tasks / "long-run.json").write_bytes(orjson.dumps({"task_id": "long-run", "run_id": "r" * 300}))

    pushed = _run(root, "coord", "push", "--json")
    assert pushed.returncode == 0, pushed.stderr
    out = orjson.loads(pushed.stdout)
    assert (out["inserted"], out["refused"]) == (1200, 2)
    assert sorted(r.split(":")[0] for r in out["refusals"]) == ["task/deep", "task/long-run"]
    assert "task/deep" in pushed.stderr
