"""Typed records and the one place raw dicts (files, HTTP bodies) become them.

Records are named tuples: immutable, cheap to build, and plain tuples on the
wire to the persistent index (:mod:`muse.core.files.index`), which stores them
with ``marshal`` and rebuilds them with ``_make``.

Readers are tolerant: a record needs only the minimal fields of its kind
(see the spec); every other field has a default, and unknown fields are
ignored so older and newer writers keep interoperating. A dict that lacks a
required field or carries a wrong type raises :class:`InvalidRecord` naming
the field.
"""

from __future__ import annotations

from collections.abc import Callable
from sys import intern

from muse.core.types import OPERATIONS, JsonDict, is_safe_id
from muse.core.vocab.address import canonical_or_raw
from muse.core.vocab.clock import parse_ts
from muse.core.vocab.errors import InvalidRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
    from typing import NamedTuple as RecordTuple
else:
    from muse.core.vocab.recordbase import Record as RecordTuple

__all__ = [
    "DECODERS",
    "Claim",
    "Dependency",
    "Heartbeat",
    "Intent",
    "Record",
    "Release",
    "Reservation",
    "Task",
    "claim_slot_id",
    "decode",
]

_FAR_PAST = 0.0


def _str(data: JsonDict, field: str, kind: str, default: str | None = None) -> str:
    value = data.get(field, default)
    if not isinstance(value, str) or not value:
        if value is None:
            raise InvalidRecord(f"{kind} record lacks {field!r}", field=field)
        raise InvalidRecord(f"{kind} field {field!r} must be a non-empty string", field=field)
    return value


def _opt_str(data: JsonDict, field: str, kind: str) -> str | None:
    value = data.get(field)
    if value is None or isinstance(value, str):
        return value
    raise InvalidRecord(f"{kind} field {field!r} must be a string", field=field)


def _ts(data: JsonDict, field: str, kind: str, *, required: bool = True) -> float | None:
    value = data.get(field)
    if value is None:
        if required:
            raise InvalidRecord(f"{kind} record lacks {field!r}", field=field)
        return None
    try:
        return parse_ts(value)
    except ValueError as exc:
        raise InvalidRecord(f"{kind} field {field!r}: bad timestamp {value!r} ({exc})", field=field) from None


def _str_list(data: JsonDict, field: str, kind: str) -> tuple[str, ...]:
    value = data.get(field, ())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InvalidRecord(f"{kind} field {field!r} must be a list of strings", field=field)


def _opt_int(data: JsonDict, field: str, kind: str) -> int | None:
    value = data.get(field)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise InvalidRecord(f"{kind} field {field!r} must be an integer", field=field)


def _addresses(data: JsonDict, field: str, kind: str) -> tuple[str, ...]:
    # Records written by hand or pulled get the one grammar too (an invalid
    # address stays as written: it overlaps only itself, the record is kept).
    return tuple(map(canonical_or_raw, _str_list(data, field, kind)))


def _int(data: JsonDict, field: str, kind: str, default: int) -> int:
    value = data.get(field, default)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise InvalidRecord(f"{kind} field {field!r} must be an integer", field=field)


