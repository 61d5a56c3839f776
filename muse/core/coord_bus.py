"""Hub client for record sync: push one batch, pull one page.

Both calls speak msgpack (``application/msgpack``) and sign the request when
given a :class:`~muse.core.transport.SigningIdentity`. They reuse the
process-wide keep-alive transport, so the batches of a push and the pages of
a pull share one connection.

Outcomes, in one place::

    2xx                   decoded answer (shape checked)
    401 / 403             HubAuthError       (the hub's reason, one line)
    other 4xx             HubResponseError   (the hub refused the request)
    5xx, 502–504 retried  HubResponseError
    unreachable, timeout  HubUnreachable
    body not msgpack/JSON, wrong shape → HubResponseError

With ``user_errors=True`` (the live calls, ``muse.core.client.live``) a 4xx other
than 401/403 (and 408/415: a slow body, a client bug) is the hub judging the request, not
failing: it is raised as the core error its ``error`` code names
(``conflict`` → ConflictError, ``stale_token`` → StaleToken,
``dependency_cycle`` → DependencyCycle, ``payload_too_large`` (413) →
TooLarge, 404 → NotFound, other 400/409/422 → UserError), carrying the hub's
``details`` — the same errors, so the same exit codes (1, or 4 for not
found), as the local engine's refusals.

Clock skew: every answer's ``X-Muse-Hub-Time`` (or ``Date``) header updates
the per-hub clock offset in :mod:`muse.core.client.signing`, and requests are signed
with hub-adjusted time. A signed request refused with 401 is re-signed once
when the answer shows the client's clock was off (a client whose clock is
minutes wrong gets in on its second try).

Retries are safe: a push is idempotent on the hub (same records → skipped)
and a pull only reads; each attempt is signed afresh (new nonce).

Module level imports stay with the standard library because
``muse.cli.commands.coord_sync`` imports this module eagerly; msgspec, orjson
and the HTTP stack load on the first request.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from muse.core.types import JsonDict, MsgpackDict

if TYPE_CHECKING:
    from muse.core.transport import BaseTransport, Request, Response, SigningIdentity

__all__ = [
    "MAX_PUSH_BATCH",
    "MSGPACK",
    "JsonDict",
    "_build_url",
    "check_repo_name",
    "hub_request",
    "pull_from_hub",
    "push_to_hub",
]

MAX_PUSH_BATCH = 500
MSGPACK = "application/msgpack"
_RETRY_STATUSES = frozenset((502, 503, 504))
# 4xx that are not the hub judging the request: a body too slow to arrive (408), a
# media type this client never sends (415). They stay hub errors (exit 5).
_NOT_VERDICTS = frozenset((408, 415))
_RETRY_DELAYS = (0.25, 1.0)  # two retries for a restarting hub or proxy hiccup
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")


def _build_url(hub_url: str, owner: str, slug: str, endpoint: str) -> str:
    """``<hub>/api/v1/repos/<owner>/<slug>/<endpoint>`` (names are checked by the callers)."""
    return f"{hub_url.rstrip('/')}/api/v1/repos/{owner}/{slug}/{endpoint.lstrip('/')}"


def check_repo_name(value: str, what: str) -> str:
    """*value* if it is a valid owner/slug/handle, else :class:`UsageError`."""
    if not isinstance(value, str) or not _NAME.fullmatch(value) or ".." in value:
        from muse.core.vocab.errors import UsageError

        raise UsageError(f"invalid {what} {value!r}: use 1-100 of A-Z a-z 0-9 _ . -, "
                         "not starting with '.' or '-'")
    return value


def _error_body(resp: Response) -> Any:
    """The decoded error body (JSON or msgpack), or None when it is neither."""
    data: Any = None
    try:
        if resp.content_type == MSGPACK:
            import msgspec

            data = msgspec.msgpack.decode(resp.body)
        else:
            import orjson

            data = orjson.loads(resp.body)
    except Exception:  # an HTML error page from a proxy, for instance
        data = None
    return data


def _error_message(resp: Response) -> str:
    """The hub's one-line reason from a JSON or msgpack error body, else the status."""
    data = _error_body(resp)
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return " ".join(data["message"].split())[:300]
    return f"HTTP {resp.status}"


