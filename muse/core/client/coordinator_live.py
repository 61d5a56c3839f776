"""The live engine behind the :class:`~muse.core.coord.coordinator.Coordinator` verbs.

Leases and the queue are decided by the hub (its clock, its fencing-token
sequence); this class sends each verb through the one hub client
(:class:`muse.core.client.hub_client.HubClient`) and translates the answer into the
shared :mod:`muse.core.vocab.outcomes` documents. Views the live endpoints do not
serve (the task list, the forecast) are computed by the same view functions
as locally, over the hub's record log (the live engine writes every decision
there), pulled into a scratch store.

Imported only in live mode: it loads the HTTP stack and msgpack.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from muse.core.client.hub_client import HubClient
from muse.core.coord.coordinator import (
    DEFAULT_TTL,
    Coordinator,
    forecast_outcome,
    seconds_until,
    tasks_outcome,
)
from muse.core.coord.state import CoordState
from muse.core.types import JsonDict
from muse.core.vocab import clock
from muse.core.vocab.errors import UsageError, UserError
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

TYPE_CHECKING = False
if TYPE_CHECKING:
    from muse.core.source.index import CodeIndex

__all__ = ["LiveCoordinator"]

_MAX_STATUS_ROWS = 1000  # the hub's cap on rows per status section


class LiveCoordinator(Coordinator):
    """Answers through the live endpoints of one hub repository."""

    backend = "live"

    def __init__(self, client: HubClient) -> None:
        self.client = client

    @classmethod
    def from_config(cls, *, hub_url: str | None = None, owner: str | None = None,
                    slug: str | None = None, root: pathlib.Path | None = None) -> LiveCoordinator:
        """Hub, repository and identity from the arguments, then the environment
        and ``[hub]`` of the repository enclosing *root* (or the working
        directory); a repository is not needed when those name everything."""
        from muse.core.client.sync import resolve_hub_url, resolve_repo, resolve_signing
        from muse.core.paths import find_root

        where = find_root(pathlib.Path.cwd()) if root is None else pathlib.Path(root)
        owner, slug = resolve_repo(where, owner, slug)
        return cls(HubClient(resolve_hub_url(where, hub_url), owner, slug,
                             resolve_signing(where)))

    # ── leases ───────────────────────────────────────────────────────────
    def reserve(self, run_id: str, symbols: Sequence[str], *, ttl: float = DEFAULT_TTL,
                strict: bool | None = None) -> ReserveOutcome:
        got = self.client.reserve(run_id, symbols, ttl=ttl, strict=strict)
        return ReserveOutcome(reservation_id=got["reservation_id"], run_id=got["run_id"],
                              symbols=got["symbols"], mode=got["mode"], token=got["token"],
                              granted_at=got["granted_at"], expires_at=got["expires_at"],
                              expires_in=got["expires_in"], conflicts=got["conflicts"],
                              problems=[], backend=self.backend)

    def intent(self, run_id: str, operation: str, target: str, *,
               reservation_id: str | None = None, token: int | None = None,
               new_name: str | None = None) -> IntentOutcome:
        if reservation_id is not None and token is None:
            raise UsageError("a live intent on a reservation needs that reservation's --token")
        got = self.client.intent(run_id, operation, target, reservation_id=reservation_id,
                                 token=token, new_name=new_name)
        return IntentOutcome(intent_id=got["intent_id"], run_id=got["run_id"],
                             reservation_id=got.get("reservation_id"),
                             operation=got["operation"], target=got["target"],
                             new_name=got.get("new_name"), created_at=got["created_at"],
                             backend=self.backend)

    def release(self, reservation_id: str, run_id: str | None, *,
                token: int | None = None) -> ReleaseOutcome:
        if token is None or run_id is None:
            raise UsageError("a live release needs the run that holds it and its --token "
                             "(printed by `muse coord reserve --live`)")
        got = self.client.release(reservation_id, run_id, token)
        return ReleaseOutcome(reservation_id=got["reservation_id"], run_id=run_id,
                              released_at=_ts(got["released_at"]),
                              already_released=bool(got.get("already_released")), token=token,
                              backend=self.backend)

    def heartbeat(self, run_id: str, *, ttl: float = DEFAULT_TTL) -> HeartbeatOutcome:
        got = self.client.heartbeat(run_id, ttl=ttl)
        return HeartbeatOutcome(run_id=got["run_id"], expires_at=got["expires_at"],
                                expires_in=got["expires_in"], reservations=got["reservations"],
                                claims=got["claims"], expired=got["expired"],
                                backend=self.backend)

    def depend(self, node: str, depends_on: Sequence[str], *, on_tasks: bool = False,
               run_id: str | None = None) -> DependOutcome:
        if on_tasks:
            got = self.client.depend(node, depends_on, run_id)
        else:
            got = self._depend_reservation(node, depends_on, run_id)
        return DependOutcome(dependency_id=got["dependency_id"], node=node,
                             kind="task" if on_tasks else "reservation",
                             depends_on=got["depends_on"], run_id=got.get("run_id"),
                             backend=self.backend)

    def _depend_reservation(self, node: str, depends_on: Sequence[str],
                            run_id: str | None) -> JsonDict:
        """A reservation dependency: a record in the hub's log, after the local checks.

        Nothing is decided on reservation edges (they inform readers), so the
        checks read the log and the record goes in by push, like a local one
        pushed later; two racing writers could still close a cycle together.
        """
        from muse.core.types import check_id
        from muse.core.vocab.errors import NotFound
        from muse.core.vocab.rules import cycle_refusal, find_cycle, new_record_id

        check_id(node, "reservation id")
        if not depends_on:
            raise UserError("give at least one prerequisite (--on ID)")
        for d in depends_on:
            check_id(d, "prerequisite id")
        if self.client.fence(1, reservation_id=node).get("reason") == "not_found":
            raise NotFound(f"no reservation {node!r}", id=node)
        with self._records(["dependency"]) as state:
            edges: dict[str, set[str]] = {}
            for dep in state.dependencies:
                if dep.reservation_id is not None:
                    edges.setdefault(dep.reservation_id, set()).update(dep.depends_on)
        cycle = find_cycle(lambda n: edges.get(n, ()), node, depends_on)
        if cycle:
            raise cycle_refusal(cycle)
        body: JsonDict = {"reservation_id": node, "depends_on": sorted(set(depends_on))}
        if run_id:
            body["run_id"] = run_id
        record = {"dependency_id": new_record_id(body), **body}
        self.client.push([{"kind": "dependency", "record_id": record["dependency_id"],
                           "run_id": run_id, "payload": record, "expires_at": None}])
        return record

    # ── the queue ────────────────────────────────────────────────────────
    def enqueue(self, description: str, *, task_id: str | None = None, priority: int = 0,
                depends_on: Sequence[str] = (), symbols: Sequence[str] = (),
                run_id: str | None = None) -> EnqueueOutcome:
        task_id = task_id or f"task-{os.urandom(8).hex()}"
        deps = sorted(set(depends_on))
        got = self.client.enqueue([{"task_id": task_id, "description": description,
                                    "priority": priority, "depends_on": deps,
                                    "symbols": list(symbols)}])
        if not got.get("inserted"):
            # Same rule as the record store: a task id is enqueued once.
            raise UserError(f"task {task_id!r} already exists", task_id=task_id)
        return EnqueueOutcome(task_id=task_id, description=description, priority=priority,
                              depends_on=deps, symbols=list(dict.fromkeys(symbols)),
                              backend=self.backend)

    def claim(self, run_id: str, *, ttl: float = DEFAULT_TTL,
              task_id: str | None = None) -> ClaimOutcome:
        got = self.client.claim(run_id, ttl=ttl, task_id=task_id)
        task = got.get("task") or {}
        return ClaimOutcome(task_id=task.get("task_id"), description=task.get("description"),
                            priority=task.get("priority"), symbols=task.get("symbols"),
                            depends_on=task.get("depends_on"), run_id=run_id,
                            token=got.get("token"), expires_at=got.get("expires_at"),
                            expires_in=got.get("expires_in"), problems=[], backend=self.backend)

    def complete(self, task_id: str, run_id: str, *, token: int | None = None,
                 detail: str = "", release: Sequence[tuple[str, int | None]] = ()
                 ) -> FinishOutcome:
        got = self.client.complete(task_id, run_id, _need_token(token), detail=detail,
                                   release=_leases(release))
        return self._finished(got, run_id, detail)

    def fail(self, task_id: str, run_id: str, *, token: int | None = None, detail: str = "",
             requeue: bool = False, release: Sequence[tuple[str, int | None]] = ()
             ) -> FinishOutcome:
        got = self.client.fail(task_id, run_id, _need_token(token), detail=detail,
                               requeue=requeue, release=_leases(release))
        return self._finished(got, run_id, detail)

    def _finished(self, got: JsonDict, run_id: str, detail: str) -> FinishOutcome:
        return FinishOutcome(task_id=got["task_id"], run_id=run_id, status=got["status"],
                             token=got["token"], detail=detail, already=bool(got.get("already")),
                             released=list(got.get("released") or []), backend=self.backend)

    # ── reads ────────────────────────────────────────────────────────────
    def status(self, *, run_id: str | None = None, path: str | None = None,
               symbol: str | None = None, limit: int | None = 20,
               cursor: str | None = None) -> StatusOutcome:
        rows = _MAX_STATUS_ROWS if limit is None else max(0, min(limit, _MAX_STATUS_ROWS))
        if path is not None:
            return self._status_under(path, run_id, symbol, limit, cursor)
        got = self.client.status(limit=rows, run_id=run_id, symbol=symbol, cursor=cursor or "")
        page = got["page"]  # leases in reservation-id order, from the live tables
        active, runs, conflicts = (got["reservations"]["active"], got["reservations"]["runs"],
                                   got["conflicts"])
        if run_id is not None:
            # Filtered to one run, as locally: its leases; a conflict needs two runs.
            active, conflicts = page["total"], []
            runs = 1 if active else 0
        return StatusOutcome(
            now=_ts(got.get("now")), backend=self.backend, mode=got["mode"], fence=got["fence"],
            active_reservations=active, runs=runs,
            conflict_count=len(conflicts), conflicts=conflicts, busiest_files=[],
            tasks=got["tasks"], holders=got.get("holders") if symbol is not None else None,
            reservations=page["reservations"], next_cursor=page["next_cursor"], problems=[])

    def _status_under(self, path: str, run_id: str | None, symbol: str | None,
                      limit: int | None, cursor: str | None) -> StatusOutcome:
        """Status under *path*: the same view as locally, over the hub's record log
        (which the hub writes with every decision)."""
        from muse.core.coord.views import status_view

        got = self.client.status(limit=0)
        with self._records(["reservation", "release", "heartbeat", "task", "claim",
                            "dependency"]) as state:
            view = status_view(state, run_id, path, limit, cursor=cursor, symbol=symbol)
            view["reservations"] = list(view["reservations"])
        return StatusOutcome(**{**view, "backend": self.backend, "mode": got["mode"],
                                "fence": got["fence"], "tasks": got["tasks"]})

    def tasks(self, *, status: str | None = None, limit: int | None = 50) -> TasksOutcome:
        with self._records(["task", "claim", "dependency", "heartbeat"]) as state:
            return tasks_outcome(state, self.backend, status, limit)

    def forecast(self, *, min_severity: str = "low", limit: int | None = 50,
                 code: CodeIndex | None = None) -> ForecastOutcome:
        with self._records(None) as state:
            return forecast_outcome(state, self.backend, min_severity, limit, code)

    def fence(self, token: int, *, reservation_id: str | None = None,
              task_id: str | None = None, symbol: str | None = None) -> FenceOutcome:
        got = self.client.fence(token, reservation_id=reservation_id, task_id=task_id,
                                symbol=symbol)
        return FenceOutcome(valid=got["valid"], token=got["token"], holder=got["holder"],
                            expires_at=got["expires_at"], expires_in=got["expires_in"],
                            reason=got.get("reason"), backend=self.backend)

    @contextmanager
    def _records(self, kinds: list[str] | None) -> Iterator[CoordState]:
        """The hub's record log (of *kinds*) as a state, in memory."""
        from muse.core.coord.snapshot import RecordSet

        records = RecordSet(remote=False)
        records.add_bus_records(self.client.pull_all(kinds))
        yield records.state(clock.now())

    def close(self) -> None:
        self.client.close()


def _leases(release: Sequence[tuple[str, int | None]]) -> list[tuple[str, int]] | None:
    """The reservations to release with a finish (None: none named, the plain verb)."""
    if not release:
        return None
    out = []
    for rid, tok in release:
        if tok is None:
            raise UsageError(f"a live release needs the reservation's token: {rid}:TOKEN "
                             "(printed by `muse coord reserve --live`)")
        out.append((rid, tok))
    return out


def _need_token(token: int | None) -> int:
    if token is None:
        raise UsageError("live mode needs the claim's --token (printed by `muse coord claim`)")
    return token


def _ts(value: Any) -> Any:
    """The hub answers some times as epoch seconds: the documents carry ISO text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return clock.format_ts(float(value))
    return value


def seconds_left(expires_at: str | None) -> float | None:
    return seconds_until(expires_at, clock.now())
