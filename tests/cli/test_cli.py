"""Every `muse coord` verb driven through main(argv): exit codes and JSON output."""

from __future__ import annotations

import json
import pathlib

import pytest

from muse.cli.main import main


@pytest.fixture
def cli(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(repo)
    monkeypatch.setenv("MUSE_RUN_ID", "agent-1")

    def run(*argv: str, run_id: str | None = None) -> tuple[int, object, str]:
        if run_id:
            monkeypatch.setenv("MUSE_RUN_ID", run_id)
        code = main(list(argv))
        out, err = capsys.readouterr()
        monkeypatch.setenv("MUSE_RUN_ID", "agent-1")
        data = json.loads(out) if "--json" in argv and out.strip() else out
        return code, data, err

    return run


def test_outside_a_repository_exits_2(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["coord", "status"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a muse repository" in err


def test_dash_C_finds_the_repository(repo: pathlib.Path, tmp_path_factory: pytest.TempPathFactory,
                                     monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert main(["-C", str(repo / "deep" / "er"), "coord", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["active_reservations"] == 0


def test_full_agent_loop(cli) -> None:  # type: ignore[no-untyped-def]
    code, task, _ = cli("coord", "enqueue", "port sched", "--id", "sched", "--priority", "3",
                        "--symbol", "kernel/sched/core.c::schedule", "--json")
    assert code == 0 and task["task_id"] == "sched"
    code, claimed, _ = cli("coord", "claim", "--json")
    assert code == 0 and claimed["task_id"] == "sched" and claimed["token"] == 1
    code, res, _ = cli("coord", "reserve", "kernel/sched/core.c::schedule", "--ttl", "10m", "--json")
    assert code == 0 and res["conflicts"] == []
    code, intent, _ = cli("coord", "intent", "modify", "kernel/sched/core.c::schedule",
                          "-r", res["reservation_id"], "--json")
    assert code == 0 and intent["operation"] == "modify"
    code, hb, _ = cli("coord", "heartbeat", "--ttl", "20m", "--json")
    assert code == 0 and hb["run_id"] == "agent-1"
    code, status, _ = cli("coord", "status", "--json")
    assert status["active_reservations"] == 1 and status["runs"] == 1
    code, rel, _ = cli("coord", "release", res["reservation_id"], "--json")
    assert code == 0 and rel["reservation_id"] == res["reservation_id"]
    code, done, _ = cli("coord", "complete", "sched", "--token", "1", "--json")
    assert code == 0 and done["status"] == "completed"
    code, tasks, _ = cli("coord", "tasks", "--json")
    assert tasks["counts"]["completed"] == 1
    code, gc, _ = cli("coord", "gc", "--grace", "0", "--json")
    assert code == 0 and gc["reservations_removed"] == 1 and gc["intents_removed"] == 1


def test_conflicts_in_status_and_forecast(cli) -> None:  # type: ignore[no-untyped-def]
    cli("coord", "reserve", "x.c::f", run_id="a")
    cli("coord", "reserve", "x.c::f", run_id="b")
    cli("coord", "intent", "delete", "x.c::f", run_id="a")
    cli("coord", "intent", "modify", "x.c::f", run_id="b")
    code, status, _ = cli("coord", "status", "--json")
    assert status["conflict_count"] == 1
    code, fc, _ = cli("coord", "forecast", "--json")
    assert code == 0 and fc["counts"]["high"] == 1
    code, _, _ = cli("coord", "forecast", "--fail-on", "high")
    assert code == 1
    code, text, _ = cli("coord", "forecast")
    assert "delete vs modify" in text


def test_strict_conflict_is_exit_1_with_holder(cli) -> None:  # type: ignore[no-untyped-def]
    cli("coord", "reserve", "x.c::f", run_id="a")
    code, _, err = cli("coord", "reserve", "x.c::f", "--strict", "--json", run_id="b")
    assert code == 1
    body = json.loads(err)
    assert body["error"] == "conflict" and body["details"]["holder"] == "a"


def test_exit_codes(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("coord", "claim")[0] == 4  # nothing to claim
    assert cli("coord", "claim", "ghost")[0] == 4
    assert cli("coord", "release", "ghost")[0] == 4
    assert cli("coord", "complete", "ghost")[0] == 4
    assert cli("coord", "reserve", "--ttl", "soon", "x.c")[0] == 2
    assert cli("coord", "nonsense")[0] == 2
    assert cli("coord", "reserve", "../evil", "--run", "../x")[0] == 1
    assert cli("coord", "intent", "explode", "x.c")[0] == 2
    cli("coord", "enqueue", "a", "--id", "a")
    cli("coord", "enqueue", "b", "--id", "b", "--after", "a")
    code, _, err = cli("coord", "depend", "--task", "a", "--on", "b")
    assert code == 1 and "cycle" in err
    assert cli("coord", "enqueue", "dup", "--id", "a")[0] == 1


def test_help_is_available_everywhere(cli) -> None:  # type: ignore[no-untyped-def]
    from muse.cli.commands.coord import VERBS

    for verb in VERBS:
        code, out, _ = cli("coord", verb, "--help")
        assert code == 0 and "usage:" in str(out), verb
    code, out, _ = cli("coord", "--help")
    assert code == 0 and "reserve" in str(out)


def test_corrupt_files_warn_but_do_not_fail(cli, repo: pathlib.Path) -> None:  # type: ignore[no-untyped-def]
    (repo / ".muse/coordination/reservations/bad.json").write_text("{oops")
    cli("coord", "reserve", "x.c::f")
    code, status, err = cli("coord", "status", "--json")
    assert code == 0 and status["active_reservations"] == 1
    assert "bad.json" in err and len(status["problems"]) == 1
