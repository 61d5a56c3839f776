"""Real hub processes on loopback ports, agents with keys, and CLI runners."""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from muse.core.vocab.errors import HubUnreachable
from muse.hub.process import HubProcess as BaseHubProcess
from tests.conftest import subprocess_env
from tests.storage.pg import drop_schema, new_schema, pg_dsn

START_TIMEOUT = 90.0  # a loaded 2-core machine can take a while to import the server


class HubProcess(BaseHubProcess):
    """A hub for tests: scrubbed environment with its own HOME, failures raise RuntimeError."""

    def __init__(self, workdir: pathlib.Path, db: str, *extra: str) -> None:
        home = workdir / "home"
        home.mkdir(parents=True, exist_ok=True)
        try:
            super().__init__(workdir, db, *extra, start_timeout=START_TIMEOUT,
                             env=subprocess_env(HOME=str(home), MUSE_HOME=str(home / ".muse")))
        except HubUnreachable as exc:
            raise RuntimeError(f"hub did not start: {exc.message}") from None


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextlib.contextmanager
def running_hub(workdir: pathlib.Path, backend: str, *extra: str) -> Iterator[HubProcess]:
    """A hub on *backend*; PostgreSQL gets a schema of its own, dropped afterwards."""
    schema = None
    if backend == "postgres":
        dsn = pg_dsn()
        schema = new_schema()
        hub = HubProcess(workdir, dsn, "--pg-schema", schema, "--pg-pool-size", "4", *extra)
    else:
        hub = HubProcess(workdir, str(workdir / "hub.sqlite3"), *extra)
    try:
        yield hub
    finally:
        hub.stop()
        if schema is not None:
            drop_schema(pg_dsn(), schema)


@pytest.fixture(scope="module")
def hub(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """One hub per module and backend; tests keep apart by unique handles and repos."""
    with running_hub(tmp_path_factory.mktemp(f"hub-{backend}"), backend,
                     "--max-body", "2000000") as h:
        yield h


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Agent:
    """A handle with a key on disk, registered with a hub."""

    handle: str
    key_path: pathlib.Path

    @property
    def identity(self) -> Any:
        from muse.core.transport import SigningIdentity

        return SigningIdentity.load(self.handle, self.key_path)


def make_agent(hub: HubProcess, tmp: pathlib.Path, prefix: str = "agent",
               register: bool = True) -> Agent:
    import orjson

    from muse.core.client import signing
    from muse.core.coord_bus import hub_request

    handle = unique(prefix)
    key_path = tmp / "keys" / f"{handle}.key"
    signing.write_key_pair(signing.generate_private_key(), key_path)
    agent = Agent(handle, key_path)
    if register:
        ident = agent.identity
        hub_request("POST", hub.url + "/api/v1/identities",
                    orjson.dumps({"handle": handle, "public_key": ident.public_key}),
                    signing=ident, content_type="application/json")
    return agent


def create_repo(hub: HubProcess, owner: Agent, public: bool = False) -> str:
    import orjson

    from muse.core.coord_bus import hub_request

    slug = unique("repo")
    hub_request("POST", hub.url + "/api/v1/repos",
                orjson.dumps({"owner": owner.handle, "slug": slug, "public": public}),
                signing=owner.identity, content_type="application/json")
    return slug


def grant(hub: HubProcess, admin: Agent, owner: str, slug: str, handle: str,
          permission: str | None) -> None:
    import orjson

    from muse.core.coord_bus import hub_request

    url = f"{hub.url}/api/v1/repos/{owner}/{slug}/members/{handle}"
    if permission is None:
        hub_request("DELETE", url, signing=admin.identity)
    else:
        hub_request("PUT", url, orjson.dumps({"permission": permission}),
                    signing=admin.identity, content_type="application/json")


def make_repo_dir(path: pathlib.Path, hub_url: str | None, owner: str, slug: str,
                  agent: Agent | None) -> pathlib.Path:
    """``muse init`` plus a ``[hub]`` section naming *agent*'s key."""
    from muse.cli.commands.init import init_repo

    path.mkdir(parents=True, exist_ok=True)
    init_repo(path)
    lines = ["[hub]", f'owner = "{owner}"', f'slug = "{slug}"']
    if hub_url:
        lines.append(f'url = "{hub_url}"')
    if agent is not None:
        lines += [f'handle = "{agent.handle}"', f'key = "{agent.key_path}"']
    (path / ".muse" / "config.toml").write_text("\n".join(lines) + "\n")
    return path


def write_records(root: pathlib.Path, kind: str, n: int, start: int = 0,
                  prefix: str = "rec") -> list[str]:
    """n minimal record files of *kind*; returns their ids."""
    import orjson

    from muse.core.types import ID_FIELDS, KIND_DIRS

    folder = root / ".muse" / "coordination" / KIND_DIRS[kind]
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for i in range(start, start + n):
        rid = f"{kind}-{prefix}-{i:06d}"
        body = {ID_FIELDS[kind]: rid, "run_id": "run-1", "expires_at": "2099-12-31T23:59:59+00:00"}
        if kind == "task":
            body["description"] = f"task {i}"
        (folder / f"{rid}.json").write_bytes(orjson.dumps(body))
        ids.append(rid)
    return ids


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        import json

        return json.loads(self.out)


def run_cli(cwd: pathlib.Path, *argv: str) -> CliResult:
    """``muse …`` in this process (the hub is the real one), from *cwd*."""
    from muse.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["-C", str(cwd), *argv])
    finally:
        os.chdir(old)
    return CliResult(code, out.getvalue(), err.getvalue())


def run_muse(cwd: pathlib.Path, *argv: str, home: pathlib.Path,
             env: dict[str, str] | None = None, timeout: float = 120) -> CliResult:
    """``python -m muse …`` as a child process with a scrubbed environment."""
    proc = subprocess.run(
        [sys.executable, "-m", "muse", *argv], cwd=cwd, capture_output=True, text=True,
        env=subprocess_env(HOME=str(home), MUSE_HOME=str(home / ".muse"), **(env or {})),
        timeout=timeout, stdin=subprocess.DEVNULL)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
