"""Unauthenticated bodies cannot make a hub balloon: size and shape are bounded before decoding."""

from __future__ import annotations

import pathlib
import select
import socket
from collections.abc import Iterator

import msgspec
import pytest

from tests.hub.conftest import HubProcess, make_agent, running_hub, unique


def rss_mb(pid: int) -> float:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # peak resident set: a spike that was freed still counts
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def raw_request(hub: HubProcess, method: str, path: str, body: bytes,
                ctype: str = "application/msgpack") -> int:
    """Send one unsigned request over a plain socket; return the status code.

    A hub may answer from the head alone (413) and close: then the body is not sent."""
    host, port = hub.host.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=60) as s:
        head = (f"{method} {path} HTTP/1.1\r\nHost: {hub.host}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        s.sendall(head)
        if not select.select([s], [], [], 1.0)[0]:
            s.sendall(body)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1])


@pytest.fixture
def big_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    # One hub per test, as the peak RSS only grows. The default body cap (32 MiB):
    # the bound must not depend on a small --max-body.
    with running_hub(tmp_path_factory.mktemp("bodies"), "sqlite") as h:
        yield h


def _empty_maps(n_bytes: int) -> bytes:
    # msgpack: array32 header, then one byte (fixmap of 0) per element.
    n = n_bytes - 5
    return b"\xdd" + n.to_bytes(4, "big") + b"\x80" * n


@pytest.mark.parametrize("route", ["register", "grant"])
def test_unauthenticated_array_of_empty_maps_stays_small(big_hub: HubProcess, route: str,
                                                         tmp_path: pathlib.Path) -> None:
    owner = make_agent(big_hub, tmp_path, "owner")
    path = ("/api/v1/identities" if route == "register"
            else f"/api/v1/repos/{owner.handle}/{unique('r')}/members/{unique('m')}")
    method = "POST" if route == "register" else "PUT"
    before = rss_mb(big_hub.proc.pid)
    body = _empty_maps(8 * 1024 * 1024)
    statuses = [raw_request(big_hub, method, path, body) for _ in range(2)]
    grown = rss_mb(big_hub.proc.pid) - before
    assert all(400 <= s < 500 for s in statuses), statuses
    # 8 MiB of one-byte maps decodes to ~600 MB of dicts; refusing before decoding costs
    # at most the body itself, a few times over.
    assert grown < 120, f"hub grew by {grown:.0f} MB on {route}"
    assert big_hub.alive()


def test_registration_body_must_be_the_documented_object(big_hub: HubProcess) -> None:
    body = msgspec.msgpack.encode({"handle": "x" * 10, "public_key": "A" * 43, "extra": [{}] * 1000})
    assert raw_request(big_hub, "POST", "/api/v1/identities", body) in (400, 401, 413)
