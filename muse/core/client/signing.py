"""MSign request signing: canonical request bytes, the header, Ed25519 keys.

A signed request carries::

    Authorization: MSign handle="agent-7" alg="ed25519" ts=1767225600 sig="<base64url>"

where ``sig`` is the Ed25519 signature (base64url, no padding) over the
newline-joined lines::

    ed25519
    POST
    hub.example:8765
    /api/v1/repos/torvalds/linux/coord/records?n=3f1c…
    1767225600
    sha256:<hex of the body>
    hub-5f0c9a…

The last line is the id of the hub the request is meant for. Each hub keeps
a random id in its database (hubs sharing one database share it) and sends
it on every answer as ``X-Muse-Hub-Id``; clients learn it per ``host[:port]``
(:func:`note_hub_id`) and sign with it, so a request signed for one hub is
refused by any other, whatever ``Host`` the replayer sends. A client that
does not know the id yet signs with an empty line; the hub's 401 carries the
id and the client signs once more (as it does when it learns the hub's clock).

Ed25519 signatures are deterministic, so two identical requests in the same
second would carry the same signature and look like a replay. Clients
therefore add a random ``n=`` query parameter (the path with its query is
signed); servers ignore it.

Clock offset: the hub refuses timestamps more than ±30 s from *its* clock,
and a client's clock may be minutes off. Every hub answer carries
``X-Muse-Hub-Time`` (epoch seconds, and the standard ``Date`` header);
:func:`note_hub_time` records, per hub ``host[:port]``, how far the hub's
clock is from ours, and :func:`hub_now` is what requests are signed with.
Only signatures use it: leases are judged by the hub alone.

``cryptography`` is imported only inside the functions that need a key, so
importing this module costs nothing beyond the standard library.
"""

from __future__ import annotations

import base64
import hashlib
import os
import pathlib
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ALGORITHM",
    "HUB_ID_HEADER",
    "HUB_TIME_HEADER",
    "MAX_SKEW_SECONDS",
    "RESIGN_AFTER",
    "SCHEME",
    "ParsedAuthorization",
    "b64url_decode",
    "b64url_encode",
    "body_digest",
    "canonical_request",
    "check_public_key",
    "format_authorization",
    "generate_private_key",
    "hub_id",
    "hub_now",
    "hub_offset",
    "load_private_key",
    "note_hub_id",
    "note_hub_time",
    "parse_authorization",
    "public_key_b64",
    "sign",
    "verify",
    "write_key_pair",
]

ALGORITHM = "ed25519"
SCHEME = "MSign"
MAX_SKEW_SECONDS = 30

HUB_TIME_HEADER = "x-muse-hub-time"
HUB_ID_HEADER = "x-muse-hub-id"
RESIGN_AFTER = 2.0  # seconds of learnt offset change that make a 401 worth re-signing

_offsets: dict[str, float] = {}  # hub host[:port] → hub clock minus ours, seconds
_hub_ids: dict[str, str] = {}  # hub host[:port] → the id it advertises

_PARAM = re.compile(r'\s*([a-z]+)=(?:"([^"\\]*)"|([0-9]+))\s*,?')


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding.

    Raises:
        ValueError: not base64url.
    """
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def body_digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def canonical_request(method: str, host: str, path_qs: str, ts: int, body: bytes,
                      alg: str = ALGORITHM, hub_id: str = "") -> bytes:
    """The exact bytes a signature covers (see the module docstring)."""
    lines = (alg, method.upper(), host, path_qs, str(int(ts)), body_digest(body), hub_id)
    return "\n".join(lines).encode("utf-8")


def format_authorization(handle: str, ts: int, sig: bytes, alg: str = ALGORITHM) -> str:
    return f'{SCHEME} handle="{handle}" alg="{alg}" ts={int(ts)} sig="{b64url_encode(sig)}"'


@dataclass(frozen=True, slots=True)
class ParsedAuthorization:
    handle: str
    alg: str
    ts: int
    sig: bytes


def parse_authorization(header: str | None) -> ParsedAuthorization | None:
    """Parse an ``MSign`` header; None when absent, another scheme, or malformed."""
    if not header or len(header) > 1024:
        return None
    scheme, _, rest = header.strip().partition(" ")
    if scheme != SCHEME:
        return None
    params: dict[str, str] = {}
    pos = 0
    rest = rest.strip()
    while pos < len(rest):
        m = _PARAM.match(rest, pos)
        if m is None or m.end() == pos:
            return None
        name = m.group(1)
        if name in params:
            return None
        params[name] = m.group(2) if m.group(2) is not None else m.group(3)
        pos = m.end()
    try:
        return ParsedAuthorization(
            handle=params["handle"], alg=params["alg"], ts=int(params["ts"]),
            sig=b64url_decode(params["sig"]),
        )
    except (KeyError, ValueError):
        return None


# ── the hub's clock ─────────────────────────────────────────────────────────

def hub_offset(netloc: str) -> float:
    """Seconds to add to our clock to get the clock of the hub at *netloc* (0 if unknown)."""
    return _offsets.get(netloc.lower(), 0.0)


def hub_now(netloc: str) -> float:
    """Our best estimate of the hub's current epoch time."""
    import time

    return time.time() + hub_offset(netloc)


