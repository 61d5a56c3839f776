"""Signatures are bound to the hub they were made for: a request signed for hub A
is refused when replayed on hub B, even with no ``--public-host``."""

from __future__ import annotations

import pathlib
import socket
from collections.abc import Iterator

import orjson
import pytest

from muse.core.client import signing
from muse.core.coord_bus import hub_request
from muse.core.transport import HTTPTransport, Request
from tests.hub.conftest import HubProcess, make_agent, running_hub


@pytest.fixture(scope="module")
def two_hubs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProcess, HubProcess]]:
    with running_hub(tmp_path_factory.mktemp("hub-a"), "sqlite") as a, \
            running_hub(tmp_path_factory.mktemp("hub-b"), "sqlite") as b:
        yield a, b


def _raw(hub: HubProcess, req: Request, host: str) -> int:
    """Send *req* to *hub*'s socket with the Host header the signer used."""
    path = req.url.split("://", 1)[1].partition("/")[2]
    head = [f"{req.method} /{path} HTTP/1.1", f"Host: {host}", "Connection: close",
            f"Content-Length: {len(req.body)}"]
    head += [f"{k}: {v}" for k, v in req.headers.items()]
    h, port = hub.host.rsplit(":", 1)
    with socket.create_connection((h, int(port)), timeout=30) as s:
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + req.body)
        data = s.recv(65536)
    return int(data.split(b" ", 2)[1])


def test_request_signed_for_one_hub_is_refused_by_another(
        two_hubs: tuple[HubProcess, HubProcess], tmp_path: pathlib.Path) -> None:
    a, b = two_hubs
    agent = make_agent(a, tmp_path, "agent")
    ident = agent.identity
    # the same key registered on hub B too
    hub_request("POST", b.url + "/api/v1/identities",
                orjson.dumps({"handle": agent.handle, "public_key": ident.public_key}),
                signing=ident, content_type="application/json")
    req = ident.sign_request(Request("GET", a.url + "/api/v1/identities/me", {}, b"", 30))
    assert _raw(b, req, a.host) == 401  # replayed on B under A's name
    assert _raw(a, req, a.host) == 200  # the hub it was made for takes it


def test_each_hub_advertises_a_lasting_id(two_hubs: tuple[HubProcess, HubProcess]) -> None:
    a, b = two_hubs
    tx = HTTPTransport()
    try:
        ids = [tx.handle_request(Request("GET", h.url + "/healthz", {}, b"", 30))
               .headers.get(signing.HUB_ID_HEADER) for h in (a, b, a)]
    finally:
        tx.close()
    assert ids[0] and ids[1] and ids[0] != ids[1] and ids[0] == ids[2]
