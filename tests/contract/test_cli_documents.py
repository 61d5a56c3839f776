"""`muse coord <verb> --json` prints the same document in local and live mode.

The CLI half of the contract: the same argv (plus ``--live`` on a hub) gives
the keys of the verb's outcome class, errors are one JSON line on stderr, and
the exit codes agree.
"""

from __future__ import annotations

import json
import pathlib

from muse.core.vocab import outcomes as o
from tests.hub.conftest import HubProcess, create_repo, make_agent, make_repo_dir, run_cli


def _repo(tmp: pathlib.Path, hub: HubProcess | None) -> tuple[pathlib.Path, list[str]]:
    if hub is None:
        from muse.cli.commands.init import init_repo

        init_repo(tmp)
        return tmp, []
    owner = make_agent(hub, tmp, "owner")
    return make_repo_dir(tmp / "repo", hub.url, owner.handle, create_repo(hub, owner), owner), [
        "--live"]


def test_every_verb_prints_its_document(hub: HubProcess | None, tmp_path: pathlib.Path) -> None:
    root, mode = _repo(tmp_path, hub)

    def cli(*argv: str, run: str | None = "run-cli", code: int = 0) -> dict[str, object]:
        got = run_cli(root, "coord", *argv, *mode, *(["--run", run] if run else []), "--json")
        assert got.code == code, got.err
        doc: dict[str, object] = json.loads(got.out)
        return doc

    res = cli("reserve", "mm/slab.c::kmalloc", "--ttl", "5m")
    assert list(res) == list(o.ReserveOutcome.FIELDS)
    token = str(res["token"]) if res["token"] is not None else None
    fenced = ["--token", token] if token else []
    assert list(cli("intent", "modify", "mm/slab.c::kmalloc", "-r", str(res["reservation_id"]),
                    *fenced)) == list(o.IntentOutcome.FIELDS)
    assert list(cli("heartbeat", "--ttl", "10m")) == list(o.HeartbeatOutcome.FIELDS)
    assert list(cli("claim", code=4)) == list(o.ClaimOutcome.FIELDS)
    assert list(cli("enqueue", "port slab", "--id", "port-slab")) == list(o.EnqueueOutcome.FIELDS)
    claim = cli("claim")
    assert list(claim) == list(o.ClaimOutcome.FIELDS) and claim["task_id"] == "port-slab"
    status = cli("status", "--symbol", "mm/slab.c::kmalloc", run=None)
    assert list(status) == list(o.StatusOutcome.FIELDS)
    assert status["active_reservations"] == 1 and status["tasks"]["claimed"] == 1  # type: ignore[index]
    assert list(cli("fence", str(claim["token"]), "--task", "port-slab", run=None)) == list(
        o.FenceOutcome.FIELDS)
    assert list(cli("tasks", run=None)) == list(o.TasksOutcome.FIELDS)
    assert list(cli("forecast", run=None)) == list(o.ForecastOutcome.FIELDS)
    done = cli("complete", "port-slab", "--token", str(claim["token"]))
    assert list(done) == list(o.FinishOutcome.FIELDS) and done["status"] == "completed"
    assert done["released"] == []
    assert list(cli("release", str(res["reservation_id"]), *fenced)) == list(
        o.ReleaseOutcome.FIELDS)


def test_complete_releases_what_release_names(hub: HubProcess | None,
                                              tmp_path: pathlib.Path) -> None:
    root, mode = _repo(tmp_path, hub)

    def cli(*argv: str, code: int = 0) -> dict[str, object]:
        got = run_cli(root, "coord", *argv, *mode, "--run", "run-cli", "--json")
        assert got.code == code, got.err
        doc: dict[str, object] = json.loads(got.out)
        return doc

    cli("enqueue", "port slab", "--id", "port-slab")
    claim = cli("claim")
    a = cli("reserve", "mm/slab.c::kmalloc", "--strict")
    b = cli("reserve", "mm/slab.c::kfree", "--strict")
    done = cli("complete", "port-slab", "--token", str(claim["token"]),
               "--release", f"{a['reservation_id']}:{a['token']}",
               "--release", f"{b['reservation_id']}:{int(str(b['token'])) + 1}")
    assert list(done) == list(o.FinishOutcome.FIELDS) and done["status"] == "completed"
    assert [(r["released"], r["reason"]) for r in done["released"]] == [  # type: ignore[attr-defined]
        (True, None), (False, "mismatch")]
    text = run_cli(root, "coord", "status", *mode, "--json")
    assert json.loads(text.out)["active_reservations"] == 1


def test_a_strict_refusal_is_one_json_line(hub: HubProcess | None, tmp_path: pathlib.Path) -> None:
    root, mode = _repo(tmp_path, hub)
    assert run_cli(root, "coord", "reserve", "fs/ext4/inode.c", *mode, "--run", "a").code == 0
    got = run_cli(root, "coord", "reserve", "fs/ext4/inode.c::f", "--strict", *mode, "--run", "b",
                  "--json")
    assert got.code == 1 and got.out == "" and got.err.count("\n") == 1
    err = json.loads(got.err)
    assert err["error"] == "conflict" and err["details"]["holder"] == "a"


def test_refusals_exit_with_the_same_codes(hub: HubProcess | None, tmp_path: pathlib.Path) -> None:
    from muse.core.vocab.rules import MAX_SYMBOLS

    root, mode = _repo(tmp_path, hub)
    wide = [f"s{i}.c" for i in range(MAX_SYMBOLS + 1)]
    got = run_cli(root, "coord", "reserve", *wide, *mode, "--run", "a", "--json")
    assert got.code == 1 and json.loads(got.err)["error"] == "payload_too_large", got.err
    got = run_cli(root, "coord", "claim", "no-such-task", *mode, "--run", "a", "--json")
    assert got.code == 4 and json.loads(got.err)["error"] == "not_found", got.err
    got = run_cli(root, "coord", "release", "sha256:" + "0" * 64, "--token", "1", *mode,
                  "--run", "a", "--json")
    assert got.code == 4 and json.loads(got.err)["error"] == "not_found", got.err
