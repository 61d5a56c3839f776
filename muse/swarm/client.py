"""The asyncio transport of the one hub client: msgpack calls with keep-alive.

Requests are described by :mod:`muse.core.client.hub_client` (the builders the
blocking :class:`~muse.core.client.hub_client.HubClient` sends); :meth:`AsyncHub.send`
carries them from an event loop instead.

Thousands of simulated agents share one event loop per worker process, so the
client must be cheap per request: a pool of at most ``connections`` sockets
(the bound on in-flight requests), requests written in one ``write``, and
responses parsed by hand (status line, ``Content-Length`` or chunked body).
httpx would do the same at several times the CPU per call, and CPU is what a
2-core machine running the hub too is short of.

Outcomes::

    (status, decoded body)   any HTTP status; the caller judges 4xx
    503 / 502 / 504          retried after Retry-After (capped), then returned
    HubUnreachable           refused, reset or timed out (a kept-alive socket
                             the hub closed while idle is retried once)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from muse.core.client.hub_client import HubCall
from muse.core.vocab.errors import HubResponseError, HubUnreachable

__all__ = ["AsyncHub", "LatencySink"]

MSGPACK = "application/msgpack"
_RETRY_STATUSES = frozenset((502, 503, 504))
_MAX_RETRIES = 8

# (verb, seconds on the wire, seconds including the wait for a connection, status)
LatencySink = Callable[[str, float, float, int], None]


class _Conn:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        try:
            self.writer.close()
        except (OSError, RuntimeError):  # already gone, or its loop closed: nothing to release
            return


def _hub_id(netloc: str, headers: dict[str, str] | None = None) -> str:
    """The hub id known for *netloc*, learning it from *headers* first."""
    from muse.core.client.signing import hub_id, note_hub_id

    if headers is not None:
        note_hub_id(netloc, headers)
    return hub_id(netloc)


class AsyncHub:
    """Calls ``/api/v1/repos/{owner}/{slug}/<endpoint>`` on one hub.

    Args:
        url: ``http://host:port`` (https is not needed on loopback and not supported).
        owner, slug: the repository.
        connections: sockets in the pool, i.e. the most requests in flight.
        signing: a ``SigningIdentity`` for MSign, or None for an ``--insecure-dev`` hub.
        timeout: seconds per attempt.
        sink: called with (verb, seconds on the wire, seconds including the wait for a
            free connection, status) after every attempt that got an answer.
    """

    def __init__(self, url: str, owner: str, slug: str, *, connections: int = 32,
                 signing: Any = None, timeout: float = 60.0, sink: LatencySink | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise HubUnreachable(f"invalid hub URL {url!r}: the swarm speaks http://host:port")
        self.url = url.rstrip("/")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.netloc = parts.netloc
        self.base = f"/api/v1/repos/{owner}/{slug}/"
        self.signing = signing
        self.timeout = timeout
        self.sink = sink
        self._sem = asyncio.Semaphore(connections)
        self._idle: list[_Conn] = []
        import msgspec

        self._encode = msgspec.msgpack.Encoder().encode
        self._decode = msgspec.msgpack.Decoder().decode

    async def close(self) -> None:
        conns, self._idle = self._idle, []
        for c in conns:
            c.close()

    def _head(self, method: str, path: str, body: bytes) -> bytes:
        headers = [f"{method} {path} HTTP/1.1", f"Host: {self.netloc}", f"Accept: {MSGPACK}",
                   f"Content-Length: {len(body)}"]
        if body:
            headers.append(f"Content-Type: {MSGPACK}")
        if self.signing is not None:
            from muse.core.transport import Request

            signed = self.signing.sign_request(Request(method, self.url + path, {}, body))
            headers[0] = f"{method} {signed.url[len(self.url):]} HTTP/1.1"
            headers.append(f"Authorization: {signed.headers['Authorization']}")
        return ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1")

    async def send(self, call: HubCall) -> tuple[int, Any]:
        """Send a request described by the one hub client's builders
        (:mod:`muse.core.client.hub_client`: ``claim_call(run_id, ttl)`` …), so the
        swarm and the CLI speak the same protocol; returns ``(status, body)``."""
        return await self.call(call.verb, call.method, call.path, call.body)

    async def call(self, verb: str, method: str, endpoint: str, body: Any = None,
                   *, repo: bool = True) -> tuple[int, Any]:
        """Send one request and return ``(status, decoded body)``.

        Args:
            verb: name for latency figures ("claim").
            method: GET, POST, PUT.
            endpoint: path under the repository (``live/claim``), or an absolute
                path when *repo* is False.
            body: object to send as msgpack (None: no body).
            repo: whether *endpoint* is relative to the repository.

        Raises:
            HubUnreachable: the hub could not be reached or broke the exchange.
            HubResponseError: the answer was not HTTP or not msgpack/JSON.
        """
        path = self.base + endpoint if repo else endpoint
        payload = b"" if body is None else self._encode(body)
        retries = 0
        resigned = False
        while True:
            queued = time.perf_counter()
            signed_for = _hub_id(self.netloc)
            status, headers, raw, took = await self._exchange(method, path, payload)
            if status == 401 and self.signing is not None and not resigned and _hub_id(
                    self.netloc, headers) != signed_for:
                resigned = True  # signed before we knew the hub's id: sign again with it
                continue
            if self.sink is not None:
                self.sink(verb, took, time.perf_counter() - queued, status)
            if status in _RETRY_STATUSES and retries < _MAX_RETRIES:
                retries += 1
                try:
                    wait = float(headers.get("retry-after", "0.2"))
                except ValueError:
                    wait = 0.2
                await asyncio.sleep(min(max(wait, 0.05), 2.0) * (0.5 + retries / 4))
                continue
            return status, self._parse(headers, raw)

    def _parse(self, headers: dict[str, str], raw: bytes) -> Any:
        if not raw:
            return None
        ctype = headers.get("content-type", "")
        try:
            if "msgpack" in ctype:
                return self._decode(raw)
            import orjson

            return orjson.loads(raw)
        except Exception as exc:
            raise HubResponseError(f"hub sent an undecodable body ({type(exc).__name__})") from None

    async def _exchange(self, method: str, path: str,
                        payload: bytes) -> tuple[int, dict[str, str], bytes, float]:
        async with self._sem:
            for attempt in (0, 1):
                reused = bool(self._idle)
                try:
                    conn = self._idle.pop() if reused else await self._open()
                except (TimeoutError, OSError) as exc:
                    raise HubUnreachable(f"cannot reach hub at {self.url}: {exc}") from exc
                # Signed fresh per attempt: a retried signature would look like a replay.
                head = self._head(method, path, payload)
                start = time.perf_counter()
                try:
                    conn.writer.write(head + payload if len(payload) < 65536 else head)
                    if len(payload) >= 65536:
                        conn.writer.write(payload)
                    status, headers, raw, keep = await asyncio.wait_for(
                        self._read(conn.reader), self.timeout)
                except (OSError, asyncio.IncompleteReadError, ConnectionError) as exc:
                    conn.close()
                    if reused and attempt == 0:
                        continue  # the hub closed an idle keep-alive socket
                    raise HubUnreachable(f"hub at {self.url} broke the connection: {exc!r}") from exc
                except TimeoutError as exc:
                    conn.close()
                    raise HubUnreachable(f"hub at {self.url} did not answer within "
                                         f"{self.timeout:g}s", timeout=self.timeout) from exc
                took = time.perf_counter() - start
                if keep:
                    self._idle.append(conn)
                else:
                    conn.close()
                return status, headers, raw, took
        raise AssertionError("unreachable")  # pragma: no cover

    async def _open(self) -> _Conn:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, limit=1 << 20), self.timeout)
        return _Conn(reader, writer)

    @staticmethod
    async def _read(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise HubResponseError(f"not an HTTP answer: {lines[0][:80]!r}")
        status = int(parts[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(chunks)
        else:
            body = await reader.readexactly(int(headers.get("content-length", "0")))
        keep = headers.get("connection", "").lower() != "close" and parts[0] == "HTTP/1.1"
        return status, headers, body, keep
