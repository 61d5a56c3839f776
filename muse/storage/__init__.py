"""Hub storage backends; :func:`open_store` imports only the backend a URL names.

``open_store("./muse-hub.sqlite3")`` or ``open_store("sqlite:///abs/path.db")``
gives a :class:`~muse.storage.sqlite.SqliteStore`;
``open_store("postgresql://user@host/db")`` a
:class:`~muse.storage.postgres.PostgresStore` (psycopg is imported then, not
before).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from muse.storage.base import HubStore

__all__ = ["describe_url", "open_store"]

_PG_PREFIXES = ("postgresql://", "postgres://")


def describe_url(url: str) -> str:
    """*url* with any password masked, for logs and health answers."""
    if url.startswith(_PG_PREFIXES):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return parts._replace(netloc=netloc).geturl()
    return url


def open_store(url: str, **options: Any) -> HubStore:
    """Open the hub store named by *url*.

    Args:
        url: a file path or ``sqlite:///path`` for SQLite; ``postgresql://…``
            (or ``postgres://…``) for PostgreSQL.
        **options: backend options (PostgreSQL: ``schema``, ``max_size``).

    Raises:
        ValueError: an empty URL or unknown scheme.
    """
    if not url:
        raise ValueError("no database given")
    if url.startswith(_PG_PREFIXES):
        from muse.storage.postgres import PostgresStore

        return PostgresStore(url, **options)
    if url.startswith("sqlite://"):
        url = url[len("sqlite://"):]
        if url.startswith("/") and url[1:2] == "/":  # sqlite:///abs → /abs
            url = url[1:]
    elif "://" in url:
        raise ValueError(f"unknown database URL {describe_url(url)!r}: use a file path or postgresql://")
    from muse.storage.sqlite import SqliteStore

    return SqliteStore(url)
