"""A kept-alive socket the hub closed after reading a request: the retry is re-signed.

Sending the same signed bytes again would be refused by the hub as a replay
(and, for a verb that was executed, hide its answer); ``hub_request`` signs a
fresh request for the retry instead.
"""

from __future__ import annotations

import pathlib
import socket
import threading

from muse.core.client import signing
from muse.core.coord_bus import hub_request
from muse.core.transport import HTTPTransport, SigningIdentity

_BODY = b'{"ok": true}'
_OK = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
       b"Connection: keep-alive\r\n\r\n%s" % (len(_BODY), _BODY))


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(rest) < length:
        rest += conn.recv(65536)
    return head


def _authorization(head: bytes) -> bytes:
    return next(line for line in head.split(b"\r\n") if line.lower().startswith(b"authorization:"))


def test_a_request_lost_on_a_closed_kept_alive_socket_is_re_signed(tmp_path: pathlib.Path) -> None:
    key_path = tmp_path / "alice.key"
    signing.write_key_pair(signing.generate_private_key(), key_path)
    alice = SigningIdentity.load("alice", key_path)
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    seen: list[bytes] = []

    def serve() -> None:
        first, _ = server.accept()
        with first:
            seen.append(_read_request(first))
            first.sendall(_OK)  # answered: the client keeps this socket
            seen.append(_read_request(first))  # read, then closed with no answer
        second, _ = server.accept()
        with second:
            seen.append(_read_request(second))
            second.sendall(_OK)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    tx = HTTPTransport()
    url = f"http://127.0.0.1:{port}/api/v1/x"
    try:
        assert hub_request("POST", url, b"{}", signing=alice, content_type="application/json",
                           transport=tx) == {"ok": True}
        assert hub_request("POST", url, b"{}", signing=alice, content_type="application/json",
                           transport=tx) == {"ok": True}
    finally:
        tx.close()
        thread.join(timeout=10)
        server.close()
    assert len(seen) == 3
    lost, retried = _authorization(seen[1]), _authorization(seen[2])
    assert lost != retried  # a fresh signature, not the same bytes again
