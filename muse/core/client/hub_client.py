"""One hub client: the record log, the live verbs and the admin calls.

A :class:`HubClient` is bound to one hub URL, one repository and one signing
identity. Every request it makes is described once, as a :class:`HubCall`
(method, path, msgpack body), by the ``*_call`` builders below; the blocking
methods send it over the process-wide keep-alive transport, and the swarm's
asyncio client (:class:`muse.swarm.client.AsyncHub`) sends the very same
calls from an event loop. Refusals become the project's errors (see
``muse.core.coord_bus.hub_request``)::

    409 conflict      → ConflictError  (symbol, holder, reservation_id, expires_at, retry_after)
    409 stale_token   → StaleToken     (reason, token, holder, …)
    409 dependency_cycle → DependencyCycle (cycle)
    413               → TooLarge       (a UserError: exit 1, as the local limit)
    404               → NotFound
    400 / 422         → UserError      (InvalidId / InvalidRecord when the hub says so)
    401 / 403         → HubAuthError
    unreachable, 5xx  → HubUnreachable / HubResponseError

Importing this module loads only the standard library; msgspec and the HTTP
stack load on the first request.
"""

from __future__ import annotations

from collections.abc import Sequence

from muse.core.vocab.rules import DEFAULT_TTL

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from muse.core.transport import BaseTransport, SigningIdentity
    from muse.core.types import JsonDict

__all__ = [
    "DEFAULT_TTL",
    "HubCall",
    "HubClient",
    "claim_call",
    "depend_call",
    "enqueue_call",
    "fence_call",
    "finish_call",
    "heartbeat_call",
    "intent_call",
    "release_call",
    "request_id",
    "reserve_call",
    "set_mode_call",
    "status_call",
]

LIVE = "live/"


class HubCall:
    """One request: ``method`` on ``endpoint`` (under the repository), with ``body``."""

    __slots__ = ("body", "endpoint", "method", "query", "verb")

    def __init__(self, verb: str, method: str, endpoint: str, body: JsonDict | None = None,
                 query: str = "") -> None:
        self.verb, self.method, self.endpoint, self.body, self.query = (
            verb, method, endpoint, body, query)

    @property
    def path(self) -> str:
        """The endpoint with its query string (relative to the repository)."""
        return self.endpoint + (f"?{self.query}" if self.query else "")


def _q(value: object) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


# ── the live calls (one builder each; the sync and async clients share them) ──
def request_id() -> str:
    """A fresh id for one grant request, sent again by every automatic retry of it:
    the hub answers a retry whose first answer was lost with that first answer."""
    import os

    return "req-" + os.urandom(12).hex()


def reserve_call(run_id: str, symbols: Sequence[str], ttl: float = DEFAULT_TTL,
                 strict: bool | None = None) -> HubCall:
    """``{reservation_id, run_id, symbols, token, mode, granted_at, expires_at,
    expires_in, conflicts, now}``; strict None follows the repository's mode."""
    body: JsonDict = {"run_id": run_id, "symbols": list(symbols), "ttl": ttl,
                      "request_id": request_id()}
    if strict is not None:
        body["mode"] = "strict" if strict else "advisory"
    return HubCall("reserve", "POST", LIVE + "reserve", body)


def heartbeat_call(run_id: str, ttl: float = DEFAULT_TTL) -> HubCall:
    """``{run_id, expires_at, expires_in, reservations, claims, expired, now}``."""
    return HubCall("heartbeat", "POST", LIVE + "heartbeat", {"run_id": run_id, "ttl": ttl})


def release_call(reservation_id: str, run_id: str, token: int) -> HubCall:
    """``{reservation_id, released_at, already_released, now}``."""
    return HubCall("release", "POST", LIVE + "release",
                   {"reservation_id": reservation_id, "run_id": run_id, "token": token})


def intent_call(run_id: str, operation: str, target: str, reservation_id: str | None = None,
                token: int | None = None, new_name: str | None = None) -> HubCall:
    body: JsonDict = {"run_id": run_id, "operation": operation, "target": target}
    if reservation_id is not None:
        body["reservation_id"] = reservation_id
    if token is not None:
        body["token"] = token
    if new_name is not None:
        body["new_name"] = new_name
    return HubCall("intent", "POST", LIVE + "intent", body)


def enqueue_call(tasks: Sequence[JsonDict]) -> HubCall:
    """Up to 500 tasks; ``{inserted, skipped, now}`` (known ids are skipped)."""
    return HubCall("enqueue", "POST", LIVE + "tasks", {"tasks": list(tasks)})


