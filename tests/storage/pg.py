"""The PostgreSQL test server: find it (or skip / fail), and a schema per test."""

from __future__ import annotations

import os
import uuid

import pytest

__all__ = ["DEFAULT_DSN", "drop_schema", "new_schema", "pg_dsn"]

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def pg_dsn() -> str:
    """The test server's DSN, or skip (fail under MUSE_REQUIRE_PG=1) when it is not there."""
    dsn = os.environ.get("MUSE_TEST_PG_DSN") or DEFAULT_DSN
    try:
        import psycopg

        with psycopg.connect(dsn, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        if os.environ.get("MUSE_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL required (MUSE_REQUIRE_PG=1) but unavailable at {dsn}: {exc}")
        pytest.skip(f"no PostgreSQL at {dsn}: {exc}")
    return dsn


def drop_schema(dsn: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def new_schema() -> str:
    return f"muse_test_{uuid.uuid4().hex[:12]}"
