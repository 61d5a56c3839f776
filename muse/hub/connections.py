"""Connection limits: idle and half-sent connections are closed, and the hub never
holds more sockets than it has file descriptors for.

uvicorn closes a kept-alive connection after its keep-alive timeout, but a
connection that never completes a request head (opened and left idle, or a
head sent a byte at a time) is held for ever: enough of them exhaust the
process's file descriptors and lock every client out. :func:`guarded_protocol`
wraps uvicorn's HTTP protocol so one :class:`ConnectionGuard` per process sees
every connection open and close:

- a connection waiting for a request head is closed once it waited longer
  than ``header_timeout`` (a fresh connection) or ``keep_alive`` (after a
  response);
- at ``max_connections`` a new connection takes the place of the one that has
  waited longest for a head; if every connection is busy with a request, the
  new one is closed at once. So a flood of idle sockets costs the flooder its
  oldest sockets, not real clients their turn;
- ``max_per_client`` (0: off) applies the same rule per peer address (behind
  a proxy every client is the proxy, hence off by default).

The body of a request has its own deadline (``muse.hub.context``).
"""

from __future__ import annotations

import asyncio
import resource
from dataclasses import dataclass
from typing import Any

__all__ = ["ConnectionGuard", "descriptor_budget", "guarded_protocol"]

_SWEEP_EVERY = 0.5  # seconds between timeout checks
_FD_RESERVE = 64  # descriptors kept for the database, log and files


def descriptor_budget(wanted: int) -> int:
    """How many connections this process can hold: *wanted*, or fewer when the
    descriptor limit (raised to its hard maximum first) is lower."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - _FD_RESERVE))


@dataclass
class _Slot:
    peer: str
    opened: float
    waiting_since: float | None  # None while a request is being served
    served: bool = False  # answered at least one request
    cycle: Any = None  # the request/response cycle last seen on it


class ConnectionGuard:
    """Timeouts and caps over every connection of one hub process (event loop thread only).

    Args:
        max_connections: sockets held at once.
        header_timeout: seconds a fresh connection may take to send a request head.
        keep_alive: seconds an answered connection may wait for its next request.
        max_per_client: sockets held at once per peer address (0: no cap).
    """

    def __init__(self, max_connections: int, header_timeout: float, keep_alive: float,
                 max_per_client: int = 0) -> None:
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.keep_alive = keep_alive
        self.max_per_client = max_per_client
        self.slots: dict[Any, _Slot] = {}
        self.evicted = 0  # connections closed to make room (a metric)
        self.timed_out = 0  # connections closed for waiting too long (a metric)
        self.refused = 0  # new connections closed because every held one was busy
        self._sweeper: asyncio.TimerHandle | None = None

    # ── the protocol's hooks ──
    def opened(self, proto: Any) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        peer = proto.client[0] if getattr(proto, "client", None) else ""
        if self.max_per_client:
            mine = [p for p, s in self.slots.items() if s.peer == peer]
            if len(mine) >= self.max_per_client and not self._evict(mine):
                self._refuse(proto)
                return
        if len(self.slots) >= self.max_connections and not self._evict(list(self.slots)):
            self._refuse(proto)
            return
        self.slots[proto] = _Slot(peer, now, now)
        if self._sweeper is None:
            self._sweeper = loop.call_later(_SWEEP_EVERY, self._sweep)

    def closed(self, proto: Any) -> None:
        self.slots.pop(proto, None)

    # ── decisions ──
    @staticmethod
    def _refresh(proto: Any, slot: _Slot, now: float) -> None:
        cycle = getattr(proto, "cycle", None)
        if cycle is not slot.cycle:  # a request came (and may have gone) since the last look
            slot.cycle, slot.served, slot.waiting_since = cycle, True, None
        if cycle is not None and not cycle.response_complete:
            slot.waiting_since = None
        elif slot.waiting_since is None:
            slot.waiting_since = now

    def _evict(self, candidates: list[Any]) -> bool:
        """Close the candidate that has waited longest for a request head; False if
        every one is busy."""
        now = asyncio.get_running_loop().time()
        oldest, since = None, now + 1
        for proto in candidates:
            slot = self.slots.get(proto)
            if slot is None:
                continue
            self._refresh(proto, slot, now)
            if slot.waiting_since is not None and slot.waiting_since < since:
                oldest, since = proto, slot.waiting_since
        if oldest is None:
            return False
        self.evicted += 1
        self._close(oldest)
        return True

    def _refuse(self, proto: Any) -> None:
        self.refused += 1
        proto.transport.close()

    def _close(self, proto: Any) -> None:
        self.slots.pop(proto, None)
        transport = getattr(proto, "transport", None)
        if transport is not None and not transport.is_closing():
            transport.close()

    def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        expired = []
        for proto, slot in self.slots.items():
            self._refresh(proto, slot, now)
            if slot.waiting_since is not None:
                limit = self.keep_alive if slot.served else self.header_timeout
                if now - slot.waiting_since > limit:
                    expired.append(proto)
        for proto in expired:
            self.timed_out += 1
            self._close(proto)
        self._sweeper = loop.call_later(_SWEEP_EVERY, self._sweep) if self.slots else None


def guarded_protocol(guard: ConnectionGuard) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol class (h11 or httptools, as installed) reporting to *guard*."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    base: Any = AutoHTTPProtocol

    class GuardedProtocol(base):  # type: ignore[misc]
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            guard.opened(self)

        def connection_lost(self, exc: Exception | None) -> None:
            guard.closed(self)
            super().connection_lost(exc)

    return GuardedProtocol
