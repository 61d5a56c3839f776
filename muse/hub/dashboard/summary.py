"""Summaries: a digest filtered, aggregated and paged for one reader's query.

Answers stay small at 7,000 runs: every list is cut to one page on the hub.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from muse.core.coord.forecast import SEVERITIES
from muse.core.coord.state import TaskState
from muse.core.coord.views import task_counts, tasks_in
from muse.core.types import JsonDict
from muse.core.vocab import clock
from muse.core.vocab.records import Reservation
from muse.hub.dashboard.digest import Digest, RunRow
from muse.hub.dashboard.filters import Filters

__all__ = ["build_summary", "subsystem_of"]


def subsystem_of(path: str, depth: int) -> str:
    """The first *depth* directory components of *path* (``.`` for top-level files)."""
    parts = path.split("/")[:-1]
    return "/".join(parts[:depth]) or "."


def _page(rows: list[Any], section: str, filters: Filters,
          render: Callable[[Any], JsonDict]) -> JsonDict:
    offset, limit = filters.page(section)
    return {"total": len(rows), "offset": offset, "limit": limit,
            "items": [render(r) for r in rows[offset:offset + limit]]}


def _age(digest: Digest, stamp: float | None) -> int | None:
    return None if stamp is None else max(0, int(digest.now - stamp))


def _until(digest: Digest, stamp: float | None) -> int | None:
    return None if stamp is None else int(stamp - digest.now)


def build_summary(digest: Digest, filters: Filters) -> JsonDict:
    """What the page shows, for *filters*: aggregates and one page of each list."""
    path, run = filters.path, filters.run
    active = digest.active
    if path:
        active = [r for r in active if any(s.startswith(path) for s in r.symbols)]
    if run:
        active = [r for r in active if run in r.run_id]

    # Subsystems and files: counted over reserved symbols under the path filter.
    subs: dict[str, list[Any]] = {}  # name → [reservations set, symbols, files set, runs set]
    files: dict[str, list[Any]] = {}  # path → [symbols, runs set]
    for r in active:
        for s in r.symbols:
            if path and not s.startswith(path):
                continue
            fpath = s.partition("::")[0]
            f = files.get(fpath)
            if f is None:
                f = files[fpath] = [0, set()]
            f[0] += 1
            f[1].add(r.run_id)
            name = subsystem_of(fpath, filters.depth)
            g = subs.get(name)
            if g is None:
                g = subs[name] = [set(), 0, set(), set()]
            g[0].add(r.reservation_id)
            g[1] += 1
            g[2].add(fpath)
            g[3].add(r.run_id)
    sev = digest.file_severity
    sub_sev: dict[str, int] = {}
    sub_conf: Counter[str] = Counter()
    for fpath in files:
        rank = sev.get(fpath)
        if rank is not None:
            name = subsystem_of(fpath, filters.depth)
            sub_sev[name] = min(sub_sev.get(name, 9), rank)
            if rank < 2:
                sub_conf[name] += 1
    sub_rows = sorted(subs.items(), key=lambda kv: (-len(kv[1][0]), kv[0]))
    file_rows = sorted(files.items(), key=lambda kv: (sev.get(kv[0], 9), -kv[1][0], kv[0]))

    def severity_name(rank: int | None) -> str | None:
        return SEVERITIES[rank] if rank is not None and rank < len(SEVERITIES) else None

    # Predicted conflicts.
    preds = digest.predictions
    if path:
        preds = [p for p in preds if p.target.startswith(path)]
    if run:
        preds = [p for p in preds if any(run in x for x in p.runs)]
    sev_counts = dict.fromkeys(SEVERITIES, 0)
    for p in preds:
        sev_counts[p.severity] += 1
    if filters.severity:
        preds = [p for p in preds if p.severity == filters.severity]

    # Tasks.
    tasks = digest.tasks
    if filters.q:
        needle = filters.q.lower()
        tasks = [t for t in tasks
                 if needle in t.task.task_id.lower() or needle in t.task.description.lower()]
    if run:
        tasks = [t for t in tasks if t.holder is not None and run in t.holder]
    counts_by_status = task_counts(tasks)
    tasks = tasks_in(tasks, filters.task_status)

    # Runs.
    run_items = list(digest.runs.items())
    if run:
        run_items = [kv for kv in run_items if run in kv[0]]
    if path:
        holders = {r.run_id for r in active}
        run_items = [kv for kv in run_items if kv[0] in holders]
    if filters.run_sort == "name":
        run_items.sort(key=lambda kv: kv[0])
    elif filters.run_sort == "load":
        run_items.sort(key=lambda kv: (-kv[1].symbols, -kv[1].tasks, kv[0]))
    else:  # stalest heartbeat first: the agents that went quiet
        run_items.sort(key=lambda kv: (kv[1].last_heartbeat is None,
                                       kv[1].last_heartbeat or 0.0, kv[0]))
    alive = sum(1 for _, row in run_items if (row.lease_until or 0.0) > digest.now)

    # Reservations: conflicted first, then soonest to expire.
    res_rows = sorted(active, key=lambda r: (r.reservation_id not in digest.conflicted,
                                             digest.expiry.get(r.reservation_id, 0.0),
                                             r.reservation_id))

    def render_reservation(r: Reservation) -> JsonDict:
        return {"reservation_id": r.reservation_id, "run_id": r.run_id,
                "symbols": list(r.symbols[:5]), "symbol_count": len(r.symbols),
                "expires_in": _until(digest, digest.expiry.get(r.reservation_id)),
                "token": r.token, "conflict": r.reservation_id in digest.conflicted}

    def render_task(t: TaskState) -> JsonDict:
        return {"task_id": t.task.task_id, "description": t.task.description[:300],
                "priority": t.task.priority, "status": t.status, "ready": t.ready,
                "holder": t.holder, "token": t.token if t.status == "claimed" else None,
                "depends_on": list(t.task.depends_on[:10]),
                "blocked_by": list(t.blocked_by[:10]), "attempts": t.attempts,
                "expires_in": _until(digest, t.expires_at) if t.status == "claimed" else None,
                "detail": t.detail[:300]}

    def render_run(kv: tuple[str, RunRow]) -> JsonDict:
        run_id, row = kv
        return {"run_id": run_id, "reservations": row.reservations, "symbols": row.symbols,
                "tasks": row.tasks, "heartbeat_age": _age(digest, row.last_heartbeat),
                "lease_expires_in": _until(digest, row.lease_until),
                "alive": (row.lease_until or 0.0) > digest.now}

    return {
        "seq": digest.seq,
        "now": clock.format_ts(digest.now),
        "now_epoch": digest.now,
        "derive_ms": digest.derive_ms,
        "filters": {"path": path, "run": run, "q": filters.q, "depth": filters.depth,
                    "severity": filters.severity, "task_status": filters.task_status,
                    "run_sort": filters.run_sort},
        "totals": {
            "records": digest.records, "problems": digest.problems,
            "active_reservations": digest.status["active_reservations"],
            "runs_holding": digest.status["runs"],
            "live_runs": sum(1 for row in digest.runs.values()
                             if (row.lease_until or 0.0) > digest.now or row.reservations
                             or row.tasks),
            "reservation_conflicts": digest.status["conflict_count"],
            "predicted": {s: sum(1 for p in digest.predictions if p.severity == s)
                          for s in SEVERITIES},
            "tasks": digest.task_counts,
        },
        "filtered": {"reservations": len(active), "runs": len(run_items), "runs_alive": alive,
                     "conflicts": sev_counts, "tasks": counts_by_status},
        "subsystems": _page(sub_rows, "subsystems", filters, lambda kv: {
            "name": kv[0], "reservations": len(kv[1][0]), "symbols": kv[1][1],
            "files": len(kv[1][2]), "runs": len(kv[1][3]),
            "conflict_files": sub_conf.get(kv[0], 0),
            "severity": severity_name(sub_sev.get(kv[0]))}),
        "files": _page(file_rows, "files", filters, lambda kv: {
            "path": kv[0], "symbols": kv[1][0], "runs": len(kv[1][1]),
            "severity": severity_name(sev.get(kv[0]))}),
        "conflicts": _page(preds, "conflicts", filters, lambda p: {
            "severity": p.severity, "kind": p.kind, "target": p.target,
            "runs": list(p.runs[:6]), "run_count": len(p.runs), "reason": p.reason}),
        "tasks": _page(tasks, "tasks", filters, render_task),
        "runs": _page(run_items, "runs", filters, render_run),
        "reservations": _page(res_rows, "reservations", filters, render_reservation),
        "throughput": digest.throughput,
    }