class Reservation(RecordTuple):
    """An advisory lease of *run_id* on symbol addresses until *expires_at*."""

    record_id: str
    reservation_id: str
    run_id: str
    expires_at: float
    symbols: tuple[str, ...]
    created_at: float | None = None
    token: int | None = None
    remote: bool = False

    @classmethod
    def decode(cls, record_id: str, data: JsonDict, remote: bool = False) -> Reservation:
        # Fast path for the common, well-formed record (this is the kind that
        # 150,000-record queries decode); anything unusual takes the checked path.
        get = data.get
        rid, run, exp, syms = get("reservation_id", record_id), get("run_id"), get("expires_at"), get("symbols", ())
        created, token = get("created_at"), get("token")
        if (type(rid) is str and rid and type(run) is str and run and type(exp) is str
                and type(syms) is list and (created is None or type(created) is str)
                and (token is None or type(token) is int)):
            try:
                expires = parse_ts(exp)
                made = None if created is None else parse_ts(created)
            except ValueError:
                pass  # the checked path names the field
            else:
                if all(type(x) is str for x in syms):
                    # A record with a token was written by an engine that checked
                    # its addresses; others (by hand, old) get the grammar here.
                    symbols = tuple(syms) if token is not None else tuple(map(canonical_or_raw, syms))
                    # One object for equal ids, and run ids interned (thousands of
                    # records share a run): less memory, and the index stores
                    # and reloads shared strings once.
                    if rid == record_id:
                        rid = record_id
                    return tuple.__new__(cls, (record_id, rid, intern(run), expires, symbols, made, token, remote))
        return cls._checked(record_id, data, remote)

    @classmethod
    def _checked(cls, record_id: str, data: JsonDict, remote: bool) -> Reservation:
        kind = "reservation"
        token = data.get("token")
        return cls(
            record_id=record_id,
            reservation_id=_str(data, "reservation_id", kind, record_id),
            run_id=_str(data, "run_id", kind),
            expires_at=_ts(data, "expires_at", kind) or _FAR_PAST,
            symbols=_addresses(data, "symbols", kind),
            created_at=_ts(data, "created_at", kind, required=False),
            token=token if isinstance(token, int) and not isinstance(token, bool) else None,
            remote=remote,
        )


class Intent(RecordTuple):
    """What *run_id* means to do to *target*: one of :data:`OPERATIONS`."""

    record_id: str
    intent_id: str
    run_id: str
    reservation_id: str | None
    operation: str
    target: str
    new_name: str | None = None
    created_at: float | None = None

    @classmethod
    def decode(cls, record_id: str, data: JsonDict, remote: bool = False) -> Intent:
        kind = "intent"
        operation = _str(data, "operation", kind)
        if operation not in OPERATIONS:
            raise InvalidRecord(
                f"intent operation {operation!r} is not one of {', '.join(OPERATIONS)}",
                field="operation",
            )
        return cls(
            record_id=record_id,
            intent_id=_str(data, "intent_id", kind, record_id),
            run_id=_str(data, "run_id", kind),
            reservation_id=_opt_str(data, "reservation_id", kind),
            operation=operation,
            target=canonical_or_raw(_str(data, "target", kind)),
            new_name=_opt_str(data, "new_name", kind),
            created_at=_ts(data, "created_at", kind, required=False),
        )


class Release(RecordTuple):
    """Tombstone: *reservation_id* was released at *released_at*."""

    record_id: str
    release_id: str
    reservation_id: str
    run_id: str | None
    released_at: float
    reason: str | None = None  # "expired": buried by its run's late heartbeat

    @classmethod
    def decode(cls, record_id: str, data: JsonDict, remote: bool = False) -> Release:
        kind = "release"
        return cls(
            record_id=record_id,
            release_id=_str(data, "release_id", kind, record_id),
            reservation_id=_str(data, "reservation_id", kind),
            run_id=_opt_str(data, "run_id", kind),
            released_at=_ts(data, "released_at", kind, required=False) or _FAR_PAST,
            reason=_opt_str(data, "reason", kind),
        )


class Heartbeat(RecordTuple):
    """Keeps every lease of a whole run alive until *extended_expires_at*."""

    record_id: str
    run_id: str
    extended_expires_at: float
    at: float | None = None

    @classmethod
    def decode(cls, record_id: str, data: JsonDict, remote: bool = False) -> Heartbeat:
        kind = "heartbeat"
        extended = _ts(data, "extended_expires_at", kind, required=False)
        if extended is None:
            extended = _ts(data, "expires_at", kind)
        return cls(
            record_id=record_id,
            run_id=_str(data, "run_id", kind),
            extended_expires_at=extended or _FAR_PAST,
            at=_ts(data, "at", kind, required=False),
        )


class Dependency(RecordTuple):
    """*reservation_id* (or *task_id*) must wait for everything in *depends_on*."""

    record_id: str
    reservation_id: str | None
    task_id: str | None
    depends_on: tuple[str, ...]

    @property
    def node(self) -> str:
        return self.reservation_id or self.task_id or self.record_id

    @classmethod
    def decode(cls, record_id: str, data: JsonDict, remote: bool = False) -> Dependency:
        kind = "dependency"
        reservation_id = _opt_str(data, "reservation_id", kind)
        task_id = _opt_str(data, "task_id", kind)
        if reservation_id is None and task_id is None:
            raise InvalidRecord("dependency record lacks 'reservation_id' or 'task_id'", field="reservation_id")
        return cls(record_id, reservation_id, task_id, _str_list(data, "depends_on", kind))


