"""One verb surface over both coordination engines.

:class:`Coordinator` is what every shell (the ``muse coord`` verbs, the MCP
tools, scripts) talks to. :class:`LocalCoordinator` answers from the
repository's record files (``muse.core.coordination``); the live one
(:class:`muse.core.client.coordinator_live.LiveCoordinator`, imported only when
asked for) answers through a hub's live endpoints. Both return the same
:mod:`muse.core.vocab.outcomes` documents and raise the same errors, so a shell
has one code path and chooses an engine once, with
:func:`muse.core.client.live.open_coordinator`.

The engines decide; this layer only translates their answers into the
shared documents. It never re-decides a rule.

Standard library only at import (``muse coord reserve`` starts here).
"""

from __future__ import annotations

import pathlib

from muse.core.vocab import clock
from muse.core.vocab.outcomes import (
    ClaimOutcome,
    DependOutcome,
    EnqueueOutcome,
    FenceOutcome,
    FinishOutcome,
    ForecastOutcome,
    HeartbeatOutcome,
    IntentOutcome,
    ReleaseOutcome,
    ReserveOutcome,
    StatusOutcome,
    TasksOutcome,
)
from muse.core.vocab.rules import DEFAULT_TTL

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from muse.core.coord.state import CoordState
    from muse.core.coordination import ClaimResult, ReserveResult
    from muse.core.files.store import Problem
    from muse.core.source.index import CodeIndex
    from muse.core.types import JsonDict

__all__ = ["DEFAULT_TTL", "Coordinator", "LocalCoordinator"]



