"""The live endpoints at the hub's edge, and the CLI's --live modes, against a real hub.

Bad input is a 4xx JSON error naming the field (never a 500, never a write);
access follows repository permissions; grants show up in pulls and in local
views after ``muse coord pull``.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from typing import Any

import msgspec
import orjson
import pytest

from muse.core.coord_bus import pull_from_hub
from muse.core.transport import HTTPTransport, Request
from muse.core.vocab.errors import ConflictError, HubAuthError, NotFound, UserError
from tests.hub.conftest import Agent, HubProcess, grant, make_agent, make_repo_dir, run_cli
from tests.live.conftest import Team, make_team


@pytest.fixture
def team(hub: HubProcess, tmp_path: pathlib.Path) -> Team:
    return make_team([hub], tmp_path, 2)


@pytest.fixture
def tx() -> Iterator[HTTPTransport]:
    t = HTTPTransport()
    yield t
    t.close()


def _send(tx: HTTPTransport, agent: Agent | None, method: str, url: str, body: Any = None,
          raw: bytes | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    data = raw if raw is not None else (b"" if body is None else msgspec.msgpack.encode(body))
    req = Request(method, url, {"Content-Type": "application/msgpack"}, data, 30.0)
    if agent is not None:
        req = agent.identity.sign_request(req)
    resp = tx.handle_request(req)
    assert resp.status < 500, resp.body
    parsed = orjson.loads(resp.body) if resp.content_type == "application/json" else (
        msgspec.msgpack.decode(resp.body) if resp.body else {})
    return resp.status, parsed, resp.headers


def _url(team: Team, endpoint: str) -> str:
    return f"{team.hub_urls[0]}/api/v1/repos/{team.owner.handle}/{team.slug}/live/{endpoint}"


_OK_RES = {"run_id": "run-a", "symbols": ["a.c::f"], "ttl": 60}


@pytest.mark.parametrize(("endpoint", "body", "status", "words"), [
    ("reserve", {**_OK_RES, "run_id": "../etc"}, 400, "run_id"),
    ("reserve", {**_OK_RES, "run_id": None}, 400, "run_id"),
    ("reserve", {**_OK_RES, "symbols": "a.c"}, 400, "symbols"),
    ("reserve", {**_OK_RES, "symbols": []}, 400, "symbols"),
    ("reserve", {**_OK_RES, "symbols": ["a.c\n::x"]}, 400, "symbol"),
    ("reserve", {**_OK_RES, "symbols": ["a.c::"]}, 400, "symbol"),
    ("reserve", {**_OK_RES, "symbols": ["x" * 2000]}, 400, "symbol"),
    ("reserve", {**_OK_RES, "symbols": [f"s{i}.c" for i in range(300)]}, 413, "symbols"),
    ("reserve", {**_OK_RES, "ttl": 0}, 400, "ttl"),
    ("reserve", {**_OK_RES, "ttl": 10**9}, 400, "ttl"),
    ("reserve", {**_OK_RES, "ttl": float("nan")}, 400, "ttl"),
    ("reserve", {**_OK_RES, "ttl": "15m"}, 400, "ttl"),
    ("reserve", {**_OK_RES, "mode": "exclusive"}, 400, "mode"),
    ("reserve", [1, 2], 400, "object"),
    ("heartbeat", {"run_id": "run-a", "ttl": True}, 400, "ttl"),
    ("release", {"reservation_id": "r", "run_id": "run-a"}, 400, "token"),
    ("release", {"reservation_id": "r", "run_id": "run-a", "token": -1}, 400, "token"),
    ("release", {"reservation_id": "r", "run_id": "run-a", "token": True}, 400, "token"),
    ("intent", {"run_id": "run-a", "operation": "explode", "target": "a.c"}, 400, "operation"),
    ("intent", {"run_id": "run-a", "operation": "rename", "target": "a.c::f"}, 400, "new_name"),
    ("intent", {"run_id": "run-a", "operation": "modify", "target": "a.c",
                "reservation_id": "r"}, 400, "token"),
    ("tasks", {"tasks": {"t": 1}}, 400, "tasks"),
    ("tasks", {"tasks": [{"task_id": "a+1"}]}, 400, "+"),
    ("tasks", {"tasks": [{"task_id": "a", "depends_on": ["a"]}]}, 400, "itself"),
    ("tasks", {"tasks": [{"task_id": "a", "priority": 2**40}]}, 400, "priority"),
    ("tasks", {"tasks": [{"task_id": "a", "description": "x" * 5000}]}, 400, "description"),
    ("tasks", {"tasks": [{"task_id": f"t{i}"} for i in range(501)]}, 413, "500"),
    ("depend", {"task_id": "t", "depends_on": []}, 400, "depends_on"),
    ("depend", {"task_id": "t", "depends_on": "u"}, 400, "depends_on"),
    ("depend", {"task_id": "t", "depends_on": ["../u"]}, 400, "depends_on"),
    ("depend", {"task_id": "t", "depends_on": [f"u{i}" for i in range(300)]}, 400, "depends_on"),
    ("depend", {"depends_on": ["u"]}, 400, "task_id"),
    ("claim", {"run_id": "run-a", "task_id": ".hidden"}, 400, "task_id"),
    ("complete", {"task_id": "t", "run_id": "run-a", "token": "1"}, 400, "token"),
    ("fail", {"task_id": "t", "run_id": "run-a", "token": 1, "requeue": "yes"}, 400, "requeue"),
])
def test_bad_input_is_refused_naming_the_field(team: Team, tx: HTTPTransport, endpoint: str,
                                               body: Any, status: int, words: str) -> None:
    before = team.client().status()["fence"]
    got, err, _ = _send(tx, team.owner, "POST", _url(team, endpoint), body)
    assert got == status, err
    assert words in err["message"] and err["error"]
    after = pull_from_hub(team.hub_urls[0], team.owner.handle, team.slug,
                          signing=team.owner.identity)
    assert after["records"] == [] and team.client().status()["fence"] == before


@pytest.mark.parametrize("query", ["token=x&task_id=t", "token=1", "token=1&task_id=t&reservation_id=r",
                                   "token=0&task_id=t", "token=1&task_id=..", "limit=-1",
                                   "limit=5&cursor=..%2Fx"])
def test_bad_queries(team: Team, tx: HTTPTransport, query: str) -> None:
    endpoint = "status" if query.startswith("limit") else "fence"
    got, err, _ = _send(tx, team.owner, "GET", _url(team, endpoint) + "?" + query)
    assert got == 400 and err["error"] == "bad_request"


def test_garbage_bodies(team: Team, tx: HTTPTransport) -> None:
    got, err, _ = _send(tx, team.owner, "POST", _url(team, "reserve"), raw=b"\xc1\xc1")
    assert got == 400 and err["error"] == "bad_request"
    got, _, _ = _send(tx, team.owner, "POST", _url(team, "claim"), raw=b"[" * 5000)
    assert got == 400


def test_access_follows_permissions(hub: HubProcess, team: Team, tmp_path: pathlib.Path,
                                    tx: HTTPTransport) -> None:
    reader = make_agent(hub, tmp_path, "reader")
    grant(hub, team.owner, team.owner.handle, team.slug, reader.handle, "pull")
    stranger = make_agent(hub, tmp_path, "stranger")
    assert _send(tx, None, "POST", _url(team, "reserve"), _OK_RES)[0] == 401
    assert _send(tx, reader, "POST", _url(team, "reserve"), _OK_RES)[0] == 403
    assert _send(tx, reader, "GET", _url(team, "status"))[0] == 200
    assert _send(tx, stranger, "GET", _url(team, "status"))[0] == 403
    assert _send(tx, team.agents[0], "PUT", _url(team, "mode"), {"mode": "strict"})[0] == 403
    assert _send(tx, team.owner, "PUT", _url(team, "mode"), {"mode": "strict"})[0] == 200
    nowhere = _url(team, "status").replace(team.slug, "no-such-repo")
    assert _send(tx, team.owner, "GET", nowhere)[0] == 404
    # A run id belongs to the handle that used it first.
    team.client(team.agents[0]).heartbeat("run-shared", ttl=60)
    with pytest.raises(HubAuthError):
        team.client(team.agents[1]).heartbeat("run-shared", ttl=60)


def test_strict_conflict_answer(team: Team, tx: HTTPTransport) -> None:
    a = team.client(team.agents[0]).reserve("run-a", ["k/s.c::schedule"], ttl=120)
    got, err, headers = _send(tx, team.agents[1], "POST", _url(team, "reserve"),
                              {"run_id": "run-b", "symbols": ["k/s.c"], "mode": "strict"})
    assert got == 409 and err["error"] == "conflict"
    d = err["details"]
    assert d["holder"] == "run-a" and d["reservation_id"] == a["reservation_id"]
    assert 0 < d["retry_after"] <= 120 and headers["retry-after"] == str(d["retry_after"])
    assert float(headers["x-muse-hub-time"]) > 0
    with pytest.raises(ConflictError) as exc:
        team.client(team.agents[1]).reserve("run-b", ["k/s.c"], strict=True)
    assert exc.value.details["holder"] == "run-a" and exc.value.exit_code == 1


def test_client_errors_are_core_errors(team: Team) -> None:
    c = team.client()
    with pytest.raises(NotFound):
        c.claim("run-a", task_id="nope")
    with pytest.raises(NotFound):
        c.release("sha256:none", "run-a", 1)
    with pytest.raises(UserError) as exc:
        c.reserve("run-a", ["a.c::"])
    assert exc.value.details["status"] == 400


def test_live_grants_reach_local_views_through_pull(team: Team, tmp_path: pathlib.Path) -> None:
    c = team.client(team.agents[0])
    res = c.reserve("run-a", ["drivers/gpu/drm.c::drm_open"], ttl=600)
    c.enqueue([{"task_id": "port-drm", "description": "port drm"}])
    claimed = c.claim("run-a", ttl=600)
    root = make_repo_dir(tmp_path / "mirror", team.hub_urls[0], team.owner.handle, team.slug,
                         team.owner)
    assert run_cli(root, "coord", "pull", "--json").code == 0
    status = run_cli(root, "coord", "status", "--json")
    assert status.code == 0 and status.json["active_reservations"] == 1
    tasks = run_cli(root, "coord", "tasks", "--json").json
    rows = tasks["tasks"] if isinstance(tasks, dict) else tasks
    row = next(t for t in rows if t["task_id"] == "port-drm")
    assert row["status"] == "claimed" and row["holder"] == "run-a"
    from muse.core.coordination import active_reservations

    (got,) = active_reservations(root)
    assert got.reservation_id == res["reservation_id"] and got.token == res["token"]
    assert claimed["token"] > res["token"]


def test_cli_live_verbs(team: Team, tmp_path: pathlib.Path) -> None:
    root = make_repo_dir(tmp_path / "agent", team.hub_urls[0], team.owner.handle, team.slug,
                         team.owner)

    def cli(*argv: str) -> Any:
        return run_cli(root, "coord", *argv, "--live", "--run", "run-cli", "--json")

    r = cli("reserve", "mm/slab.c::kmalloc", "--strict", "--ttl", "5m")
    assert r.code == 0, r.err
    token, rid = r.json["token"], r.json["reservation_id"]
    assert r.json["mode"] == "strict" and r.json["expires_in"] == 300.0
    other = run_cli(root, "coord", "reserve", "mm/slab.c", "--strict", "--live", "--run",
                    "run-other", "--json")
    assert other.code == 1 and json.loads(other.err)["details"]["holder"] == "run-cli"
    assert cli("intent", "rename", "mm/slab.c::kmalloc", "--to", "mm/slab.c::kmalloc2", "-r", rid,
               "--token", str(token)).code == 0
    assert cli("heartbeat", "--ttl", "10m").json["reservations"] == 1
    assert cli("claim").code == 4
    assert cli("enqueue", "port slab", "--id", "port-slab", "--priority", "3").code == 0
    c = cli("claim")
    assert c.code == 0 and c.json["task_id"] == "port-slab"
    st = cli("status", "--symbol", "mm/slab.c::kmalloc")
    assert st.json["holders"][0]["run_id"] == "run-cli" and st.json["tasks"]["claimed"] == 1
    assert cli("complete", "port-slab").code == 2  # --token is required live
    assert cli("complete", "port-slab", "--token", str(c.json["token"])).json["status"] == "completed"
    stale = cli("release", rid, "--token", str(token + 100))
    assert stale.code == 1 and json.loads(stale.err)["error"] == "stale_token"
    assert cli("release", rid, "--token", str(token)).code == 0
    # Local mode is untouched: nothing was written under .muse/coordination.
    assert not any((root / ".muse" / "coordination").glob("reservations/*.json"))
    # --hub/--owner/--slug work without a [hub] url.
    bare = make_repo_dir(tmp_path / "bare", None, "x", "y", team.owner)
    got = run_cli(bare, "coord", "status", "--hub", team.hub_urls[0], "--owner",
                  team.owner.handle, "--slug", team.slug, "--json")
    assert got.code == 0 and got.json["fence"] >= token


def test_live_requests_cannot_be_replayed_granted_or_refused(team: Team, tx: HTTPTransport) -> None:
    """The replay record is written in the decision's own transaction: a replay
    of a granted request is refused, and so is one of a refused request, even
    once what refused it is gone (it must not turn into a grant later)."""
    def signed(agent: Agent, body: Any) -> Request:
        req = Request("POST", _url(team, "reserve"), {"Content-Type": "application/msgpack"},
                      msgspec.msgpack.encode(body), 30.0)
        return agent.identity.sign_request(req)

    a, b = team.agents
    grant_req = signed(a, {"run_id": "run-a", "symbols": ["r.c::f"], "ttl": 60, "mode": "strict"})
    first = tx.handle_request(grant_req)
    assert first.status == 200
    assert tx.handle_request(grant_req).status == 401
    refused_req = signed(b, {"run_id": "run-b", "symbols": ["r.c"], "ttl": 60, "mode": "strict"})
    assert tx.handle_request(refused_req).status == 409
    got = orjson.loads(first.body)
    team.client(a).release(got["reservation_id"], "run-a", got["token"])
    again = tx.handle_request(refused_req)
    assert again.status == 401 and b"replayed" in again.body
    assert team.client().status(symbol="r.c")["holders"] == []
