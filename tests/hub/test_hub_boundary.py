"""Bad input at the hub's edge: always a 4xx with a JSON error body, never a 500 or a partial write."""

from __future__ import annotations

import pathlib
import socket
from collections.abc import Iterator

import msgspec
import orjson
import pytest

from muse.core.coord_bus import pull_from_hub
from muse.core.transport import HTTPTransport, Request
from tests.hub.conftest import Agent, HubProcess, create_repo, make_agent


@pytest.fixture
def tx() -> Iterator[HTTPTransport]:
    t = HTTPTransport()
    yield t
    t.close()


@pytest.fixture
def owned(hub: HubProcess, tmp_path: pathlib.Path) -> tuple[Agent, str]:
    alice = make_agent(hub, tmp_path, "alice")
    return alice, create_repo(hub, alice)


def _send(tx: HTTPTransport, agent: Agent, method: str, url: str, body: bytes = b"",
          ctype: str = "application/msgpack") -> tuple[int, dict[str, object]]:
    req = agent.identity.sign_request(Request(method, url, {"Content-Type": ctype}, body, 30.0))
    resp = tx.handle_request(req)
    assert resp.status < 500, resp.body
    return resp.status, orjson.loads(resp.body) if resp.content_type == "application/json" else {}


def _records(hub: HubProcess, owner: str, slug: str, query: str = "") -> str:
    return f"{hub.url}/api/v1/repos/{owner}/{slug}/coord/records" + (f"?{query}" if query else "")


def _good(n: int) -> list[dict[str, object]]:
    return [{"kind": "task", "record_id": f"t-{i}", "run_id": None, "payload": {"i": i},
             "expires_at": None} for i in range(n)]


# Raw msgpack for {"records": [{"kind": "task", "record_id": <invalid UTF-8>, …}]}.
_BAD_UTF8 = (b"\x81\xa7records\x91\x85\xa4kind\xa4task\xa9record_id\xa3\xff\xfe\xfd"
             b"\xa6run_id\xc0\xa7payload\x80\xaaexpires_at\xc0")


@pytest.mark.parametrize("body,ctype,status", [
    (b"\xc1\xc1garbage", "application/msgpack", 400),
    (_BAD_UTF8, "application/msgpack", 400),
    (b'{"records": [', "application/json", 400),
    (b'{"records": "\xff"}', "application/json", 400),
    (b"<records/>", "application/xml", 415),
    (msgspec.msgpack.encode([1, 2, 3]), "application/msgpack", 400),
    (msgspec.msgpack.encode({"recs": []}), "application/msgpack", 400),
    (msgspec.msgpack.encode({"records": {"a": 1}}), "application/msgpack", 400),
    (msgspec.msgpack.encode({"records": _good(501)}), "application/msgpack", 413),
    (b"\x91" * 100_000 + b"\xc0", "application/msgpack", 400),
    (b"[" * 5000 + b"]" * 5000, "application/json", 400),
], ids=["garbage", "bad-utf8", "truncated-json", "json-bad-utf8", "xml", "list", "no-records",
        "records-not-list", "too-many", "deep-msgpack", "deep-json"])
def test_bad_push_bodies(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport,
                         body: bytes, ctype: str, status: int) -> None:
    alice, slug = owned
    got, err = _send(tx, alice, "POST", _records(hub, alice.handle, slug), body, ctype)
    assert got == status and isinstance(err.get("message"), str) and err.get("error")
    assert pull_from_hub(hub.url, alice.handle, slug, signing=alice.identity)["cursor"] == 0


def test_json_bodies_are_accepted_too(hub: HubProcess, owned: tuple[Agent, str],
                                      tx: HTTPTransport) -> None:
    alice, slug = owned
    got, answer = _send(tx, alice, "POST", _records(hub, alice.handle, slug),
                        orjson.dumps({"records": _good(3)}), "application/json")
    assert got == 200 and answer == {"inserted": 3, "skipped": 0, "cursor": 3,
                                       "refused": []}
    got, page = _send(tx, alice, "GET", _records(hub, alice.handle, slug, "limit=2"))
    assert got == 200 and page["cursor"] == 2 and page["has_more"] is True
    assert page["records"] == _good(2)


def test_body_size_cap(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport) -> None:
    alice, slug = owned  # the test hub runs with --max-body 2000000
    big = msgspec.msgpack.encode({"records": [{"kind": "task", "record_id": f"t-{i}", "payload":
                                               {"pad": "x" * 600_000}} for i in range(4)]})
    got, err = _send(tx, alice, "POST", _records(hub, alice.handle, slug), big)
    assert got == 413 and err["error"] == "payload_too_large"


def test_chunked_body_over_the_cap(hub: HubProcess, owned: tuple[Agent, str]) -> None:
    """No Content-Length: the cap applies while streaming."""
    alice, slug = owned
    host, port = hub.host.rsplit(":", 1)
    path = f"/api/v1/repos/{alice.handle}/{slug}/coord/records"
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {hub.host}\r\nTransfer-Encoding: chunked\r\n"
                     "Content-Type: application/msgpack\r\n\r\n".encode())
        chunk = b"x" * 1_000_000
        try:
            for _ in range(3):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the hub may answer and close before we finish
        reply = sock.recv(65536).decode(errors="replace")
    assert reply.startswith("HTTP/1.1 413")


@pytest.mark.parametrize("query", ["since=-1", "since=abc", "since=99999999999999999999",
                                   "limit=0", "limit=x", "kinds=task,pony", "kinds=../x"])
def test_bad_pull_queries(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport,
                          query: str) -> None:
    alice, slug = owned
    got, err = _send(tx, alice, "GET", _records(hub, alice.handle, slug, query))
    assert got == 400 and err["error"] == "bad_request"


@pytest.mark.parametrize("path,method,status", [
    ("/nope", "GET", 404),
    ("/api/v1/repos/a/b/coord/nothing", "GET", 404),
    ("/api/v1/repos/a/b/coord/records", "PATCH", 405),
    ("/healthz", "POST", 405),
])
def test_unknown_routes_answer_json(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport,
                                    path: str, method: str, status: int) -> None:
    alice, _ = owned
    got, err = _send(tx, alice, method, hub.url + path)
    assert got == status and "message" in err


@pytest.mark.parametrize("body", [
    {"owner": "../x", "slug": "s"}, {"owner": "o"}, {"owner": "o", "slug": "s", "public": "yes"},
    {"owner": "o", "slug": "a/b"}, {"owner": "o", "slug": "x" * 101},
])
def test_bad_repo_creation(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport,
                           body: dict[str, object]) -> None:
    alice, _ = owned
    body = {k: (alice.handle if v == "o" else v) for k, v in body.items()}
    got, err = _send(tx, alice, "POST", hub.url + "/api/v1/repos", orjson.dumps(body),
                     "application/json")
    assert got == 400, err


@pytest.mark.parametrize("body", [
    {"handle": "bad/handle", "public_key": "A" * 43}, {"handle": "ok", "public_key": "short"},
    {"handle": "ok"}, ["handle"],
])
def test_bad_registration(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport,
                          body: object) -> None:
    alice, _ = owned
    got, _ = _send(tx, alice, "POST", hub.url + "/api/v1/identities", orjson.dumps(body),
                   "application/json")
    assert got == 400


def test_health(hub: HubProcess, tx: HTTPTransport, backend: str) -> None:
    resp = tx.handle_request(Request("GET", hub.url + "/healthz"))
    assert resp.status == 200
    body = orjson.loads(resp.body)
    assert body["ok"] is True and body["db"] == {"sqlite": "sqlite", "postgres": "postgresql"}[backend]