class Coordinator:
    """The coordination verbs. ``backend`` is ``"local"`` or ``"live"``.

    Strictness: ``strict=True`` refuses an overlap with another run's live
    lease (:class:`~muse.core.vocab.errors.ConflictError` naming the holder and
    ``retry_after``), False grants and reports it, None follows the
    repository's default (the hub repository's mode live; advisory locally).

    Tokens: ``release``/``intent``/``complete``/``fail`` take the fencing
    token of the lease they act on; a stale one is refused with
    :class:`~muse.core.vocab.errors.StaleToken` whose ``details["reason"]`` says why.
    """

    backend = "abstract"

    def reserve(self, run_id: str, symbols: Sequence[str], *, ttl: float = DEFAULT_TTL,
                strict: bool | None = None) -> ReserveOutcome:
        raise NotImplementedError

    def intent(self, run_id: str, operation: str, target: str, *,
               reservation_id: str | None = None, token: int | None = None,
               new_name: str | None = None) -> IntentOutcome:
        raise NotImplementedError

    def release(self, reservation_id: str, run_id: str | None, *,
                token: int | None = None) -> ReleaseOutcome:
        raise NotImplementedError

    def heartbeat(self, run_id: str, *, ttl: float = DEFAULT_TTL) -> HeartbeatOutcome:
        raise NotImplementedError

    def depend(self, node: str, depends_on: Sequence[str], *, on_tasks: bool = False,
               run_id: str | None = None) -> DependOutcome:
        raise NotImplementedError

    def enqueue(self, description: str, *, task_id: str | None = None, priority: int = 0,
                depends_on: Sequence[str] = (), symbols: Sequence[str] = (),
                run_id: str | None = None) -> EnqueueOutcome:
        raise NotImplementedError

    def claim(self, run_id: str, *, ttl: float = DEFAULT_TTL,
              task_id: str | None = None) -> ClaimOutcome:
        raise NotImplementedError

    def complete(self, task_id: str, run_id: str, *, token: int | None = None,
                 detail: str = "", release: Sequence[tuple[str, int | None]] = ()
                 ) -> FinishOutcome:
        """Complete the task *run_id* holds with *token*; *release*: reservations
        ``(reservation_id, token)`` to release in the same request
        (:func:`muse.core.vocab.rules.finish_releasing`: a stale claim token
        refuses everything; a lease that cannot be released is reported in
        ``released``, the completion stands)."""
        raise NotImplementedError

    def fail(self, task_id: str, run_id: str, *, token: int | None = None, detail: str = "",
             requeue: bool = False, release: Sequence[tuple[str, int | None]] = ()
             ) -> FinishOutcome:
        raise NotImplementedError

    def tasks(self, *, status: str | None = None, limit: int | None = 50) -> TasksOutcome:
        raise NotImplementedError

    def status(self, *, run_id: str | None = None, path: str | None = None,
               symbol: str | None = None, limit: int | None = 20,
               cursor: str | None = None) -> StatusOutcome:
        raise NotImplementedError

    def forecast(self, *, min_severity: str = "low", limit: int | None = 50,
                 code: CodeIndex | None = None) -> ForecastOutcome:
        """Ranked predictions; with *code* (the working tree's symbol index) the code pass too."""
        raise NotImplementedError

    def fence(self, token: int, *, reservation_id: str | None = None,
              task_id: str | None = None, symbol: str | None = None) -> FenceOutcome:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the engine holds (connections); the default holds nothing."""


# ── shared translation helpers (pure) ────────────────────────────────────────
def seconds_until(expires_at: str | None, now: float) -> float | None:
    if expires_at is None:
        return None
    return max(0.0, clock.parse_ts(expires_at) - now)


def forecast_outcome(state: CoordState, backend: str, min_severity: str,
                     limit: int | None, code: CodeIndex | None = None) -> ForecastOutcome:
    """The forecast of *state* (records of either engine), ranked and cut to *limit*."""
    from muse.core.coord.forecast import SEVERITIES, forecast

    fc = forecast(state.root, state=state, code=code)
    keep = SEVERITIES[: SEVERITIES.index(min_severity) + 1]
    rows = [x for x in fc.predictions if x.severity in keep]
    counts = dict.fromkeys(SEVERITIES, 0)
    for x in rows:
        counts[x.severity] += 1
    shown = rows if limit is None else rows[:limit]
    return ForecastOutcome(generated_at=clock.format_ts(fc.generated_at), counts=counts,
                           total=len(rows), conflicts=[x.to_json() for x in shown],
                           problems=[p.to_json() for p in state.problems], backend=backend)


def tasks_outcome(state: CoordState, backend: str, status: str | None,
                  limit: int | None) -> TasksOutcome:
    from muse.core.coord.views import tasks_view

    return TasksOutcome(**tasks_view(state, status, limit), backend=backend)


# ── the local engine ─────────────────────────────────────────────────────────
class LocalCoordinator(Coordinator):
    """Answers from the record files of the repository at *root*."""

    backend = "local"

    def __init__(self, root: pathlib.Path) -> None:
        self.root = pathlib.Path(root)

    def _state(self, now: float | None = None) -> CoordState:
        from muse.core.coord.state import CoordState

        return CoordState(self.root, now)

    def reserve(self, run_id: str, symbols: Sequence[str], *, ttl: float = DEFAULT_TTL,
                strict: bool | None = None) -> ReserveOutcome:
        from muse.core.coordination import reserve

        problems: list[Problem] = []
        got = reserve(self.root, run_id, list(symbols), ttl=ttl, strict=bool(strict), problems=problems)
        return _reserve_outcome(got, got.record["expires_at"], problems)

    def intent(self, run_id: str, operation: str, target: str, *,
               reservation_id: str | None = None, token: int | None = None,
               new_name: str | None = None) -> IntentOutcome:
        from muse.core.coordination import intend

        rec = intend(self.root, run_id, operation, target, reservation_id=reservation_id,
                     token=token, new_name=new_name)
        return IntentOutcome(intent_id=rec["intent_id"], run_id=rec["run_id"],
                             reservation_id=rec.get("reservation_id"), operation=rec["operation"],
                             target=rec["target"], new_name=rec.get("new_name"),
                             created_at=rec["created_at"], backend=self.backend)

    def release(self, reservation_id: str, run_id: str | None, *,
                token: int | None = None) -> ReleaseOutcome:
        from muse.core.coordination import release

        rec = release(self.root, reservation_id, run_id, token=token)
        return ReleaseOutcome(reservation_id=rec["reservation_id"], run_id=rec.get("run_id"),
                              released_at=rec["released_at"],
                              already_released=bool(rec.get("already_released", False)),
                              token=rec.get("token", token), backend=self.backend)

    def heartbeat(self, run_id: str, *, ttl: float = DEFAULT_TTL) -> HeartbeatOutcome:
        from muse.core.coordination import heartbeat
        from muse.core.types import check_id

        check_id(run_id, "run id")
        rec = heartbeat(self.root, run_id, ttl=ttl)  # buries lapsed leases first (the rulebook)
        after_state = self._state()
        after = _run_leases(after_state, run_id)
        expires_at = rec.get("extended_expires_at") or rec["expires_at"]
        return HeartbeatOutcome(
            run_id=run_id, expires_at=expires_at,
            expires_in=seconds_until(expires_at, after_state.now),
            reservations=after["reservations"], claims=after["claims"],
            expired=dict(rec["expired"]),
            backend=self.backend)

    def depend(self, node: str, depends_on: Sequence[str], *, on_tasks: bool = False,
               run_id: str | None = None) -> DependOutcome:
        from muse.core.coordination import depend

        rec = depend(self.root, node, list(depends_on), on_tasks=on_tasks, run_id=run_id)
        return DependOutcome(dependency_id=rec["dependency_id"], node=node,
                             kind="task" if on_tasks else "reservation",
                             depends_on=rec["depends_on"], run_id=rec.get("run_id"),
                             backend=self.backend)

    def enqueue(self, description: str, *, task_id: str | None = None, priority: int = 0,
                depends_on: Sequence[str] = (), symbols: Sequence[str] = (),
                run_id: str | None = None) -> EnqueueOutcome:
        from muse.core.coordination import enqueue

        rec = enqueue(self.root, description, task_id=task_id, priority=priority,
                      depends_on=list(depends_on), symbols=list(symbols), run_id=run_id)
        return EnqueueOutcome(task_id=rec["task_id"], description=rec["description"],
                              priority=rec["priority"], depends_on=rec["depends_on"],
                              symbols=rec["symbols"], backend=self.backend)

    def claim(self, run_id: str, *, ttl: float = DEFAULT_TTL,
              task_id: str | None = None) -> ClaimOutcome:
        from muse.core.coordination import claim

        problems: list[Problem] = []
        got = claim(self.root, run_id, ttl=ttl, task_id=task_id, problems=problems)
        return _claim_outcome(got, run_id, None if got is None else got.claim["expires_at"], problems)

    def complete(self, task_id: str, run_id: str, *, token: int | None = None,
                 detail: str = "", release: Sequence[tuple[str, int | None]] = ()
                 ) -> FinishOutcome:
        from muse.core.coordination import complete

        return self._finish(lambda: complete(self.root, task_id, run_id, token=token,
                                             detail=detail), run_id, token, release)

    def fail(self, task_id: str, run_id: str, *, token: int | None = None, detail: str = "",
             requeue: bool = False, release: Sequence[tuple[str, int | None]] = ()
             ) -> FinishOutcome:
        from muse.core.coordination import fail

        return self._finish(lambda: fail(self.root, task_id, run_id, token=token, detail=detail,
                                         requeue=requeue), run_id, token, release)

    def _finish(self, finish: Callable[[], JsonDict], run_id: str, token: int | None,
                release: Sequence[tuple[str, int | None]]) -> FinishOutcome:
        """The finish, then each named release: the completion record first, then
        one release record per lease (ordinary records; a crash in between
        leaves leases to a retry or their TTL, never a release without the
        completion)."""
        from muse.core.coordination import release as release_one
        from muse.core.vocab.rules import finish_releasing

        rec, released = finish_releasing(
            finish, lambda rid, tok: release_one(self.root, rid, run_id, token=tok), release)
        return _finish_outcome(rec, token, released)

    def tasks(self, *, status: str | None = None, limit: int | None = 50) -> TasksOutcome:
        return tasks_outcome(self._state(), self.backend, status, limit)

    def status(self, *, run_id: str | None = None, path: str | None = None,
               symbol: str | None = None, limit: int | None = 20,
               cursor: str | None = None) -> StatusOutcome:
        from muse.core.coord.views import status_view

        return StatusOutcome(**status_view(self._state(), run_id, path, limit, cursor=cursor,
                                           symbol=symbol))

    def forecast(self, *, min_severity: str = "low", limit: int | None = 50,
                 code: CodeIndex | None = None) -> ForecastOutcome:
        return forecast_outcome(self._state(), self.backend, min_severity, limit, code)

    def fence(self, token: int, *, reservation_id: str | None = None,
              task_id: str | None = None, symbol: str | None = None) -> FenceOutcome:
        from muse.core.coord.views import fence_view

        return FenceOutcome(**fence_view(self._state(), token, reservation_id=reservation_id,
                                         task_id=task_id, symbol=symbol), backend=self.backend)


def _run_leases(state: CoordState, run_id: str) -> dict[str, int]:
    """How many of *run_id*'s leases are alive."""
    alive = sum(1 for r in state.active_reservations() if r.run_id == run_id)
    claims = sum(1 for log in state.claim_log().values()
                 if log[-1].claimer_run_id == run_id and log[-1].status == "claimed"
                 and state.effective_expiry(run_id, log[-1].expires_at) > state.now)
    return {"reservations": alive, "claims": claims}


