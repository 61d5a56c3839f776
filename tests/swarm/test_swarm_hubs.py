"""``muse swarm --db … --hubs N``: real hub processes on one database, and their cleanup.

PostgreSQL cases use the test server (skipped without one unless
``MUSE_REQUIRE_PG=1``); every run must leave no hub or worker process and no
schema behind — after success, after a failure, after Ctrl-C and SIGTERM.
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import pytest

from muse.swarm.hubs import _with_app_name, describe_db
from tests.conftest import subprocess_env
from tests.storage.pg import pg_dsn
from tests.swarm.test_swarm_run import _check

_TIMEOUT = 240


def _env(tmp: pathlib.Path) -> dict[str, str]:
    # TMPDIR: the swarm's temporary folder (workers' spec, SQLite file) lands under tmp,
    # so leftover processes can be found by their command lines.
    return subprocess_env(HOME=str(tmp), MUSE_HOME=str(tmp / ".muse-home"), TMPDIR=str(tmp))


def _swarm(tmp: pathlib.Path, *args: str) -> tuple[int, dict, str]:
    proc = subprocess.run([sys.executable, "-m", "muse", "swarm", *args], cwd=tmp, env=_env(tmp),
                          capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    report = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {}
    return proc.returncode, report, proc.stderr


def _processes_naming(*needles: str) -> list[str]:
    """Command lines of live processes that contain any of *needles*."""
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        cmd = raw.replace(b"\0", b" ").decode(errors="replace")
        if state != "Z" and any(n in cmd for n in needles):
            found.append(f"{entry.name}: {cmd[:200]}")
    return found


def _no_leftovers(tmp: pathlib.Path, *needles: str) -> None:
    deadline = time.monotonic() + 15  # a killed child may take a moment to be reaped
    while (left := _processes_naming(str(tmp), *needles)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == []


def _schemas(dsn: str, like: str) -> list[str]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                            (like,)).fetchall()
    return [r[0] for r in rows]


def _both_hubs_served(report: dict) -> None:
    assert report["config"]["hubs"] == 2 and len(report["hubs"]) == 2
    for hub in report["hubs"]:
        assert hub["workers"] and hub["requests_sent"] > 0
        # The hub's own count (its /metrics) includes what its workers sent.
        assert hub["requests_served"] >= hub["requests_sent"]
        assert hub["errors_5xx"] == 0
        assert hub["cpu_s"] > 0
    assert len({h["url"] for h in report["hubs"]}) == 2
    assert all(m > 0 for m in report["memory_mib"]["hubs"])
    assert report["memory_mib"]["hub"] >= sum(report["memory_mib"]["hubs"]) - 1


@pytest.mark.postgres
def test_two_hubs_on_postgresql(tmp_path: pathlib.Path) -> None:
    dsn = pg_dsn()
    code, report, err = _swarm(tmp_path, "--agents", "20", "--files", "200", "--tasks", "50",
                               "--overlap", "0.4", "--seed", "3", "--db", dsn, "--hubs", "2",
                               "--json")
    assert code == 0, err
    _check(report, 50)
    _both_hubs_served(report)
    db = report["database"]
    assert db["backend"] == "postgresql" and db["schema"].startswith("muse_swarm_")
    assert db["schema_kept"] is False
    assert db["schema"] in report["config"]["database"]
    assert report["cpu_s"]["database_run"] is not None and report["cpu_s"]["database_run"] > 0
    # With the server's autovacuum off the swarm stands in for it (the queue just
    # filled: its tables are analysed at once); with it on, it leaves it alone.
    m = db["maintenance"]
    assert m is None or (m["checks"] >= 1 and m["analyzes"] >= 1 and m["errors"] == 0)
    assert _schemas(dsn, db["schema"]) == []  # dropped
    _no_leftovers(tmp_path, db["schema"])


@pytest.mark.postgres
def test_keep_and_a_given_schema_stay(tmp_path: pathlib.Path) -> None:
    dsn = pg_dsn()
    from tests.storage.pg import drop_schema, new_schema

    given = new_schema()
    report: dict = {}
    try:
        code, report, err = _swarm(tmp_path, "--agents", "4", "--files", "40", "--tasks", "8",
                                   "--db", dsn, "--pg-schema", given, "--json")
        assert code == 0, err
        assert report["database"]["schema"] == given and report["database"]["schema_kept"]
        assert _schemas(dsn, given) == [given]  # never dropped: it was not ours
        code, report, err = _swarm(tmp_path, "--agents", "4", "--files", "40", "--tasks", "8",
                                   "--db", dsn, "--keep", "--json")
        assert code == 0, err
        kept = report["database"]["schema"]
        assert report["database"]["schema_kept"] and _schemas(dsn, kept) == [kept]
        assert pathlib.Path(report["workdir"], "hub0", "hub.stderr").exists()
        _no_leftovers(tmp_path, given, kept)  # kept data, not processes
    finally:
        drop_schema(dsn, given)
        if report.get("database"):
            drop_schema(dsn, report["database"]["schema"])


def test_two_hubs_on_one_sqlite_file(tmp_path: pathlib.Path) -> None:
    code, report, err = _swarm(tmp_path, "--agents", "12", "--files", "100", "--tasks", "30",
                               "--hubs", "2", "--keep", "--json")
    assert code == 0, err
    _check(report, 30)
    _both_hubs_served(report)
    assert report["database"]["backend"] == "sqlite"
    assert report["cpu_s"]["database_run"] is None
    assert "one write at a time" in err  # what several hubs on one file mean
    _no_leftovers(tmp_path)
    # Each agent spoke as itself: the hub kept runs and answers per agent, not under one name.
    import sqlite3

    db = sqlite3.connect(pathlib.Path(report["workdir"]) / "hub.sqlite3")
    runs = dict(db.execute("SELECT run_id, handle FROM live_runs").fetchall())
    assert len(runs) == 12 and all(handle == run for run, handle in runs.items())
    answers = db.execute("SELECT handle, COUNT(*) FROM live_answers GROUP BY 1").fetchall()
    assert {h for h, _ in answers} <= set(runs) and max(n for _, n in answers) < 30
    db.close()


@pytest.mark.postgres
def test_unreachable_postgresql_is_one_line_and_leaves_nothing(tmp_path: pathlib.Path) -> None:
    code, _report, err = _swarm(tmp_path, "--db", "postgresql://postgres@127.0.0.1:1/test",
                               "--hubs", "2", "--agents", "4", "--files", "40")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "cannot reach PostgreSQL at postgresql://postgres@127.0.0.1:1/test" \
        in lines[0], err
    assert "Traceback" not in err
    _no_leftovers(tmp_path)
    assert list(tmp_path.glob("muse-swarm-*")) == []  # the temporary folder went too


def test_psycopg_missing_is_one_line(tmp_path: pathlib.Path) -> None:
    code = ("import sys; sys.modules['psycopg'] = None; from muse.cli.main import main; "
            "sys.exit(main(['swarm', '--db', 'postgresql://u@127.0.0.1:1/x', '--agents', '2', "
            "'--files', '20']))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "muse: error: a PostgreSQL --db needs psycopg: pip install 'muse-coord[postgres]'"]


@pytest.mark.parametrize("args, words", [
    (["--hub", "http://127.0.0.1:9", "--hubs", "2"], "--hub uses a running hub"),
    (["--hub", "http://127.0.0.1:9", "--db", "x.sqlite3"], "--hub uses a running hub"),
    (["--pg-schema", "s1"], "--pg-schema needs a postgresql:// --db"),
    (["--hubs", "3", "--workers", "2"], "--workers (2) must be at least --hubs (3)"),
    (["--hubs", "3", "--agents", "2"], "--agents (2) must be at least --hubs (3)"),
    (["--hubs", "0"], "--hubs"),
])
def test_option_errors_are_usage_errors(tmp_path: pathlib.Path, args: list[str],
                                        words: str) -> None:
    code, _, err = _swarm(tmp_path, "--files", "40", *args)
    assert code == 2 and words in err, err
    _no_leftovers(tmp_path)


@pytest.mark.postgres
def test_failed_run_cleans_up(tmp_path: pathlib.Path) -> None:
    """A run stopped by its duration cap fails (lost tasks) and still leaves nothing."""
    dsn = pg_dsn()
    code, report, err = _swarm(tmp_path, "--agents", "4", "--files", "200", "--tasks", "40",
                               "--think", "5", "5", "--duration-cap", "2s", "--db", dsn,
                               "--hubs", "2", "--json")
    assert code == 1, err
    assert report["ok"] is False
    assert any("--duration-cap" in p for p in report["problems"])
    assert report["tasks"]["lost"] > 0
    assert _schemas(dsn, report["database"]["schema"]) == []
    _no_leftovers(tmp_path, report["database"]["schema"])


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_interrupted_run_cleans_up(tmp_path: pathlib.Path, how: str) -> None:
    """SIGTERM to the runner, or Ctrl-C (SIGINT to the whole process group) mid-run."""
    dsn = pg_dsn()
    proc = subprocess.Popen(
        [sys.executable, "-m", "muse", "swarm", "--agents", "20", "--files", "400", "--tasks",
         "80", "--think", "30", "60", "--db", dsn, "--hubs", "2"],
        cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)
    lines: list[str] = []
    started = threading.Event()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "starting 20 agents" in line:
                started.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        assert started.wait(_TIMEOUT), "".join(lines)
        schema = next(w.rstrip(":") for line in lines for w in line.split()
                      if w.startswith("muse_swarm_"))
        assert _processes_naming(schema), "the hubs should be running now"
        time.sleep(1.0)  # agents at work
        if how == "sigterm":
            proc.send_signal(signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=_TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    reader.join(timeout=10)
    assert code == (143 if how == "sigterm" else 130), "".join(lines)
    assert "Traceback" not in "".join(lines)
    assert _schemas(dsn, schema) == []
    _no_leftovers(tmp_path, schema)


def test_dsn_helpers() -> None:
    assert describe_db("postgresql://u:secret@h:5432/db?sslmode=disable") == "postgresql://u:***@h:5432/db"
    assert describe_db("/tmp/x.sqlite3") == "/tmp/x.sqlite3"
    tagged = _with_app_name("postgresql://u@h/db?application_name=old&sslmode=disable", "new")
    assert tagged == "postgresql://u@h/db?sslmode=disable&application_name=new"


class _FlakyStatus:
    """A hub client whose status calls time out *failures* times, then report all done."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def status(self, limit: int = 100) -> dict:
        from muse.core.vocab.errors import HubUnreachable

        self.calls += 1
        if self.calls <= self.failures:
            raise HubUnreachable("hub at http://127.0.0.1:1 did not answer within 60s")
        return {"tasks": {"completed": 3}}