def hub_request(method: str, url: str, body: bytes = b"", *, signing: SigningIdentity | None = None,
                content_type: str = MSGPACK, what: str = "request",
                transport: BaseTransport | None = None, timeout: float | None = None,
                user_errors: bool = False) -> Any:
    """Send one request to a hub and return the decoded 200 answer.

    Args:
        method: HTTP method.
        url: absolute URL.
        body: request body (already encoded as *content_type*).
        signing: identity that signs the request, or None for an unsigned one.
        content_type: media type of *body*.
        what: words for error messages ("push to torvalds/linux").
        transport: defaults to the process-wide keep-alive transport.
        timeout: seconds per attempt (default ``$MUSE_HUB_TIMEOUT`` or 60).
        user_errors: raise the hub's 4xx verdicts as core errors (see the module
            docstring) instead of :class:`HubResponseError`.

    Returns:
        The decoded 2xx body (msgpack or JSON, by the response's content type).

    Raises:
        HubUnreachable, HubAuthError, HubResponseError: see the module docstring.
        ConflictError, StaleToken, NotFound, UserError: with *user_errors*.
    """
    import os

    from muse.core.client import signing as clock_sync
    from muse.core.transport import DEFAULT_TIMEOUT, Request, get_transport
    from muse.core.vocab.errors import HubAuthError, HubResponseError, HubUnreachable

    tx = transport or get_transport()
    if timeout is None:
        try:
            timeout = float(os.environ.get("MUSE_HUB_TIMEOUT") or DEFAULT_TIMEOUT)
        except ValueError:
            timeout = DEFAULT_TIMEOUT
    headers = {"Accept": MSGPACK, "User-Agent": "muse-coord"}
    if body or method in ("POST", "PUT", "PATCH"):
        headers["Content-Type"] = content_type
    base = Request(method, url, headers, body, timeout)
    netloc = url.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[2]
    attempt = 0
    skew_retried = stale_retried = False
    while True:
        offset_used, id_used = clock_sync.hub_offset(netloc), clock_sync.hub_id(netloc)
        req: Request = signing.sign_request(base) if signing is not None else base
        sent = time.time()
        try:
            resp = tx.handle_request(req)
        except HubUnreachable as exc:
            if exc.details.get("stale_connection") and not stale_retried:
                # A kept-alive socket the hub had closed: re-sign (a fresh nonce, so
                # never a replay) and send again on a new connection, at once.
                stale_retried = True
                continue
            # Refused or reset: a restarting hub. A timeout is not retried (it
            # already took the whole budget).
            if attempt < len(_RETRY_DELAYS) and "timeout" not in exc.details:
                time.sleep(_RETRY_DELAYS[attempt])
                attempt += 1
                continue
            raise
        clock_sync.note_hub_time(netloc, resp.headers, sent, time.time())
        clock_sync.note_hub_id(netloc, resp.headers)
        if resp.status == 401 and signing is not None and not skew_retried and (
                clock_sync.hub_id(netloc) != id_used
                or abs(clock_sync.hub_offset(netloc) - offset_used) > clock_sync.RESIGN_AFTER):
            # Signed with a clock or a hub id the hub disagrees with: the answer taught
            # us both, so re-sign once with them (a fresh nonce, so not a replay).
            skew_retried = True
            continue
        if resp.status in _RETRY_STATUSES and attempt < len(_RETRY_DELAYS):
            time.sleep(_RETRY_DELAYS[attempt])
            attempt += 1
            continue
        break
    if resp.status in (401, 403):
        hint = ""
        if resp.status == 401 and signing is None:
            hint = " (requests are unsigned: run `muse auth keygen` and set [hub] handle/key)"
        raise HubAuthError(f"hub refused {what}: {_error_message(resp)}{hint}",
                           status=resp.status)
    if resp.status >= 500:
        raise HubResponseError(f"hub failed on {what}: {_error_message(resp)} (HTTP {resp.status})",
                               status=resp.status)
    if user_errors and 400 <= resp.status < 500 and resp.status not in _NOT_VERDICTS:
        raise _user_error(resp, what)
    if not 200 <= resp.status < 300:
        raise HubResponseError(f"hub rejected {what}: {_error_message(resp)} (HTTP {resp.status})",
                               status=resp.status)
    try:
        if resp.content_type == MSGPACK:
            import msgspec

            return msgspec.msgpack.decode(resp.body)
        import orjson

        return orjson.loads(resp.body)
    except Exception as exc:
        raise HubResponseError(f"hub sent a malformed answer to {what} ({type(exc).__name__})") from None


