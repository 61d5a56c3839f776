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


# ── the guard's decisions, on stand-in connections (the socket tests above prove the wiring) ──

class _Transport:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


class _Cycle:
    def __init__(self, complete: bool) -> None:
        self.response_complete = complete


class _Conn:
    def __init__(self, peer: str = "10.0.0.1") -> None:
        self.client = (peer, 5000)
        self.transport = _Transport()
        self.cycle: _Cycle | None = None


def _run(coro_fn: object) -> None:
    import asyncio

    asyncio.run(coro_fn())  # type: ignore[operator]


def test_guard_evicts_the_longest_idle_and_refuses_when_all_are_busy() -> None:
    from muse.hub.connections import ConnectionGuard

    async def scenario() -> None:
        import asyncio

        guard = ConnectionGuard(max_connections=2, header_timeout=60, keep_alive=60)
        old, busy = _Conn(), _Conn()
        guard.opened(old)
        await asyncio.sleep(0.01)
        guard.opened(busy)
        busy.cycle = _Cycle(complete=False)
        new = _Conn()
        guard.opened(new)  # at the cap: the idle one goes, not the busy one
        assert old.transport.closed and not busy.transport.closed and not new.transport.closed
        new.cycle = _Cycle(complete=False)
        late = _Conn()
        guard.opened(late)  # everyone busy: the newcomer is closed
        assert late.transport.closed and guard.refused == 1 and guard.evicted == 1

    _run(scenario)


def test_guard_times_out_idle_but_not_active_connections() -> None:
    from muse.hub.connections import ConnectionGuard

    async def scenario() -> None:
        import asyncio

        guard = ConnectionGuard(max_connections=10, header_timeout=0.3, keep_alive=5)
        idle, active = _Conn(), _Conn()
        guard.opened(idle)
        guard.opened(active)
        for _ in range(4):  # a client answered again and again stays open
            active.cycle = _Cycle(complete=True)
            await asyncio.sleep(0.3)
        assert idle.transport.closed and not active.transport.closed
        assert guard.timed_out == 1

    _run(scenario)


def test_guard_caps_each_client_address() -> None:
    from muse.hub.connections import ConnectionGuard

    async def scenario() -> None:
        guard = ConnectionGuard(max_connections=100, header_timeout=60, keep_alive=60,
                                max_per_client=2)
        a1, a2, b1 = _Conn("10.0.0.1"), _Conn("10.0.0.1"), _Conn("10.0.0.2")
        for c in (a1, a2, b1):
            guard.opened(c)
        a3 = _Conn("10.0.0.1")
        guard.opened(a3)  # a's oldest idle one makes room; b is untouched
        assert a1.transport.closed and not a2.transport.closed and not b1.transport.closed
        assert not a3.transport.closed

    _run(scenario)
