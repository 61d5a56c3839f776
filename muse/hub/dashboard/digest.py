"""What a board derives from its records: the views every summary is cut from."""

from __future__ import annotations

from dataclasses import dataclass

from muse.core.coord.forecast import Prediction
from muse.core.coord.state import TaskState
from muse.core.types import JsonDict
from muse.core.vocab.records import Reservation

__all__ = ["Digest", "RunRow"]


@dataclass
class RunRow:
    """One run's load and liveness."""

    reservations: int = 0
    symbols: int = 0
    tasks: int = 0
    lease_until: float | None = None  # latest heartbeat extension
    last_heartbeat: float | None = None


@dataclass
class Digest:
    """Views derived from one board at one sequence number and hub time."""

    seq: int
    now: float
    records: int
    derive_ms: float
    status: JsonDict  # status_view headline counts
    active: list[Reservation]
    expiry: dict[str, float]  # reservation_id → effective expiry
    conflicted: set[str]  # reservation ids in a reservation conflict
    predictions: list[Prediction]
    file_severity: dict[str, int]  # file path → best (lowest) severity rank among predictions
    tasks: list[TaskState]
    task_counts: dict[str, int]
    runs: dict[str, RunRow]
    throughput: JsonDict
    problems: int
    stamp: float = 0.0  # monotonic time it was derived: identifies this version
