"""Admission of event streams: anonymous viewers and signed-in users in separate pools.

An open stream holds a socket and a poller. Anyone may open one on a public
repository, so anonymous streams are capped on their own (per hub process,
per repository and per client address) and never count against signed-in
users, who have a pool of their own capped per handle. A crowd of strangers
can therefore fill only the anonymous pool, and one identity only its share.

The client address is the socket's peer, or the ``X-Forwarded-For`` client
when the peer is a proxy uvicorn trusts (``FORWARDED_ALLOW_IPS``, default
127.0.0.1): behind a proxy on another machine, set it to the proxy's address
or every anonymous viewer shares one address's allowance.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from muse.hub.dashboard.access import Viewer

__all__ = [
    "ANON_STREAMS",
    "ANON_STREAMS_PER_ADDRESS",
    "ANON_STREAMS_PER_REPO",
    "SIGNED_STREAMS",
    "SIGNED_STREAMS_PER_HANDLE",
    "Slot",
    "StreamGate",
    "gate_of",
    "released_after",
]

ANON_STREAMS = 128  # anonymous streams per hub process
ANON_STREAMS_PER_REPO = 64  # … on one repository
ANON_STREAMS_PER_ADDRESS = 8  # … from one client address (all repositories)
SIGNED_STREAMS = 256  # signed-in streams per hub process
SIGNED_STREAMS_PER_HANDLE = 16  # … of one identity (all repositories)


@dataclass(frozen=True, slots=True)
class Slot:
    """An admitted stream's places in the counters it was checked against."""

    keys: tuple[tuple[str, str], ...]


class StreamGate:
    """Counts open streams and admits a new one only under every cap that applies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: Counter[tuple[str, str]] = Counter()

    def admit(self, viewer: Viewer, address: str) -> Slot | None:
        """A slot for *viewer*'s stream from *address*, or None when a cap is reached."""
        caps: tuple[tuple[tuple[str, str], int], ...]
        if viewer.handle is None:
            caps = ((("anonymous", ""), ANON_STREAMS),
                    (("anonymous-repo", str(viewer.repo.id)), ANON_STREAMS_PER_REPO),
                    (("anonymous-address", address), ANON_STREAMS_PER_ADDRESS))
        else:
            caps = ((("signed-in", ""), SIGNED_STREAMS),
                    (("handle", viewer.handle), SIGNED_STREAMS_PER_HANDLE))
        with self._lock:
            if any(self._open[key] >= cap for key, cap in caps):
                return None
            for key, _ in caps:
                self._open[key] += 1
        return Slot(tuple(key for key, _ in caps))

    def release(self, slot: Slot) -> None:
        """Give *slot*'s places back (once per admitted stream)."""
        with self._lock:
            for key in slot.keys:
                self._open[key] -= 1
                if self._open[key] <= 0:
                    del self._open[key]

    def open_streams(self) -> int:
        """Streams open now, both pools."""
        with self._lock:
            return self._open[("anonymous", "")] + self._open[("signed-in", "")]


_gate_lock = threading.Lock()


def gate_of(app: Any) -> StreamGate:
    """The hub process's gate: it lives on the app, created on first use."""
    with _gate_lock:
        gate: StreamGate | None = getattr(app.state, "dashboard_streams", None)
        if gate is None:
            gate = StreamGate()
            app.state.dashboard_streams = gate
        return gate


def released_after(response: Any, release: Callable[[], None]) -> Any:
    """An ASGI app serving *response*, then calling *release* however it ends.

    A streaming body's own ``finally`` does not run when the client leaves
    before the first chunk (the generator never started); this does.
    """

    async def app(scope: Any, receive: Any, send: Any) -> None:
        try:
            await response(scope, receive, send)
        finally:
            release()

    return app