def note_hub_time(netloc: str, headers: dict[str, str], sent: float, received: float) -> None:
    """Learn the hub's clock offset from an answer's headers (lower-case names).

    ``X-Muse-Hub-Time`` (sub-second) is preferred over ``Date`` (whole
    seconds). The hub stamped its time while we waited, so it is compared
    with the middle of the exchange. Unparseable headers are ignored.
    """
    hub_time: float | None = None
    raw = headers.get(HUB_TIME_HEADER)
    if raw:
        try:
            hub_time = float(raw)
        except ValueError:
            hub_time = None
    if hub_time is None:
        date = headers.get("date")
        if not date:
            return
        from email.utils import parsedate_to_datetime

        try:
            hub_time = parsedate_to_datetime(date).timestamp() + 0.5  # whole seconds: aim mid
        except (TypeError, ValueError, IndexError):
            return
    if hub_time != hub_time or abs(hub_time) > 1e11:  # NaN or absurd
        return
    _offsets[netloc.lower()] = hub_time - (sent + received) / 2


# ── the hub's id ────────────────────────────────────────────────────────────

_HUB_IDS_FILE = "hub-ids.json"  # under $MUSE_HOME: ids learnt by earlier commands
_MAX_REMEMBERED = 256
_remembered_loaded = False


def _remembered_path() -> pathlib.Path:
    from muse.core.files.config import muse_home

    return muse_home() / _HUB_IDS_FILE


def _load_remembered() -> None:
    """Ids earlier processes learnt, so a new command signs right the first time
    instead of paying a refused request and a re-sign. Unreadable or odd files
    are ignored: a wrong id costs only that one refusal."""
    global _remembered_loaded
    if _remembered_loaded:
        return
    _remembered_loaded = True
    import json

    from muse.core.files.fileio import UnusableFile, read_path

    try:
        data = json.loads(read_path(_remembered_path(), limit=64 * 1024))
    except (OSError, UnusableFile, ValueError, RecursionError):
        return
    if isinstance(data, dict):
        for netloc, advertised in list(data.items())[:_MAX_REMEMBERED]:
            if isinstance(netloc, str) and isinstance(advertised, str) and len(advertised) <= 128:
                _hub_ids.setdefault(netloc.lower(), advertised)


def _remember() -> None:
    import json

    from muse.core.files.fileio import write_file

    path = _remembered_path()
    data = dict(list(_hub_ids.items())[-_MAX_REMEMBERED:])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path.parent, path.name, json.dumps(data, sort_keys=True).encode(),
                   exclusive=False, fsync=False)
    except OSError:
        pass  # a cache: the next command learns the id again


def hub_id(netloc: str) -> str:
    """The id the hub at *netloc* advertised, or "" before its first answer."""
    _load_remembered()
    return _hub_ids.get(netloc.lower(), "")


def note_hub_id(netloc: str, headers: dict[str, str]) -> bool:
    """Learn the hub's id from an answer's headers (lower-case names); True when
    it is new or changed (a request signed before is worth signing again)."""
    advertised = headers.get(HUB_ID_HEADER)
    if not advertised or len(advertised) > 128:
        return False
    _load_remembered()
    key = netloc.lower()
    if _hub_ids.get(key) == advertised:
        return False
    _hub_ids[key] = advertised
    _remember()
    return True


# ── keys (cryptography imported lazily) ─────────────────────────────────────

def generate_private_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def _private_bytes(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    data: bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return data


def load_private_key(path: str | os.PathLike[str]) -> Any:
    """Load an Ed25519 private key (PKCS#8 PEM) from *path*.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is not an unencrypted Ed25519 private key.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = pathlib.Path(path).read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 key")
    return key


def public_key_b64(private_key: Any) -> str:
    """The raw 32-byte public key of *private_key*, base64url without padding."""
    from cryptography.hazmat.primitives import serialization

    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return b64url_encode(raw)


def sign(private_key: Any, message: bytes) -> bytes:
    sig: bytes = private_key.sign(message)
    return sig


def verify(public_key: str, message: bytes, sig: bytes) -> bool:
    """True when *sig* is a valid signature of *message* by *public_key* (base64url raw)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(b64url_decode(public_key))
        key.verify(sig, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def check_public_key(text: object) -> bool:
    """True when *text* is a base64url raw Ed25519 public key (32 bytes)."""
    if not isinstance(text, str) or len(text) != 43:
        return False
    try:
        return len(b64url_decode(text)) == 32
    except ValueError:
        return False


def write_key_pair(private_key: Any, key_path: pathlib.Path) -> str:
    """Write *private_key* to *key_path* (mode 0600, never replacing a file) and
    its public key next to it as ``<name>.pub``; return the public key.

    Raises:
        FileExistsError: a key already exists at *key_path*.
    """
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = _private_bytes(private_key)
    # O_EXCL with mode 0600: the secret is never readable by others, not even briefly.
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    public = public_key_b64(private_key)
    pub_path = key_path.with_suffix(".pub")
    pub_path.write_text(f"ed25519 {public}\n", encoding="ascii")
    return public