def _reserve_outcome(result: ReserveResult, expires: str, problems: list[Problem]) -> ReserveOutcome:
    rec = result.record
    granted = rec["created_at"]
    holders_of = result.conflicts
    conflicts = [
        {"symbol": sym,
         "overlap": "same" if any(sym in r.symbols for r in holders) else "contains",
         "holders": [{"run_id": r.run_id, "reservation_id": r.reservation_id,
                      "expires_at": clock.format_ts(r.expires_at)}
                     for r in sorted(holders, key=lambda r: (r.run_id, r.reservation_id))]}
        for sym, holders in sorted(holders_of.items())]
    return ReserveOutcome(reservation_id=rec["reservation_id"], run_id=rec["run_id"],
                          symbols=list(rec["symbols"]), mode=rec.get("mode", "advisory"),
                          token=rec.get("token"), granted_at=granted, expires_at=expires,
                          expires_in=clock.parse_ts(expires) - clock.parse_ts(granted),
                          conflicts=conflicts, problems=[p.to_json() for p in problems],
                          backend="local")


def _claim_outcome(got: ClaimResult | None, run_id: str, expires: str | None,
                   problems: list[Problem]) -> ClaimOutcome:
    unusable = [p.to_json() for p in problems]
    if got is None:
        return ClaimOutcome(task_id=None, description=None, priority=None, symbols=None,
                            depends_on=None, run_id=run_id, token=None, expires_at=None,
                            expires_in=None, problems=unusable, backend="local")
    task = got.task
    return ClaimOutcome(task_id=task.task_id, description=task.description,
                        priority=task.priority, symbols=list(task.symbols),
                        depends_on=list(task.depends_on), run_id=run_id, token=got.token,
                        expires_at=expires,
                        expires_in=seconds_until(expires, clock.parse_ts(got.claim["at"])),
                        problems=unusable, backend="local")


def _finish_outcome(rec: JsonDict, token: int | None,
                    released: list[JsonDict] | None = None) -> FinishOutcome:
    status = "pending" if rec.get("requeue") else rec["status"]
    return FinishOutcome(task_id=rec["task_id"], run_id=rec["claimer_run_id"], status=status,
                         token=rec.get("token", rec.get("of_slot", token)),
                         detail=rec.get("detail", ""), already=bool(rec.get("already", False)),
                         released=released or [], backend="local")


# ── choosing an engine ───────────────────────────────────────────────────────
