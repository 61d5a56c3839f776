"""Hub settings: defaults, ``MUSE_HUB_*`` environment variables, then flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from muse.core.vocab.rules import DEFAULT_GRACE

__all__ = ["DEFAULT_DB", "DEFAULT_PORT", "METRICS", "REGISTRATION", "HubSettings"]

DEFAULT_DB = "./muse-hub.sqlite3"
DEFAULT_PORT = 8765
REGISTRATION = ("open", "invite", "closed")
METRICS = ("local", "open", "off")


@dataclass(frozen=True)
class HubSettings:
    """Everything a hub process is configured with.

    Attributes:
        db: SQLite path (or ``sqlite:///path``) or ``postgresql://`` DSN.
        host, port: where to listen (port 0: any free port).
        insecure_dev: accept unsigned requests (loopback only; demos).
        realm: the ``WWW-Authenticate`` realm.
        max_body: request body cap in bytes.
        max_batch: records per push.
        max_page: records per pull page.
        max_record: encoded bytes per record.
        max_skew: seconds a signature timestamp may differ from hub time.
        public_hosts: host[:port] names signatures must name (empty: any).
        pg_schema: PostgreSQL schema for the tables (None: search_path default).
        pg_pool_size: PostgreSQL connections per hub process.
        max_connections: sockets held at once (lowered to fit the descriptor limit);
            at the cap a new connection replaces the one idle longest.
        max_connections_per_client: the same cap per peer address (0: off).
        header_timeout: seconds a new connection may take to send a request head.
        keep_alive: seconds an answered connection may wait for its next request.
        body_timeout: seconds a request body may take to arrive (then 408).
        registration: ``open`` (anyone registers), ``invite`` (with an invite
            code from ``muse hub invite``) or ``closed`` (``muse hub add-identity``).
        metrics: who may ``GET /metrics``: ``local`` (loopback peers), ``open``, ``off``.
        retention_grace: seconds dead leases, runs and records are kept before
            the background pruner forgets them (0: never prune).
        prune_every: seconds between background retention passes (0: never prune).
        limits: bounds on what clients can make the hub remember, by name
            (``muse.hub.bounds``; absent: the default).
    """

    db: str = DEFAULT_DB
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    insecure_dev: bool = False
    realm: str = "muse-hub"
    max_body: int = 32 * 1024 * 1024
    max_batch: int = 500
    max_page: int = 5000
    max_record: int = 1024 * 1024
    max_skew: int = 30
    public_hosts: tuple[str, ...] = field(default_factory=tuple)
    pg_schema: str | None = None
    pg_pool_size: int = 10
    max_connections: int = 1000
    max_connections_per_client: int = 0
    header_timeout: float = 10.0
    keep_alive: float = 30.0
    body_timeout: float = 60.0
    registration: str = "open"
    metrics: str = "local"
    retention_grace: float = DEFAULT_GRACE  # the local GC's
    prune_every: float = 60.0
    limits: tuple[tuple[str, int], ...] = field(default_factory=tuple)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> HubSettings:
        """Settings from ``MUSE_HUB_*`` in *env* (default ``os.environ``), then *overrides*
        (a None override keeps the environment's value)."""
        env = os.environ if env is None else env
        base = cls()
        values: dict[str, Any] = {}

        def pick(name: str, cast: Any) -> None:
            raw = env.get(f"MUSE_HUB_{name.upper()}")
            if raw:
                try:
                    values[name] = cast(raw)
                except ValueError:
                    raise ValueError(f"MUSE_HUB_{name.upper()}={raw!r} is not valid") from None

        pick("db", str)
        pick("host", str)
        pick("port", int)
        pick("realm", str)
        pick("max_body", int)
        pick("max_page", int)
        pick("max_skew", int)
        pick("pg_schema", str)
        pick("pg_pool_size", int)
        pick("max_connections", int)
        pick("max_connections_per_client", int)
        pick("header_timeout", float)
        pick("keep_alive", float)
        pick("body_timeout", float)
        pick("registration", str)
        pick("metrics", str)
        pick("retention_grace", float)
        pick("prune_every", float)
        pick("insecure_dev", lambda v: v.lower() in ("1", "true", "yes"))
        pick("public_hosts", lambda v: tuple(h.strip() for h in v.split(",") if h.strip()))
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = replace(base, **values)
        settings.check()
        return settings

    def check(self) -> None:
        """Raises ValueError naming the first setting out of range."""
        if self.registration not in REGISTRATION:
            raise ValueError(f"registration must be one of {', '.join(REGISTRATION)}")
        if self.metrics not in METRICS:
            raise ValueError(f"metrics must be one of {', '.join(METRICS)}")
        for name in ("max_connections", "max_body"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.max_connections_per_client < 0:
            raise ValueError("max_connections_per_client must be 0 (off) or more")
        for name in ("header_timeout", "keep_alive", "body_timeout"):
            value = getattr(self, name)
            if not 0 < value <= 86_400:
                raise ValueError(f"{name} must be a number of seconds from 0 to 86400")
