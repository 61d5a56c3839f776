"""Requests as plain data, and the headers every dashboard answer carries."""

from __future__ import annotations

from typing import Any

from muse.hub.context import Call

__all__ = ["SECURITY_HEADERS", "call_of", "is_https", "repo_names", "same_origin"]

# Data reaches the page only through fetch() and textContent: a strict policy
# keeps any injected markup inert all the same.
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
                    "Cache-Control": "no-store"}


def call_of(request: Any, body: bytes = b"") -> Call:
    """A Starlette request as the hub's plain :class:`~muse.hub.context.Call`."""
    raw_path = request.scope.get("raw_path") or request.scope["path"].encode()
    query = request.scope.get("query_string", b"")
    path_qs = raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
    return Call(method=request.method, host=request.headers.get("host", ""), path_qs=path_qs,
                path_params=dict(request.path_params), query=dict(request.query_params),
                headers={k.lower(): v for k, v in request.headers.items()}, body=body)


def repo_names(call: Call) -> tuple[str, str]:
    """``(owner, slug)`` from the path."""
    return call.path_params["owner"], call.path_params["slug"]


def same_origin(call: Call, request: Any) -> bool:
    """False for a browser's cross-site request (those always send Origin on POST)."""
    origin = call.headers.get("origin")
    if origin is None:
        return True
    return bool(origin == f"{request.url.scheme}://{call.host}")


def is_https(request: Any) -> bool:
    """Whether the browser reached the hub over HTTPS (directly or through a proxy)."""
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return bool(proto.split(",")[0].strip().lower() == "https")
