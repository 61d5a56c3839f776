"""Boards: each repository's records decoded in memory, kept up to date incrementally.

Every record a repository holds is in the hub's append-only records table. A
:class:`Board` per repository keeps them decoded in a
:class:`~muse.core.coord.snapshot.RecordSet` with the last sequence number read, so
a refresh pulls only what came after it. Views are derived on the hub clock
through the same :class:`~muse.core.coord.state.CoordState` rules as every command
(``status_view``, ``task_counts``, ``forecast``) into a
:class:`~muse.hub.dashboard.digest.Digest`, at most once per sequence number
and time step however many people watch. Records are also counted into
per-minute throughput buckets as they arrive.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter, OrderedDict, defaultdict
from typing import Any

from muse.core.coord.forecast import SEVERITIES, forecast
from muse.core.coord.snapshot import RecordSet, record_time
from muse.core.coord.views import sorted_tasks, status_view, task_counts
from muse.core.types import KINDS, JsonDict
from muse.hub.context import Hub
from muse.hub.dashboard.digest import Digest, RunRow
from muse.hub.dashboard.filters import Filters
from muse.hub.dashboard.summary import build_summary
from muse.storage.base import Repo

__all__ = ["CHECK_SECONDS", "REDERIVE_SECONDS", "THROUGHPUT_BUCKET", "Board", "Boards", "boards_of"]

PAGE_SIZE = 5000  # records per pull from the store while catching up
CHECK_SECONDS = 1.0  # how often a watched board asks the store for new records
REDERIVE_SECONDS = 5.0  # how stale (in time alone) a digest may get: expiries, ages
THROUGHPUT_BUCKET = 60  # seconds per throughput bar
THROUGHPUT_BUCKETS = 60
RATE_BUCKETS = 5  # minutes averaged into records/s
_KEEP_BUCKETS = 24 * 60


class Board:
    """One repository's records, decoded, with a cursor into the records table."""

    def __init__(self, repo: Repo) -> None:
        self.repo_id, self.owner, self.slug = repo.id, repo.owner, repo.slug
        self.lock = threading.Lock()
        self.records = RecordSet(remote=True)
        self.cursor = 0
        self.loaded = False
        self.checked_at = float("-inf")  # monotonic time of the last store check
        self.derive_cost = 0.0
        self.derived_at = float("-inf")  # monotonic time of the last derivation
        self.digest: Digest | None = None
        self.buckets: Counter[tuple[int, str]] = Counter()  # (bucket, kind) → records
        self.last_heartbeat: dict[str, float] = {}  # run → hub time of its latest heartbeat
        self.summaries: OrderedDict[Filters, tuple[tuple[int, float], JsonDict, str]] = (
            OrderedDict())

    def _pull(self, hub: Hub, now: float) -> bool:
        """Read every record after the cursor; True if any arrived."""
        import msgspec

        decode = msgspec.msgpack.Decoder().decode
        backlog = not self.loaded
        grew = False
        while True:
            page = hub.store.fetch_records(self.repo_id, self.cursor, None, PAGE_SIZE)
            bus: list[Any] = []
            for body in page.bodies:
                try:
                    bus.append(decode(body))
                except msgspec.DecodeError:
                    bus.append(None)  # reported by the RecordSet as unusable
            for kind, rec in self.records.add_bus_records(bus):
                # Records read live are dated by the hub clock; the backlog by
                # their own timestamps (the only date there is), never in the future.
                stamp = record_time(kind, rec) if backlog else now
                if stamp is not None:
                    stamp = min(stamp, now)
                    self.buckets[(int(stamp // THROUGHPUT_BUCKET), kind)] += 1
                    if kind == "heartbeat" and stamp > self.last_heartbeat.get(rec.run_id, 0.0):
                        self.last_heartbeat[rec.run_id] = stamp
            grew = grew or bool(page.bodies)
            self.cursor = max(self.cursor, page.cursor)
            if not page.has_more:
                break
        self.loaded = True
        if grew:
            oldest = int(now // THROUGHPUT_BUCKET) - _KEEP_BUCKETS
            for key in [k for k in self.buckets if k[0] < oldest]:
                del self.buckets[key]
        return grew

    def current(self, hub: Hub) -> Digest:
        """The digest, refreshed if the store moved (checked at most every
        :data:`CHECK_SECONDS`) or time moved on by :data:`REDERIVE_SECONDS`."""
        with self.lock:
            mono = time.monotonic()
            now = hub.now()
            if mono - self.checked_at >= CHECK_SECONDS:
                self.checked_at = mono
                repo_seq = _last_seq(hub, self.owner, self.slug)
                if repo_seq is None or repo_seq > self.cursor or not self.loaded:
                    self._pull(hub, now)
            digest = self.digest
            # On a huge busy repository deriving takes a good part of a second:
            # never spend more than about a third of the time deriving.
            min_gap = max(CHECK_SECONDS, 3 * self.derive_cost)
            age = mono - self.derived_at
            if (digest is None or (digest.seq != self.cursor and age >= min_gap)
                    or age >= max(REDERIVE_SECONDS, min_gap)):
                started = time.perf_counter()
                digest = self._derive(now)
                self.derive_cost = time.perf_counter() - started
                self.derived_at = mono
                digest.derive_ms = round(self.derive_cost * 1000, 1)
                digest.stamp = mono
                self.digest = digest
                self.summaries.clear()
            return digest

    def _derive(self, now: float) -> Digest:
        state = self.records.state(now)
        status = status_view(state, limit=0)
        active = state.active_reservations()
        hb = state.heartbeat_map()
        expiry = {r.reservation_id: max(r.expires_at, hb.get(r.run_id, 0.0)) for r in active}
        conflicted = {rid for c in state.conflicts(active) for _, rid, _ in c.holders}
        fc = forecast(state.root, state=state)
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        file_severity: dict[str, int] = {}
        for p in fc.predictions:
            path = p.target.partition("::")[0]
            file_severity[path] = min(file_severity.get(path, 9), rank[p.severity])
        tasks = sorted_tasks(state)
        counts = task_counts(tasks)
        runs: dict[str, RunRow] = defaultdict(RunRow)
        for r in active:
            row = runs[r.run_id]
            row.reservations += 1
            row.symbols += len(r.symbols)
        for st in tasks:
            if st.status == "claimed" and st.holder:
                runs[st.holder].tasks += 1
        for run_id, until in hb.items():
            if until > now or run_id in runs:
                runs[run_id].lease_until = until
        for run_id, row in runs.items():
            row.last_heartbeat = self.last_heartbeat.get(run_id)
        return Digest(
            seq=self.cursor, now=now, records=len(self.records), derive_ms=0.0,
            status={k: status[k] for k in ("active_reservations", "runs", "conflict_count")},
            active=active, expiry=expiry, conflicted=conflicted, predictions=fc.predictions,
            file_severity=file_severity, tasks=tasks, task_counts=counts, runs=dict(runs),
            throughput=self._throughput(now), problems=self.records.skipped)

    def _throughput(self, now: float) -> JsonDict:
        last = int(now // THROUGHPUT_BUCKET)
        first = last - THROUGHPUT_BUCKETS + 1
        totals = [0] * THROUGHPUT_BUCKETS
        by_kind: Counter[str] = Counter()
        for (bucket, kind), n in self.buckets.items():
            if first <= bucket <= last:
                totals[bucket - first] += n
                by_kind[kind] += n
        # Rate over the last five minutes, the current partial minute included.
        span = (RATE_BUCKETS - 1) * THROUGHPUT_BUCKET + (now - last * THROUGHPUT_BUCKET)
        recent = sum(totals[-RATE_BUCKETS:])
        return {"bucket_seconds": THROUGHPUT_BUCKET, "start": first * THROUGHPUT_BUCKET,
                "counts": totals, "by_kind": {k: by_kind[k] for k in KINDS if by_kind[k]},
                "per_second": round(recent / span, 2) if span > 0 else None,
                "rate_window": RATE_BUCKETS * THROUGHPUT_BUCKET}

    def summary(self, hub: Hub, filters: Filters) -> tuple[JsonDict, str]:
        """The filtered summary and a fingerprint of what it says (the hub
        time and timing aside), so streams send only what changed."""
        digest = self.current(hub)
        key = (digest.seq, digest.stamp)
        with self.lock:
            cached = self.summaries.get(filters)
            if cached is not None and cached[0] == key:
                self.summaries.move_to_end(filters)
                return cached[1], cached[2]
        import orjson

        summary = build_summary(digest, filters)
        content = {k: v for k, v in summary.items() if k not in _VOLATILE}
        fingerprint = hashlib.sha256(orjson.dumps(content)).hexdigest()
        with self.lock:
            if self.digest is digest:
                self.summaries[filters] = (key, summary, fingerprint)
                while len(self.summaries) > 64:
                    self.summaries.popitem(last=False)
        return summary, fingerprint


_VOLATILE = frozenset(("now", "now_epoch", "derive_ms"))


def _last_seq(hub: Hub, owner: str, slug: str) -> int | None:
    """The repository's latest sequence number without reading records (None: unknown)."""
    repo = hub.store.get_repo(owner, slug)
    return None if repo is None else repo.last_seq


class Boards:
    """Boards of the most recently viewed repositories (memory is bounded)."""

    def __init__(self, max_boards: int = 8) -> None:
        self.max_boards = max_boards
        self._lock = threading.Lock()
        self._boards: OrderedDict[int, Board] = OrderedDict()

    def board(self, repo: Repo) -> Board:
        with self._lock:
            board = self._boards.get(repo.id)
            if board is None:
                board = self._boards[repo.id] = Board(repo)
                while len(self._boards) > self.max_boards:
                    self._boards.popitem(last=False)
            self._boards.move_to_end(repo.id)
            return board


_boards_lock = threading.Lock()


def boards_of(app: Any) -> Boards:
    """The hub process's boards: they live on the app, created on first use."""
    with _boards_lock:
        boards: Boards | None = getattr(app.state, "dashboard_boards", None)
        if boards is None:
            boards = Boards()
            app.state.dashboard_boards = boards
        return boards
