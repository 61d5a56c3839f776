"""Requests as plain data, and the headers every dashboard answer carries."""

from __future__ import annotations

from typing import Any

from muse.hub.context import Call, call_of

__all__ = ["SECURITY_HEADERS", "call_of", "is_https", "repo_names", "same_origin"]

# Data reaches the page only through fetch() and textContent: a strict policy
# keeps any injected markup inert all the same.
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
                    "Cache-Control": "no-store"}


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
