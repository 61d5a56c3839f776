"""Pushed records are bound to who may write them; forged ones are skipped and reported.

A member with push access could otherwise push a release of another run's
reservation (pulled clients then drop that lease), heartbeats or intents in
another identity's run, or claim slots of a task the hub's live queue holds
(pulls would show the forged slot). :func:`screen` refuses, per record:

- a record naming a run (its ``run_id``, the payload's ``run_id`` or
  ``claimer_run_id``) that belongs to another identity. A run belongs to the
  identity that first used it, live or pushed (``muse.storage.provenance``
  binds it the live side's way); a pusher's first use binds it;
- a release, or an intent guarded by a reservation, whose reservation belongs
  to another identity's run;
- a claim for a task in the hub's live queue: the hub alone writes those.

Records the hub already stores are never refused: clients push back what
they pulled, and those are skipped as known. The rest of the batch is stored;
the answer lists each refusal (``refused``: index, kind, record_id, reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from muse.hub.context import Hub
from muse.storage import provenance
from muse.storage.base import RecordRow, Repo

__all__ = ["Refusal", "screen"]

_RUN_FIELDS = ("run_id", "claimer_run_id")
_GUARDED = ("release", "intent")  # kinds whose reservation_id must be the pusher's


@dataclass(frozen=True, slots=True)
class Refusal:
    index: int
    kind: str
    record_id: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "kind": self.kind, "record_id": self.record_id,
                "reason": self.reason}


def _runs(rec: dict[str, Any]) -> list[str]:
    payload = rec["payload"]
    named = [rec.get("run_id"), *(payload.get(f) for f in _RUN_FIELDS)]
    return [r for r in dict.fromkeys(named) if isinstance(r, str) and r]


def _reservation(rec: dict[str, Any]) -> str | None:
    rid = rec["payload"].get("reservation_id")
    return rid if rec["kind"] in _GUARDED and isinstance(rid, str) and rid else None


def _claimed_task(rec: dict[str, Any]) -> str | None:
    if rec["kind"] != "claim":
        return None
    task = rec["payload"].get("task_id")
    if isinstance(task, str) and task:
        return task
    return str(rec["record_id"]).rpartition("+")[0] or None


def screen(hub: Hub, repo: Repo, handle: str, records: Sequence[dict[str, Any]],
           rows: list[RecordRow]) -> tuple[list[RecordRow], list[Refusal]]:
    """Split a validated batch into the rows to store and the refused records.

    Args:
        hub: the hub (its store).
        repo: the repository pushed to.
        handle: the pusher's identity.
        records: the batch as sent, already validated (``build_rows``).
        rows: their encoded rows, in the same order.
    """
    keys = [(r["kind"], r["record_id"]) for r in records]
    with hub.store.live_transaction(repo.id, write=True) as tx:
        known = provenance.stored_keys(tx, keys)
        fresh = [i for i, key in enumerate(keys) if key not in known]
        if not fresh:
            return rows, []
        batch_reservations = {r["record_id"]: r.get("run_id") for r in records
                              if r["kind"] == "reservation"}
        asked = {rid for i in fresh if (rid := _reservation(records[i])) is not None}
        stored = provenance.reservation_runs(tx, asked - batch_reservations.keys())
        reservation_run = {rid: batch_reservations.get(rid) or stored.get(rid) for rid in asked}
        runs = [run for i in fresh for run in _runs(records[i])]
        runs += [run for run in reservation_run.values() if isinstance(run, str)]
        foreign = provenance.bind_runs(tx, handle, runs)
        tasks = {t for i in fresh if (t := _claimed_task(records[i])) is not None}
        live_tasks = provenance.live_task_ids(tx, tasks) if tasks else set()
    refused: list[Refusal] = []
    for i in fresh:
        rec = records[i]
        reason = None
        if any(run in foreign for run in _runs(rec)):
            reason = "its run belongs to another identity"
        elif (rid := _reservation(rec)) is not None and reservation_run.get(rid) in foreign:
            reason = f"reservation {rid} belongs to another identity's run"
        if reason is None and (task := _claimed_task(rec)) in live_tasks:
            reason = f"task {task} is in the hub's live queue: only the hub writes its claims"
        if reason is not None:
            refused.append(Refusal(i, rec["kind"], rec["record_id"], reason))
    if not refused:
        return rows, []
    out = {r.index for r in refused}
    return [row for i, row in enumerate(rows) if i not in out], refused
