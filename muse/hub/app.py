"""The hub HTTP application, assembled from plain lists.

Each module in :data:`ROUTE_MODULES` exposes ``routes() -> list[Route]``;
adding endpoints (live leases, say) is adding a module to that tuple. Errors
map to JSON responses by MRO (``muse.hub.errors``). Live requests skip
Starlette's middleware and router (``muse.hub.fastpath``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

from muse.hub.auth import Authenticator, InsecureDevAuth, SignatureAuth
from muse.hub.config import HubSettings
from muse.hub.context import Hub
from muse.hub.errors import exception_handlers
from muse.hub.metrics import RequestMetrics
from muse.storage.base import HubStore

__all__ = ["ROUTE_MODULES", "create_app", "make_hub"]

ROUTE_MODULES: tuple[str, ...] = ("muse.hub.admin", "muse.hub.records", "muse.hub.live", "muse.hub.dashboard",
                                  "muse.hub.metrics")


def make_hub(store: HubStore, settings: HubSettings,
             now: Callable[[], float] = time.time) -> Hub:
    """Wire a :class:`Hub` from its parts (the authenticator follows the settings).

    The hub's id is read from its database, created there by the first hub to
    open it: hubs sharing a database are one hub to their clients."""
    import secrets

    hub_id = store.meta("hub_id", f"hub-{secrets.token_hex(12)}")
    strict = SignatureAuth(store, now, settings.max_skew, settings.public_hosts, hub_id)
    auth: Authenticator = InsecureDevAuth(strict) if settings.insecure_dev else strict
    return Hub(settings=settings, store=store, auth=auth, now=now, id=hub_id)


def create_app(store: HubStore, settings: HubSettings | None = None,
               now: Callable[[], float] = time.time,
               route_modules: tuple[str, ...] = ROUTE_MODULES) -> Any:
    """The Starlette application serving *store*.

    Args:
        store: the database; the app does not close it.
        settings: hub settings (default: :class:`HubSettings` defaults).
        now: the hub clock (tests pass a fixed one).
        route_modules: modules whose ``routes()`` make up the app.
    """
    from muse.hub.fastpath import HubApp

    settings = settings or HubSettings()
    from muse.hub.bounds import configure

    configure(**dict(settings.limits))
    routes: list[Any] = []
    for name in route_modules:
        routes.extend(import_module(name).routes())
    app = HubApp(routes=routes, exception_handlers=exception_handlers())
    app.state.hub = make_hub(store, settings, now)
    app.state.requests = RequestMetrics()
    app.state.realm = settings.realm
    return app
