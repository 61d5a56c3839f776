"""Who is calling: verify ``MSign`` signatures, refuse stale and replayed requests.

An :class:`Authenticator` has one method, :meth:`Authenticator.authenticate`,
which returns a :class:`Principal` or raises
:class:`~muse.hub.errors.Unauthorized` (answered as 401 with
``WWW-Authenticate: MSign realm="…"``). Checks, in order:

1. an ``Authorization: MSign handle=… alg=… ts=… sig=…`` header is present
   and well formed, with ``alg="ed25519"``;
2. ``ts`` is within ±``max_skew`` seconds of hub time;
3. the handle is registered (or, for registration, the key comes with the
   request: proof of possession);
4. the ``Host`` is one of ``public_hosts`` when those are configured;
5. the signature verifies over the canonical request (``muse.core.client.signing``),
   whose last line is this hub's id: a request signed for another hub fails
   here, whatever ``Host`` it names;
6. the signature was not accepted before (the replay set lives in the store,
   so hubs sharing a database share it too).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from muse.core.client import signing
from muse.hub.errors import Unauthorized
from muse.storage.base import HubStore

if TYPE_CHECKING:
    from muse.hub.context import Call

__all__ = ["Authenticator", "InsecureDevAuth", "Principal", "SignatureAuth"]

_MAX_CACHED_KEYS = 100_000


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. ``superuser`` only in insecure development mode.

    ``replay``: (signature, keep until) when the caller asked to remember the
    request's signature itself, in the transaction of what the request does.
    """

    handle: str
    superuser: bool = False
    replay: tuple[bytes, float] | None = None


class Authenticator(abc.ABC):
    @abc.abstractmethod
    def authenticate(self, call: Call, *, public_key: str | None = None,
                     defer_replay: bool = False) -> Principal:
        """Identify the caller of *call*.

        Args:
            call: the request.
            public_key: verify against this key instead of the registered one
                (identity registration proves possession of the new key).
            defer_replay: do not remember the signature here; return it in
                ``Principal.replay`` for the caller's own transaction (one
                commit per request instead of two).

        Raises:
            Unauthorized: missing, malformed, stale, forged or replayed signature,
                or an unknown handle.
        """


class SignatureAuth(Authenticator):
    def __init__(self, store: HubStore, now: Callable[[], float], max_skew: int = 30,
                 public_hosts: tuple[str, ...] = (), hub_id: str = "") -> None:
        self.store = store
        self.hub_id = hub_id
        self.now = now
        self.max_skew = max_skew
        self.public_hosts = frozenset(h.lower() for h in public_hosts)
        # handle → public key. A registration never changes (another key is a 409)
        # and is never deleted, so a key once seen stays true: one database
        # round trip less per request. Bounded so a flood of handles cannot grow it.
        self._keys: dict[str, str] = {}
        # public key text → the parsed key (``Ed25519PublicKey``), so a request
        # pays for the verification only, not for loading the key again.
        self._parsed: dict[str, Any] = {}

    def authenticate(self, call: Call, *, public_key: str | None = None,
                     defer_replay: bool = False) -> Principal:
        parsed = signing.parse_authorization(call.headers.get("authorization"))
        if parsed is None:
            raise Unauthorized("missing or malformed MSign signature "
                               "(Authorization: MSign handle=… alg=… ts=… sig=…)")
        if parsed.alg != signing.ALGORITHM:
            raise Unauthorized(f"unsupported signature algorithm {parsed.alg!r}: use ed25519")
        now = self.now()
        if abs(now - parsed.ts) > self.max_skew:
            raise Unauthorized(f"signature timestamp {parsed.ts} is more than {self.max_skew}s "
                               f"from hub time {int(now)}: check the clock",
                               reason="clock_skew", hub_time=now)
        registered = public_key is None
        if public_key is None:
            public_key = self._keys.get(parsed.handle)
            if public_key is None:
                identity = self.store.get_identity(parsed.handle)
                if identity is None:
                    raise Unauthorized(f"unknown handle {parsed.handle!r}: run `muse auth register`")
                public_key = identity.public_key
                if len(self._keys) < _MAX_CACHED_KEYS:
                    self._keys[parsed.handle] = public_key
        if self.public_hosts and call.host.lower() not in self.public_hosts:
            raise Unauthorized(f"request signed for host {call.host!r}, not this hub")
        message = signing.canonical_request(call.method, call.host, call.path_qs, parsed.ts,
                                            call.body, parsed.alg, self.hub_id)
        if not self._verify(public_key, message, parsed.sig, cache=registered):
            raise Unauthorized(f"bad signature for {parsed.handle!r} (or signed for another hub: "
                               f"this one is {self.hub_id})", reason="bad_signature",
                               hub_id=self.hub_id)
        # Remember it only once it verified: forged headers must not fill the set.
        keep_until = parsed.ts + self.max_skew + 1
        if defer_replay:
            return Principal(parsed.handle, replay=(parsed.sig, keep_until))
        if not self.store.remember_signature(parsed.sig, keep_until, now):
            raise Unauthorized("replayed request: this signature was already used")
        return Principal(parsed.handle)

    def _verify(self, public_key: str, message: bytes, sig: bytes, cache: bool) -> bool:
        """``signing.verify`` with the parsed key kept (registered keys only: a
        key that comes with a registration request is parsed each time)."""
        key = self._parsed.get(public_key) if cache else None
        if key is None:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            try:
                key = Ed25519PublicKey.from_public_bytes(signing.b64url_decode(public_key))
            except ValueError:
                return False
            if cache and len(self._parsed) < _MAX_CACHED_KEYS:
                self._parsed[public_key] = key
        from cryptography.exceptions import InvalidSignature

        try:
            key.verify(sig, message)
        except InvalidSignature:
            return False
        return True


class InsecureDevAuth(Authenticator):
    """``--insecure-dev``: every caller may do everything (loopback demos only).

    A well-formed header still names the caller, so repository owners are
    recorded; registration still verifies proof of possession.
    """

    def __init__(self, strict: SignatureAuth) -> None:
        self.strict = strict

    def authenticate(self, call: Call, *, public_key: str | None = None,
                     defer_replay: bool = False) -> Principal:
        if public_key is not None:
            return self.strict.authenticate(call, public_key=public_key)
        parsed = signing.parse_authorization(call.headers.get("authorization"))
        return Principal(parsed.handle if parsed else "dev", superuser=True)
