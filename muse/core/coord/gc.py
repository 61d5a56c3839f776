"""Garbage collection of dead coordination records.

A reservation is dead once it is released, or its effective expiry (its own
``expires_at`` or the latest heartbeat of its run) lies more than the grace
period in the past. GC removes it together with the records that only
served it: its intents, its release tombstones and its dependency edges;
plus heartbeats that no longer extend anything and superseded claim slots.

Removed ids are appended to a graveyard so that a later pull never writes
them back into ``remote/`` (the hub keeps everything it was ever sent).

Crash safety: the graveyard is written (and synced) before any file goes,
and files go dependents first: intents and dependency edges, then the
reservations they served, then release tombstones (a tombstone removed
before its reservation would bring a released lease back to life). A GC
killed part-way therefore leaves at worst intents or edges whose reservation
is gone: the next GC removes those orphans (their reservation is in the
graveyard), and the temp files of crashed writers.
"""

from __future__ import annotations

import os
import pathlib
import stat
from collections.abc import Callable

from muse.core.coord.state import DEFAULT_TTL, CoordState
from muse.core.files.fileio import UnusableFile, read_path, sweep_temps
from muse.core.files.store import CoordStore
from muse.core.paths import coordination_dir, state_dir
from muse.core.types import KIND_DIRS, JsonDict
from muse.core.vocab import clock
from muse.core.vocab.errors import UserError
from muse.core.vocab.rules import DEFAULT_GRACE, lease_buried, run_spent, slot_superseded

__all__ = ["DEFAULT_GRACE", "CoordGcResult", "dead_records", "graveyard_path", "load_graveyard", "run_coord_gc",
           "sweep_all_temps"]


def graveyard_path(root: pathlib.Path) -> pathlib.Path:
    return coordination_dir(root) / "graveyard.log"


def load_graveyard(root: pathlib.Path) -> set[tuple[str, str]]:
    """``(kind, record_id)`` of every record GC ever removed here."""
    try:
        text = read_path(graveyard_path(root)).decode("utf-8", errors="replace")
    except (OSError, UnusableFile):
        return set()  # missing, or not a regular file: nothing is known to be buried
    out: set[tuple[str, str]] = set()
    for line in text.splitlines():
        kind, _, rid = line.partition(" ")
        if rid:
            out.add((kind, rid))
    return out


def _bury(root: pathlib.Path, entries: list[tuple[str, str]]) -> None:
    if not entries:
        return
    data = "".join(f"{k} {r}\n" for k, r in entries).encode()
    path = graveyard_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:  # a symlink, or a FIFO nobody reads
        raise UserError(f"cannot record removals in {path} ({exc.strerror}): nothing removed") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UserError(f"{path} is not a regular file: nothing removed")
        os.write(fd, data)
        os.fsync(fd)  # must be durable before the files disappear
    finally:
        os.close(fd)


# Deletion order (see the module doc): dependents before what they serve,
# tombstones after what they bury.
_DELETE_ORDER = {"intent": 0, "dependency": 0, "claim": 1, "heartbeat": 1, "reservation": 2, "release": 3}


def _orphans(state: CoordState, dead_res: set[str],
             buried_reservations: Callable[[], set[str]]) -> tuple[list[str], list[str]]:
    """Record ids of intents and dependency edges whose reservation an earlier
    GC removed (it was killed before it removed them too)."""
    known = {r.reservation_id for r in state.reservations}
    intents = [i for i in state.intents if i.reservation_id is not None
               and i.reservation_id not in known and i.reservation_id not in dead_res]
    deps = [d for d in state.dependencies if d.reservation_id is not None
            and d.reservation_id not in known and d.reservation_id not in dead_res]
    if not intents and not deps:
        return [], []
    buried = buried_reservations()
    return ([i.record_id for i in intents if i.reservation_id in buried],
            [d.record_id for d in deps if d.reservation_id in buried])


def sweep_all_temps(root: pathlib.Path) -> int:
    """Remove crashed writers' temp files from every record and index folder."""
    base = coordination_dir(root)
    folders = [base, base / "remote", state_dir(root), state_dir(root) / "index", base / "quarantine"]
    for sub in KIND_DIRS.values():
        folders += [base / sub, base / "remote" / sub, base / "quarantine" / sub]
    return sum(sweep_temps(os.fspath(f)) for f in folders)


class CoordGcResult:
    """What GC removed (or, in a dry run, would remove), counted per kind."""

    def __init__(self, dry_run: bool, grace_period_seconds: float) -> None:
        self.dry_run = dry_run
        self.grace_period_seconds = grace_period_seconds
        self.reservations_removed = 0
        self.intents_removed = 0
        self.releases_removed = 0
        self.heartbeats_removed = 0
        self.dependencies_removed = 0
        self.claims_removed = 0
        self.temp_files_removed = 0
        self.problems: list[JsonDict] = []

    def __repr__(self) -> str:
        return f"CoordGcResult({self.to_json()!r})"

    @property
    def total_removed(self) -> int:
        return (self.reservations_removed + self.intents_removed + self.releases_removed
                + self.heartbeats_removed + self.dependencies_removed + self.claims_removed)

    def to_json(self) -> JsonDict:
        return {
            "dry_run": self.dry_run,
            "grace_period_seconds": self.grace_period_seconds,
            "reservations_removed": self.reservations_removed,
            "intents_removed": self.intents_removed,
            "releases_removed": self.releases_removed,
            "heartbeats_removed": self.heartbeats_removed,
            "dependencies_removed": self.dependencies_removed,
            "claims_removed": self.claims_removed,
            "temp_files_removed": self.temp_files_removed,
            "total_removed": self.total_removed,
            "problems": self.problems,
        }


