"""Typed shapes of the small bodies the hub decodes straight into structs.

Decoding into a ``msgspec.Struct`` refuses a wrong shape at its first byte
and skips unknown fields without building them, so these bodies cost no more
memory than their own bytes, even before the caller is known
(``muse.hub.context.decode_typed``).
"""

from __future__ import annotations

import msgspec

__all__ = ["SMALL_BODY", "Grant", "Registration"]

SMALL_BODY = 16 * 1024  # bytes: a registration or a grant is a few hundred


class Registration(msgspec.Struct):
    """``POST /api/v1/identities``."""

    handle: str
    public_key: str
    invite: str | None = None


class Grant(msgspec.Struct):
    """``PUT /api/v1/repos/{owner}/{slug}/members/{handle}``."""

    permission: str
