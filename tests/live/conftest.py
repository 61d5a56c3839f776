"""Hubs, teams of agents and client processes for the live coordination tests.

Reuses the hub process helpers of ``tests/hub/conftest.py``. A *team* is a
repository owned by one agent with N more agents granted push, each with its
own key; worker processes (``tests/live/worker.py``) act as those agents.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, subprocess_env
from tests.hub.conftest import (
    Agent,
    HubProcess,
    create_repo,
    grant,
    make_agent,
    running_hub,
    unique,
)
from tests.storage.pg import drop_schema, new_schema, pg_dsn

__all__ = ["Team", "faketime_or_skip", "finish", "hubs_for", "make_team", "run_workers",
           "spawn_worker", "unique"]

# Read at import: the autouse fixture of tests/conftest.py scrubs MUSE_* before each test.
_REQUIRE_FAKETIME = bool(os.environ.get("MUSE_REQUIRE_FAKETIME"))

WORKER = str(REPO_ROOT / "tests" / "live" / "worker.py")


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def hub(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with running_hub(tmp_path_factory.mktemp(f"live-{backend}"), backend) as h:
        yield h


@contextlib.contextmanager
def hubs_for(workdir: pathlib.Path, backend: str, n: int) -> Iterator[list[HubProcess]]:
    """*n* hub processes sharing one database (a SQLite file or a PostgreSQL schema)."""
    schema = None
    hubs: list[HubProcess] = []
    try:
        if backend == "postgres":
            dsn, schema = pg_dsn(), new_schema()
            for i in range(n):
                hubs.append(HubProcess(workdir / f"hub{i}", dsn, "--pg-schema", schema,
                                       "--pg-pool-size", "6"))
        else:
            db = str(workdir / "shared.sqlite3")
            for i in range(n):
                hubs.append(HubProcess(workdir / f"hub{i}", db))
        yield hubs
    finally:
        for h in hubs:
            h.stop()
        if schema is not None:
            drop_schema(pg_dsn(), schema)


@dataclass
class Team:
    hub_urls: list[str]
    owner: Agent
    slug: str
    agents: list[Agent] = field(default_factory=list)

    def client(self, agent: Agent | None = None, url: str | None = None) -> Any:
        from muse.core.client.live import LiveClient

        a = agent or self.owner
        return LiveClient(url or self.hub_urls[0], self.owner.handle, self.slug, a.identity)

    def job(self, i: int, role: str, **extra: Any) -> dict[str, Any]:
        agent = self.agents[i]
        return {"role": role, "urls": self.hub_urls, "owner": self.owner.handle, "slug": self.slug,
                "handle": agent.handle, "key": str(agent.key_path), "run_id": f"run-{i}", **extra}


def make_team(hubs: list[HubProcess], tmp: pathlib.Path, n: int) -> Team:
    owner = make_agent(hubs[0], tmp, "owner")
    slug = create_repo(hubs[0], owner)
    team = Team([h.url for h in hubs], owner, slug)
    for _ in range(n):
        agent = make_agent(hubs[0], tmp, "agent")
        grant(hubs[0], owner, owner.handle, slug, agent.handle, "push")
        team.agents.append(agent)
    return team


def spawn_worker(job: dict[str, Any], prefix: list[str] | None = None,
                 env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    home = pathlib.Path(job.get("home") or os.environ["HOME"])
    return subprocess.Popen(
        [*(prefix or []), sys.executable, WORKER, json.dumps(job)], text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=subprocess_env(HOME=str(home), MUSE_HOME=str(home / ".muse"), **(env or {})))


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> Any:
    out, err = proc.communicate(timeout=timeout)
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert proc.returncode == 0 and lines, f"worker failed ({proc.returncode}): {err[-2000:]}"
    result = json.loads(lines[-1])
    assert result["ok"], result
    return result["result"]


def run_workers(jobs: list[dict[str, Any]], go: pathlib.Path, timeout: float = 300) -> list[Any]:
    """Start every worker, let them connect, then release them together via the *go* file."""
    import time

    procs = [spawn_worker({**job, "go": str(go)}) for job in jobs]
    time.sleep(1.0)  # imports and first request; the race starts at `go` regardless
    go.write_text("go")
    return [finish(p, timeout) for p in procs]


def faketime_or_skip() -> str:
    """Path of the ``faketime`` program; skip without it unless MUSE_REQUIRE_FAKETIME is set."""
    path = shutil.which("faketime")
    if path is None:
        if _REQUIRE_FAKETIME:
            pytest.fail("MUSE_REQUIRE_FAKETIME is set but `faketime` is not installed "
                        "(apt-get install -y faketime)")
        pytest.skip("faketime not installed (apt-get install -y faketime)")
    return path


