"""Bounds on what a client can make the hub remember, and the refusal past them.

What a client can grow, and what bounds it (``docs/operations.md``, Retention):

=========================  ==============================================  ==========
table / key                bound                                           enforced by
=========================  ==============================================  ==========
live_runs                  :data:`MAX_RUNS_PER_IDENTITY` per identity and  here
                           repository; idle runs pruned after the grace
live_tasks (+ task deps)   :data:`MAX_TASKS_PER_REPO` per repository       here
live_answers               :data:`MAX_ANSWERS_PER_IDENTITY` per identity   here
                           and repository; pruned at their expiry
hub_members                :data:`MAX_MEMBERS_PER_REPO` per repository     here
live_reservations/symbols  age: ended leases pruned after the grace        retention
hub_records, hub_pruned    age: dead records pruned after the grace;       retention
                           graveyard entries after ``graveyard_keep``
hub_seen_signatures        age: the signature skew window                  retention
=========================  ==============================================  ==========

A refusal is :class:`LimitReached` (HTTP 429, ``limit_reached``), naming the
bound and what frees room, and writes nothing.

The answers bound is checked on every grant that carries a request id, so it
must not cost a count of every kept answer each time (at 10,000 kept answers
that count was most of a reserve's cost). A hub process counts exactly, then
lets through half of the room it saw without counting again
(:class:`_Allowance`): one hub never passes the bound, and hubs sharing a
database overshoot it by at most half the room each saw.
"""

from __future__ import annotations

import threading

from muse.core.vocab.errors import UserError
from muse.storage import live as tables
from muse.storage.live import LiveTx

__all__ = [
    "MAX_ANSWERS_PER_IDENTITY",
    "MAX_MEMBERS_PER_REPO",
    "MAX_RUNS_PER_IDENTITY",
    "MAX_TASKS_PER_REPO",
    "LimitReached",
    "check_answers",
    "check_members",
    "check_runs",
    "check_tasks",
    "configure",
    "limits",
]

MAX_RUNS_PER_IDENTITY = 10_000  # runs the hub remembers per identity and repository
MAX_TASKS_PER_REPO = 100_000  # live queue entries per repository (finished ones included)
MAX_ANSWERS_PER_IDENTITY = 100_000  # remembered answers per identity and repository (≈ 170 grants/s kept 10 min)
MAX_MEMBERS_PER_REPO = 10_000  # members per repository

_LIMITS = {"runs_per_identity": MAX_RUNS_PER_IDENTITY, "tasks_per_repository": MAX_TASKS_PER_REPO,
           "answers_per_identity": MAX_ANSWERS_PER_IDENTITY,
           "members_per_repository": MAX_MEMBERS_PER_REPO}


def configure(**values: int | None) -> None:
    """Set this process's bounds (the hub does it once at start from its settings;
    None keeps a bound's default)."""
    for name, value in values.items():
        if name not in _LIMITS:
            raise ValueError(f"unknown bound {name!r}")
        if value is not None:
            if value < 1:
                raise ValueError(f"bound {name} must be at least 1, not {value}")
            _LIMITS[name] = value
    _allowances.clear()


def limits() -> dict[str, int]:
    """The bounds in force in this process."""
    return dict(_LIMITS)


class LimitReached(UserError):
    """The request would make the hub remember more than a documented bound."""

    http_status = 429
    code = "limit_reached"


def check_runs(tx: LiveTx, handle: str) -> None:
    """Before a new run of *handle* is remembered."""
    limit = _LIMITS["runs_per_identity"]
    if tables.count_capped(tx, "live_runs", "handle=?", (handle,), limit) >= limit:
        raise LimitReached(f"{handle} already has {limit} runs on this repository: reuse a run "
                           "id (idle runs are forgotten once past the retention grace)",
                           limit=limit, bound="runs_per_identity")


def check_tasks(tx: LiveTx, adding: int) -> None:
    """Before *adding* tasks join the repository's live queue."""
    limit = _LIMITS["tasks_per_repository"]
    if adding and tables.count_capped(tx, "live_tasks", "", (), limit) + adding > limit:
        raise LimitReached(f"the live queue of this repository would exceed {limit} tasks",
                           limit=limit, bound="tasks_per_repository")


class _Allowance:
    """Inserts this process may still make for one (repository, identity)
    without counting: after an exact count *c* under limit *L*, the insert
    being checked plus ``(L - c - 1) // 2`` more, which never reach *L*."""

    def __init__(self) -> None:
        self._left: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()

    def take(self, key: tuple[int, str]) -> bool:
        """Spend one insert of the allowance; False when a count is due."""
        with self._lock:
            left = self._left.get(key, 0)
            if left <= 0:
                return False
            self._left[key] = left - 1
            return True

    def grant(self, key: tuple[int, str], counted: int, limit: int) -> None:
        with self._lock:
            if len(self._left) >= 100_000:  # bounded: forget every allowance, recount
                self._left.clear()
            self._left[key] = max(0, (limit - counted - 1) // 2)

    def clear(self) -> None:
        with self._lock:
            self._left.clear()


_allowances = _Allowance()


def check_answers(tx: LiveTx, handle: str) -> None:
    """Before one more answer of *handle* is remembered for a retry."""
    limit = _LIMITS["answers_per_identity"]
    key = (tx.repo_id, handle)
    if _allowances.take(key):
        return
    counted = tables.count_capped(tx, "live_answers", "handle=?", (handle,), limit)
    if counted >= limit:
        raise LimitReached(f"{handle} has {limit} answers kept for retries on this repository: "
                           "send fewer request ids until older ones expire",
                           limit=limit, bound="answers_per_identity")
    _allowances.grant(key, counted, limit)


def check_members(members: int) -> None:
    """Before a new member joins a repository that has *members*."""
    limit = _LIMITS["members_per_repository"]
    if members >= limit:
        raise LimitReached(f"the repository already has {limit} members: revoke some first",
                           limit=limit, bound="members_per_repository")