def depend_call(task_id: str, depends_on: Sequence[str], run_id: str | None = None) -> HubCall:
    """``{dependency_id, task_id, depends_on, run_id?, now}``."""
    body: JsonDict = {"task_id": task_id, "depends_on": list(depends_on)}
    if run_id is not None:
        body["run_id"] = run_id
    return HubCall("depend", "POST", LIVE + "depend", body)


def claim_call(run_id: str, ttl: float = DEFAULT_TTL, task_id: str | None = None) -> HubCall:
    """``{task: {...} | None, token, expires_at, expires_in, now}``."""
    body: JsonDict = {"run_id": run_id, "ttl": ttl, "request_id": request_id()}
    if task_id is not None:
        body["task_id"] = task_id
    return HubCall("claim", "POST", LIVE + "claim", body)


def finish_call(status: str, task_id: str, run_id: str, token: int, detail: str = "",
                requeue: bool = False, release: Sequence[tuple[str, int]] | None = None
                ) -> HubCall:
    """*status* ``complete`` or ``fail``: ``{task_id, status, token, already, now}``.

    *release*: reservations ``(reservation_id, token)`` of *run_id* to release
    in the same decision; the answer adds ``released``, one
    ``{reservation_id, released, already_released, reason}`` each."""
    body: JsonDict = {"task_id": task_id, "run_id": run_id, "token": token, "detail": detail}
    if status == "fail":
        body["requeue"] = requeue
    if release is not None:
        body["release"] = [{"reservation_id": rid, "token": tok} for rid, tok in release]
    return HubCall(status, "POST", LIVE + status, body)


def status_call(limit: int = 100, run_id: str | None = None, symbol: str | None = None,
                cursor: str | None = None) -> HubCall:
    """With *cursor* ("" for the first page) the answer adds ``page: {reservations,
    next_cursor}``: live leases in reservation-id order, *limit* at a time."""
    query = f"limit={int(limit)}"
    if cursor is not None:
        query += f"&cursor={_q(cursor)}"
    if run_id is not None:
        query += f"&run_id={_q(run_id)}"
    if symbol is not None:
        query += f"&symbol={_q(symbol)}"
    return HubCall("status", "GET", LIVE + "status", None, query)


def fence_call(token: int, reservation_id: str | None = None, task_id: str | None = None,
               symbol: str | None = None) -> HubCall:
    from muse.core.vocab.errors import UsageError

    if (reservation_id is None) == (task_id is None):
        raise UsageError("fence needs exactly one of reservation_id and task_id")
    query = f"token={int(token)}"
    if reservation_id is not None:
        query += f"&reservation_id={_q(reservation_id)}"
    if task_id is not None:
        query += f"&task_id={_q(task_id)}"
    if symbol is not None:
        query += f"&symbol={_q(symbol)}"
    return HubCall("fence", "GET", LIVE + "fence", None, query)


def set_mode_call(mode: str) -> HubCall:
    return HubCall("mode", "PUT", LIVE + "mode", {"mode": mode})


