"""What every endpoint shares: the hub context, the request as plain data, replies.

Endpoints are plain synchronous functions ``fn(hub, call) -> Reply``. The
:func:`endpoint` wrapper reads the body on the event loop (with the size cap)
and runs the function off it, because storage calls block: in the thread
pool, or (``on_store=True``, the live endpoints) through
:meth:`HubStore.submit <muse.storage.base.HubStore.submit>` (SQLite: its
writer thread, batched). This keeps endpoint code free of ASGI details and
testable without a server. The live routes are served by
``muse.hub.fastpath`` from the same :class:`Endpoint`, without Starlette.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from muse.core.vocab.errors import NotFound
from muse.hub.auth import Authenticator, Principal
from muse.hub.config import HubSettings
from muse.hub.errors import (
    BadRequest,
    Forbidden,
    PayloadTooLarge,
    RequestTimeout,
    UnsupportedMedia,
)
from muse.storage.base import PERMISSIONS, HubStore, Repo

__all__ = [
    "JSON",
    "MSGPACK",
    "Call",
    "Endpoint",
    "Hub",
    "Reply",
    "body_limit",
    "call_of",
    "decode_body",
    "decode_typed",
    "endpoint",
    "raw_headers",
    "read_limited",
    "require_object",
    "require_repo_access",
    "signed_path",
]

MSGPACK = "application/msgpack"
JSON = "application/json"
_MSGPACK_TYPES = frozenset((MSGPACK, "application/x-msgpack", "application/vnd.msgpack"))


@dataclass
class Hub:
    """The running hub: settings, store, authenticator, clock, and its id
    (signatures name it; see ``muse.core.client.signing``)."""

    settings: HubSettings
    store: HubStore
    auth: Authenticator
    now: Callable[[], float]
    id: str = ""


@dataclass(frozen=True)
class Call:
    """One request as plain data."""

    method: str
    host: str
    path_qs: str  # raw path with raw query: exactly what the client signed
    path_params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def wants_msgpack(self) -> bool:
        accept = self.headers.get("accept", "")
        return any(t in accept for t in _MSGPACK_TYPES)

    def authenticate(self, hub: Hub, public_key: str | None = None,
                     defer_replay: bool = False) -> Principal:
        return hub.auth.authenticate(self, public_key=public_key, defer_replay=defer_replay)


@dataclass
class Reply:
    """An answer: ``obj`` rendered as msgpack or JSON by the request's Accept, or
    ``raw`` bytes already encoded as ``raw_type``."""

    obj: Any = None
    status: int = 200
    raw: bytes | None = None
    raw_type: str = MSGPACK
    headers: dict[str, str] = field(default_factory=dict)


def decode_body(call: Call) -> Any:
    """The body as Python data (msgpack or JSON).

    Raises:
        UnsupportedMedia: another content type.
        BadRequest: the body does not decode (including invalid UTF-8).
    """
    ctype = call.content_type
    try:
        if ctype in _MSGPACK_TYPES:
            import msgspec

            return msgspec.msgpack.decode(call.body)
        if ctype == JSON or ctype == "":
            import orjson

            return orjson.loads(call.body)
    except Exception as exc:  # msgspec/orjson raise their own DecodeError types
        name = "msgpack" if ctype in _MSGPACK_TYPES else "JSON"
        raise BadRequest(f"body is not valid {name}: {str(exc)[:200]}") from None
    raise UnsupportedMedia(f"unsupported content type {ctype!r}: send {MSGPACK} or {JSON}")


def decode_typed(call: Call, schema: type[Any]) -> Any:
    """The body decoded straight into *schema* (a ``msgspec.Struct``).

    For bodies read before the caller is known: the decoder refuses a wrong
    shape at its first byte and skips unknown fields without building them,
    so a hostile body costs no more memory than its own bytes.

    Raises:
        UnsupportedMedia: another content type.
        BadRequest: the body is not an object of that shape (the message names the field).
    """
    import msgspec

    ctype = call.content_type
    if ctype in _MSGPACK_TYPES:
        decode: Any = msgspec.msgpack.decode
    elif ctype in (JSON, ""):
        decode = msgspec.json.decode
    else:
        raise UnsupportedMedia(f"unsupported content type {ctype!r}: send {MSGPACK} or {JSON}")
    try:
        return decode(call.body, type=schema)
    except msgspec.ValidationError as exc:
        raise BadRequest(f"invalid body: {str(exc)[:200]}") from None
    except msgspec.DecodeError as exc:
        raise BadRequest(f"body does not decode: {str(exc)[:200]}") from None


def require_object(data: Any, *fields: str) -> dict[str, Any]:
    if type(data) is not dict:
        raise BadRequest("body must be an object")
    missing = [f for f in fields if f not in data]
    if missing:
        raise BadRequest(f"missing field {missing[0]!r}")
    return data


def _rank(permission: str | None) -> int:
    return PERMISSIONS.index(permission) + 1 if permission in PERMISSIONS else 0


def require_repo_access(hub: Hub, principal: Principal, owner: str, slug: str, need: str) -> Repo:
    """The repository, if *principal* holds at least *need* on it.

    Raises:
        NotFound: no such repository.
        Forbidden: the handle lacks *need*.
    """
    repo = hub.store.get_repo(owner, slug)
    if repo is None:
        raise NotFound(f"no repository {owner}/{slug} on this hub")
    if principal.superuser:
        return repo
    held = hub.store.get_permission(repo.id, principal.handle)
    if need == "pull" and repo.public:
        return repo
    if _rank(held) < _rank(need):
        raise Forbidden(f"{principal.handle} has no {need} access to {owner}/{slug}")
    return repo


async def _read_body(request: Any, limit: int, timeout: float | None = None) -> bytes:
    """The body, at most *limit* bytes, arriving within *timeout* seconds (default:
    the hub's ``--body-timeout``).

    Raises:
        BadRequest: an invalid Content-Length.
        PayloadTooLarge: over *limit* (refused unread when Content-Length says so).
        RequestTimeout: the body was too slow.
    """
    if timeout is None:
        timeout = request.app.state.hub.settings.body_timeout
    if body_limit(request.headers.get("content-length"), limit):
        return b""
    return await read_limited(request.stream(), limit, timeout)


async def read_limited(chunks: AsyncIterator[bytes], limit: int, timeout: float) -> bytes:
    """Join *chunks*, refusing past *limit* bytes or past *timeout* seconds (a body
    sent a byte a minute holds no one up).

    Raises:
        PayloadTooLarge: over *limit*.
        RequestTimeout: the body was too slow.
    """
    import asyncio

    parts: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"body exceeds the {limit}-byte limit")
                parts.append(chunk)
    except TimeoutError:
        raise RequestTimeout(f"the request body did not arrive within {timeout:g}s") from None
    return b"".join(parts)


def signed_path(scope: Any) -> str:
    """The raw path with the raw query of an ASGI *scope*: exactly what the client signed."""
    path: str = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    query = scope.get("query_string", b"")
    return path + "?" + query.decode("latin-1") if query else path


def call_of(request: Any, body: bytes = b"") -> Call:
    """A Starlette request as the hub's plain :class:`Call`."""
    return Call(method=request.method, host=request.headers.get("host", ""),
                path_qs=signed_path(request.scope), path_params=dict(request.path_params),
                query=dict(request.query_params),
                headers={k.lower(): v for k, v in request.headers.items()}, body=body)


def _rendered(call: Call, reply: Reply, hub: Hub) -> tuple[int, dict[str, str], bytes, str]:
    """``(status, headers, body, media type)`` of *reply*."""
    from muse.core.client.signing import HUB_ID_HEADER, HUB_TIME_HEADER

    # Every answer tells the client the hub's clock and id (it signs with both;
    # see muse.core.client.signing), the time stamped as late as possible.
    headers = {**reply.headers, HUB_TIME_HEADER: f"{hub.now():.3f}", HUB_ID_HEADER: hub.id}
    if reply.raw is not None:
        return reply.status, headers, reply.raw, reply.raw_type
    if call.wants_msgpack:
        import msgspec

        return reply.status, headers, msgspec.msgpack.encode(reply.obj), MSGPACK
    import orjson

    return reply.status, headers, orjson.dumps(reply.obj), JSON


def _render(call: Call, reply: Reply, hub: Hub) -> Any:
    from starlette.responses import Response

    status, headers, body, media_type = _rendered(call, reply, hub)
    return Response(body, status_code=status, media_type=media_type, headers=headers)


def raw_headers(status: int, headers: dict[str, str], body: bytes,
                media_type: str) -> list[tuple[bytes, bytes]]:
    """The ASGI header list Starlette's ``Response`` would send for these parts
    (same names, values and order)."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    keys = [k for k, _ in raw]
    if b"content-length" not in keys and not (status < 200 or status in (204, 304)):
        raw.append((b"content-length", str(len(body)).encode("latin-1")))
    if b"content-type" not in keys:
        if media_type.startswith("text/") and "charset=" not in media_type.lower():
            media_type += "; charset=utf-8"
        raw.append((b"content-type", media_type.encode("latin-1")))
    return raw


def _status_of(exc: Exception) -> int:
    """The status the exception handlers (``muse.hub.errors``) will answer with."""
    from muse.core.vocab.errors import MuseError
    from muse.storage.base import InvalidText, StoreBusy

    if isinstance(exc, MuseError):
        return exc.http_status
    if isinstance(exc, StoreBusy):
        return 503
    if isinstance(exc, InvalidText):
        return 400
    return int(getattr(exc, "status_code", 500))


def body_limit(length: str | None, limit: int) -> bool:
    """Check a request's ``Content-Length`` against *limit*; True when it says the
    body is empty.

    Raises:
        BadRequest: not a number.
        PayloadTooLarge: over *limit*.
    """
    if length is None:
        return False
    if not length.isdigit():
        raise BadRequest("invalid Content-Length")
    if int(length) > limit:
        raise PayloadTooLarge(f"body of {length} bytes exceeds the {limit}-byte limit")
    return length == "0"


@dataclass(frozen=True)
class Endpoint:
    """What :func:`endpoint` wraps, for servers that call it without Starlette
    (``muse.hub.fastpath``)."""

    fn: Callable[[Hub, Call], Reply]
    route: str  # the metrics label, "live.reserve"
    max_body: int | None
    on_store: bool  # run through ``HubStore.submit`` (else the thread pool)

    def limit(self, hub: Hub) -> int:
        cap = hub.settings.max_body
        return cap if self.max_body is None else min(self.max_body, cap)

    async def execute(self, hub: Hub, call: Call) -> Reply:
        if self.on_store:
            return await hub.store.submit(self.fn, hub, call)
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(self.fn, hub, call)


def endpoint(fn: Callable[[Hub, Call], Reply],
             max_body: int | None = None, on_store: bool = False) -> Callable[[Any], Any]:
    """Wrap ``fn(hub, call) -> Reply`` as an async Starlette endpoint.

    Args:
        fn: the endpoint.
        max_body: this route's body cap in bytes (never above ``--max-body``);
            routes that read a body before the caller is known take a small one.
        on_store: run *fn* through the store's :meth:`~muse.storage.base.HubStore.submit`
            (SQLite: its writer thread, batched) instead of the thread pool.
    """
    spec = Endpoint(fn, f"{fn.__module__.rpartition('.')[2]}.{fn.__name__}",  # "live.reserve"
                    max_body, on_store)

    async def run(request: Any) -> Any:
        started = time.perf_counter()
        status = 500
        try:
            response = await answer(request)
            status = response.status_code
            return response
        except Exception as exc:
            status = _status_of(exc)
            raise
        finally:
            # On the event loop thread: no lock needed (muse.hub.metrics).
            request.app.state.requests.observe(spec.route, request.method, status,
                                               time.perf_counter() - started)

    async def answer(request: Any) -> Any:
        hub: Hub = request.app.state.hub
        body = await _read_body(request, spec.limit(hub), hub.settings.body_timeout)
        call = call_of(request, body)
        reply = await spec.execute(hub, call)
        return _render(call, reply, hub)

    run.muse_endpoint = spec  # type: ignore[attr-defined]
    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run
