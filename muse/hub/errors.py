"""Errors the hub answers with, and their mapping to HTTP responses.

Hub-only refusals extend the core tree (``muse.core.vocab.errors``) so one MRO
walk maps everything::

    MuseError                   500 internal (logged, body says nothing more)
    ├── UsageError / UserError  400 (InvalidRecord 422, ConflictError 409 …)
    ├── NotFound                404
    └── HubRefusal              (this module)
        ├── BadRequest          400
        ├── Unauthorized        401 + WWW-Authenticate: MSign realm="…"
        ├── Forbidden           403
        ├── RequestTimeout      408 (the body was too slow)
        ├── PayloadTooLarge     413
        └── UnsupportedMedia    415

    muse.storage.base.StoreBusy 503 + Retry-After: 1 (pool exhausted, lock timeout)
    muse.storage.base.InvalidText 400 (a NUL character: no backend stores it)

Every error body is JSON: ``{"error": code, "message": one line}``, plus
``"details"`` when the error names them (a conflict's holder and
``retry_after``, a stale token's reason …); a 409 with ``retry_after`` also
sets ``Retry-After``. Every answer carries ``X-Muse-Hub-Time`` and ``X-Muse-Hub-Id`` so
clients learn the hub's clock and id (``muse.core.client.signing``).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from muse.core.vocab.errors import MuseError

__all__ = [
    "BadRequest",
    "Forbidden",
    "HubRefusal",
    "PayloadTooLarge",
    "RequestTimeout",
    "Unauthorized",
    "UnsupportedMedia",
    "error_response",
    "exception_handlers",
]

log = logging.getLogger("muse.hub")


class HubRefusal(MuseError):
    """The hub refuses a request; ``http_status`` says how."""

    exit_code = 1
    http_status: ClassVar[int] = 400
    code = "bad_request"


class BadRequest(HubRefusal):
    pass


class Unauthorized(HubRefusal):
    http_status = 401
    code = "unauthorized"


class Forbidden(HubRefusal):
    http_status = 403
    code = "forbidden"


class RequestTimeout(HubRefusal):
    http_status = 408
    code = "request_timeout"


class PayloadTooLarge(HubRefusal):
    http_status = 413
    code = "payload_too_large"


class UnsupportedMedia(HubRefusal):
    http_status = 415
    code = "unsupported_media_type"


def _hub_headers(request: Any) -> dict[str, str]:
    """The hub's clock and id, which every answer carries (``muse.core.client.signing``)."""
    import time

    from muse.core.client.signing import HUB_ID_HEADER, HUB_TIME_HEADER

    hub = getattr(getattr(getattr(request, "app", None), "state", None), "hub", None)
    if hub is None:
        return {HUB_TIME_HEADER: f"{time.time():.3f}"}
    return {HUB_TIME_HEADER: f"{hub.now():.3f}", HUB_ID_HEADER: hub.id}


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None,
                   details: dict[str, Any] | None = None, request: Any = None) -> Any:
    import orjson
    from starlette.responses import Response

    body: dict[str, Any] = {"error": code, "message": message}
    if details:
        body["details"] = details
    try:
        data = orjson.dumps(body)
    except TypeError:  # details that JSON cannot hold: keep the one line
        data = orjson.dumps({"error": code, "message": message})
    headers = {**(headers or {}), **_hub_headers(request)}
    return Response(data, status_code=status, media_type="application/json", headers=headers)


def _muse_error(request: Any, exc: Exception) -> Any:
    assert isinstance(exc, MuseError)
    status = exc.http_status
    if status >= 500:
        log.error("hub error on %s %s: %s", request.method, request.url.path, exc.message)
        return error_response(status, exc.code, "internal error")
    headers: dict[str, str] = {}
    if status == 401:
        realm = getattr(request.app.state, "realm", "muse-hub")
        headers = {"WWW-Authenticate": f'MSign realm="{realm}"'}
    retry = exc.details.get("retry_after")
    if status == 409 and type(retry) is int:
        headers["Retry-After"] = str(retry)
    return error_response(status, exc.code, exc.message, headers, exc.details, request)


def _store_busy(request: Any, exc: Exception) -> Any:
    log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
    return error_response(503, "unavailable", "the hub's database is busy; retry shortly",
                          {"Retry-After": "1"}, request=request)


def _invalid_text(request: Any, exc: Exception) -> Any:
    return error_response(400, "bad_request", str(exc), request=request)


def _http_exception(request: Any, exc: Exception) -> Any:
    status = int(getattr(exc, "status_code", 500))
    detail = str(getattr(exc, "detail", "") or "error")
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
    return error_response(status, code, detail, getattr(exc, "headers", None), request=request)


def _unexpected(request: Any, exc: Exception) -> Any:
    log.exception("unexpected hub error on %s %s", request.method, request.url.path,
                  exc_info=exc)
    return error_response(500, "internal", "internal error", request=request)


def exception_handlers() -> dict[Any, Any]:
    """Starlette's ``exception_handlers``; it picks a handler by walking the MRO."""
    from starlette.exceptions import HTTPException

    from muse.storage.base import InvalidText, StoreBusy

    return {MuseError: _muse_error, HTTPException: _http_exception, StoreBusy: _store_busy,
            InvalidText: _invalid_text, Exception: _unexpected}
