"""Real hub processes for the dashboard's fault tests, and sign-in links for their agents."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.hub.conftest import Agent, HubProcess, running_hub


@pytest.fixture(scope="module")
def real_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """One SQLite hub process per test module (tests keep apart by unique names)."""
    with running_hub(tmp_path_factory.mktemp("dash-real"), "sqlite") as h:
        yield h


def capability_for(hub: HubProcess, agent: Agent, owner: str, slug: str,
                   ttl: float = 3600, issued: float | None = None) -> str:
    """A capability as ``muse hub dashboard-link`` makes it, issued at *issued* (default now)."""
    from muse.core.client import signing
    from muse.hub.dashboard import link_host, mint_capability

    key: Any = signing.load_private_key(agent.key_path)
    return mint_capability(key, agent.handle, owner, slug, link_host(hub.url),
                           time.time() if issued is None else issued, ttl)
