"""Server-Sent Events: ``GET /api/v1/repos/{owner}/{slug}/dashboard/events``.

Each stream polls its board (cheap: the board answers from its cache until
the records or the clock move) and sends the summary when it changed. Streams
are admitted by :mod:`~muse.hub.dashboard.streams` (anonymous and signed-in
pools, each capped).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from muse.core.types import JsonDict
from muse.core.vocab.errors import NotFound
from muse.hub.context import Hub
from muse.hub.dashboard.access import authorize, reauthorize
from muse.hub.dashboard.api import decorate
from muse.hub.dashboard.board import boards_of
from muse.hub.dashboard.filters import parse_filters
from muse.hub.dashboard.streams import gate_of, released_after
from muse.hub.dashboard.web import call_of, repo_names
from muse.hub.errors import HubRefusal

__all__ = ["KEEPALIVE", "REAUTH", "STREAM_POLL", "STREAM_SECONDS", "events"]

STREAM_POLL = 1.0  # seconds between checks for a change, per stream
KEEPALIVE = 15.0  # seconds between comments on an idle stream (proxies drop silent ones)
REAUTH = 30.0  # seconds between permission re-checks on a stream
# A server shutting down waits for open responses to finish, and an SSE stream
# never does: each one ends after this long and the browser reconnects at once
# (EventSource does so by itself), which also re-runs the full access check.
STREAM_SECONDS = 25.0


def _sse(event: str, data: bytes) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


async def events(request: Any) -> Any:
    """``GET …/dashboard/events``: Server-Sent Events.

    ``summary`` events carry the same JSON as the summary endpoint, sent first
    at once and then whenever it changes (new records, or time moving expiries
    and ages along); ``denied`` / ``expired`` end the stream when access ends;
    ``reconnect`` ends it after :data:`STREAM_SECONDS` (the browser reconnects).
    """
    import orjson
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import StreamingResponse

    from muse.storage.base import StoreBusy

    hub: Hub = request.app.state.hub
    boards = boards_of(request.app)
    call = call_of(request)
    owner, slug = repo_names(call)
    viewer = await run_in_threadpool(authorize, hub, call, owner, slug)
    filters = parse_filters(call.query)
    board = boards.board(viewer.repo)
    gate = gate_of(request.app)
    slot = gate.admit(viewer, request.client.host if request.client else "")
    if slot is None:
        from muse.hub.errors import error_response

        message = ("too many anonymous dashboard streams; retry shortly, or sign in "
                   "(signed-in users have streams of their own)" if viewer.handle is None
                   else f"too many dashboard streams for {viewer.handle}; close some tabs")
        return error_response(503, "unavailable", message, {"Retry-After": "5"})

    async def stream() -> Any:
        yield b"retry: 1000\n\n"
        sent: str | None = None
        started = last_write = time.monotonic()
        next_auth = started + REAUTH
        current = viewer
        while True:
            if time.monotonic() - started >= STREAM_SECONDS:
                yield _sse("reconnect", b"{}")
                return
            got: tuple[JsonDict, str] | None
            try:
                got = await run_in_threadpool(board.summary, hub, filters)
            except StoreBusy:
                got = None  # the database is busy: keep the stream, try again
            if got is not None and got[1] != sent:
                sent = got[1]
                last_write = time.monotonic()
                yield _sse("summary", orjson.dumps(decorate(got[0], current)))
            elif time.monotonic() - last_write >= KEEPALIVE:
                last_write = time.monotonic()
                yield b": keep-alive\n\n"
            await asyncio.sleep(STREAM_POLL)
            if current.expires is not None and hub.now() >= current.expires:
                yield _sse("expired", b'{"message": "dashboard sign-in expired"}')
                return
            if time.monotonic() >= next_auth:
                next_auth = time.monotonic() + REAUTH
                try:
                    current = await run_in_threadpool(reauthorize, hub, call, owner, slug)
                except (HubRefusal, NotFound) as exc:
                    yield _sse("denied", orjson.dumps({"message": exc.message}))
                    return
                except StoreBusy:
                    pass

    response = StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    return released_after(response, lambda: gate.release(slot))
