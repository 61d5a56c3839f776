"""The hub client is the one way to talk to a hub.

Every request of the shells goes through :class:`muse.core.hub_client.HubClient`
(one error mapping, one identity, one transport): nothing else in ``muse``
calls the low-level ``coord_bus.hub_request``.
"""

from __future__ import annotations

import pathlib

import muse

_LOW_LEVEL = {"core/coord_bus.py", "core/hub_client.py"}


def test_only_the_hub_client_sends_requests() -> None:
    root = pathlib.Path(muse.__file__).parent
    callers = sorted(
        str(path.relative_to(root)) for path in root.rglob("*.py")
        if str(path.relative_to(root)) not in _LOW_LEVEL
        and "hub_request" in path.read_text(encoding="utf-8"))
    assert callers == []
