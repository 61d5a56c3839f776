"""Live coordination client: leases and the task queue, answered by the hub now.

Each function mirrors one endpoint under ``/api/v1/repos/{owner}/{slug}/live/``
(see ``docs/live.md`` for the bodies). The hub stamps every time from its own
clock and hands out fencing tokens from one per-repository sequence; these
functions only carry requests and translate refusals::

    409 conflict      → ConflictError  (details: symbol, holder, reservation_id,
                                        expires_at, retry_after, conflicts)
    409 stale_token   → StaleToken     (details: reason, token, holder, …)
    404               → NotFound
    400 / 422         → UserError      (InvalidId / InvalidRecord when the hub says so)
    401 / 403         → HubAuthError
    unreachable, 5xx  → HubUnreachable / HubResponseError

Bodies travel as msgpack over the process-wide keep-alive transport (one
connection per thread), signed when *signing* is given. Importing this
module loads nothing beyond ``typing`` and ``muse.core.types`` (the coord
verbs import it to add their ``--live`` options); msgspec and the HTTP stack
load on the first call.
"""

from __future__ import annotations

from collections.abc import Sequence

from muse.core.types import JsonDict

TYPE_CHECKING = False  # not typing's: the verbs importing this must not load typing
if TYPE_CHECKING:
    from typing import Any

    from muse.core.transport import BaseTransport, SigningIdentity

__all__ = [
    "DEFAULT_TTL",
    "LiveClient",
    "add_live_options",
    "live_claim",
    "live_client_from_args",
    "live_complete",
    "live_enqueue",
    "live_fail",
    "live_fence",
    "live_heartbeat",
    "live_intent",
    "live_release",
    "live_reserve",
    "live_set_mode",
    "live_status",
]

DEFAULT_TTL = 900.0


def _call(method: str, hub_url: str, owner: str, slug: str, endpoint: str,
          body: JsonDict | None, signing: SigningIdentity | None,
          transport: BaseTransport | None, query: str = "") -> JsonDict:
    from muse.core.coord_bus import _build_url, check_repo_name, hub_request
    from muse.core.errors import HubResponseError

    check_repo_name(owner, "owner")
    check_repo_name(slug, "slug")
    url = _build_url(hub_url, owner, slug, f"live/{endpoint}") + (f"?{query}" if query else "")
    payload = b""
    if body is not None:
        import msgspec

        payload = msgspec.msgpack.encode(body)
    what = f"live {endpoint} on {owner}/{slug}"
    answer = hub_request(method, url, payload, signing=signing, what=what, transport=transport,
                         user_errors=True)
    if not isinstance(answer, dict):
        raise HubResponseError(f"hub sent a malformed answer to {what} (not an object)")
    return answer


def _request_id() -> str:
    """One id per call, sent again by every automatic retry of it: the hub answers a
    retry whose first answer was lost with that answer, not a second grant."""
    import os

    return "req-" + os.urandom(12).hex()


def _q(value: object) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


def live_reserve(hub_url: str, owner: str, slug: str, run_id: str, symbols: Sequence[str],
                 ttl: float = DEFAULT_TTL, strict: bool | None = None,
                 signing: SigningIdentity | None = None, *,
                 transport: BaseTransport | None = None) -> JsonDict:
    """Reserve *symbols* for *run_id* for *ttl* seconds of hub time.

    Args:
        strict: True refuses overlaps with other live runs, False grants and
            reports them, None follows the repository's mode.

    Returns:
        ``{reservation_id, run_id, symbols, token, mode, granted_at, expires_at,
        expires_in, conflicts, now}``.

    Raises:
        ConflictError: strict, and another live run holds an overlapping address
            (``details`` name the holder and ``retry_after`` seconds).
        UserError: invalid run id, symbol or ttl.
    """
    body: JsonDict = {"run_id": run_id, "symbols": list(symbols), "ttl": ttl,
                      "request_id": _request_id()}
    if strict is not None:
        body["mode"] = "strict" if strict else "advisory"
    return _call("POST", hub_url, owner, slug, "reserve", body, signing, transport)