def dead_records(state: CoordState, horizon: float, result: CoordGcResult,
                 buried_reservations: Callable[[], set[str]] | None = None) -> list[tuple[str, str]]:
    """``(kind, record_id)`` of every record of *state* GC may remove at *horizon*
    (now minus the grace), counted into *result*. *buried_reservations* (asked
    only when needed) names reservations an earlier pass removed, so intents and
    edges a killed pass left behind go too.

    The one decision of what is dead: local GC calls it on a repository's
    files, the hub's retention (``muse.hub.retention``) on its stored records.
    """
    doomed: list[tuple[str, str]] = []
    released = state.released()
    hb = state.heartbeat_map()
    hb_get, rel_get = hb.get, released.get
    reservations = state.reservations
    # A comprehension, not one loop with branches: this is the 150,000-record
    # pass. Released leases go once the release is past grace; the others once
    # their own expiry and their run's last heartbeat both are.
    dead_list = [r for r in reservations
                 if lease_buried(r.expires_at, hb_get(r.run_id, 0.0),
                                 None if (rel := rel_get(r.reservation_id)) is None
                                 else rel.released_at, horizon)]
    dead_res = {r.reservation_id for r in dead_list}
    doomed.extend(("reservation", r.record_id) for r in dead_list)
    result.reservations_removed = len(doomed)
    if dead_res:
        live_runs = {r.run_id for r in reservations if r.reservation_id not in dead_res}
    else:
        live_runs = {r.run_id for r in reservations}
    known = {r.reservation_id for r in reservations} if state.releases else set()
    for i in state.intents:
        if (i.reservation_id in dead_res) or (
            i.reservation_id is None and i.run_id not in live_runs
            and hb.get(i.run_id, 0.0) <= horizon
            and (i.created_at or 0.0) + DEFAULT_TTL <= horizon
        ):
            doomed.append(("intent", i.record_id))
            result.intents_removed += 1
    for rel in state.releases:
        # Its reservation goes now, or is long gone (a tombstone left alone).
        if rel.reservation_id in dead_res or (
            rel.reservation_id not in known and rel.released_at <= horizon
        ):
            doomed.append(("release", rel.record_id))
            result.releases_removed += 1
    for d in state.dependencies:
        if d.reservation_id is not None and d.reservation_id in dead_res:
            doomed.append(("dependency", d.record_id))
            result.dependencies_removed += 1
    orphan_intents, orphan_deps = ((), ()) if buried_reservations is None else \
        _orphans(state, dead_res, buried_reservations)
    doomed.extend(("intent", rid) for rid in orphan_intents)
    doomed.extend(("dependency", rid) for rid in orphan_deps)
    result.intents_removed += len(orphan_intents)
    result.dependencies_removed += len(orphan_deps)

    # Heartbeats: one that is not its run's latest changes nothing; the latest
    # goes once the run is spent (nothing held, heartbeat past the grace).
    claim_runs = {c.claimer_run_id for slots in state.claim_log().values() for c in slots[-1:]
                  if c.status == "claimed"}
    for h in state.heartbeats:
        latest = hb.get(h.run_id, 0.0)
        superseded = h.extended_expires_at < latest and (h.at or h.extended_expires_at) <= horizon
        if superseded or run_spent(latest, h.run_id in live_runs or h.run_id in claim_runs,
                                   horizon):
            doomed.append(("heartbeat", h.record_id))
            result.heartbeats_removed += 1

    # Claims: only the newest slot of a task's log decides its state.
    for slots in state.claim_log().values():
        for c in slots[:-1]:
            if slot_superseded(c.at, c.expires_at, horizon):
                doomed.append(("claim", c.record_id))
                result.claims_removed += 1
    return doomed


def run_coord_gc(
    root: pathlib.Path,
    dry_run: bool = False,
    grace_period_seconds: float = DEFAULT_GRACE,
    now: float | None = None,
) -> CoordGcResult:
    """Remove dead records; a dry run counts the same and deletes nothing."""
    root = pathlib.Path(root)
    t = clock.now() if now is None else now
    store = CoordStore(root)
    state = CoordState(root, t, store=store)
    result = CoordGcResult(dry_run=dry_run, grace_period_seconds=grace_period_seconds)
    doomed = dead_records(state, t - grace_period_seconds, result,
                          lambda: {rid for kind, rid in load_graveyard(root) if kind == "reservation"})
    result.problems = [p.to_json() for p in state.problems]
    if not dry_run and doomed:
        _bury(root, doomed)
        doomed.sort(key=lambda entry: _DELETE_ORDER[entry[0]])
        for kind, rid in doomed:
            # A record may exist locally and as a pulled copy: remove both.
            store.delete(kind, rid, remote=False)
            store.delete(kind, rid, remote=True)
    if not dry_run:
        result.temp_files_removed = sweep_all_temps(root)
    return result
