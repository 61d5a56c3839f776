"""``Record``: named-tuple class syntax without importing :mod:`typing` at run time.

Every ``muse coord`` verb builds its record types at start-up; with
``typing.NamedTuple`` that cost the ``typing`` import plus its class
machinery (about 7 ms of a 45 ms command in a clean environment). Modules
write::

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import NamedTuple as Record   # what mypy checks
    else:
        from muse.core.vocab.recordbase import Record   # what runs

    class Reservation(Record):
        record_id: str
        expires_at: float = 0.0

and get a ``collections.namedtuple`` subclass with the same fields,
defaults, methods and ``_make``.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Record"]


class _RecordMeta(type):
    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> _RecordMeta:
        if not bases:  # Record itself
            return super().__new__(mcls, name, bases, ns)
        fields = list(ns.get("__annotations__", {}))
        defaults = [ns.pop(f) for f in fields if f in ns]
        tuple_type = namedtuple(name, fields, defaults=defaults)  # type: ignore[misc]
        body = {k: v for k, v in ns.items() if k != "__annotations__"}
        body.setdefault("__slots__", ())
        cls: _RecordMeta = type(name, (tuple_type,), body)  # type: ignore[assignment]
        return cls


class Record(metaclass=_RecordMeta):
    """Base for record classes declared with annotated fields (see the module doc)."""

    __slots__ = ()
