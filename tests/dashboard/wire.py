"""Plain HTTP against a real hub process: what a browser (or an attacker) sends.

No client library in between: sign-in posts, cookies, event streams kept open
on raw sockets from chosen loopback source addresses (127.0.0.0/8 is all
loopback on Linux, so each address is a different client to the hub), and
the hub's resident memory read from ``/proc``.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Answer", "EventStream", "hub_rss", "open_stream", "request", "sign_in"]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def _read_head(sock: socket.socket, timeout: float) -> tuple[int, dict[str, str], bytes]:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.1 "):
        raise ConnectionError(f"no HTTP answer (got {data[:80]!r})")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, rest


def request(url: str, method: str, path: str, body: bytes = b"",
            headers: dict[str, str] | None = None, timeout: float = 60.0) -> Answer:
    """One request on a fresh connection; the whole answer (Content-Length bodies)."""
    host, port = _address(url)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
                f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status, got, rest = _read_head(sock, timeout)
        length = int(got.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return Answer(status, got, rest[:length])


def sign_in(url: str, owner: str, slug: str, token: str) -> tuple[Answer, str | None]:
    """Post a capability as the sign-in page does: the answer and the cookie it set."""
    answer = request(url, "POST", f"/repos/{owner}/{slug}/session",
                     json.dumps({"capability": token}).encode(),
                     {"Content-Type": "application/json"})
    cookie = answer.headers.get("set-cookie")
    return answer, (cookie.split(";", 1)[0] if cookie and answer.status == 200 else None)


@dataclass
class EventStream:
    """An open ``…/dashboard/events`` connection."""

    sock: socket.socket
    status: int
    headers: dict[str, str]
    first: bytes  # what arrived with the status line

    def read_until(self, marker: bytes, timeout: float = 30.0) -> bytes:
        data = self.first
        deadline = time.monotonic() + timeout
        while marker not in data and time.monotonic() < deadline:
            self.sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            data += chunk
        self.first = data
        return data

    def close(self) -> None:
        self.sock.close()


def open_stream(url: str, owner: str, slug: str, source: str = "127.0.0.1",
                headers: dict[str, str] | None = None, timeout: float = 60.0) -> EventStream:
    """Open the event stream from loopback address *source*; read the status line."""
    host, port = _address(url)
    sock = socket.create_connection((host, port), timeout=timeout, source_address=(source, 0))
    head = [f"GET /api/v1/repos/{owner}/{slug}/dashboard/events HTTP/1.1",
            f"Host: {host}:{port}", "Accept: text/event-stream"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        status, got, rest = _read_head(sock, timeout)
    except BaseException:
        sock.close()
        raise
    return EventStream(sock, status, got, rest)


def hub_rss(pid: int) -> tuple[int, int]:
    """``(resident, peak resident)`` of process *pid*, in bytes (Linux ``/proc``)."""
    fields: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) * 1024
    return fields["VmRSS"], fields["VmHWM"]
