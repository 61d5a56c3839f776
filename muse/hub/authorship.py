"""Pushed records are bound to who may write them; forged ones are skipped and reported.

A member with push access could otherwise push a release of another run's
reservation (pulled clients then drop that lease), heartbeats or intents in
another identity's run, or claim slots that pre-empt a claim the hub's live
queue holds (pulls would show the forged slot). :func:`screen` refuses, per
record the hub does not already store:

- a record naming a run (its ``run_id``, the payload's ``run_id`` or
  ``claimer_run_id``) that belongs to another identity. A run belongs to the
  identity that first used it, live or pushed: the binding is the lessor's
  own (``muse.hub.lessor``, first use wins), so a pusher's first use binds it;
- a release, or an intent guarded by a reservation, whose reservation belongs
  to another identity's run;
- a claim of a live task for a slot the hub already holds (at or below the
  task's current slot), or while another run holds the task's unexpired claim.

Records the hub already stores are never refused: clients push back what
they pulled, and those are skipped as known. The rest of the batch is stored
(and handed to the lessor); the answer lists each refusal (``refused``:
index, kind, record_id, reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from muse.hub.context import Hub
from muse.storage import live as tables
from muse.storage import provenance
from muse.storage.base import RecordRow, Repo
from muse.storage.live import LiveTx

__all__ = ["Refusal", "Screened", "screen"]

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


@dataclass(frozen=True, slots=True)
class Screened:
    """A batch split by :func:`screen`: what to store (rows and records, in order)
    and what was refused."""

    rows: list[RecordRow]
    records: list[dict[str, Any]]
    refused: list[Refusal]

    def refused_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.refused]


def _runs(rec: dict[str, Any]) -> list[str]:
    payload = rec["payload"]
    named = [rec.get("run_id"), *(payload.get(f) for f in _RUN_FIELDS)]
    return [r for r in dict.fromkeys(named) if isinstance(r, str) and r]


def _reservation(rec: dict[str, Any]) -> str | None:
    rid = rec["payload"].get("reservation_id")
    return rid if rec["kind"] in _GUARDED and isinstance(rid, str) and rid else None


def _claim(rec: dict[str, Any]) -> tuple[str, int, str] | None:
    """(task_id, slot, claimer run) of a claim record, or None."""
    if rec["kind"] != "claim":
        return None
    payload = rec["payload"]
    task, _, tail = str(rec["record_id"]).rpartition("+")
    task = payload.get("task_id") if isinstance(payload.get("task_id"), str) else task
    slot = payload.get("slot")
    if type(slot) is not int:
        slot = int(tail) if tail.isdigit() else 1
    run = payload.get("claimer_run_id") or rec.get("run_id") or ""
    return (task, slot, str(run)) if task else None


def _bind_runs(tx: LiveTx, handle: str, run_ids: Sequence[str]) -> set[str]:
    """Bind unbound runs to *handle* the lessor's way; return those of another identity."""
    from muse.hub import lessor

    foreign: set[str] = set()
    for run_id in dict.fromkeys(run_ids):
        try:
            lessor._touch_run(tx, run_id, handle)
        except lessor.RunOwnedElsewhere:
            foreign.add(run_id)
    return foreign


def _claim_refusal(tx: LiveTx, now: float, claim: tuple[str, int, str]) -> str | None:
    task_id, slot, run = claim
    row = tables.task_row(tx, task_id)  # TASK_COLS: status 6, holder 8, slot 10, expiry 11
    if row is None:
        return None  # not a live task: its claim log is the clients'
    if slot <= int(row[10]):
        return f"slot {slot} of live task {task_id} is the hub's already"
    expires = row[11]
    if row[6] == "claimed" and expires is not None and float(expires) > now and row[8] != run:
        return f"live task {task_id} is claimed on the hub by another run"
    return None


def screen(hub: Hub, repo: Repo, handle: str, records: Sequence[dict[str, Any]],
           rows: list[RecordRow]) -> Screened:
    """Split a validated batch into what to store and the refused records.

    Args:
        hub: the hub (its store and clock).
        repo: the repository pushed to.
        handle: the pusher's identity.
        records: the batch as sent, already validated (``build_rows``).
        rows: their encoded rows, in the same order.
    """
    keys = [(r["kind"], r["record_id"]) for r in records]
    now = hub.now()
    refused: list[Refusal] = []
    with hub.store.live_transaction(repo.id, write=True) as tx:
        known = provenance.stored_keys(tx, keys)
        fresh = [i for i, key in enumerate(keys) if key not in known]
        if not fresh:
            return Screened(rows, list(records), [])
        batch_runs = {r["record_id"]: r.get("run_id") for r in records if r["kind"] == "reservation"}
        asked = {rid for i in fresh if (rid := _reservation(records[i])) is not None}
        stored = provenance.reservation_runs(tx, asked - batch_runs.keys())
        reservation_run = {rid: batch_runs.get(rid) or stored.get(rid) for rid in asked}
        runs = [run for i in fresh for run in _runs(records[i])]
        runs += [run for run in reservation_run.values() if isinstance(run, str)]
        foreign = _bind_runs(tx, handle, runs)
        for i in fresh:
            rec = records[i]
            reason = None
            if any(run in foreign for run in _runs(rec)):
                reason = "its run belongs to another identity"
            elif (rid := _reservation(rec)) is not None and reservation_run.get(rid) in foreign:
                reason = f"reservation {rid} belongs to another identity's run"
            elif (claim := _claim(rec)) is not None:
                reason = _claim_refusal(tx, now, claim)
            if reason is not None:
                refused.append(Refusal(i, rec["kind"], rec["record_id"], reason))
    if not refused:
        return Screened(rows, list(records), [])
    out = {r.index for r in refused}
    return Screened([row for i, row in enumerate(rows) if i not in out],
                    [rec for i, rec in enumerate(records) if i not in out], refused)
