"""Lost answers: a retried live ``reserve`` / ``claim`` gets the first answer.

A proxy between the client and a real hub forwards every request but drops
the hub's first answer to each ``reserve`` and ``claim`` (it closes the
connection instead). The client retries on its own; the hub recognises the
request id and answers with the first grant, so the run holds exactly what
it heard of — no orphan lease, no stranded task.
"""

from __future__ import annotations

import contextlib
import http.client
import pathlib
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.hub.conftest import Agent, HubProcess
from tests.live.conftest import Team, make_team


class DroppingProxy:
    """HTTP/1.1 forwarder that swallows the first answer to chosen paths."""

    def __init__(self, upstream: str, drop: tuple[str, ...]) -> None:
        host, _, port = upstream.removeprefix("http://").partition(":")
        self.upstream = (host, int(port))
        self.drop = drop
        self.dropped: list[str] = []
        self.seen: dict[str, int] = {}
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        reader = client.makefile("rb")
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            while True:
                line = reader.readline()
                if not line:
                    return
                method, path, _ = line.decode("latin-1").split(" ", 2)
                headers: list[tuple[str, str]] = []
                while (h := reader.readline()) not in (b"\r\n", b"\n", b""):
                    k, _, v = h.decode("latin-1").partition(":")
                    headers.append((k.strip(), v.strip()))
                length = int(next((v for k, v in headers if k.lower() == "content-length"), "0"))
                body = reader.read(length) if length else b""
                upstream.request(method, path, body, dict(headers))
                resp = upstream.getresponse()
                data = resp.read()
                endpoint = path.split("?")[0].rsplit("/", 1)[-1]
                with self._lock:
                    n = self.seen[endpoint] = self.seen.get(endpoint, 0) + 1
                if endpoint in self.drop and n == 1:
                    self.dropped.append(endpoint)
                    return  # the hub decided; the client never hears of it
                out = [f"HTTP/1.1 {resp.status} {resp.reason}\r\n".encode()]
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                        out.append(f"{k}: {v}\r\n".encode("latin-1"))
                out.append(f"Content-Length: {len(data)}\r\n\r\n".encode())
                client.sendall(b"".join(out) + data)
        except (OSError, ValueError, http.client.HTTPException):
            return
        finally:
            upstream.close()
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def team(hub: HubProcess, tmp_path: pathlib.Path) -> Team:
    return make_team([hub], tmp_path, 1)


@pytest.fixture
def proxy(hub: HubProcess) -> Iterator[DroppingProxy]:
    p = DroppingProxy(hub.url, ("reserve", "claim"))
    try:
        yield p
    finally:
        p.close()


def _knows_hub_behind(proxy: DroppingProxy, team: Team) -> None:
    """The client already knows the id of the hub behind the proxy (as from an earlier
    answer), so the first request through it is signed for that hub, not refused."""
    from muse.core.client import signing

    hub = team.hub_urls[0].split("://", 1)[1]
    signing.note_hub_id(proxy.url.split("://", 1)[1], {signing.HUB_ID_HEADER: signing.hub_id(hub)})


def test_a_lost_reserve_answer_leaves_no_orphan_lease(team: Team, proxy: DroppingProxy) -> None:
    agent = team.agents[0]
    flaky = team.client(agent, url=proxy.url)
    _knows_hub_behind(proxy, team)
    got = flaky.reserve("run-0", ["kernel/sched/core.c::schedule"], ttl=600)
    assert proxy.dropped == ["reserve"] and proxy.seen["reserve"] == 2
    assert got.get("replayed") is True
    run = team.client(agent).status(run_id="run-0")["run"]
    assert [r["reservation_id"] for r in run["reservations"]] == [got["reservation_id"]]
    assert [r["token"] for r in run["reservations"]] == [got["token"]]


def test_a_lost_claim_answer_strands_no_task(team: Team, proxy: DroppingProxy) -> None:
    agent = team.agents[0]
    direct = team.client(agent)
    direct.enqueue([{"task_id": "t1", "priority": 1}, {"task_id": "t2"}])
    flaky = team.client(agent, url=proxy.url)
    _knows_hub_behind(proxy, team)
    got = flaky.claim("run-0", ttl=600)
    assert proxy.dropped == ["claim"] and got["task"]["task_id"] == "t1"
    claims = direct.status(run_id="run-0")["run"]["claims"]
    assert claims == [{"task_id": "t1", "token": got["token"], "expires_at": got["expires_at"]}]
    assert direct.status()["tasks"]["claimed"] == 1  # t2 is still free


def test_request_ids_are_kept_per_identity(team: Team) -> None:
    from muse.core.client.hub_client import LIVE, HubCall, HubClient

    def reserve(agent: Agent, run_id: str) -> dict:  # type: ignore[type-arg]
        body = {"run_id": run_id, "symbols": ["a.c"], "ttl": 60, "request_id": "req-fixed"}
        hub = HubClient(team.hub_urls[0], team.owner.handle, team.slug, agent.identity)
        return hub.send(HubCall("reserve", "POST", LIVE + "reserve", body))

    first = reserve(team.agents[0], "run-0")
    again = reserve(team.agents[0], "run-0")
    assert again["replayed"] and again["reservation_id"] == first["reservation_id"]
    other = reserve(team.owner, "run-owner")  # same id, another identity: its own grant
    assert "replayed" not in other and other["reservation_id"] != first["reservation_id"]
    # And a client call sends a fresh id each time: two calls, two grants.
    a = team.client(team.agents[0]).reserve("run-0", ["b.c"], ttl=60)
    b = team.client(team.agents[0]).reserve("run-0", ["b.c"], ttl=60)
    assert a["reservation_id"] != b["reservation_id"] and "replayed" not in b
