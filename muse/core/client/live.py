"""Live mode for the shells: the CLI options and the client they name.

Every live request is described once in :mod:`muse.core.client.hub_client`;
``LiveClient`` is :class:`~muse.core.client.hub_client.HubClient` under its earlier
name. ``add_live_options`` / ``live_client_from_args`` are the CLI glue
(``--live``, ``--hub``, ``--owner``, ``--slug``), and :func:`open_coordinator`
chooses the engine those options ask for.

Importing this module loads only the standard library (the coord verbs
import it to add their options); msgspec and the HTTP stack load on the
first call.
"""

from __future__ import annotations

from muse.core.vocab.rules import DEFAULT_TTL

TYPE_CHECKING = False  # not typing's: the verbs importing this must not load typing
if TYPE_CHECKING:
    import pathlib
    from typing import Any

    from muse.core.client.hub_client import HubClient

    LiveClient = HubClient
    from muse.core.coord.coordinator import Coordinator

__all__ = ["DEFAULT_TTL", "LiveClient", "add_live_options", "live_client_from_args", "open_coordinator"]



def __getattr__(name: str) -> Any:
    # ``LiveClient`` is the HubClient; loaded on first use so that the verbs
    # importing this module for their options do not pay for the client.
    if name == "LiveClient":
        from muse.core.client.hub_client import HubClient

        return HubClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    from muse.core.client.coordinator_live import LiveCoordinator

    return LiveCoordinator.from_config(hub_url=args.hub_url, owner=args.owner,
                                       slug=args.slug).client


def open_coordinator(*, live: bool = False, hub_url: str | None = None,
                     owner: str | None = None, slug: str | None = None,
                     root: pathlib.Path | None = None) -> Coordinator:
    """The engine the options ask for: live when *live* or *hub_url* is given
    (hub, repository and signing identity from the options, then the
    environment and ``[hub]`` of the repository's config), else the record
    files of the repository at *root* (default: the one enclosing the
    working directory).

    Raises:
        NotARepository: local mode outside a repository.
        UsageError: live mode without a hub URL or repository.
    """
    if live or hub_url:
        from muse.core.client.coordinator_live import LiveCoordinator

        return LiveCoordinator.from_config(hub_url=hub_url, owner=owner, slug=slug, root=root)
    from muse.core.coord.coordinator import LocalCoordinator

    if root is None:
        from muse.core.paths import require_repo

        root = require_repo()
    return LocalCoordinator(root)
