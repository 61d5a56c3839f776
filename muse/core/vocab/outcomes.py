"""What each coordination verb answers: one document per verb, whatever the engine.

A :class:`~muse.core.coord.coordinator.Coordinator` returns one of these for every
verb; ``to_json()`` is the ``--json`` document of ``muse coord <verb>``, of
the MCP tool and of the docs (``docs/verbs.md``). Each class names its
fields once (``FIELDS``) and refuses to be built without every one of them,
so the local and the live engine cannot drift apart silently: a field an
engine cannot answer is ``None`` (and documented), never missing.

Standard library only, no ``typing`` at run time: ``muse coord reserve``
builds one on its start-up path.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any, ClassVar

    from muse.core.types import JsonDict

__all__ = [
    "ClaimOutcome",
    "DependOutcome",
    "EnqueueOutcome",
    "FenceOutcome",
    "FinishOutcome",
    "ForecastOutcome",
    "HeartbeatOutcome",
    "IntentOutcome",
    "Outcome",
    "ReleaseOutcome",
    "ReserveOutcome",
    "StatusOutcome",
    "TasksOutcome",
]


class Outcome:
    """A verb's answer: exactly the keys of ``FIELDS``, in that order."""

    __slots__ = ("data",)
    FIELDS: ClassVar[tuple[str, ...]] = ()
    VERB: ClassVar[str] = ""

    def __init__(self, **fields: Any) -> None:
        missing = [f for f in self.FIELDS if f not in fields]
        extra = [f for f in fields if f not in self.FIELDS]
        if missing or extra:  # a programming error in an engine, never user input
            raise TypeError(f"{type(self).__name__}: missing {missing}, unexpected {extra}")
        self.data: JsonDict = {f: fields[f] for f in self.FIELDS}

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def to_json(self) -> JsonDict:
        return dict(self.data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.data!r})"


class ReserveOutcome(Outcome):
    """A granted reservation. ``conflicts``: overlapping leases of other runs
    (advisory mode; strict mode refuses instead), each
    ``{symbol, overlap: same|contains, holders: [{run_id, reservation_id, expires_at}]}``;
    ``problems``: unusable record files skipped on the way (local engine; [] live)."""

    __slots__ = ()
    VERB = "reserve"
    FIELDS = ("reservation_id", "run_id", "symbols", "mode", "token", "granted_at", "expires_at",
              "expires_in", "conflicts", "problems", "backend")


class IntentOutcome(Outcome):
    __slots__ = ()
    VERB = "intent"
    FIELDS = ("intent_id", "run_id", "reservation_id", "operation", "target", "new_name",
              "created_at", "backend")


class ReleaseOutcome(Outcome):
    __slots__ = ()
    VERB = "release"
    FIELDS = ("reservation_id", "run_id", "released_at", "already_released", "token", "backend")


class HeartbeatOutcome(Outcome):
    """``reservations``/``claims``: the run's leases alive after the heartbeat;
    ``expired``: how many had already run out before it."""

    __slots__ = ()
    VERB = "heartbeat"
    FIELDS = ("run_id", "expires_at", "expires_in", "reservations", "claims", "expired",
              "backend")


class DependOutcome(Outcome):
    __slots__ = ()
    VERB = "depend"
    FIELDS = ("dependency_id", "node", "kind", "depends_on", "run_id", "backend")


class EnqueueOutcome(Outcome):
    __slots__ = ()
    VERB = "enqueue"
    FIELDS = ("task_id", "description", "priority", "depends_on", "symbols", "backend")


class ClaimOutcome(Outcome):
    """The task won, or every task field None when nothing is ready (exit 4).
    ``problems``: unusable record files skipped on the way (local engine; [] live)."""

    __slots__ = ()
    VERB = "claim"
    FIELDS = ("task_id", "description", "priority", "symbols", "depends_on", "run_id", "token",
              "expires_at", "expires_in", "problems", "backend")

    @property
    def won(self) -> bool:
        return self.data["task_id"] is not None


class FinishOutcome(Outcome):
    """``status`` is where the task stands now: completed, failed, or pending
    (failed with requeue); ``already``: a repeat of the same finish;
    ``released``: one entry per reservation named to release with it
    (``[]`` when none), each ``{reservation_id, released, already_released,
    reason}`` (see :func:`muse.core.vocab.rules.finish_releasing`)."""

    __slots__ = ()
    VERB = "complete"
    FIELDS = ("task_id", "run_id", "status", "token", "detail", "already", "released", "backend")


class TasksOutcome(Outcome):
    __slots__ = ()
    VERB = "tasks"
    FIELDS = ("counts", "total", "tasks", "problems", "backend")


class FenceOutcome(Outcome):
    """Whether a token is still the live lease; ``reason`` says why not."""

    __slots__ = ()
    VERB = "fence"
    FIELDS = ("valid", "token", "holder", "expires_at", "expires_in", "reason", "backend")


class ForecastOutcome(Outcome):
    __slots__ = ()
    VERB = "forecast"
    FIELDS = ("generated_at", "counts", "total", "conflicts", "problems", "backend")


class StatusOutcome(Outcome):
    """Who holds what. ``reservations`` is one page (``limit`` rows after
    ``cursor``; ``next_cursor`` continues, None at the end) and may be an
    iterator, so a 150,000-lease answer is streamed, never held as text:
    use :meth:`iter_reservations` or :func:`muse.cli.output.emit_stream`."""

    __slots__ = ()
    VERB = "status"
    FIELDS = ("now", "backend", "mode", "fence", "active_reservations", "runs", "conflict_count",
              "conflicts", "busiest_files", "tasks", "holders", "reservations", "next_cursor",
              "problems")

    def iter_reservations(self) -> Iterator[JsonDict]:
        rows: Iterable[JsonDict] = self.data["reservations"]
        return iter(rows)

    def to_json(self) -> JsonDict:
        out = dict(self.data)
        out["reservations"] = list(out["reservations"])
        return out