def _user_error(resp: Response, what: str) -> Exception:
    """The core error a hub's 4xx verdict names, with the hub's details."""
    from muse.core.vocab import errors

    data = _error_body(resp)
    code = data.get("error") if isinstance(data, dict) else None
    details = data.get("details") if isinstance(data, dict) else None
    if not isinstance(details, dict):
        details = {}
    by_code: dict[Any, type[errors.MuseError]] = {
        "conflict": errors.ConflictError,
        "stale_token": errors.StaleToken,
        "not_found": errors.NotFound,
        "invalid_id": errors.InvalidId,
        "invalid_record": errors.InvalidRecord,
        "dependency_cycle": errors.DependencyCycle,
        "payload_too_large": errors.TooLarge,  # over a limit: the caller's to fix, as locally
    }
    cls = by_code.get(code) or (errors.NotFound if resp.status == 404 else
                                errors.ConflictError if resp.status == 409 else errors.UserError)
    message = _error_message(resp)
    exc = cls(message, **{str(k): v for k, v in details.items() if k != "message"})
    exc.details.setdefault("status", resp.status)
    return exc


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def push_to_hub(hub_url: str, owner: str, slug: str, records: list[JsonDict],
                signing: SigningIdentity | None = None, *,
                transport: BaseTransport | None = None) -> MsgpackDict:
    """Send one batch of bus records; the hub stores each (kind, record_id) once.

    Args:
        hub_url: ``http(s)://host[:port]``.
        owner, slug: the hub repository.
        records: at most :data:`MAX_PUSH_BATCH` bus records.
        signing: identity that signs the request.
        transport: override the process-wide transport (tests).

    Returns:
        ``{"inserted": int, "skipped": int}`` (skipped: already on the hub).

    Raises:
        UsageError: too many records, or an invalid owner/slug.
        HubUnreachable, HubAuthError, HubResponseError: see the module docstring.
    """
    from muse.core.vocab.errors import HubResponseError, UsageError

    if len(records) > MAX_PUSH_BATCH:
        raise UsageError(f"a push batch holds at most {MAX_PUSH_BATCH} records, got {len(records)}")
    check_repo_name(owner, "owner")
    check_repo_name(slug, "slug")
    import msgspec

    try:
        body = msgspec.msgpack.encode({"records": records})
    except (TypeError, OverflowError, msgspec.EncodeError) as exc:
        raise UsageError(f"cannot encode records for the hub: {exc}") from None
    what = f"push to {owner}/{slug}"
    answer = hub_request("POST", _build_url(hub_url, owner, slug, "coord/records"), body,
                         signing=signing, what=what, transport=transport)
    if (not isinstance(answer, dict) or not _is_count(answer.get("inserted"))
            or not _is_count(answer.get("skipped"))):
        raise HubResponseError(f"hub sent a malformed answer to {what} (no inserted/skipped counts)")
    return {"inserted": answer["inserted"], "skipped": answer["skipped"]}


def pull_from_hub(hub_url: str, owner: str, slug: str, since_id: int = 0,
                  kinds: list[str] | None = None, limit: int = 500,
                  signing: SigningIdentity | None = None, *,
                  transport: BaseTransport | None = None) -> MsgpackDict:
    """Fetch one page of records stored after sequence number *since_id*.

    Args:
        hub_url: ``http(s)://host[:port]``.
        owner, slug: the hub repository.
        since_id: cursor from the previous page (0: from the start).
        kinds: only these kinds (None: all).
        limit: page size (the hub caps it).
        signing: identity that signs the request.
        transport: override the process-wide transport (tests).

    Returns:
        ``{"records": [...], "cursor": int, "has_more": bool}``; pass ``cursor``
        as the next *since_id*. Records are returned as the hub sent them;
        ``muse.core.client.sync.write_remote_records`` validates each before writing.

    Raises:
        UsageError: negative cursor or limit, or an invalid owner/slug.
        HubUnreachable, HubAuthError, HubResponseError: see the module docstring.
    """
    from muse.core.vocab.errors import HubResponseError, UsageError

    check_repo_name(owner, "owner")
    check_repo_name(slug, "slug")
    if type(since_id) is not int or since_id < 0 or type(limit) is not int or limit < 1:
        raise UsageError(f"invalid pull window since_id={since_id!r} limit={limit!r}")
    query = f"since={since_id}&limit={limit}"
    if kinds:
        from urllib.parse import quote

        query += "&kinds=" + quote(",".join(kinds), safe=",")
    what = f"pull from {owner}/{slug}"
    answer = hub_request("GET", _build_url(hub_url, owner, slug, "coord/records") + "?" + query,
                         signing=signing, what=what, transport=transport)
    if not isinstance(answer, dict):
        raise HubResponseError(f"hub sent a malformed answer to {what} (not an object)")
    records, cursor, more = answer.get("records"), answer.get("cursor"), answer.get("has_more")
    if type(records) is not list or not _is_count(cursor) or (more is not None and type(more) is not bool):
        raise HubResponseError(f"hub sent a malformed answer to {what} (records/cursor/has_more)")
    if more is None:
        more = len(records) >= limit
    return {"records": records, "cursor": cursor, "has_more": more}