def live_heartbeat(hub_url: str, owner: str, slug: str, run_id: str, ttl: float = DEFAULT_TTL,
                   signing: SigningIdentity | None = None, *,
                   transport: BaseTransport | None = None) -> JsonDict:
    """Extend every live lease (reservations and claims) of *run_id* to hub-now + *ttl*.

    Returns:
        ``{run_id, expires_at, expires_in, reservations, claims, expired, now}``;
        ``expired`` counts leases that had already run out (they are not revived).
    """
    return _call("POST", hub_url, owner, slug, "heartbeat", {"run_id": run_id, "ttl": ttl},
                 signing, transport)


def live_release(hub_url: str, owner: str, slug: str, reservation_id: str, run_id: str,
                 token: int, signing: SigningIdentity | None = None, *,
                 transport: BaseTransport | None = None) -> JsonDict:
    """Release a reservation, presenting its fencing *token*.

    Returns:
        ``{reservation_id, released_at, already_released, now}`` (a repeated
        release by its holder answers ``already_released: true``).

    Raises:
        NotFound: no such reservation.
        StaleToken: wrong token, another run's reservation, or the lease expired.
    """
    body = {"reservation_id": reservation_id, "run_id": run_id, "token": token}
    return _call("POST", hub_url, owner, slug, "release", body, signing, transport)


def live_intent(hub_url: str, owner: str, slug: str, run_id: str, operation: str, target: str,
                reservation_id: str | None = None, token: int | None = None,
                new_name: str | None = None, signing: SigningIdentity | None = None, *,
                transport: BaseTransport | None = None) -> JsonDict:
    """Declare that *run_id* will apply *operation* to *target*.

    With *reservation_id* the intent is guarded by that lease and *token* is
    required (a stale one is refused).

    Raises:
        StaleToken: the reservation is not *run_id*'s live lease with *token*.
        NotFound: no such reservation.
        UserError: unknown operation, bad target, rename/move without *new_name*.
    """
    body: JsonDict = {"run_id": run_id, "operation": operation, "target": target}
    if reservation_id is not None:
        body["reservation_id"] = reservation_id
    if token is not None:
        body["token"] = token
    if new_name is not None:
        body["new_name"] = new_name
    return _call("POST", hub_url, owner, slug, "intent", body, signing, transport)


def live_enqueue(hub_url: str, owner: str, slug: str, tasks: Sequence[JsonDict],
                 signing: SigningIdentity | None = None, *,
                 transport: BaseTransport | None = None) -> JsonDict:
    """Add up to 500 tasks ``{task_id, description?, priority?, depends_on?, symbols?}``.

    Returns:
        ``{inserted, skipped, now}``: a task id the hub already has is skipped.
    """
    return _call("POST", hub_url, owner, slug, "tasks", {"tasks": list(tasks)}, signing, transport)


def live_claim(hub_url: str, owner: str, slug: str, run_id: str, ttl: float = DEFAULT_TTL,
               task_id: str | None = None, signing: SigningIdentity | None = None, *,
               transport: BaseTransport | None = None) -> JsonDict:
    """Claim the highest-priority ready task (or *task_id*); exactly one caller wins it.

    Returns:
        ``{task: {task_id, description, priority, symbols, depends_on} | None,
        token, expires_at, expires_in, now}``; ``task`` is None when nothing is ready.

    Raises:
        NotFound: *task_id* is not in the live queue.
        ConflictError: *task_id* is held, done, failed or blocked (details say which).
    """
    body: JsonDict = {"run_id": run_id, "ttl": ttl, "request_id": _request_id()}
    if task_id is not None:
        body["task_id"] = task_id
    return _call("POST", hub_url, owner, slug, "claim", body, signing, transport)


