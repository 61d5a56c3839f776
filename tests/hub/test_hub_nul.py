"""A NUL byte anywhere a name or text reaches the database: the same 4xx on SQLite and
PostgreSQL (PostgreSQL text cannot hold NUL; the hub refuses it at its edge)."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import msgspec
import orjson
import pytest

from muse.core.transport import HTTPTransport, Request
from tests.hub.conftest import Agent, HubProcess, create_repo, make_agent


@pytest.fixture
def tx() -> Iterator[HTTPTransport]:
    t = HTTPTransport()
    yield t
    t.close()


def _send(tx: HTTPTransport, agent: Agent, method: str, url: str,
          body: object = None) -> tuple[int, str]:
    data = b"" if body is None else msgspec.msgpack.encode(body)
    req = agent.identity.sign_request(
        Request(method, url, {"Content-Type": "application/msgpack"}, data, 30.0))
    resp = tx.handle_request(req)
    code = orjson.loads(resp.body).get("error", "") if resp.content_type == "application/json" else ""
    return resp.status, code


CASES = ["repo-path-owner", "repo-path-slug", "create-repo", "member-path", "task-description",
         "push-run-id", "pull-path"]


@pytest.mark.parametrize("case", CASES)
def test_nul_is_a_client_error_on_every_backend(hub: HubProcess, tmp_path: pathlib.Path,
                                                tx: HTTPTransport, case: str) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    base = f"{hub.url}/api/v1/repos/{alice.handle}/{slug}"
    live = base + "/live/"
    if case == "repo-path-owner":
        got = _send(tx, alice, "GET", f"{hub.url}/api/v1/repos/al%00ice/{slug}")
    elif case == "repo-path-slug":
        got = _send(tx, alice, "GET", f"{hub.url}/api/v1/repos/{alice.handle}/re%00po")
    elif case == "pull-path":
        got = _send(tx, alice, "GET", f"{hub.url}/api/v1/repos/{alice.handle}/r%00/coord/records")
    elif case == "create-repo":
        got = _send(tx, alice, "POST", f"{hub.url}/api/v1/repos",
                    {"owner": alice.handle, "slug": "a\x00b"})
    elif case == "member-path":
        got = _send(tx, alice, "PUT", f"{base}/members/bo%00b", {"permission": "push"})
    elif case == "task-description":
        got = _send(tx, alice, "POST", live + "tasks",
                    {"tasks": [{"task_id": "t-nul", "description": "a\x00b"}]})
    else:  # push-run-id
        rec = {"kind": "heartbeat", "record_id": "hb-1", "run_id": "run\x00x",
               "payload": {"run_id": "run\x00x", "heartbeat_at": "2026-01-01T00:00:00+00:00"},
               "expires_at": None}
        got = _send(tx, alice, "POST", base + "/coord/records", {"records": [rec]})
    status, code = got
    assert 400 <= status < 500, got
    assert code in ("bad_request", "not_found", "invalid_record"), got
    # the hub is still fine afterwards
    assert _send(tx, alice, "GET", base)[0] == 200
