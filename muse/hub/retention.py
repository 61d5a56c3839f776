"""Hub retention: forget what nobody needs any more, under local GC's grace rules.

One pass (:func:`prune`) walks every repository and, in transactions of at
most *batch* rows (each holding the repository's lock only briefly, so live
decisions are not starved), removes:

* leases that ended (released, expired, or lapsed without an end) before the
  horizon, now minus the grace (:func:`muse.core.vocab.rules.lease_buried`), with
  their symbol rows;
* runs that hold nothing the hub still remembers and whose heartbeat ended
  before the horizon (:func:`muse.core.vocab.rules.run_spent`);
* remembered answers (lost-answer replays) past their time, and seen
  signatures past their expiry;
* pushed records that only served dead reservations, exactly what local GC
  removes (:func:`muse.core.coord.gc.dead_records` over the stored records), each
  entered in a graveyard so a later push skips it instead of storing it again.
  Sequence numbers are never reused: a pull cursor stays valid and a client
  resuming from an old one simply gets fewer records;
* graveyard entries older than *graveyard_keep*.

Only one hub prunes a database at a time (:meth:`HubStore.prune_lock`), and
every step is idempotent, so hubs sharing a PostgreSQL can all run a pruner.
:class:`Pruner` runs passes in the background of ``muse hub serve``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from muse.core.coord.gc import CoordGcResult, dead_records
from muse.core.coord.state import CoordState
from muse.core.types import JsonDict
from muse.core.vocab.rules import DEFAULT_GRACE, lease_buried, run_spent
from muse.hub.lessor import symbol_marks
from muse.storage import live as tables
from muse.storage.base import MAX_PAGE, HubStore
from muse.storage.live import split

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_GRAVEYARD_KEEP",
    "DEFAULT_PRUNE_EVERY",
    "PruneResult",
    "Pruner",
    "prune",
    "prune_repo",
    "table_sizes",
]

DEFAULT_PRUNE_EVERY = 60.0  # seconds between background passes
DEFAULT_BATCH = 500  # rows per transaction: short holds of the repository lock
DEFAULT_GRAVEYARD_KEEP = 7 * 86_400.0  # seconds a pruned id keeps being refused on re-push
# Kinds local GC may remove (tasks never are): only these are read for a pass.
_GC_KINDS = ("reservation", "intent", "release", "heartbeat", "dependency", "claim")
_COUNTERS = ("live_reservations", "live_runs", "live_answers",
             "seen_signatures", "records", "graveyard_forgotten")

log = logging.getLogger("muse.hub.retention")


@dataclass
class PruneResult:
    """What one pass removed (a dry run: would remove), per table and record kind."""

    dry_run: bool
    grace_seconds: float
    repositories: int = 0
    skipped: bool = False  # another pruner held the lock: nothing was done
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTERS, 0))
    records: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_GC_KINDS, 0))

    def add(self, name: str, n: int) -> None:
        self.removed[name] += n

    def to_json(self) -> JsonDict:
        return {"dry_run": self.dry_run, "grace_seconds": self.grace_seconds,
                "repositories": self.repositories, "skipped": self.skipped,
                "removed": dict(self.removed), "records_removed": dict(self.records),
                "total_removed": sum(self.removed.values())}


def prune(store: HubStore, now: float, grace: float = DEFAULT_GRACE, batch: int = DEFAULT_BATCH,
          dry_run: bool = False, graveyard_keep: float = DEFAULT_GRAVEYARD_KEEP) -> PruneResult:
    """One retention pass over every repository (skipped if another pruner runs)."""
    result = PruneResult(dry_run=dry_run, grace_seconds=grace)
    with store.prune_lock() as mine:
        if not mine:
            result.skipped = True
            return result
        for repo_id in store.repo_ids():
            prune_repo(store, repo_id, now, grace, batch, dry_run, graveyard_keep, result)
            result.repositories += 1
        if not dry_run:
            while (n := store.prune_signatures(now, batch)):
                result.add("seen_signatures", n)
                if n < batch:
                    break
    return result


def prune_repo(store: HubStore, repo_id: int, now: float, grace: float, batch: int,
               dry_run: bool, graveyard_keep: float, result: PruneResult) -> None:
    """Prune one repository's live tables and records into *result*."""
    horizon = now - grace
    steps = _Steps(store, repo_id, batch, dry_run, result)
    steps.run(lambda tx, limit: _leases(tx, horizon, limit))
    steps.run(lambda tx, limit: _runs(tx, horizon, limit))
    steps.run(lambda tx, limit: _answers(tx, now, limit))
    _records(store, repo_id, now, horizon, grace, batch, dry_run, result)
    if not dry_run:
        steps.run(lambda tx, limit: _graveyard(tx, now - graveyard_keep, limit))


# A step looks at up to `limit` candidates in a transaction and says: the
# counter it feeds, the candidates, those due, and how to delete the due ones.
_Step = Callable[[Any, int], tuple[str, Sequence[Any], Sequence[Any], Callable[[], Any]]]


