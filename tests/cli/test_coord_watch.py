"""`muse coord watch` as a separate process while this process writes records."""

from __future__ import annotations

import json
import pathlib
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from muse.core import coordination as co
from tests.conftest import PYTHON, subprocess_env

WAIT = 60.0  # generous: a loaded 2-core machine may take seconds to start Python


class Watch:
    """A `muse coord watch` child process whose stdout lines arrive on a queue."""

    def __init__(self, repo: pathlib.Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "muse", "coord", "watch", *args],
            cwd=repo, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def next_event(self) -> dict[str, Any]:
        line = self.lines.get(timeout=WAIT)
        assert line is not None, f"watch exited early: {self.finish()}"
        event: dict[str, Any] = json.loads(line)  # every line is one JSON object
        return event

    def rest(self) -> list[dict[str, Any]]:
        out = []
        while (line := self.lines.get(timeout=WAIT)) is not None:
            out.append(json.loads(line))
        return out

    def finish(self) -> tuple[int, str]:
        assert self.proc.stderr is not None
        code = self.proc.wait(timeout=WAIT)
        return code, self.proc.stderr.read()


@contextmanager
def watching(repo: pathlib.Path, *args: str) -> Iterator[Watch]:
    w = Watch(repo, *args)
    try:
        yield w
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
        w.proc.wait(timeout=WAIT)
        for stream in (w.proc.stdout, w.proc.stderr):
            if stream is not None:
                stream.close()


def test_symbol_wait_returns_when_holder_releases(repo: pathlib.Path) -> None:
    r = co.reserve(repo, "holder", ["kernel/sched/core.c::schedule"], ttl=600)
    with watching(repo, "--symbol", "kernel/sched/core.c", "--run", "me", "--json",
                  "--interval", "0.1", "--timeout", "5m") as w:
        first = w.next_event()
        assert first["event"] == "reserved" and first["run_id"] == "holder" and first["snapshot"]
        time.sleep(0.3)
        assert w.proc.poll() is None, "must keep waiting while the symbol is held"
        co.release(repo, r.reservation.reservation_id, "holder")
        rest = w.rest()
        code, err = w.finish()
    assert code == 0, err
    assert [e["event"] for e in rest] == ["released", "symbol_free"]
    assert rest[-1]["symbols"] == ["kernel/sched/core.c"]


def test_stream_shows_new_records_as_json_lines(repo: pathlib.Path) -> None:
    co.enqueue(repo, "port sched", task_id="t1")
    with watching(repo, "--json", "--interval", "0.1") as w:
        assert w.next_event()["event"] == "task_enqueued"  # the snapshot
        c = co.claim(repo, "alice")
        assert c is not None
        claimed = w.next_event()
        assert claimed["event"] == "task_claimed" and claimed["holder"] == "alice"
        assert "snapshot" not in claimed
        co.reserve(repo, "alice", ["a.c::f"])
        co.reserve(repo, "bob", ["a.c::f"])
        got = {w.next_event()["event"] for _ in range(3)}
        assert got == {"reserved", "conflict"}


def test_task_wait_until_completed(repo: pathlib.Path) -> None:
    co.enqueue(repo, "port sched", task_id="t1")
    with watching(repo, "--task", "t1", "--until", "completed", "--json",
                  "--interval", "0.1", "--timeout", "5m") as w:
        assert w.next_event()["event"] == "task_enqueued"  # the watcher is up
        c = co.claim(repo, "alice", task_id="t1")
        assert c is not None
        assert w.next_event()["event"] == "task_claimed"
        co.complete(repo, "t1", "alice", token=c.token)
        rest = w.rest()
        code, err = w.finish()
    assert code == 0, err
    assert [e["event"] for e in rest] == ["task_completed", "task_reached"]
    assert rest[-1]["status"] == "completed"


def test_timeout_exits_1_with_in_band_event(repo: pathlib.Path) -> None:
    co.reserve(repo, "holder", ["a.c::f"], ttl=600)
    proc = subprocess.run(
        [PYTHON, "-m", "muse", "coord", "watch", "--symbol", "a.c::f", "--run", "me",
         "--timeout", "0.5", "--interval", "0.1", "--json"],
        check=False, cwd=repo, env=subprocess_env(), capture_output=True, text=True, timeout=WAIT,
    )
    assert proc.returncode == 1
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert lines[-1]["event"] == "timeout"
    assert lines[-1]["blockers"]["a.c::f"][0]["run_id"] == "holder"
    assert json.loads(proc.stderr)["error"] == "timeout"


