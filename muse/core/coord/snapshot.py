"""Coordination state over records already in memory.

:class:`~muse.core.coord.state.CoordState` reads record files; the watcher and the
hub dashboard already hold decoded records (from a folder poll, or from a
hub's records table). :class:`MemoryState` is the same CoordState with the
loading replaced, so every view derived from it (active reservations,
conflicts, task states, forecasts) follows exactly the rules every command
uses.

:class:`RecordSet` accumulates decoded records incrementally (the hub's
records table is append-only, so a reader keeps a cursor and adds what comes
after it) and hands out a :class:`MemoryState` at any time ``now``::

    records = RecordSet()
    records.add_bus_records(page)          # bus records: {"kind", "record_id", "payload", …}
    state = records.state(now=hub_clock())
    status_view(state)
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable, Mapping
from typing import Any

from muse.core.coord.state import Conflict, CoordState
from muse.core.files.store import CoordStore, Problem
from muse.core.types import KINDS
from muse.core.vocab.errors import InvalidRecord
from muse.core.vocab.records import Reservation, decode

__all__ = ["MemoryState", "RecordSet", "from_bus_records", "record_time"]

# A state that never touches disk still needs a root for CoordState's
# signature; nothing reads below it.
_NO_ROOT = pathlib.Path("/nonexistent-muse-memory-state")


class MemoryState(CoordState):
    """A CoordState over decoded records (no file reads).

    Args:
        records_by_kind: kind → decoded records (missing kinds are empty). The
            lists are used as given, not copied: do not append to them while
            this state derives views.
        now: the time every expiry is judged at (epoch seconds).
        root: the repository root, if there is one (only informative).
        problems: where undecodable records were reported (shared, not copied).
    """

    def __init__(self, records_by_kind: Mapping[str, list[Any]], now: float,
                 root: pathlib.Path | None = None, problems: list[Problem] | None = None) -> None:
        base = _NO_ROOT if root is None else root
        store = CoordStore(base)
        if problems is not None:
            store.problems = problems
        super().__init__(base, now, store=store)
        self.loaded = records_by_kind
        self._active: list[Reservation] | None = None
        self._conflicts: list[Conflict] | None = None

    def records(self, kind: str) -> list[Any]:
        return self.loaded.get(kind, [])

    # Records and time are fixed for the life of this object, so the two
    # costliest derivations are computed once: status, forecast and a
    # dashboard each ask for them again.
    def active_reservations(self) -> list[Reservation]:
        cached = self._active
        if cached is None:
            cached = self._active = super().active_reservations()
        return cached

    def conflicts(self, reservations: list[Reservation] | None = None) -> list[Conflict]:
        if reservations is not None and reservations is not self.active_reservations():
            return super().conflicts(reservations)  # a filtered list: not cached
        cached = self._conflicts
        if cached is None:
            cached = self._conflicts = super().conflicts(self.active_reservations())
        return list(cached)


def record_time(kind: str, record: Any) -> float | None:
    """When the record says it was written (its own clock), if it says so."""
    if kind == "release":
        stamp: float | None = record.released_at or None
        return stamp
    if kind in ("heartbeat", "claim"):
        at: float | None = record.at
        return at
    return getattr(record, "created_at", None)


class RecordSet:
    """Decoded records by kind, grown incrementally from bus records.

    Bus records are ``{"kind", "record_id", "run_id", "payload", "expires_at"}``
    (what a hub stores). Records that do not decode are reported in
    :attr:`problems` (capped) and skipped: they come from other agents and
    must not stop a reader.

    Args:
        remote: mark records as pulled from a hub (``Reservation.remote``).
        max_problems: keep at most this many problem reports.
    """

    def __init__(self, remote: bool = True, max_problems: int = 100) -> None:
        self.by_kind: dict[str, list[Any]] = {kind: [] for kind in KINDS}
        self.problems: list[Problem] = []
        self.skipped = 0
        self.remote = remote
        self.max_problems = max_problems

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_kind.values())

    def _problem(self, where: str, message: str) -> None:
        self.skipped += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(where, message))

    def add_bus_record(self, rec: Any) -> tuple[str, Any] | None:
        """Decode and keep one bus record; return ``(kind, record)`` or None if unusable."""
        if type(rec) is not dict:
            self._problem("?", "bus record is not an object")
            return None
        kind, record_id, payload = rec.get("kind"), rec.get("record_id"), rec.get("payload")
        where = f"{kind}/{record_id}"
        if kind not in self.by_kind or not isinstance(record_id, str):
            self._problem(where[:200], "unknown kind or missing record_id")
            return None
        try:
            record = decode(kind, record_id, payload, self.remote)
        except InvalidRecord as exc:
            self._problem(where[:200], exc.message)
            return None
        self.by_kind[kind].append(record)
        return kind, record

    def add_bus_records(self, records: Iterable[Any]) -> list[tuple[str, Any]]:
        """Decode and keep *records*; return the usable ones as ``(kind, record)``."""
        out: list[tuple[str, Any]] = []
        for rec in records:
            got = self.add_bus_record(rec)
            if got is not None:
                out.append(got)
        return out

    def state(self, now: float) -> MemoryState:
        """The coordination state of these records at *now*.

        Views derived from it are cached inside the returned state; take a new
        one after adding records or when time has moved.
        """
        return MemoryState(self.by_kind, now, problems=self.problems)


def from_bus_records(records: Iterable[Any], now: float, remote: bool = True) -> MemoryState:
    """A :class:`MemoryState` of *records* (bus records) at *now*; bad ones are skipped
    and listed in the state's ``problems``."""
    rs = RecordSet(remote=remote)
    rs.add_bus_records(records)
    return rs.state(now)
