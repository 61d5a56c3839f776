"""The live fast path (``muse.hub.fastpath``) answers exactly as Starlette's stack does.

Each request goes to two apps over twin stores: one serving live paths from
its table, one with the table emptied (every request through Starlette's
middleware and router, as before). Status, headers (but the hub's clock) and
body must match, and so must the request metrics.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import msgspec
import pytest

from muse.core.client.signing import HUB_TIME_HEADER

_IDS = re.compile(r"sha256:[0-9a-f]{64}(\.\.\.)?|sha256:[0-9a-f]+…?")
LIVE = "/api/v1/repos/o/r/live/"

JSON_HDR = {"content-type": "application/json"}
MSGPACK_HDR = {"content-type": "application/msgpack", "accept": "application/msgpack"}


class Twin:
    def __init__(self, tmp: pathlib.Path, name: str, insecure: bool, fast: bool) -> None:
        from starlette.testclient import TestClient

        from muse.hub.app import create_app
        from muse.hub.config import HubSettings
        from muse.storage.sqlite import SqliteStore

        self.store = SqliteStore(tmp / f"{name}.sqlite3")
        self.store.meta("hub_id", "hub-test")
        self.store.create_repo("o", "r", "o", False, 1000.0)
        self.app = create_app(self.store, HubSettings(insecure_dev=insecure, max_body=4096),
                              now=lambda: 1_000_000.0)
        assert self.app.fast, "the live routes are in the table"
        if not fast:
            self.app.fast.clear()
        self.client = TestClient(self.app, raise_server_exceptions=False)

    def send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Any:
        return self.client.request(method, path, content=body, headers=headers)


@pytest.fixture(params=[True, False], ids=["insecure", "strict"])
def twins(request: Any, tmp_path: pathlib.Path) -> Any:
    pair = (Twin(tmp_path, "fast", request.param, True), Twin(tmp_path, "slow", request.param, False))
    yield pair
    for t in pair:
        t.client.close()
        t.store.close()


def _same(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code, (a.text, b.text)
    ha = [(k, v) for k, v in a.headers.multi_items() if k not in (HUB_TIME_HEADER.lower(), "date")]
    hb = [(k, v) for k, v in b.headers.multi_items() if k not in (HUB_TIME_HEADER.lower(), "date")]
    assert ha == hb
    assert HUB_TIME_HEADER.lower() in a.headers
    if a.headers.get("content-type") == "application/msgpack":
        da, db = msgspec.msgpack.decode(a.content), msgspec.msgpack.decode(b.content)
    else:
        da, db = json.loads(a.content), json.loads(b.content)
    # ids are random per store
    assert _IDS.sub("<id>", json.dumps(da)) == _IDS.sub("<id>", json.dumps(db))


CASES: list[tuple[str, str, bytes | None, dict[str, str]]] = [
    ("POST", LIVE + "reserve", json.dumps({"run_id": "r1", "symbols": ["a.py::f"], "ttl": 60}).encode(),
     JSON_HDR),
    ("POST", LIVE + "reserve", msgspec.msgpack.encode({"run_id": "r2", "symbols": ["a.py::f"],
                                                       "mode": "strict"}), MSGPACK_HDR),
    ("POST", LIVE + "heartbeat", json.dumps({"run_id": "r1"}).encode(), JSON_HDR),
    ("POST", LIVE + "release", json.dumps({"run_id": "r1", "reservation_id": "x", "token": 1}).encode(),
     JSON_HDR),
    ("POST", LIVE + "reserve", b"{not json", JSON_HDR),
    ("POST", LIVE + "reserve", b"{}", {"content-type": "text/plain"}),
    ("POST", LIVE + "reserve", b"x" * 5000, JSON_HDR),
    ("POST", LIVE + "reserve", b"{}", {"content-type": "application/json", "content-length": "abc"}),
    ("POST", LIVE + "reserve", json.dumps({"run_id": "../x", "symbols": ["a"]}).encode(), JSON_HDR),
    ("POST", "/api/v1/repos/o/nope/live/reserve", json.dumps({"run_id": "r"}).encode(), JSON_HDR),
    ("GET", LIVE + "status", None, {}),
    ("GET", LIVE + "status?limit=5&run_id=r1&limit=7", None, {"accept": "application/msgpack"}),
    ("GET", LIVE + "status?limit=x", None, {}),
    ("GET", LIVE + "fence?token=1&reservation_id=abc", None, {}),
    ("GET", LIVE + "fence?token=", None, {}),
    ("GET", LIVE + "reserve", None, {}),  # 405: Starlette answers it
    ("PUT", LIVE + "mode", json.dumps({"mode": "strict"}).encode(), JSON_HDR),
    ("POST", LIVE + "nothing", b"{}", JSON_HDR),  # 404
]


def test_the_fast_path_answers_as_starlette_does(twins: tuple[Twin, Twin]) -> None:
    fast, slow = twins
    for method, path, body, headers in CASES:
        _same(fast.send(method, path, body, headers), slow.send(method, path, body, headers))
    assert fast.app.state.requests.statuses == slow.app.state.requests.statuses
    assert {k: v.count for k, v in fast.app.state.requests.latency.items()} == \
        {k: v.count for k, v in slow.app.state.requests.latency.items()}
    assert ("live.reserve", "POST", 413) in fast.app.state.requests.statuses


def test_the_table_holds_every_live_route_and_nothing_else(tmp_path: pathlib.Path) -> None:
    from muse.hub import live

    twin = Twin(tmp_path, "t", True, True)
    try:
        wanted = {(m, r.path.rsplit("/", 1)[1]) for r in live.routes() for m in r.methods
                  if m != "HEAD"}
        assert set(twin.app.fast) == wanted
        assert all(spec.on_store for spec in twin.app.fast.values())
    finally:
        twin.client.close()
        twin.store.close()