def live_complete(hub_url: str, owner: str, slug: str, task_id: str, run_id: str, token: int,
                  detail: str = "", signing: SigningIdentity | None = None, *,
                  transport: BaseTransport | None = None) -> JsonDict:
    """Mark a claimed task completed, presenting the claim's fencing *token*.

    Raises:
        StaleToken: the claim expired, was superseded, or is not *run_id*'s.
        NotFound: no such task.
    """
    body = {"task_id": task_id, "run_id": run_id, "token": token, "detail": detail}
    return _call("POST", hub_url, owner, slug, "complete", body, signing, transport)


def live_fail(hub_url: str, owner: str, slug: str, task_id: str, run_id: str, token: int,
              detail: str = "", requeue: bool = False, signing: SigningIdentity | None = None, *,
              transport: BaseTransport | None = None) -> JsonDict:
    """Mark a claimed task failed; with *requeue* it returns to the queue.

    Raises:
        StaleToken: the claim expired, was superseded, or is not *run_id*'s.
        NotFound: no such task.
    """
    body = {"task_id": task_id, "run_id": run_id, "token": token, "detail": detail,
            "requeue": requeue}
    return _call("POST", hub_url, owner, slug, "fail", body, signing, transport)


def live_status(hub_url: str, owner: str, slug: str, limit: int = 100, run_id: str | None = None,
                symbol: str | None = None, signing: SigningIdentity | None = None, *,
                transport: BaseTransport | None = None) -> JsonDict:
    """Aggregated live state: counts, up to *limit* conflicts, and optionally
    one run's leases (*run_id*) or the holders of *symbol*."""
    query = f"limit={int(limit)}"
    if run_id is not None:
        query += f"&run_id={_q(run_id)}"
    if symbol is not None:
        query += f"&symbol={_q(symbol)}"
    return _call("GET", hub_url, owner, slug, "status", None, signing, transport, query)


def live_fence(hub_url: str, owner: str, slug: str, token: int, reservation_id: str | None = None,
               task_id: str | None = None, symbol: str | None = None,
               signing: SigningIdentity | None = None, *,
               transport: BaseTransport | None = None) -> JsonDict:
    """Is *token* still the live lease of the reservation (covering *symbol*) or task?

    Returns:
        ``{valid, token, holder, expires_at, expires_in, reason?, now}``. Never
        raises for a stale token: ``valid`` is False and ``reason`` says why.

    Raises:
        UsageError: neither or both of *reservation_id* and *task_id*.
    """
    from muse.core.errors import UsageError

    if (reservation_id is None) == (task_id is None):
        raise UsageError("live_fence needs exactly one of reservation_id and task_id")
    query = f"token={int(token)}"
    if reservation_id is not None:
        query += f"&reservation_id={_q(reservation_id)}"
    if task_id is not None:
        query += f"&task_id={_q(task_id)}"
    if symbol is not None:
        query += f"&symbol={_q(symbol)}"
    return _call("GET", hub_url, owner, slug, "fence", None, signing, transport, query)


def live_set_mode(hub_url: str, owner: str, slug: str, mode: str,
                  signing: SigningIdentity | None = None, *,
                  transport: BaseTransport | None = None) -> JsonDict:
    """Set the repository's default reservation mode (``advisory`` or ``strict``; admin)."""
    return _call("PUT", hub_url, owner, slug, "mode", {"mode": mode}, signing, transport)


