"""Sign-in capabilities: minted and signed by the CLI, parsed and verified by the hub.

Browsers cannot sign MSign requests. ``muse hub dashboard-link`` signs a
*capability* with the user's Ed25519 key: handle, repository, hub host and
expiry (at most :data:`MAX_CAPABILITY_TTL`), under a context string no
request signature can collide with. The sign-in page exchanges it for an
``HttpOnly`` cookie named by :func:`cookie_name`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from muse.core.client import signing
from muse.hub.context import Hub
from muse.hub.errors import Unauthorized

__all__ = [
    "CAPABILITY_CONTEXT",
    "MAX_CAPABILITY_TTL",
    "MAX_TOKEN",
    "Capability",
    "cookie_name",
    "link_host",
    "mint_capability",
    "read_capability",
    "verify_capability",
]

# Signed bytes start with this line; MSign request signatures start with
# "ed25519\n", so one can never be passed off as the other.
CAPABILITY_CONTEXT = b"muse-dashboard-capability-v1\n"
MAX_CAPABILITY_TTL = 24 * 3600
MAX_TOKEN = 2048  # characters in a capability token
_SKEW = 30  # seconds a capability's issue time may lie ahead of hub time


@dataclass(frozen=True, slots=True)
class Capability:
    """Read access to one repository's dashboard, for *handle*, until *exp*."""

    handle: str
    owner: str
    slug: str
    host: str  # hub host[:port] the link was made for
    iat: int
    exp: int


def link_host(url: str) -> str:
    """``host[:port]`` of a hub URL as a browser sends it in ``Host`` (default ports dropped)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port is not None and parts.port != default:
        host += f":{parts.port}"
    return host


def mint_capability(private_key: Any, handle: str, owner: str, slug: str, host: str,
                    now: float, ttl: float) -> str:
    """A capability token signed with *private_key* (an Ed25519 private key)."""
    import json

    if not 0 < ttl <= MAX_CAPABILITY_TTL:
        raise ValueError(f"ttl must be within (0, {MAX_CAPABILITY_TTL}] seconds")
    payload = {"v": 1, "handle": handle, "repo": f"{owner}/{slug}", "host": host.lower(),
               "iat": int(now), "exp": int(now + ttl)}
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    sig = signing.sign(private_key, CAPABILITY_CONTEXT + body)
    return f"{signing.b64url_encode(body)}.{signing.b64url_encode(sig)}"


def read_capability(token: str) -> tuple[Capability, bytes, bytes]:
    """Parse a token (no signature check): ``(capability, signed bytes, signature)``.

    Raises:
        Unauthorized: not a well-formed capability.
    """
    import json

    bad = Unauthorized("malformed dashboard capability: make a new link with "
                       "`muse hub dashboard-link OWNER/SLUG`")
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 1:
        raise bad
    body_b64, sig_b64 = token.split(".")
    try:
        body, sig = signing.b64url_decode(body_b64), signing.b64url_decode(sig_b64)
        data = json.loads(body)
    except ValueError:
        raise bad from None
    if type(data) is not dict or data.get("v") != 1:
        raise bad
    handle, repo, host = data.get("handle"), data.get("repo"), data.get("host")
    iat, exp = data.get("iat"), data.get("exp")
    if not (isinstance(handle, str) and isinstance(repo, str) and isinstance(host, str)
            and type(iat) is int and type(exp) is int and repo.count("/") == 1):
        raise bad
    owner, slug = repo.split("/")
    if not all(_is_name(n) for n in (handle, owner, slug)):
        raise bad  # never reaches the store (PostgreSQL refuses a NUL byte with an error)
    return Capability(handle, owner, slug, host, iat, exp), CAPABILITY_CONTEXT + body, sig


def _is_name(value: str) -> bool:
    from muse.core.coord_bus import check_repo_name
    from muse.core.vocab.errors import UsageError

    try:
        check_repo_name(value, "name")
    except UsageError:
        return False
    return True


def verify_capability(hub: Hub, token: str, host: str, owner: str, slug: str) -> Capability:
    """The capability in *token*, if it is valid now for *owner/slug* on this hub.

    Checks the repository, the host it was made for, its lifetime (issued no
    later than now, unexpired, at most :data:`MAX_CAPABILITY_TTL` long) and the
    signature against the handle's currently registered key. Permission is
    checked by the caller (it may change while the capability lives).

    Raises:
        Unauthorized: any check fails.
    """
    cap, message, sig = read_capability(token)
    if (cap.owner, cap.slug) != (owner, slug):
        raise Unauthorized(f"this sign-in is for {cap.owner}/{cap.slug}, not {owner}/{slug}")
    if cap.host != host.lower():
        raise Unauthorized(f"this sign-in was made for hub {cap.host!r}, not {host!r}")
    now = hub.now()
    if cap.exp <= now:
        raise Unauthorized("dashboard sign-in expired: make a new link with "
                           f"`muse hub dashboard-link {owner}/{slug}`")
    if cap.iat > now + _SKEW or cap.exp - cap.iat > MAX_CAPABILITY_TTL:
        raise Unauthorized("dashboard capability has an impossible lifetime")
    identity = hub.store.get_identity(cap.handle)
    if identity is None or not signing.verify(identity.public_key, message, sig):
        raise Unauthorized(f"dashboard capability is not signed by {cap.handle!r}'s registered key")
    return cap


def cookie_name(owner: str, slug: str) -> str:
    """One session cookie per repository (cookie names cannot hold '/')."""
    return "muse_dash_" + hashlib.sha256(f"{owner}/{slug}".encode()).hexdigest()[:16]
