"""Live coordination calls by name (compatibility layer over the one hub client).

Every request is described once in :mod:`muse.core.hub_client`; ``LiveClient``
is :class:`~muse.core.hub_client.HubClient` and each ``live_*`` function is
one of its methods on a throw-away client, kept for callers that hold no
client. ``add_live_options`` / ``live_client_from_args`` are the CLI glue
(``--live``, ``--hub``, ``--owner``, ``--slug``).

Importing this module loads only the standard library (the coord verbs
import it to add their options); msgspec and the HTTP stack load on the
first call.
"""

from __future__ import annotations

from collections.abc import Sequence

from muse.core.hub_client import DEFAULT_TTL, HubClient

TYPE_CHECKING = False  # not typing's: the verbs importing this must not load typing
if TYPE_CHECKING:
    from typing import Any

    from muse.core.transport import BaseTransport, SigningIdentity
    from muse.core.types import JsonDict

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

LiveClient = HubClient


def _client(hub_url: str, owner: str, slug: str, signing: SigningIdentity | None,
            transport: BaseTransport | None) -> HubClient:
    return HubClient(hub_url, owner, slug, signing, transport=transport)


def live_reserve(hub_url: str, owner: str, slug: str, run_id: str, symbols: Sequence[str],
                 ttl: float = DEFAULT_TTL, strict: bool | None = None,
                 signing: SigningIdentity | None = None, *,
                 transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).reserve(run_id, symbols, ttl, strict)


def live_heartbeat(hub_url: str, owner: str, slug: str, run_id: str, ttl: float = DEFAULT_TTL,
                   signing: SigningIdentity | None = None, *,
                   transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).heartbeat(run_id, ttl)


def live_release(hub_url: str, owner: str, slug: str, reservation_id: str, run_id: str,
                 token: int, signing: SigningIdentity | None = None, *,
                 transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).release(reservation_id, run_id, token)


def live_intent(hub_url: str, owner: str, slug: str, run_id: str, operation: str, target: str,
                reservation_id: str | None = None, token: int | None = None,
                new_name: str | None = None, signing: SigningIdentity | None = None, *,
                transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).intent(
        run_id, operation, target, reservation_id, token, new_name)


def live_enqueue(hub_url: str, owner: str, slug: str, tasks: Sequence[JsonDict],
                 signing: SigningIdentity | None = None, *,
                 transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).enqueue(tasks)


def live_claim(hub_url: str, owner: str, slug: str, run_id: str, ttl: float = DEFAULT_TTL,
               task_id: str | None = None, signing: SigningIdentity | None = None, *,
               transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).claim(run_id, ttl, task_id)


def live_complete(hub_url: str, owner: str, slug: str, task_id: str, run_id: str, token: int,
                  detail: str = "", signing: SigningIdentity | None = None, *,
                  transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).complete(task_id, run_id, token,
                                                                       detail)


def live_fail(hub_url: str, owner: str, slug: str, task_id: str, run_id: str, token: int,
              detail: str = "", requeue: bool = False, signing: SigningIdentity | None = None, *,
              transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).fail(task_id, run_id, token, detail,
                                                                   requeue)


def live_status(hub_url: str, owner: str, slug: str, limit: int = 100, run_id: str | None = None,
                symbol: str | None = None, signing: SigningIdentity | None = None, *,
                transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).status(limit, run_id, symbol)


def live_fence(hub_url: str, owner: str, slug: str, token: int, reservation_id: str | None = None,
               task_id: str | None = None, symbol: str | None = None,
               signing: SigningIdentity | None = None, *,
               transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).fence(token, reservation_id,
                                                                    task_id, symbol)


def live_set_mode(hub_url: str, owner: str, slug: str, mode: str,
                  signing: SigningIdentity | None = None, *,
                  transport: BaseTransport | None = None) -> JsonDict:
    return _client(hub_url, owner, slug, signing, transport).set_mode(mode)


# ── CLI glue (standard library only) ─────────────────────────────────────────
def add_live_options(parser: Any) -> None:
    """Add ``--live``, ``--hub URL``, ``--owner``, ``--slug`` to an argparse parser."""
    group = parser.add_argument_group(
        "live mode", "ask the hub now instead of reading and writing local records "
        "(same answers, same --json; see docs/verbs.md)")
    group.add_argument("--live", action="store_true",
                       help="answer through the hub in [hub] of .muse/config.toml")
    group.add_argument("--hub", dest="hub_url", default=None, metavar="URL",
                       help="hub URL (implies --live; default: [hub] url)")
    group.add_argument("--owner", default=None, help="hub repository owner (default: [hub] owner)")
    group.add_argument("--slug", default=None, help="hub repository name (default: [hub] slug)")


def live_client_from_args(args: Any) -> HubClient | None:
    """The client the parsed options ask for, or None for local mode.

    Raises:
        UsageError: live mode without a hub URL or repository.
        UserError: the configured signing key cannot be used.
    """
    if not (getattr(args, "live", False) or getattr(args, "hub_url", None)):
        return None
    from muse.core.coordinator_live import LiveCoordinator

    return LiveCoordinator.from_config(hub_url=args.hub_url, owner=args.owner,
                                       slug=args.slug).client
