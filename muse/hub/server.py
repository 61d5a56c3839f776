"""Run a hub: open the store, bind the socket, announce the URL, serve with uvicorn."""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import TextIO

from muse.hub.config import HubSettings

__all__ = ["is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio enables TCP_NODELAY on accepted sockets only
    # when the listening socket says TCP. Without it, a response written as headers
    # then body waits ~40 ms for the client's delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def serve(settings: HubSettings, out: TextIO = sys.stdout) -> None:
    """Serve until interrupted. Prints ``muse hub listening on http://HOST:PORT``
    (flushed) once the socket accepts connections.

    Raises:
        UsageError: ``insecure_dev`` on a non-loopback address, or the port is taken.
    """
    import logging

    import uvicorn

    from muse.core.vocab.errors import UsageError
    from muse.hub.app import create_app
    from muse.hub.connections import ConnectionGuard, descriptor_budget, guarded_protocol
    from muse.storage import describe_url, open_store

    if settings.insecure_dev and not is_loopback(settings.host):
        raise UsageError("--insecure-dev serves only loopback addresses (127.0.0.1, ::1)")
    options: dict[str, object] = {}
    if settings.db.startswith(("postgresql://", "postgres://")):
        options = {"schema": settings.pg_schema, "max_size": settings.pg_pool_size}
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}") from None
    try:
        store = open_store(settings.db, **options)
    except Exception as exc:
        sock.close()
        from muse.core.vocab.errors import UserError

        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise UserError(f"cannot open hub database {describe_url(settings.db)}: {reason}") from exc
    pruner = None
    try:
        app = create_app(store, settings)
        guard = ConnectionGuard(descriptor_budget(settings.max_connections),
                                settings.header_timeout, settings.keep_alive,
                                settings.max_connections_per_client)
        app.state.guard = guard
        if settings.retention_grace > 0 and settings.prune_every > 0:
            from muse.hub.retention import Pruner

            pruner = Pruner(store, settings.retention_grace, settings.prune_every)
            app.state.pruner = pruner  # its counters (Pruner.totals), for a metrics endpoint
            pruner.start()
        port = sock.getsockname()[1]
        shown = f"[{settings.host}]" if ":" in settings.host else settings.host
        logging.basicConfig(level=logging.WARNING, format="muse hub: %(levelname)s %(message)s")
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                http=guarded_protocol(guard),
                                timeout_keep_alive=max(1, int(settings.keep_alive)),
                                server_header=False,
                                # open dashboard streams must not hold a shutdown hostage
                                timeout_graceful_shutdown=5)
        server = uvicorn.Server(config)
        out.write(f"muse hub listening on http://{shown}:{port} "
                  f"(db: {describe_url(settings.db)}"
                  f"{', INSECURE dev mode' if settings.insecure_dev else ''})\n")
        out.flush()
        server.run(sockets=[sock])
    finally:
        if pruner is not None:
            pruner.stop()
        store.close()
        sock.close()
