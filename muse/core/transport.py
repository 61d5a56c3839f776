"""HTTP transport and request signing identity (placeholder until the hub client lands)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SigningIdentity"]


@dataclass(frozen=True)
class SigningIdentity:
    handle: str
    key_path: str
