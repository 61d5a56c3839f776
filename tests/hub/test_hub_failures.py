"""A hub that is down, slow, broken or hostile: exit 5 with one line, nothing half-written."""

from __future__ import annotations

import http.server
import pathlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

import msgspec
import orjson
import pytest

from muse.core.coord_bus import pull_from_hub, push_to_hub
from muse.core.transport import MockTransport, Request, Response, set_transport
from muse.core.vocab.errors import HubAuthError, HubResponseError, HubUnreachable, UsageError
from tests.hub.conftest import make_repo_dir, run_cli, write_records

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


class FakeHub:
    """A tiny threaded HTTP server whose every answer comes from ``respond``."""

    def __init__(self, respond: Handler) -> None:
        hits: list[str] = []
        self.hits = hits

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                hits.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                respond(self)

            do_GET = do_POST = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def answer(status: int, body: bytes, ctype: str = "application/json") -> Handler:
    def respond(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return respond


@pytest.fixture
def fake() -> Iterator[Callable[[Handler], FakeHub]]:
    made: list[FakeHub] = []

    def start(respond: Handler) -> FakeHub:
        made.append(FakeHub(respond))
        return made[-1]

    yield start
    for f in made:
        f.close()


def _repo(tmp_path: pathlib.Path, url: str) -> pathlib.Path:
    root = make_repo_dir(tmp_path / "repo", url, "alice", "linux", None)
    write_records(root, "task", 3)
    return root


def _nothing_pulled(root: pathlib.Path) -> bool:
    remote = root / ".muse" / "coordination" / "remote"
    return not any(remote.rglob("*.json")) and not (root / ".muse/state/pull-cursors.json").exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_hub(tmp_path: pathlib.Path) -> None:
    root = _repo(tmp_path, f"http://127.0.0.1:{_closed_port()}")
    for verb in ("push", "pull"):
        res = run_cli(root, "coord", verb)
        assert res.code == 5
        assert res.err.startswith("muse: error: cannot reach hub") and res.err.count("\n") == 1
    assert _nothing_pulled(root)
    res = run_cli(root, "coord", "pull", "--json")
    assert res.code == 5 and orjson.loads(res.err)["error"] == "hub_unreachable"


def test_invalid_hub_url(tmp_path: pathlib.Path) -> None:
    root = _repo(tmp_path, "ftp://example.org")
    res = run_cli(root, "coord", "pull")
    assert res.code == 5 and "invalid hub URL" in res.err


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors(tmp_path: pathlib.Path, fake: Callable[[Handler], FakeHub], status: int) -> None:
    hub = fake(answer(status, b'{"error": "internal", "message": "database on fire"}'))
    root = _repo(tmp_path, hub.url)
    res = run_cli(root, "coord", "push")
    assert res.code == 5 and "database on fire" in res.err and str(status) in res.err
    # 503 is retried (a restarting hub), 500 is not.
    assert len(hub.hits) == (3 if status == 503 else 1)
    res = run_cli(root, "coord", "pull")
    assert res.code == 5 and _nothing_pulled(root)


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors(tmp_path: pathlib.Path, fake: Callable[[Handler], FakeHub], status: int) -> None:
    hub = fake(answer(status, b'{"error": "x", "message": "who are you"}'))
    root = _repo(tmp_path, hub.url)
    res = run_cli(root, "coord", "pull", "--json")
    assert res.code == 5
    err = orjson.loads(res.err)
    assert err["error"] == "hub_auth" and "who are you" in err["message"]
    assert len(hub.hits) == 1 and _nothing_pulled(root)


@pytest.mark.parametrize("body,ctype", [
    (b"<html>bad gateway</html>", "text/html"),
    (b"\xc1", "application/msgpack"),
    (msgspec.msgpack.encode([1, 2]), "application/msgpack"),
    (msgspec.msgpack.encode({"records": [], "cursor": -1}), "application/msgpack"),
    (msgspec.msgpack.encode({"records": {}, "cursor": 1}), "application/msgpack"),
    (msgspec.msgpack.encode({"records": [], "cursor": "7"}), "application/msgpack"),
    (msgspec.msgpack.encode({"records": [], "cursor": 1, "has_more": "yes"}), "application/msgpack"),
])
def test_malformed_answers(tmp_path: pathlib.Path, fake: Callable[[Handler], FakeHub],
                           body: bytes, ctype: str) -> None:
    hub = fake(answer(200, body, ctype))
    root = _repo(tmp_path, hub.url)
    for verb in ("push", "pull"):
        res = run_cli(root, "coord", verb)
        assert res.code == 5 and "malformed" in res.err and res.err.count("\n") == 1
    assert _nothing_pulled(root)


def test_garbage_instead_of_http(tmp_path: pathlib.Path) -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        root = _repo(tmp_path, f"http://127.0.0.1:{port}")
        res = run_cli(root, "coord", "pull")
        assert res.code == 5 and res.err.count("\n") == 1 and _nothing_pulled(root)
    finally:
        srv.close()


def test_timeout(tmp_path: pathlib.Path, fake: Callable[[Handler], FakeHub],
                 monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def slow(h: http.server.BaseHTTPRequestHandler) -> None:
        release.wait(30)

    hub = fake(slow)
    monkeypatch.setenv("MUSE_HUB_TIMEOUT", "1")
    root = _repo(tmp_path, hub.url)
    started = time.monotonic()
    try:
        res = run_cli(root, "coord", "pull")
    finally:
        release.set()
    assert res.code == 5 and "did not answer within 1s" in res.err
    assert time.monotonic() - started < 20  # a timeout is not retried
    assert _nothing_pulled(root)


def test_failure_on_a_later_page_keeps_the_cursor(tmp_path: pathlib.Path,
                                                  fake: Callable[[Handler], FakeHub]) -> None:
    page = msgspec.msgpack.encode({"records": [
        {"kind": "task", "record_id": f"t-{i}", "run_id": None, "payload": {"task_id": f"t-{i}"},
         "expires_at": None} for i in range(2)], "cursor": 2, "has_more": True})
    calls = {"n": 0}

    def respond(h: http.server.BaseHTTPRequestHandler) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            answer(200, page, "application/msgpack")(h)
        else:
            answer(500, b'{"message": "gone"}')(h)

    hub = fake(respond)
    root = _repo(tmp_path, hub.url)
    res = run_cli(root, "coord", "pull", "--limit", "2")
    assert res.code == 5
    # Records are write-once files, so page 1 may stay; the cursor does not move,
    # so the next pull asks for page 1 again and loses nothing.
    assert not (root / ".muse/state/pull-cursors.json").exists()


def test_hostile_hub_cannot_escape_remote(tmp_path: pathlib.Path) -> None:
    evil = [{"kind": "task", "record_id": rid, "run_id": None, "payload": {"pwned": True},
             "expires_at": None}
            for rid in ("../../../../escape", "../tasks/x", "/abs", ".hidden", "a/b")]
    evil.append({"kind": "../../x", "record_id": "fine", "payload": {}})
    evil.append({"kind": "task", "record_id": "legit-1", "run_id": None,
                 "payload": {"task_id": "legit-1"}, "expires_at": None})

    def handler(req: Request) -> Response:
        body = msgspec.msgpack.encode({"records": evil, "cursor": 7, "has_more": False})
        return Response(200, {"content-type": "application/msgpack"}, body)

    root = make_repo_dir(tmp_path / "victim" / "repo", "http://hub.invalid", "alice", "linux", None)
    before = {p for p in tmp_path.rglob("*")}
    old = set_transport(MockTransport(handler))
    try:
        res = run_cli(root, "coord", "pull", "--json")
    finally:
        set_transport(old)
    assert res.code == 0 and res.json["rejected"] == 6 and res.json["written"] == 1
    created = {p for p in tmp_path.rglob("*")} - before
    remote = root / ".muse" / "coordination" / "remote"
    for path in created:
        assert path.is_relative_to(remote) or path.is_relative_to(root / ".muse" / "state"), path
    assert (remote / "tasks" / "legit-1.json").exists()


def test_client_side_checks() -> None:
    def never(req: Request) -> Response:
        raise AssertionError("no request expected")

    mock = MockTransport(never)
    with pytest.raises(UsageError, match="at most 500"):
        push_to_hub("http://h", "a", "b", [{}] * 501, transport=mock)
    with pytest.raises(UsageError, match="invalid owner"):
        push_to_hub("http://h", "../etc", "b", [], transport=mock)
    with pytest.raises(UsageError, match="invalid slug"):
        pull_from_hub("http://h", "a", "b/c", transport=mock)
    with pytest.raises(UsageError):
        pull_from_hub("http://h", "a", "b", since_id=-1, transport=mock)


def test_mock_transport_roundtrip() -> None:
    seen: list[Request] = []

    def handler(req: Request) -> Response:
        seen.append(req)
        if req.method == "POST":
            n = len(msgspec.msgpack.decode(req.body)["records"])
            body = msgspec.msgpack.encode({"inserted": n, "skipped": 0, "cursor": n})
        else:
            body = msgspec.msgpack.encode({"records": [], "cursor": 0, "has_more": False})
        return Response(200, {"content-type": "application/msgpack"}, body)

    mock = MockTransport(handler)
    recs = [{"kind": "task", "record_id": "t", "run_id": None, "payload": {}, "expires_at": None}]
    assert push_to_hub("http://h:1/", "a", "b", recs, transport=mock) == {"inserted": 1, "skipped": 0}
    assert pull_from_hub("http://h:1", "a", "b", since_id=5, kinds=["task", "claim"], limit=9,
                         transport=mock) == {"records": [], "cursor": 0, "has_more": False}
    assert seen[0].url == "http://h:1/api/v1/repos/a/b/coord/records"
    assert seen[0].headers["Content-Type"] == "application/msgpack"
    assert seen[1].url == "http://h:1/api/v1/repos/a/b/coord/records?since=5&limit=9&kinds=task,claim"
    assert "Authorization" not in seen[1].headers


def test_error_classes_are_remote() -> None:
    for cls in (HubUnreachable, HubAuthError, HubResponseError):
        assert cls.exit_code == 5
