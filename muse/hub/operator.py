"""What a hub's operator does on its database directly (``muse hub add-identity``,
``muse hub invite``): no HTTP, no signature, the database access is the authority.

Safe while hubs are serving the same database: each call is one transaction.
"""

from __future__ import annotations

import secrets

from muse.core.client.signing import check_public_key
from muse.core.vocab.errors import ConflictError, UsageError
from muse.hub.admin import invite_hash
from muse.storage.base import HubStore

__all__ = ["MAX_INVITES", "add_identity", "new_invites"]

MAX_INVITES = 1000  # per call


def add_identity(store: HubStore, handle: str, public_key: str, now: float) -> bool:
    """Register *handle* with *public_key*; False if it already has that key.

    Raises:
        UsageError: a bad handle or key.
        ConflictError: *handle* is registered with another key.
    """
    from muse.core.coord_bus import check_repo_name

    handle = check_repo_name(handle, "handle")
    if not check_public_key(public_key):
        raise UsageError("the public key must be a raw Ed25519 key in base64url (43 characters), "
                         "as in the .pub file `muse auth keygen` writes")
    if store.create_identity(handle, public_key, now):
        return True
    existing = store.get_identity(handle)
    if existing is not None and existing.public_key == public_key:
        return False
    raise ConflictError(f"handle {handle!r} is already registered with another key")


def new_invites(store: HubStore, count: int, ttl: float, now: float) -> list[str]:
    """*count* fresh single-use invite codes valid for *ttl* seconds (only their hashes
    are stored).

    Raises:
        UsageError: *count* or *ttl* out of range.
    """
    if not 1 <= count <= MAX_INVITES:
        raise UsageError(f"--count must be from 1 to {MAX_INVITES}")
    if not 0 < ttl <= 366 * 86_400:
        raise UsageError("--expires-in must be from a second to a year")
    codes = [f"inv-{secrets.token_urlsafe(18)}" for _ in range(count)]
    for code in codes:
        store.create_invite(invite_hash(code), now, now + ttl)
    return codes
