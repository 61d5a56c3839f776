"""The hub's tables, written once for both backends.

Each backend passes its own type names; everything else (keys, uniqueness,
defaults) is shared, so the two cannot drift apart.
"""

from __future__ import annotations

from muse.storage.live import live_schema

__all__ = ["LIVE_LEASES_SQL", "LIVE_TASKS_SQL", "STATS_SQL", "hub_schema"]

# The figures of ``HubStore.stats``, in the SQL both backends speak (``?`` parameters).
STATS_SQL = (
    ("identities", "SELECT count(*) FROM hub_identities"),
    ("repositories", "SELECT count(*) FROM hub_repos"),
    ("records_total", "SELECT coalesce(sum(last_seq), 0) FROM hub_repos"),
    ("seen_signatures", "SELECT count(*) FROM hub_seen_signatures"),
)
LIVE_LEASES_SQL = "SELECT count(*) FROM live_reservations WHERE state='live' AND expires_at > ?"
LIVE_TASKS_SQL = "SELECT status, count(*) FROM live_tasks GROUP BY status"


def hub_schema(*, integer: str, real: str, blob: str, serial_key: str, flag: str, false: str) -> tuple[str, ...]:
    """``CREATE`` statements for every hub table.

    Args:
        integer: 64-bit integer type.
        real: double-precision float type.
        blob: byte-string type.
        serial_key: an auto-numbered integer primary key column definition.
        flag: boolean column type, and *false* its false literal.
    """
    return (
        f"""CREATE TABLE IF NOT EXISTS hub_identities (
            handle TEXT PRIMARY KEY,
            public_key TEXT NOT NULL,
            created_at {real} NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS hub_repos (
            id {serial_key},
            owner TEXT NOT NULL,
            slug TEXT NOT NULL,
            created_by TEXT NOT NULL,
            public {flag} NOT NULL DEFAULT {false},
            created_at {real} NOT NULL,
            last_seq {integer} NOT NULL DEFAULT 0,
            UNIQUE (owner, slug))""",
        f"""CREATE TABLE IF NOT EXISTS hub_members (
            repo_id {integer} NOT NULL REFERENCES hub_repos(id),
            handle TEXT NOT NULL,
            permission TEXT NOT NULL,
            PRIMARY KEY (repo_id, handle))""",
        f"""CREATE TABLE IF NOT EXISTS hub_records (
            repo_id {integer} NOT NULL,
            seq {integer} NOT NULL,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            body {blob} NOT NULL,
            PRIMARY KEY (repo_id, seq),
            UNIQUE (repo_id, kind, record_id))""",
        f"""CREATE TABLE IF NOT EXISTS hub_seen_signatures (
            sig {blob} PRIMARY KEY,
            expires_at {real} NOT NULL)""",
        # Facts about the hub itself (its id, which signatures are bound to).
        """CREATE TABLE IF NOT EXISTS hub_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL)""",
        # Invite codes (stored hashed) for --registration invite; used once.
        f"""CREATE TABLE IF NOT EXISTS hub_invites (
            code_hash TEXT PRIMARY KEY,
            created_at {real} NOT NULL,
            expires_at {real} NOT NULL,
            used_by TEXT,
            used_at {real})""",
        *live_schema(integer, real),
        *_dashboard_schema(integer, real, flag, false),
    )


def _dashboard_schema(integer: str, real: str, flag: str, false: str) -> tuple[str, ...]:
    """Dashboard sign-ins: a generation per (repository, handle), and one row per
    capability used to sign in (kept until it expires, so it can be refused)."""
    return (
        f"""CREATE TABLE IF NOT EXISTS hub_dashboard_generations (
            repo_id {integer} NOT NULL,
            handle TEXT NOT NULL,
            generation {integer} NOT NULL,
            changed_at {real} NOT NULL,
            PRIMARY KEY (repo_id, handle))""",
        f"""CREATE TABLE IF NOT EXISTS hub_dashboard_sessions (
            cap_id TEXT PRIMARY KEY,
            repo_id {integer} NOT NULL,
            handle TEXT NOT NULL,
            generation {integer} NOT NULL,
            created_at {real} NOT NULL,
            expires_at {real} NOT NULL,
            revoked {flag} NOT NULL DEFAULT {false})""",
        "CREATE INDEX IF NOT EXISTS hub_dashboard_sessions_holder"
        " ON hub_dashboard_sessions (repo_id, handle)",
        "CREATE INDEX IF NOT EXISTS hub_dashboard_sessions_expiry"
        " ON hub_dashboard_sessions (expires_at)",
    )