class HubClient:
    """Everything this process asks one hub repository, as one object.

    ``HubClient(url, owner, slug, signing).reserve(run_id, symbols)`` reserves
    live; ``.push(records)`` / ``.pull(since)`` move records; ``.request()``
    reaches the hub-wide endpoints (identities, repositories, grants).
    """

    def __init__(self, hub_url: str, owner: str = "", slug: str = "",
                 signing: SigningIdentity | None = None, *,
                 transport: BaseTransport | None = None) -> None:
        # owner/slug may stay empty for a client that only makes hub-wide calls.
        self.hub_url, self.owner, self.slug = hub_url, owner, slug
        self.signing, self.transport = signing, transport

    # ── sending ──────────────────────────────────────────────────────────
    def send(self, call: HubCall) -> JsonDict:
        """Send *call* and return the hub's answer (an object), or raise its refusal."""
        from muse.core.coord_bus import _build_url, check_repo_name
        from muse.core.vocab.errors import HubResponseError

        check_repo_name(self.owner, "owner")
        check_repo_name(self.slug, "slug")
        url = _build_url(self.hub_url, self.owner, self.slug, call.path)
        what = f"{call.endpoint.replace('/', ' ')} on {self.owner}/{self.slug}"
        answer = self._request(call.method, url, call.body, what)
        if not isinstance(answer, dict):
            raise HubResponseError(f"hub sent a malformed answer to {what} (not an object)")
        return answer

    def request(self, method: str, path: str, body: Any = None, *, what: str = "",
                user_errors: bool = True) -> Any:
        """A hub-wide call (``/api/v1/...``) with this client's identity and transport."""
        return self._request(method, self.hub_url.rstrip("/") + path, body, what or path,
                             user_errors=user_errors)

    def _request(self, method: str, url: str, body: Any, what: str, *,
                 user_errors: bool = True) -> Any:
        from muse.core.coord_bus import hub_request

        payload = b""
        if body is not None:
            import msgspec

            payload = msgspec.msgpack.encode(body)
        return hub_request(method, url, payload, signing=self.signing, what=what,
                           transport=self.transport, user_errors=user_errors)

    def close(self) -> None:
        """Nothing to release: connections belong to the process-wide transport."""

    # ── live verbs ───────────────────────────────────────────────────────
    def reserve(self, run_id: str, symbols: Sequence[str], ttl: float = DEFAULT_TTL,
                strict: bool | None = None) -> JsonDict:
        return self.send(reserve_call(run_id, symbols, ttl, strict))

    def heartbeat(self, run_id: str, ttl: float = DEFAULT_TTL) -> JsonDict:
        return self.send(heartbeat_call(run_id, ttl))

    def release(self, reservation_id: str, run_id: str, token: int) -> JsonDict:
        return self.send(release_call(reservation_id, run_id, token))

    def intent(self, run_id: str, operation: str, target: str, reservation_id: str | None = None,
               token: int | None = None, new_name: str | None = None) -> JsonDict:
        return self.send(intent_call(run_id, operation, target, reservation_id, token, new_name))

    def enqueue(self, tasks: Sequence[JsonDict]) -> JsonDict:
        return self.send(enqueue_call(tasks))

    def depend(self, task_id: str, depends_on: Sequence[str],
               run_id: str | None = None) -> JsonDict:
        return self.send(depend_call(task_id, depends_on, run_id))

    def claim(self, run_id: str, ttl: float = DEFAULT_TTL, task_id: str | None = None) -> JsonDict:
        return self.send(claim_call(run_id, ttl, task_id))

    def complete(self, task_id: str, run_id: str, token: int, detail: str = "",
                 release: Sequence[tuple[str, int]] | None = None) -> JsonDict:
        return self.send(finish_call("complete", task_id, run_id, token, detail,
                                     release=release))

    def fail(self, task_id: str, run_id: str, token: int, detail: str = "",
             requeue: bool = False, release: Sequence[tuple[str, int]] | None = None
             ) -> JsonDict:
        return self.send(finish_call("fail", task_id, run_id, token, detail, requeue, release))

    def status(self, limit: int = 100, run_id: str | None = None, symbol: str | None = None,
               cursor: str | None = None) -> JsonDict:
        return self.send(status_call(limit, run_id, symbol, cursor))

    def fence(self, token: int, reservation_id: str | None = None, task_id: str | None = None,
              symbol: str | None = None) -> JsonDict:
        return self.send(fence_call(token, reservation_id, task_id, symbol))

    def set_mode(self, mode: str) -> JsonDict:
        return self.send(set_mode_call(mode))

    # ── the record log ───────────────────────────────────────────────────
    def push(self, records: list[JsonDict]) -> JsonDict:
        """Send up to ``MAX_PUSH_BATCH`` records (see ``coord_bus.push_to_hub``)."""
        from muse.core.coord_bus import push_to_hub

        return push_to_hub(self.hub_url, self.owner, self.slug, records, self.signing,
                           transport=self.transport)

    def pull(self, since_id: int = 0, kinds: list[str] | None = None,
             limit: int = 500) -> JsonDict:
        """One page of records after *since_id* (see ``coord_bus.pull_from_hub``)."""
        from muse.core.coord_bus import pull_from_hub

        return pull_from_hub(self.hub_url, self.owner, self.slug, since_id, kinds, limit,
                             self.signing, transport=self.transport)

    def pull_all(self, kinds: list[str] | None = None, limit: int = 500) -> list[Any]:
        """Every record (of *kinds*) in the log, page after page."""
        out: list[Any] = []
        cursor = 0
        while True:
            page = self.pull(cursor, kinds, limit)
            out += page["records"]
            if not page["has_more"] or page["cursor"] <= cursor:
                return out
            cursor = page["cursor"]
