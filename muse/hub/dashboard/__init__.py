"""The live dashboard: a web page per repository, its JSON summary and an SSE stream.

One module per concern (imports flow downwards in this list):

- :mod:`~muse.hub.dashboard.capability`: sign-in capabilities, minted by the
  CLI and verified by the hub; the session cookie's name.
- :mod:`~muse.hub.dashboard.sessions`: revocable sign-ins (sign-out,
  permission changes and ``--revoke`` end them), kept through the hub store.
- :mod:`~muse.hub.dashboard.access`: who may look (cookie, MSign signature,
  public repository, open dev hub), checked on every request.
- :mod:`~muse.hub.dashboard.filters`: the query parameters, validated.
- :mod:`~muse.hub.dashboard.digest`, :mod:`~muse.hub.dashboard.summary`: the
  views derived from a repository's records, and one reader's page of them.
- :mod:`~muse.hub.dashboard.board`: per-repository decoded records, read
  incrementally, with throughput counts.
- :mod:`~muse.hub.dashboard.web`, :mod:`~muse.hub.dashboard.pages`: requests
  as plain data; the HTML shell, refusal pages and static files.
- :mod:`~muse.hub.dashboard.signin`: capability → cookie, sign-out, and the
  endpoint that ends a handle's sign-ins.
- :mod:`~muse.hub.dashboard.api`, :mod:`~muse.hub.dashboard.events`: the
  summary as JSON and as Server-Sent Events;
  :mod:`~muse.hub.dashboard.streams` admits streams from two capped pools
  (anonymous, signed in).
- :mod:`~muse.hub.dashboard.routes`: the URL table (``routes()``, mounted by
  :data:`muse.hub.app.ROUTE_MODULES` through this package).

Nothing here imports starlette at import time: the CLI imports
:func:`mint_capability` from this package.
"""

from __future__ import annotations

from muse.hub.dashboard.board import Board, Boards
from muse.hub.dashboard.capability import (
    CAPABILITY_CONTEXT,
    MAX_CAPABILITY_TTL,
    Capability,
    cookie_name,
    link_host,
    mint_capability,
    read_capability,
    verify_capability,
)
from muse.hub.dashboard.digest import Digest
from muse.hub.dashboard.filters import Filters, parse_filters
from muse.hub.dashboard.routes import routes
from muse.hub.dashboard.summary import build_summary, subsystem_of

__all__ = [
    "CAPABILITY_CONTEXT",
    "MAX_CAPABILITY_TTL",
    "Board",
    "Boards",
    "Capability",
    "Digest",
    "Filters",
    "build_summary",
    "cookie_name",
    "link_host",
    "mint_capability",
    "parse_filters",
    "read_capability",
    "routes",
    "subsystem_of",
    "verify_capability",
]
