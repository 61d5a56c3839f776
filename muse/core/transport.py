"""HTTP transport for hub clients, and the identity that signs requests.

The shape follows httpx: a transport has one method,
:meth:`BaseTransport.handle_request`, plus :meth:`~BaseTransport.close`.
:class:`HTTPTransport` speaks HTTP/1.1 over stdlib ``http.client`` and keeps
one keep-alive connection per (scheme, host, port) *per thread*, so the
batches of a push and the pages of a pull reuse one socket and threads never
share a connection. :class:`MockTransport` turns a function into a transport
for tests that need no socket.

Failures of the exchange itself are translated here, at one boundary::

    RemoteError (muse.core.vocab.errors)
    ├── HubUnreachable     refused, reset, DNS, TLS, timeout
    └── HubResponseError   the peer answered something that is not HTTP

Statuses (401, 5xx …) are not errors at this layer: callers read
:attr:`Response.status` and decide (see ``muse.core.coord_bus``).

Only the standard library is imported at module level; ``http.client``,
``ssl`` and ``cryptography`` load on first use.
"""

from __future__ import annotations

import os
import pathlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from muse.core.vocab.errors import HubResponseError, HubUnreachable, UserError

__all__ = [
    "DEFAULT_TIMEOUT",
    "BaseTransport",
    "HTTPTransport",
    "MockTransport",
    "Request",
    "Response",
    "SigningIdentity",
    "get_transport",
    "set_transport",
]

DEFAULT_TIMEOUT = 60.0


@dataclass(slots=True)
class Request:
    """One HTTP request. ``url`` is absolute; header names are case-insensitive."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    timeout: float = DEFAULT_TIMEOUT


@dataclass(slots=True)
class Response:
    """One HTTP response; ``headers`` has lower-case names."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


class BaseTransport:
    """Sends a request and returns the response, whatever its status."""

    def handle_request(self, request: Request) -> Response:
        """Send *request* and read the whole response.

        Args:
            request: the request; its ``Host`` header, if set, is sent as is.

        Returns:
            The response with any status (the caller judges 4xx/5xx).

        Raises:
            HubUnreachable: the hub could not be reached or the exchange broke off
                (refused, reset, DNS failure, timeout).
            HubResponseError: the peer did not speak HTTP.
        """
        raise NotImplementedError

    def close(self) -> None:
        """Release pooled connections (idempotent)."""


class MockTransport(BaseTransport):
    """A transport that calls ``handler(request)`` instead of opening a socket."""

    def __init__(self, handler: Callable[[Request], Response]) -> None:
        self.handler = handler

    def handle_request(self, request: Request) -> Response:
        return self.handler(request)