class LiveClient:
    """The live calls bound to one hub repository and identity.

    ``LiveClient(url, owner, slug, signing).reserve(run_id, symbols)`` is
    ``live_reserve(url, owner, slug, run_id, symbols, signing=signing)``.
    """

    def __init__(self, hub_url: str, owner: str, slug: str,
                 signing: SigningIdentity | None = None, *,
                 transport: BaseTransport | None = None) -> None:
        self.hub_url, self.owner, self.slug = hub_url, owner, slug
        self.signing, self.transport = signing, transport

    def _kw(self) -> dict[str, Any]:
        return {"signing": self.signing, "transport": self.transport}

    def reserve(self, run_id: str, symbols: Sequence[str], ttl: float = DEFAULT_TTL,
                strict: bool | None = None) -> JsonDict:
        return live_reserve(self.hub_url, self.owner, self.slug, run_id, symbols, ttl, strict,
                            **self._kw())

    def heartbeat(self, run_id: str, ttl: float = DEFAULT_TTL) -> JsonDict:
        return live_heartbeat(self.hub_url, self.owner, self.slug, run_id, ttl, **self._kw())

    def release(self, reservation_id: str, run_id: str, token: int) -> JsonDict:
        return live_release(self.hub_url, self.owner, self.slug, reservation_id, run_id, token,
                            **self._kw())

    def intent(self, run_id: str, operation: str, target: str, reservation_id: str | None = None,
               token: int | None = None, new_name: str | None = None) -> JsonDict:
        return live_intent(self.hub_url, self.owner, self.slug, run_id, operation, target,
                           reservation_id, token, new_name, **self._kw())

    def enqueue(self, tasks: Sequence[JsonDict]) -> JsonDict:
        return live_enqueue(self.hub_url, self.owner, self.slug, tasks, **self._kw())

    def claim(self, run_id: str, ttl: float = DEFAULT_TTL, task_id: str | None = None) -> JsonDict:
        return live_claim(self.hub_url, self.owner, self.slug, run_id, ttl, task_id, **self._kw())

    def complete(self, task_id: str, run_id: str, token: int, detail: str = "") -> JsonDict:
        return live_complete(self.hub_url, self.owner, self.slug, task_id, run_id, token, detail,
                             **self._kw())

    def fail(self, task_id: str, run_id: str, token: int, detail: str = "",
             requeue: bool = False) -> JsonDict:
        return live_fail(self.hub_url, self.owner, self.slug, task_id, run_id, token, detail,
                         requeue, **self._kw())

    def status(self, limit: int = 100, run_id: str | None = None,
               symbol: str | None = None) -> JsonDict:
        return live_status(self.hub_url, self.owner, self.slug, limit, run_id, symbol,
                           **self._kw())

    def fence(self, token: int, reservation_id: str | None = None, task_id: str | None = None,
              symbol: str | None = None) -> JsonDict:
        return live_fence(self.hub_url, self.owner, self.slug, token, reservation_id, task_id,
                          symbol, **self._kw())

    def set_mode(self, mode: str) -> JsonDict:
        return live_set_mode(self.hub_url, self.owner, self.slug, mode, **self._kw())


# ── CLI glue (the coord verb modules call these; standard library only) ─────
def add_live_options(parser: Any) -> None:
    """Add ``--live``, ``--hub URL``, ``--owner``, ``--slug`` to an argparse parser."""
    group = parser.add_argument_group(
        "live mode", "ask the hub now instead of writing local records (see docs/live.md)")
    group.add_argument("--live", action="store_true",
                       help="answer through the hub in [hub] of .muse/config.toml")
    group.add_argument("--hub", dest="hub_url", default=None, metavar="URL",
                       help="hub URL (implies --live; default: [hub] url)")
    group.add_argument("--owner", default=None, help="hub repository owner (default: [hub] owner)")
    group.add_argument("--slug", default=None, help="hub repository name (default: [hub] slug)")


def live_client_from_args(args: Any) -> LiveClient | None:
    """The :class:`LiveClient` the parsed options ask for, or None for local mode.

    Hub, repository and signing identity come from the flags, then the
    environment and ``[hub]`` of the enclosing repository's config (a
    repository is not required when flags and environment name everything).

    Raises:
        UsageError: live mode without a hub URL or repository.
        UserError: the configured signing key cannot be used.
    """
    if not (getattr(args, "live", False) or getattr(args, "hub_url", None)):
        return None
    import pathlib

    from muse.core.paths import find_root
    from muse.core.sync import resolve_hub_url, resolve_repo, resolve_signing

    root = find_root(pathlib.Path.cwd())
    owner, slug = resolve_repo(root, args.owner, args.slug)
    return LiveClient(resolve_hub_url(root, args.hub_url), owner, slug, resolve_signing(root))
