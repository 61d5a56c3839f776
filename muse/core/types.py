"""Shared vocabulary: record kinds, id rules, aliases and content hashes."""

from __future__ import annotations

import json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final, NewType

__all__ = [
    "DIR_KINDS",
    "ID_FIELDS",
    "KINDS",
    "KIND_DIRS",
    "OPERATIONS",
    "JsonDict",
    "MsgpackDict",
    "RecordId",
    "RunId",
    "TaskId",
    "canonical_json",
    "check_id",
    "content_hash",
    "is_safe_id",
]

if TYPE_CHECKING:
    MsgpackDict = dict[str, Any]
    """A dict made only of msgpack-encodable values (str, int, float, bool, None, list, dict)."""

    JsonDict = dict[str, Any]
    """A dict made only of JSON-encodable values."""
else:  # plain dict at run time: no typing import on every command start
    MsgpackDict = JsonDict = dict

if TYPE_CHECKING:
    RecordId = NewType("RecordId", str)
    RunId = NewType("RunId", str)
    TaskId = NewType("TaskId", str)
else:  # the same at run time, without importing typing
    RecordId = RunId = TaskId = str

KINDS: Final = ("reservation", "intent", "release", "heartbeat", "dependency", "task", "claim")
KIND_DIRS: Final[dict[str, str]] = {
    "reservation": "reservations",
    "intent": "intents",
    "release": "releases",
    "heartbeat": "heartbeats",
    "dependency": "dependencies",
    "task": "tasks",
    "claim": "claims",
}
DIR_KINDS: Final[dict[str, str]] = {v: k for k, v in KIND_DIRS.items()}

# The field that names a record of each kind when a tool wrote one.
ID_FIELDS: Final[dict[str, str]] = {
    "reservation": "reservation_id",
    "intent": "intent_id",
    "release": "release_id",
    "heartbeat": "heartbeat_id",
    "dependency": "dependency_id",
    "task": "task_id",
    "claim": "claim_id",
}

OPERATIONS: Final = ("modify", "rename", "move", "extract", "delete", "inline", "split", "merge")

# Ids become file names on every client: one path component, no leading dot,
# printable ASCII only. ':' is kept so "sha256:<hex>" content hashes stay readable.
_ID_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_ID_CHARS = _ID_FIRST | frozenset(".:+@=-")

try:  # the builtin SHA-256 avoids loading OpenSSL on every command start
    from _sha256 import sha256 as _sha256  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - interpreters without the builtin module
    from hashlib import sha256 as _sha256


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no spaces, ASCII only: the bytes a content hash is taken over."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def content_hash(obj: Any) -> str:
    """Return ``"sha256:<64 hex>"`` of the canonical JSON of *obj*."""
    digest: str = _sha256(canonical_json(obj)).hexdigest()
    return "sha256:" + digest


def is_safe_id(value: object) -> bool:
    """True when *value* may be used as a record id (and thus a file name)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= 200
        and value[0] in _ID_FIRST
        and _ID_CHARS.issuperset(value)
        and ".." not in value
    )


def check_id(value: object, what: str = "id") -> str:
    """Return *value* if it is a safe id, else raise :class:`InvalidId`."""
    if not is_safe_id(value):
        from muse.core.vocab.errors import InvalidId

        raise InvalidId(
            f"invalid {what} {value!r}: use 1-200 characters from A-Z a-z 0-9 _ . : + @ = -,"
            " not starting with '.' or '-', without '..'",
            field=what,
        )
    assert isinstance(value, str)
    return value