def split_url(url: str) -> tuple[str, str, int, str, str]:
    """``(scheme, host, port, netloc, path_with_query)`` of an absolute http(s) URL.

    Raises:
        HubUnreachable: not an http(s) URL.
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise HubUnreachable(f"invalid hub URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise HubUnreachable(f"invalid hub URL {url!r}: use http://host:port or https://host")
    if port is None:
        port = 443 if scheme == "https" else 80
    netloc = parts.netloc.rpartition("@")[2]
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port, netloc, path


class HTTPTransport(BaseTransport):
    """HTTP/1.1 with per-thread keep-alive connections (stdlib ``http.client``)."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Any] = []  # every connection made, so close() can reach other threads'

    def _pool(self) -> dict[tuple[str, str, int], Any]:
        pool: dict[tuple[str, str, int], Any] | None = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        return pool

    def _connect(self, scheme: str, host: str, port: int, timeout: float) -> Any:
        import http.client

        conn: Any
        if scheme == "https":
            import ssl

            conn = http.client.HTTPSConnection(host, port, timeout=timeout,
                                               context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        with self._lock:
            self._all.append(conn)
        return conn

    def _drop(self, key: tuple[str, str, int]) -> None:
        conn = self._pool().pop(key, None)
        if conn is not None:
            conn.close()
            with self._lock:
                try:
                    self._all.remove(conn)
                except ValueError:
                    pass

    def handle_request(self, request: Request) -> Response:
        import http.client

        scheme, host, port, netloc, path = split_url(request.url)
        key = (scheme, host, port)
        headers = {"Host": netloc, "Content-Length": str(len(request.body)), **request.headers}
        pool = self._pool()
        conn = pool.get(key)
        reused = conn is not None
        if conn is None:
            conn = pool[key] = self._connect(scheme, host, port, request.timeout)
        conn.timeout = request.timeout
        if conn.sock is not None:
            conn.sock.settimeout(request.timeout)
        try:
            conn.request(request.method, path, body=request.body, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                ConnectionAbortedError) as exc:
            self._drop(key)
            # A kept-alive socket the server closed while idle. The request may
            # still have reached the hub, so the same signed bytes are not sent
            # again (the hub would refuse them as a replay): the caller re-signs
            # and retries at once (``stale_connection``). A fresh connection
            # failing is a real failure.
            raise HubUnreachable(f"hub at {scheme}://{netloc} closed the connection ({exc})",
                                 stale_connection=reused) from exc
        except TimeoutError as exc:
            self._drop(key)
            raise HubUnreachable(
                f"hub at {scheme}://{netloc} did not answer within {request.timeout:g}s",
                timeout=request.timeout,
            ) from exc
        except OSError as exc:
            self._drop(key)
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise HubUnreachable(f"cannot reach hub at {scheme}://{netloc}: {reason}") from exc
        except http.client.HTTPException as exc:
            self._drop(key)
            raise HubResponseError(
                f"hub at {scheme}://{netloc} sent a malformed HTTP response ({type(exc).__name__})"
            ) from exc
        if resp.will_close:
            self._drop(key)
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
        self._local = threading.local()


_default: BaseTransport | None = None
_default_lock = threading.Lock()


def get_transport() -> BaseTransport:
    """The process-wide transport (an :class:`HTTPTransport` unless replaced)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = HTTPTransport()
    return _default


def set_transport(transport: BaseTransport | None) -> BaseTransport | None:
    """Replace the process-wide transport (None: back to HTTP); return the old one."""
    global _default
    with _default_lock:
        old, _default = _default, transport
    return old


@dataclass(eq=False)
class SigningIdentity:
    """A handle and its Ed25519 private key: signs requests with ``MSign``.

    Construct it with :meth:`load`, which reads and checks the key once.
    """

    handle: str
    key_path: str
    _key: Any = field(default=None, repr=False)

    @classmethod
    def load(cls, handle: str, key_path: str | os.PathLike[str]) -> SigningIdentity:
        """Read the private key of *handle* from *key_path* (``~`` is expanded).

        Raises:
            UserError: no key file there, or it is not an Ed25519 private key.
        """
        from muse.core.client import signing

        path = pathlib.Path(os.path.expanduser(os.fspath(key_path)))
        try:
            key = signing.load_private_key(path)
        except FileNotFoundError:
            raise UserError(
                f"no signing key at {path}: run `muse auth keygen --handle {handle}`"
            ) from None
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot use signing key {path}: {exc}") from None
        return cls(handle, str(path), key)

    @property
    def public_key(self) -> str:
        from muse.core.client import signing

        return signing.public_key_b64(self._require_key())

    def _require_key(self) -> Any:
        if self._key is None:
            loaded = SigningIdentity.load(self.handle, self.key_path)
            self._key = loaded._key
        return self._key

    def sign_request(self, request: Request, *, now: float | None = None) -> Request:
        """Return *request* with a fresh ``n=`` nonce in its query and an
        ``Authorization: MSign …`` header over the result.

        The timestamp is *now*, else the hub's time as last learnt from its
        answers (:func:`muse.core.client.signing.hub_now`), so a client with a skewed
        clock still signs within the hub's window."""
        import secrets

        from muse.core.client import signing

        sep = "&" if "?" in request.url else "?"
        url = f"{request.url}{sep}n={secrets.token_hex(8)}"
        _, _, _, netloc, path = split_url(url)
        ts = int(signing.hub_now(netloc) if now is None else now)
        message = signing.canonical_request(request.method, netloc, path, ts, request.body,
                                            hub_id=signing.hub_id(netloc))
        sig = signing.sign(self._require_key(), message)
        headers = {**request.headers,
                   "Authorization": signing.format_authorization(self.handle, ts, sig)}
        return replace(request, url=url, headers=headers)