def test_new_only_skips_the_snapshot(repo: pathlib.Path) -> None:
    co.reserve(repo, "old", ["a.c"], ttl=600)
    proc = subprocess.run(
        [PYTHON, "-m", "muse", "coord", "watch", "--once", "--new-only", "--json"],
        check=False, cwd=repo, env=subprocess_env(), capture_output=True, text=True, timeout=WAIT,
    )
    assert proc.returncode == 0 and proc.stdout == ""


def test_once_and_exit_codes(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from muse.cli.main import main

    monkeypatch.chdir(repo)
    co.reserve(repo, "holder", ["a.c::f"], ttl=600)

    def run(*args: str) -> int:
        return main(["coord", "watch", *args])

    assert run("--once", "--json") == 0
    assert run("--once", "--symbol", "b.c", "--run", "me") == 0
    assert run("--once", "--symbol", "a.c", "--run", "me") == 1
    assert run("--once", "--symbol", "a.c", "--run", "holder") == 0
    assert run("--task", "nope", "--timeout", "5") == 4
    assert run("--once", "--events", "bogus") == 1
    assert run("--symbol", "a.c", "--task", "t") == 2


def test_once_json_lines_parse(
    repo: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from muse.cli.main import main

    monkeypatch.chdir(repo)
    co.reserve(repo, "alice", ["a.c::f"], ttl=600)
    co.reserve(repo, "bob", ["a.c"], ttl=600)
    capsys.readouterr()
    assert main(["coord", "watch", "--once", "--json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(e["event"] for e in events) == ["conflict", "reserved", "reserved"]
    assert main(["coord", "watch", "--once"]) == 0
    text = capsys.readouterr().out
    assert "conflict" in text and "alice" in text


def test_help_teaches(capsys: pytest.CaptureFixture[str]) -> None:
    from muse.cli.main import main

    assert main(["coord", "watch", "--help"]) == 0
    out = capsys.readouterr().out
    for word in ("--symbol", "--until", "exit codes", "symbol_free", "timeout"):
        assert word in out


def test_hub_mode_pulls_remote_records(
    repo: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from muse.cli.main import main
    from muse.core import coord_bus

    monkeypatch.chdir(repo)
    pulls: list[int] = []

    def fake_pull(hub_url: str, owner: str, slug: str, since_id: int = 0, **kw: Any) -> dict[str, Any]:
        pulls.append(since_id)
        if since_id:
            return {"records": [], "cursor": since_id}
        payload = {"reservation_id": "reservation-000001", "run_id": "far-away",
                   "expires_at": "2099-12-31T23:59:59+00:00", "symbols": ["b.c::g"]}
        return {"records": [{"kind": "reservation", "record_id": "reservation-000001",
                             "run_id": "far-away", "payload": payload,
                             "expires_at": payload["expires_at"]}], "cursor": 7}

    monkeypatch.setattr(coord_bus, "pull_from_hub", fake_pull)
    capsys.readouterr()
    code = main(["coord", "watch", "--once", "--json", "--hub", "http://hub.invalid",
                 "--owner", "o", "--slug", "s"])
    assert code == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["event"], e["run_id"], e.get("remote")) for e in events] == [("reserved", "far-away", True)]
    assert pulls == [0]


def test_hub_mode_unreachable_on_first_pull_exits_5(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from muse.cli.commands import coord_sync
    from muse.cli.main import main
    from muse.core.vocab.errors import HubUnreachable

    def down(*a: Any, **kw: Any) -> dict[str, Any]:
        raise HubUnreachable("connection refused")

    monkeypatch.chdir(repo)
    monkeypatch.setattr(coord_sync, "pull_from_hub", down)
    assert main(["coord", "watch", "--once", "--hub", "http://hub.invalid",
                 "--owner", "o", "--slug", "s"]) == 5
