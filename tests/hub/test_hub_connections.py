"""Slow and idle clients: a flood of idle sockets neither exhausts the hub's file
descriptors nor locks out a real signed client, and the hub's memory stays bounded."""

from __future__ import annotations

import pathlib
import socket
import time
from collections.abc import Iterator

import pytest

from muse.core.coord_bus import hub_request
from muse.core.transport import HTTPTransport
from muse.hub.process import HubProcess
from tests.conftest import subprocess_env
from tests.hub.conftest import START_TIMEOUT, make_agent
from tests.hub.test_hub_bodies import rss_mb

FD_LIMIT = 300  # the hub runs under this RLIMIT_NOFILE, so a few hundred sockets exhaust it
FLOOD = 450


@pytest.fixture(scope="module")
def small_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    work = tmp_path_factory.mktemp("conns")
    home = work / "home"
    home.mkdir()
    hub = HubProcess(work, str(work / "hub.sqlite3"), "--header-timeout", "3", "--body-timeout", "3",
                     prefix=("prlimit", f"--nofile={FD_LIMIT}:{FD_LIMIT}", "--"),
                     env=subprocess_env(HOME=str(home), MUSE_HOME=str(home / ".muse")),
                     start_timeout=START_TIMEOUT)
    yield hub
    hub.stop()


def _connect(hub: HubProcess) -> socket.socket:
    host, port = hub.host.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=10)


def _flood(hub: HubProcess, n: int) -> list[socket.socket]:
    """n sockets: most send nothing, every tenth a request head it never finishes."""
    socks = []
    for i in range(n):
        try:
            s = _connect(hub)
        except OSError:
            continue  # the backlog filled: the hub is not accepting
        if i % 10 == 0:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    return socks


def _whoami(hub: HubProcess, tmp_path: pathlib.Path) -> tuple[float, object]:
    agent = make_agent(hub, tmp_path, "real")  # type: ignore[arg-type]
    tx = HTTPTransport()
    try:
        started = time.monotonic()
        me = hub_request("GET", hub.url + "/api/v1/identities/me", signing=agent.identity,
                         transport=tx, timeout=8)
        return time.monotonic() - started, me
    finally:
        tx.close()


def test_idle_flood_does_not_lock_out_a_signed_client(small_hub: HubProcess,
                                                      tmp_path: pathlib.Path) -> None:
    before = rss_mb(small_hub.proc.pid)
    socks = _flood(small_hub, FLOOD)
    try:
        took, me = _whoami(small_hub, tmp_path)
        assert isinstance(me, dict) and me["registered"] is True
        assert took < 5, f"a signed request took {took:.1f}s during the flood"
        # the hub holds at most its connection cap, well below its descriptor limit
        open_fds = len(list(pathlib.Path(f"/proc/{small_hub.proc.pid}/fd").iterdir()))
        assert open_fds < FD_LIMIT - 20, open_fds
        assert rss_mb(small_hub.proc.pid) - before < 60
    finally:
        for s in socks:
            s.close()
    assert small_hub.alive()


def test_idle_and_half_sent_heads_are_timed_out(small_hub: HubProcess) -> None:
    idle, partial = _connect(small_hub), _connect(small_hub)
    partial.sendall(b"POST /api/v1/identities HTTP/1.1\r\nHost: x\r\n")
    try:
        for s in (idle, partial):
            s.settimeout(20)  # the hub runs with --header-timeout 3
            started = time.monotonic()
            data = s.recv(4096)
            assert time.monotonic() - started < 15
            assert data == b"" or data.startswith(b"HTTP/1.1 408")
    finally:
        idle.close()
        partial.close()


def test_slow_body_is_timed_out(small_hub: HubProcess) -> None:
    s = _connect(small_hub)
    try:
        s.sendall(b"POST /api/v1/identities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                  b"\r\nContent-Length: 1000\r\n\r\n{")
        s.settimeout(30)
        data = s.recv(4096)
        assert data == b"" or data.startswith(b"HTTP/1.1 408"), data[:80]
    finally:
        s.close()