class Task(RecordTuple):
    """A unit of work in the queue; exactly one run may hold it at a time."""

    record_id: str
    task_id: str
    run_id: str | None
    description: str
    priority: int = 0
    depends_on: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()
    created_at: float | None = None

    @classmethod
    def decode(cls, record_id: str, data: JsonDict, remote: bool = False) -> Task:
        kind = "task"
        task_id = _str(data, "task_id", kind, record_id)
        if not is_safe_id(task_id):  # claim slots are files named after it
            raise InvalidRecord(f"task field 'task_id' is not a safe id: {task_id[:80]!r}", field="task_id")
        return cls(
            record_id=record_id,
            task_id=task_id,
            run_id=_opt_str(data, "run_id", kind),
            description=_opt_str(data, "description", kind) or "",
            priority=_int(data, "priority", kind, 0),
            depends_on=_str_list(data, "depends_on", kind),
            symbols=_addresses(data, "symbols", kind),
            created_at=_ts(data, "created_at", kind, required=False),
        )


def claim_slot_id(task_id: str, slot: int) -> str:
    """Record id of slot *slot* in a task's claim log (``<task_id>+<slot>``)."""
    return f"{task_id}+{slot}"


class Claim(RecordTuple):
    """One slot of a task's claim log.

    Each task has a log of slots 1, 2, 3 … created with exclusive create, so
    exactly one writer wins every slot. A slot is either a claim (``status``
    "claimed", valid until *expires_at* or the claimer's heartbeat) or the
    outcome of the previous slot's claim ("completed" / "failed"). The slot
    number is the claim's fencing token: a claimer whose slot is no longer the
    newest has lost the task.
    """

    record_id: str
    task_id: str
    claimer_run_id: str
    expires_at: float
    slot: int = 1
    status: str = "claimed"
    requeue: bool = False
    detail: str = ""
    at: float | None = None
    token: int | None = None  # the fencing token the claimer presents (None: old record, use the slot)

    @property
    def fence(self) -> int:
        """The claim's fencing token (the slot number for records without one)."""
        return self.slot if self.token is None else self.token

    @classmethod
    def decode(cls, record_id: str, data: JsonDict, remote: bool = False) -> Claim:
        kind = "claim"
        status = data.get("status", "claimed")
        if status not in ("claimed", "completed", "failed"):
            raise InvalidRecord(f"claim status {status!r} is not claimed/completed/failed", field="status")
        slot = data.get("slot")
        if slot is None:
            _, sep, tail = record_id.rpartition("+")
            slot = int(tail) if sep and tail.isdigit() else 1
        elif not isinstance(slot, int) or isinstance(slot, bool) or slot < 1:
            raise InvalidRecord("claim field 'slot' must be a positive integer", field="slot")
        return cls(
            record_id=record_id,
            task_id=_str(data, "task_id", kind),
            claimer_run_id=_str(data, "claimer_run_id", kind),
            expires_at=_ts(data, "expires_at", kind, required=status == "claimed") or _FAR_PAST,
            slot=slot,
            status=status,
            requeue=bool(data.get("requeue", False)),
            detail=_opt_str(data, "detail", kind) or "",
            at=_ts(data, "at", kind, required=False),
            token=_opt_int(data, "token", kind),
        )


Record = Reservation | Intent | Release | Heartbeat | Dependency | Task | Claim

DECODERS: dict[str, Callable[[str, JsonDict, bool], Any]] = {
    "reservation": Reservation.decode,
    "intent": Intent.decode,
    "release": Release.decode,
    "heartbeat": Heartbeat.decode,
    "dependency": Dependency.decode,
    "task": Task.decode,
    "claim": Claim.decode,
}


def decode(kind: str, record_id: str, data: Any, remote: bool = False) -> Any:
    """Turn an untrusted dict into the record of *kind* (raises InvalidRecord)."""
    if not isinstance(data, dict):
        raise InvalidRecord(f"{kind} record must be a JSON object, got {type(data).__name__}")
    return DECODERS[kind](record_id, data, remote)