class _Steps:
    """Repeat a step, one short transaction each, until it finds less than a batch.

    Each round first looks in a read-only transaction and takes the write
    lock only when something is due: an idle pass never queues behind (or
    in front of) live decisions.
    """

    def __init__(self, store: HubStore, repo_id: int, batch: int, dry_run: bool,
                 result: PruneResult) -> None:
        self.store, self.repo_id, self.batch = store, repo_id, batch
        self.dry_run, self.result = dry_run, result

    def run(self, step: _Step) -> None:
        if self.dry_run:  # nothing is deleted: everything in one read
            with self.store.live_transaction(self.repo_id, write=False) as tx:
                name, _, due, _ = step(tx, 2**62)
            self.result.add(name, len(due))
            return
        while True:
            with self.store.live_transaction(self.repo_id, write=False) as tx:
                _, seen, due, _ = step(tx, self.batch)
            if not due:
                return
            with self.store.live_transaction(self.repo_id, write=True) as tx:
                name, seen, due, delete = step(tx, self.batch)  # again, under the lock
                delete()
            self.result.add(name, len(due))
            # Stop when the candidates ran out, or none was due (a later pass sees them).
            if len(seen) < self.batch or not due:
                return


def _leases(tx: Any, horizon: float, limit: int) -> tuple[str, Sequence[Any], Sequence[Any],
                                                             Callable[[], Any]]:
    rows = tables.ended_reservations(tx, horizon, limit)
    dead = [r for r in rows
            if lease_buried(float(r[3]), float(r[6]),
                            None if r[2] == "live" else float(r[4] or 0.0), horizon)]

    def delete() -> None:
        # Ended leases lost their symbol rows when they ended; lapsed ones still have them.
        tables.delete_symbol_rows(tx, [(sym, r[0]) for r in dead if r[2] == "live"
                                       for sym in symbol_marks(split(r[5]))])
        tables.delete_reservations(tx, [r[0] for r in dead])

    return "live_reservations", rows, dead, delete


def _runs(tx: Any, horizon: float, limit: int) -> tuple[str, Sequence[Any], Sequence[Any],
                                                          Callable[[], Any]]:
    rows = tables.idle_runs(tx, horizon, limit)
    # idle_runs lists only runs that hold nothing the hub still remembers.
    spent = [run for run, heartbeat in rows if run_spent(heartbeat, False, horizon)]
    return "live_runs", rows, spent, lambda: tables.delete_runs(tx, spent)


def _answers(tx: Any, now: float, limit: int) -> tuple[str, Sequence[Any], Sequence[Any],
                                                        Callable[[], Any]]:
    ids = tables.expired_answers(tx, now, limit)
    return "live_answers", ids, ids, lambda: tables.delete_answers(tx, ids)


def _graveyard(tx: Any, before: float, limit: int) -> tuple[str, Sequence[Any], Sequence[Any],
                                                           Callable[[], Any]]:
    keys = tables.old_graveyard(tx, before, limit)
    return "graveyard_forgotten", keys, keys, lambda: tables.forget_graveyard(tx, keys)


def _records(store: HubStore, repo_id: int, now: float, horizon: float, grace: float,
             batch: int, dry_run: bool, result: PruneResult) -> None:
    """Pushed records local GC would remove, decided by :func:`dead_records`."""
    import msgspec

    from muse.core.vocab.errors import InvalidRecord
    from muse.core.vocab.records import decode

    by_kind: dict[str, list[Any]] = {k: [] for k in _GC_KINDS}
    unpack = msgspec.msgpack.Decoder().decode
    cursor, more = 0, True
    while more:  # read in pages, without the lock: dead records stay dead
        page = store.fetch_records(repo_id, cursor, _GC_KINDS, MAX_PAGE)
        for body in page.bodies:
            try:
                rec = unpack(body)
                by_kind[rec["kind"]].append(decode(rec["kind"], str(rec["record_id"]),
                                                   rec["payload"], remote=True))
            except (InvalidRecord, KeyError, TypeError, ValueError, msgspec.DecodeError):
                continue  # a record nobody can read decides nothing, and is kept
        cursor, more = page.cursor, page.has_more
    counts = CoordGcResult(dry_run=dry_run, grace_period_seconds=grace)
    doomed = dead_records(CoordState.of_records(by_kind, now), horizon, counts)
    if dry_run:
        deleted = len(doomed)
        for kind, _ in doomed:
            result.records[kind] += 1
    else:
        deleted = 0
        for start in range(0, len(doomed), batch):
            chunk = doomed[start:start + batch]
            with store.live_transaction(repo_id, write=True) as tx:
                deleted += tables.bury_records(tx, chunk, now)
            for kind, _ in chunk:
                result.records[kind] += 1
    result.add("records", deleted)


def table_sizes(store: HubStore) -> dict[str, int]:
    """Rows per retained table, summed over repositories (for operators and tests)."""
    out: dict[str, int] = {}
    for repo_id in store.repo_ids():
        with store.live_transaction(repo_id, write=False) as tx:
            for name, n in tables.table_counts(tx).items():
                out[name] = out.get(name, 0) + n
    return out


class Pruner:
    """Background retention passes every *every* seconds, counting what they removed."""

    def __init__(self, store: HubStore, grace: float, every: float,
                 batch: int = DEFAULT_BATCH, now: Callable[[], float] = time.time) -> None:
        self.store, self.grace, self.every, self.batch, self.now = store, grace, every, batch, now
        self.totals: dict[str, int] = dict.fromkeys((*_COUNTERS, "passes", "skipped", "errors"), 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="muse-hub-pruner", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self) -> PruneResult:
        result = prune(self.store, self.now(), self.grace, self.batch)
        self.totals["passes"] += 1
        self.totals["skipped"] += int(result.skipped)
        for name, n in result.removed.items():
            self.totals[name] += n
        return result

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                result = self.run_once()
            except Exception:  # a failed pass is logged; the next one retries
                self.totals["errors"] += 1
                log.warning("retention pass failed", exc_info=True)
                continue
            if sum(result.removed.values()):
                log.info("retention removed %s", result.removed)