@pytest.mark.parametrize("patience, ok", [(300.0, True), (0.0, False)])
def test_a_late_status_answer_does_not_end_the_run(monkeypatch: pytest.MonkeyPatch,
                                                   patience: float, ok: bool) -> None:
    """At full load a hub may answer the runner's status call late; the run goes on
    (and reports the hub's counts when it answers) unless that lasts past the patience."""
    import queue

    from muse.swarm import runner

    monkeypatch.setattr(runner, "_STATUS_PATIENCE", patience)
    client = _FlakyStatus(failures=2)
    cfg = runner.SwarmConfig(agents=1, files=10, tasks=3).resolved()
    problems, counts, _ = runner._drive(cfg, [], queue.Queue(), runner._Progress(None, 3),
                                        client, None, time.monotonic())  # type: ignore[arg-type]
    if ok:
        assert problems == [] and counts == {"completed": 3} and client.calls == 3
    else:
        assert client.calls == 1 and "status from the hub failed" in problems[0]


def test_batched_swarm_releases_with_complete(tmp_path: pathlib.Path) -> None:
    """``--batch``: agents release with complete / fail, so no release request is sent."""
    code, report, err = _swarm(tmp_path, "--agents", "10", "--files", "100", "--tasks", "30",
                               "--batch", "--json")
    assert code == 0, err
    assert report["config"]["batch"] is True
    assert report["tasks"]["completed"] == 30 and report["double_claims"]["total"] == 0
    assert "release" not in report["latency"] and report["latency"]["complete"]["count"] == 30
    assert report["conflicts"]["active_reservations_left"] == 0
    assert report["conflicts"]["missed"] == 0 and report["conflicts"]["unplanted"] == 0
