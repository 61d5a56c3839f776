"""The sign-in route on a real hub: a huge body is refused before it is read.

The hub's resident memory is read from ``/proc`` before and after: an
unbounded read of the body shows up one-for-one in the peak (VmHWM).
"""

from __future__ import annotations

import pathlib
import socket
import time

import pytest

from muse.hub.dashboard.signin import MAX_SIGN_IN_BODY
from tests.dashboard.wire import hub_rss, request
from tests.hub.conftest import HubProcess, create_repo, make_agent

BIG = 200 * 1024 * 1024  # bytes sent; the hub must not keep more than a sliver of them
ALLOWED_GROWTH = 24 * 1024 * 1024


def _post_chunked(url: str, path: str, total: int, chunk: int = 1 << 20) -> int:
    """POST *total* bytes with chunked encoding (no Content-Length to refuse up front);
    the answer's status, read even when the hub stops the upload early."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    assert parts.hostname and parts.port
    with socket.create_connection((parts.hostname, parts.port), timeout=120) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                      ).encode())
        block = f"{chunk:x}\r\n".encode() + b" " * chunk + b"\r\n"
        sent = 0
        try:
            while sent < total:
                sock.sendall(block)
                sent += chunk
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the hub answered and closed before the end: what we want
        sock.settimeout(120)
        try:
            head = sock.recv(65536)
        except ConnectionResetError:
            return -1
        return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else -1


def test_a_huge_sign_in_body_is_refused_before_it_is_read(
        real_hub: HubProcess, tmp_path: pathlib.Path) -> None:
    owner = make_agent(real_hub, tmp_path, "owner")
    slug = create_repo(real_hub, owner)
    path = f"/repos/{owner.handle}/{slug}/session"
    _, peak_before = hub_rss(real_hub.proc.pid)
    started = time.monotonic()
    status = _post_chunked(real_hub.url, path, BIG)
    _, peak_after = hub_rss(real_hub.proc.pid)
    assert peak_after - peak_before < ALLOWED_GROWTH, (
        f"hub peak memory grew by {(peak_after - peak_before) >> 20} MiB for one sign-in post")
    assert status in (413, -1), status  # -1: the hub reset the upload it refused
    assert time.monotonic() - started < 60
    # A declared length over the cap is refused without reading a byte.
    answer = request(real_hub.url, "POST", path, b"x" * (MAX_SIGN_IN_BODY + 1),
                     {"Content-Type": "application/json"})
    assert answer.status == 413 and answer.json["error"] == "payload_too_large"
    # The hub is still there and answers a normal request.
    assert request(real_hub.url, "GET", "/healthz").status == 200


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b'{"capability": 5}'])
def test_malformed_sign_in_bodies_are_400(real_hub: HubProcess, tmp_path: pathlib.Path,
                                          body: bytes) -> None:
    owner = make_agent(real_hub, tmp_path, "owner")
    slug = create_repo(real_hub, owner)
    answer = request(real_hub.url, "POST", f"/repos/{owner.handle}/{slug}/session", body,
                     {"Content-Type": "application/json"})
    assert answer.status == 400, answer.body
