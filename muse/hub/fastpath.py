"""The hub's application: Starlette, with a short way in for live requests.

A live request (``/api/v1/repos/{owner}/{slug}/live/{verb}``) is the hub's hot
path: agents send thousands a second. Starlette would pass each through its
middleware stack (error and exception middleware), its router (a regular
expression per route until one matches) and a ``Request`` object.
:class:`HubApp` looks the verb up in a table built once from the same routes
and serves the endpoint (``muse.hub.context.Endpoint``) straight on the ASGI
messages. Everything else, and a live path with a method the table lacks
(405), goes through Starlette as before.

The answer is the one Starlette would send: the same ``Call``, the same
endpoint function, the same headers in the same order; errors are rendered by
the same handlers (``muse.hub.errors``), and the request metrics are counted
the same way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.routing import Route

from muse.hub.context import (
    Call,
    Endpoint,
    Hub,
    _rendered,
    _status_of,
    body_limit,
    raw_headers,
    read_limited,
    signed_path,
)

__all__ = ["LIVE_PREFIX", "HubApp"]

LIVE_PREFIX = "/api/v1/repos/{owner}/{slug}/live/"
_REPOS = "/api/v1/repos/"


class HubApp(Starlette):
    """Starlette, serving the live routes of :attr:`fast` without it."""

    fast: dict[tuple[str, str], Endpoint]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fast = {}
        for route in self.routes:
            spec = getattr(getattr(route, "endpoint", None), "muse_endpoint", None)
            if (isinstance(route, Route) and isinstance(spec, Endpoint)
                    and route.path.startswith(LIVE_PREFIX)
                    and "{" not in route.path[len(LIVE_PREFIX):]):
                for method in route.methods or ():
                    if method != "HEAD":  # Starlette answers HEAD for a GET route
                        self.fast[(method, route.path[len(LIVE_PREFIX):])] = spec

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            path: str = scope["path"]
            if path.startswith(_REPOS):
                parts = path[len(_REPOS):].split("/")
                if len(parts) == 4 and parts[2] == "live" and parts[0] and parts[1]:
                    spec = self.fast.get((scope["method"], parts[3]))
                    if spec is not None:
                        scope["app"] = self
                        await self._serve(spec, scope, receive, send,
                                          {"owner": parts[0], "slug": parts[1]})
                        return
        await super().__call__(scope, receive, send)

    async def _serve(self, spec: Endpoint, scope: Any, receive: Any, send: Any,
                     path_params: dict[str, str]) -> None:
        started = time.perf_counter()
        status = 500
        state = self.state
        try:
            hub: Hub = state.hub
            headers: dict[str, str] = {}
            host = length = None
            for k, v in scope["headers"]:
                name = k.decode("latin-1").lower()
                value = v.decode("latin-1")
                headers[name] = value
                if name == "host" and host is None:  # the first one, as Starlette reads it
                    host = value
                elif name == "content-length" and length is None:
                    length = value
            limit = spec.limit(hub)
            body = b"" if body_limit(length, limit) else await _read_body(
                receive, limit, hub.settings.body_timeout)
            call = Call(method=scope["method"], host=host or "", path_qs=signed_path(scope),
                        path_params=path_params, query=_query(scope.get("query_string", b"")),
                        headers=headers, body=body)
            reply = await spec.execute(hub, call)
            status, out_headers, out, media_type = _rendered(call, reply, hub)
            start = {"type": "http.response.start", "status": status,
                     "headers": raw_headers(status, out_headers, out, media_type)}
            await _send_once(send, start, {"type": "http.response.body", "body": out})
        except Exception as exc:
            status = _status_of(exc)
            await self._error(exc, scope, receive, send)
        finally:
            # On the event loop thread: no lock needed (muse.hub.metrics).
            state.requests.observe(spec.route, scope["method"], status,
                                   time.perf_counter() - started)

    async def _error(self, exc: Exception, scope: Any, receive: Any, send: Any) -> None:
        """Answer as Starlette would: the handler for the nearest class of *exc*
        (``muse.hub.errors``); an unexpected error is raised on after its 500,
        as Starlette's outermost middleware does."""
        handler = None
        for cls in type(exc).__mro__:
            handler = self.exception_handlers.get(cls)
            if handler is not None:
                break
        if handler is None:
            raise exc
        response = handler(Request(scope, receive), exc)
        if asyncio.iscoroutine(response):
            response = await response
        await response(scope, receive, send)
        if handler is self.exception_handlers.get(Exception):
            raise exc


class _Gather:
    """A transport that keeps what is written until :meth:`flush` (closing flushes first)."""

    __slots__ = ("parts", "real")

    def __init__(self, real: Any) -> None:
        self.real = real
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def flush(self) -> None:
        if self.parts:
            data = b"".join(self.parts)
            self.parts.clear()
            self.real.write(data)

    def close(self) -> None:
        self.flush()
        self.real.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


async def _send_once(send: Any, start: dict[str, Any], body: dict[str, Any]) -> None:
    """Send the response head and body, as one write to the socket when the server
    is uvicorn (it writes the head and the body separately: two system calls and
    two TCP segments per answer). Any other server gets the two messages as they are."""
    cycle = getattr(send, "__self__", None)
    real = getattr(cycle, "transport", None)
    if real is None or not hasattr(real, "write"):
        await send(start)
        await send(body)
        return
    gather = _Gather(real)
    cycle.transport = gather  # type: ignore[union-attr]
    try:
        await send(start)
        await send(body)
    finally:
        cycle.transport = real  # type: ignore[union-attr]
        gather.flush()


def _query(raw: bytes) -> dict[str, str]:
    if not raw:
        return {}
    from urllib.parse import parse_qsl

    # Starlette's query_params, as a dict: the last of repeated names wins.
    return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))


async def _read_body(receive: Any, limit: int, timeout: float) -> bytes:
    """The body from the ASGI messages, at most *limit* bytes, within *timeout*
    (as ``muse.hub.context._read_body`` on a Starlette request)."""

    async def chunks() -> AsyncIterator[bytes]:
        while True:
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                if chunk:
                    yield chunk
                if not message.get("more_body", False):
                    return
            elif message["type"] == "http.disconnect":
                raise ClientDisconnect()

    return await read_limited(chunks(), limit, timeout)
