"""The hub client is the one way to talk to a hub.

Every request of the shells goes through :class:`muse.core.client.hub_client.HubClient`
(one error mapping, one identity, one transport): nothing else in ``muse``
calls the low-level ``coord_bus.hub_request``; its refusals are the local
engine's errors, so the exit codes agree.
"""

from __future__ import annotations

import pathlib
import re

import orjson
import pytest

import muse
from muse.core.client.hub_client import HubClient
from muse.core.transport import BaseTransport, Request, Response
from muse.core.vocab.errors import (
    ConflictError,
    DependencyCycle,
    HubAuthError,
    HubResponseError,
    InvalidRecord,
    MuseError,
    NotFound,
    StaleToken,
    TooLarge,
    UserError,
)

_LOW_LEVEL = {"core/coord_bus.py", "core/client/hub_client.py"}
_CALL = re.compile(r"\bhub_request\b")  # the function, not e.g. a metric muse_hub_requests


def test_only_the_hub_client_sends_requests() -> None:
    root = pathlib.Path(muse.__file__).parent
    callers = sorted(
        str(path.relative_to(root)) for path in root.rglob("*.py")
        if str(path.relative_to(root)) not in _LOW_LEVEL
        and _CALL.search(path.read_text(encoding="utf-8")))
    assert callers == []


class _Canned(BaseTransport):
    """A transport answering every request with one status and error body (isolates
    the error mapping from a hub; the live refusals themselves are tested in
    tests/contract against real hubs)."""

    def __init__(self, status: int, code: str) -> None:
        self.status, self.code = status, code

    def handle_request(self, request: Request) -> Response:
        body = orjson.dumps({"error": self.code, "message": f"refused ({self.status})"})
        return Response(self.status, {"content-type": "application/json"}, body)


@pytest.mark.parametrize(("status", "code", "error", "exit_code"), [
    (400, "bad_request", UserError, 1),
    (404, "not_found", NotFound, 4),
    (409, "conflict", ConflictError, 1),
    (409, "stale_token", StaleToken, 1),
    (409, "dependency_cycle", DependencyCycle, 1),
    (413, "payload_too_large", TooLarge, 1),
    (422, "invalid_record", InvalidRecord, 1),
    (403, "forbidden", HubAuthError, 5),
    (408, "request_timeout", HubResponseError, 5),
    (415, "unsupported_media_type", HubResponseError, 5),
])
def test_each_refusal_maps_to_the_local_error_and_exit_code(
        status: int, code: str, error: type[MuseError], exit_code: int) -> None:
    client = HubClient("http://hub.invalid", "alice", "linux", transport=_Canned(status, code))
    with pytest.raises(MuseError) as refused:
        client.status()
    assert type(refused.value) is error and refused.value.exit_code == exit_code
