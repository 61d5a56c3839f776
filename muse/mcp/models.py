"""Typed results of the MCP tools (published to clients as output schemas).

The models name and document the fields an agent relies on; they allow extra
fields so a record written by a newer Muse passes through unchanged. Values
come straight from the core's ``to_json()`` / record dicts: these models
describe, they do not compute.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ActiveConflict",
    "ActiveReservation",
    "ClaimResult",
    "ClaimedTask",
    "ConflictHolder",
    "DependResult",
    "ForecastResult",
    "GcResult",
    "HeartbeatResult",
    "Holder",
    "IntentResult",
    "LeaseReleased",
    "LeaseToRelease",
    "Prediction",
    "PullResult",
    "PushResult",
    "ReleaseResult",
    "ReserveResult",
    "StatusResult",
    "SymbolConflict",
    "TaskInfo",
    "TaskOutcome",
    "TaskRecord",
    "TasksResult",
    "ToolErrorBody",
    "WaitResult",
]

TS = "ISO-8601 timestamp with offset"


class _Open(BaseModel):
    # Extra fields are kept: readers must never lose what a record carries.
    model_config = ConfigDict(extra="allow")


class ToolErrorBody(_Open):
    """What every failing tool returns (with ``isError: true``)."""

    error: str = Field(description="error code, e.g. conflict, not_found, stale_token, timeout")
    message: str = Field(description="one-line explanation")
    details: dict[str, Any] = Field(default_factory=dict, description="structured facts (holder, expiry …)")
    retryable: bool = Field(description="true when the same call may succeed later")
    exit_code: int = Field(description="the exit code `muse coord` would return for this error")
    next_step: str = Field(description="what to do next")


class Holder(_Open):
    run_id: str = Field(description="run that holds the overlapping reservation")
    reservation_id: str
    expires_at: str | None = Field(default=None, description=TS)



class SymbolConflict(_Open):
    symbol: str = Field(description="one of the symbols you reserved")
    overlap: str = Field(description="same (identical address) or contains (file/scope vs member)")
    holders: list[Holder] = Field(description="other runs holding it (or an enclosing/enclosed address)")



class ReserveResult(_Open):
    reservation_id: str = Field(description="pass to release / intent / depend")
    run_id: str
    symbols: list[str]
    mode: str = Field(description="advisory or strict")
    token: int | None = Field(description="fencing token: pass it to release / intent (live: required)")
    granted_at: str = Field(description=TS)
    expires_at: str = Field(description=f"{TS}; heartbeat extends it")
    expires_in: float = Field(description="seconds until expires_at")
    conflicts: list[SymbolConflict] = Field(
        default_factory=list, description="advisory mode: overlaps with other runs (empty = clear)")
    problems: list[dict[str, Any]] = Field(
        default_factory=list, description="record files skipped as unusable (local engine; [] live)")
    backend: str = Field(description="local (record files) or live (the hub decided)")



class IntentResult(_Open):
    intent_id: str
    run_id: str
    reservation_id: str | None = None
    operation: str
    target: str
    new_name: str | None = None
    created_at: str = Field(description=TS)
    backend: str



class ReleaseResult(_Open):
    reservation_id: str
    run_id: str | None = None
    released_at: str = Field(description=TS)
    already_released: bool = Field(default=False, description="true if it was released before")
    token: int | None = None
    backend: str



class HeartbeatResult(_Open):
    run_id: str
    expires_at: str = Field(description=f"every lease of the run now lasts until this {TS}")
    expires_in: float | None = None
    reservations: int = Field(description="your reservations alive now")
    claims: int = Field(description="your task claims alive now")
    expired: dict[str, int] = Field(description="leases that had run out before this heartbeat")
    backend: str



class DependResult(_Open):
    dependency_id: str
    node: str
    kind: str = Field(description="reservation or task")
    depends_on: list[str]
    run_id: str | None = None
    backend: str



class TaskRecord(_Open):
    task_id: str
    description: str
    priority: int = 0
    depends_on: list[str] = Field(default_factory=list)
    symbols: list[str] = Field(default_factory=list)
    backend: str



class ClaimedTask(_Open):
    """Kept for callers that import it: the task part of a claim."""

    task_id: str
    description: str
    priority: int
    symbols: list[str] = Field(description="symbols the task expects to touch (reserve them)")



class ClaimResult(_Open):
    task_id: str | None = Field(description="the task you won; null when nothing is ready")
    description: str | None = None
    priority: int | None = None
    symbols: list[str] | None = Field(default=None, description="reserve these before editing")
    depends_on: list[str] | None = None
    run_id: str
    token: int | None = Field(description="fencing token: pass it to complete / fail")
    expires_at: str | None = Field(default=None, description=f"{TS}; heartbeat extends it")
    expires_in: float | None = None
    problems: list[dict[str, Any]] = Field(
        default_factory=list, description="record files skipped as unusable (local engine; [] live)")
    backend: str
    next_step: str = Field(description="what to do now")



class LeaseToRelease(BaseModel):
    reservation_id: str = Field(description="the reservation id `reserve` returned")
    token: int | None = Field(default=None, description="its fencing token (required live)")


class LeaseReleased(_Open):
    reservation_id: str
    released: bool = Field(description="the lease is released now (by this or an earlier call)")
    already_released: bool = Field(default=False, description="an earlier call released it")
    reason: str | None = Field(
        default=None, description="why it was not released: expired, released, mismatch,"
        " not_holder, not_found (the completion stands)")


class TaskOutcome(_Open):
    task_id: str
    run_id: str
    status: str = Field(description="completed, failed, or pending (failed and requeued)")
    token: int | None = Field(description="the claim's fencing token")
    detail: str = ""
    already: bool = Field(default=False, description="a repeat of the same finish")
    released: list[LeaseReleased] = Field(
        default_factory=list,
        description="one entry per reservation named in `release` ([] when none)")
    backend: str



class TaskInfo(_Open):
    task_id: str
    description: str
    priority: int
    status: str = Field(description="pending | claimed | completed | failed")
    ready: bool = Field(description="pending and not blocked: claimable now")
    depends_on: list[str]
    blocked_by: list[str] = Field(description="prerequisites not completed yet")
    attempts: int
    holder: str | None = None
    token: int | None = None
    expires_at: str | None = Field(default=None, description=TS)


class TasksResult(_Open):
    counts: dict[str, int] = Field(description="tasks per state (ready and blocked split pending)")
    total: int = Field(description="tasks matching the filter")
    tasks: list[TaskInfo] = Field(description="highest priority first, at most `limit`")
    problems: list[dict[str, Any]] = Field(default_factory=list)
    backend: str



class ActiveReservation(_Open):
    reservation_id: str
    run_id: str
    symbols: list[str]
    token: int | None = None
    expires_at: str = Field(description=f"effective expiry (heartbeats included), {TS}")
    remote: bool = Field(default=False, description="pulled from a hub")


class ConflictHolder(_Open):
    run_id: str
    reservation_id: str
    expires_at: str = Field(description=TS)


class ActiveConflict(_Open):
    symbol: str
    overlap: str = Field(description="same (identical address) or contains (file/scope vs member)")
    holders: list[ConflictHolder]


class StatusResult(_Open):
    now: str = Field(description=TS)
    backend: str
    mode: str = Field(description="advisory or strict (the hub repository's default live)")
    fence: int | None = Field(description="live: the last token handed out")
    active_reservations: int
    runs: int = Field(description="runs holding at least one active reservation")
    conflict_count: int
    conflicts: list[ActiveConflict] = Field(description="at most `limit`")
    busiest_files: list[dict[str, Any]] = Field(description="local: files by reserved symbols")
    tasks: dict[str, int] = Field(description="tasks per state")
    holders: list[dict[str, Any]] | None = Field(description="with `symbol`: who holds it")
    reservations: list[ActiveReservation] = Field(description="one page: at most `limit`")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")
    problems: list[dict[str, Any]] = Field(default_factory=list, description="unreadable record files")



class Prediction(_Open):
    severity: str = Field(description="high | medium | low")
    kind: str = Field(description="reservation | intent | file")
    target: str
    runs: list[str]
    reason: str


class ForecastResult(_Open):
    generated_at: str = Field(description=TS)
    counts: dict[str, int] = Field(description="predictions per severity")
    total: int
    conflicts: list[Prediction] = Field(description="ranked, most severe first")
    problems: list[dict[str, Any]] = Field(
        default_factory=list, description="record files skipped as unusable (local engine; [] live)")
    backend: str



class GcResult(_Open):
    dry_run: bool
    grace_period_seconds: float
    reservations_removed: int
    total_removed: int


class PushResult(_Open):
    hub: str
    repo: str = Field(description="owner/slug on the hub")
    records: int
    batches: int
    inserted: int
    skipped: int = Field(description="already on the hub")


class PullResult(_Open):
    hub: str
    repo: str
    pages: int
    cursor: int = Field(description="resume point; the next pull starts after it")
    received: int
    written: int = Field(description="new records stored under remote/")


class WaitResult(_Open):
    reached: bool = Field(description="true: the condition holds now")
    condition: str = Field(description="symbol_free or task_reached")
    waited_seconds: float
    events: list[dict[str, Any]] = Field(description="what changed on the way (about your symbols/task)")
    task: dict[str, Any] | None = Field(default=None, description="task wait: the task's state")
