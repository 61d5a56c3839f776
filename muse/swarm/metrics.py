"""What agents record, and what the runner concludes from it.

A worker process keeps one :class:`Recorder`: latencies per verb, status
counts, and three logs the verdict is computed from:

* **grants** — every claim the hub granted: ``(task_id, token, run_id,
  lease end, claim sent, claim answered, complete/fail sent)``, monotonic
  times; the lease end is a lower bound (request sent + ``expires_in``),
  raised by heartbeats;
* **completions** — every ``complete`` answer: ``(task_id, token, run_id, ok, reason)``;
* **reservations** — per task: monotonic times the reserve was sent and
  answered and the release sent and answered, the conflicts the hub
  reported, the reservation's fencing token and the hub's time of the
  release. ``time.monotonic`` is one clock for every process of a machine,
  so intervals of agents in different workers compare; tokens come from one
  sequence assigned inside the granting transaction, so they order grants
  as the hub committed them.

:func:`double_claims` and :func:`conflict_check` turn the merged logs of all
workers into the report's correctness figures; :func:`hub_claim_check` does
the same from the claim records the hub stored.
"""

from __future__ import annotations

import os
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ConflictCheck",
    "Recorder",
    "conflict_check",
    "cpu_seconds",
    "double_claims",
    "hub_claim_check",
    "percentile",
    "vm_hwm_kib",
]

VERBS = ("claim", "reserve", "intent", "heartbeat", "release", "complete", "fail")


def vm_hwm_kib(pid: int | str = "self") -> int | None:
    """Peak resident memory (``VmHWM``) of a process in KiB, or None when unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def cpu_seconds(pid: int | str = "self") -> float | None:
    """User + system CPU seconds a process has used so far, or None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def percentile(sorted_values: list[float], q: float) -> float:
    """The *q*-quantile (0..1) of already sorted values, nearest rank; 0 when empty."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, int(q * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


@dataclass
class Recorder:
    """One worker's measurements (plain lists: msgpack-able as they are)."""

    latencies: dict[str, array[float]] = field(default_factory=dict)
    waits: dict[str, array[float]] = field(default_factory=dict)  # including the connection queue
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    # [task_id, token, run_id, lease_end, claim_sent, claim_acked, end_sent] (monotonic)
    grants: list[list[Any]] = field(default_factory=list)
    # [task_id, token, run_id, ok, reason]
    completions: list[list[Any]] = field(default_factory=list)
    # [task_id, run_id, sent, acked, release_sent, release_acked, [[symbol, [holder runs]]],
    #  reservation token, hub time released]
    reservations: list[list[Any]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    null_claims: int = 0
    completed: int = 0
    stale: int = 0
    conflicts: int = 0
    requests: int = 0

    def sink(self, verb: str, seconds: float, total: float, status: int) -> None:
        """Latency callback for :class:`~muse.swarm.client.AsyncHub`."""
        lat = self.latencies.get(verb)
        if lat is None:
            lat = self.latencies[verb] = array("d")
            self.waits[verb] = array("d")
        lat.append(seconds)
        self.waits[verb].append(total)
        self.statuses[verb][status] += 1
        self.requests += 1

    def error(self, verb: str, status: int, answer: Any) -> None:
        code = answer.get("error") if isinstance(answer, dict) else None
        self.errors[f"{verb}:{status}:{code or '-'}"] += 1
        if len(self.error_samples) < 10:
            msg = answer.get("message") if isinstance(answer, dict) else answer
            self.error_samples.append(f"{verb} → {status} {code}: {str(msg)[:200]}")

    def progress(self) -> dict[str, int]:
        return {"completed": self.completed, "requests": self.requests,
                "conflicts": self.conflicts, "errors": sum(self.errors.values()),
                "stale": self.stale, "null_claims": self.null_claims}

    def to_result(self, worker: int, agents: int) -> dict[str, Any]:
        """Everything the runner needs, msgpack-ready."""
        return {
            "worker": worker, "agents": agents, "pid": os.getpid(), "vm_hwm_kib": vm_hwm_kib(),
            "cpu_s": cpu_seconds(),
            "latencies": {v: a.tobytes() for v, a in self.latencies.items()},
            "waits": {v: a.tobytes() for v, a in self.waits.items()},
            "statuses": {v: {str(s): n for s, n in c.items()} for v, c in self.statuses.items()},
            "grants": self.grants, "completions": self.completions,
            "reservations": self.reservations, "error_kinds": dict(self.errors),
            "error_samples": self.error_samples, **self.progress(),
        }


def double_claims(grants: list[list[Any]], completions: list[list[Any]]) -> dict[str, int]:
    """Double claims provable from the agents' logs alone.

    Grant *g2* of a task overlaps an earlier grant *g1* (smaller token: tokens
    are taken in commit order) when the hub answered *g2* before *g1* could
    have ended: before *g1*'s holder even sent its complete/fail, and before
    *g1*'s lease could have run out (request time + ``expires_in``, a lower
    bound on our clock). Grants that are ambiguous by these clocks are left to
    :func:`hub_claim_check`, which reads the hub's own slots. Two grants with
    the same token count too, and so does a task completed twice.
    """
    by_task: dict[str, list[list[Any]]] = defaultdict(list)
    for g in grants:
        by_task[g[0]].append(g)
    overlapping = 0
    same_token = 0
    for gs in by_task.values():
        if len(gs) < 2:
            continue
        gs.sort(key=lambda g: g[1])
        tokens = Counter(g[1] for g in gs)
        same_token += sum(n - 1 for n in tokens.values() if n > 1)
        for i in range(1, len(gs)):
            acked = gs[i][5]
            if any(prev[1] < gs[i][1] and acked < min(prev[3], prev[6] or float("inf"))
                   for prev in gs[:i]):
                overlapping += 1
    done = Counter(c[0] for c in completions if c[3])
    twice = sum(1 for n in done.values() if n > 1)
    return {"overlapping_grants": overlapping, "same_token": same_token,
            "completed_twice": twice, "regranted": sum(len(g) - 1 for g in by_task.values()),
            "total": overlapping + same_token + twice}


@dataclass(frozen=True)
class ConflictCheck:
    """Planted overlaps against the conflicts the hub reported.

    Attributes:
        planted: planted pairs in the plan.
        concurrent: pairs whose reservations were certainly live together:
            one was granted after the other (a larger token) and answered
            before the other's release was even sent, or the client's clock
            alone proves it (one reserve sent after the other's grant was
            answered, and answered before the other's release was sent).
            The hub must report these.
        detected: planted pairs the hub reported (on either side).
        missed: concurrent pairs the hub did not report.
        unplanted: reported conflicts that no planted pair explains.
        reported: conflict entries in reserve answers, all told.
    """

    planted: int
    concurrent: int
    detected: int
    missed: int
    unplanted: int
    reported: int


def conflict_check(reservations: list[list[Any]], partners: dict[str, tuple[str, str]],
                   planted: int) -> ConflictCheck:
    """Compare reported conflicts with the plan.

    Args:
        reservations: merged reservation logs (see :class:`Recorder`).
        partners: task_id → (partner task_id, shared symbol) for planted tasks.
        planted: number of planted pairs.
    """
    # A task failed and re-queued is reserved again, possibly by another agent.
    by_task: dict[str, list[list[Any]]] = defaultdict(list)
    for r in reservations:
        by_task[r[0]].append(r)
    reported = 0
    unplanted = 0
    detected_pairs: set[tuple[str, str]] = set()
    for task_id, entries in by_task.items():
        mate = partners.get(task_id)
        mate_runs = {m[1] for m in by_task.get(mate[0], ())} if mate else set()
        for r in entries:
            for symbol, holders in r[6]:
                reported += 1
                if mate is not None and symbol == mate[1] and mate_runs & set(holders):
                    detected_pairs.add((min(task_id, mate[0]), max(task_id, mate[0])))
                else:
                    unplanted += 1
    concurrent = 0
    missed = 0
    for task_id, (mate_id, _) in partners.items():
        if task_id > mate_id or task_id not in by_task or mate_id not in by_task:
            continue  # each pair once
        if any(_inside(a, b) or _inside(b, a) for a in by_task[task_id] for b in by_task[mate_id]):
            concurrent += 1
            if (task_id, mate_id) not in detected_pairs:
                missed += 1
    return ConflictCheck(planted, concurrent, len(detected_pairs), missed, unplanted, reported)


def _inside(x: list[Any], y: list[Any]) -> bool:
    """Whether x was certainly reserved while y was live."""
    if not y[4]:
        return False  # y was never released (cut short): no certainty either way
    if x[2] >= y[3] and x[3] <= y[4]:  # client clock: sent after y's grant, answered before y's release
        return True
    # Tokens are taken in commit order: x was granted after y's grant committed,
    # and y's release was sent only after x's grant was answered.
    return bool(x[7] and y[7] and x[7] > y[7] and x[3] <= y[4])


def hub_claim_check(claim_records: list[dict[str, Any]]) -> dict[str, int]:
    """Double claims and completions judged from the claim slots the hub stored.

    Slots of a task are numbered 1, 2, 3… and alternate: a ``claimed`` slot,
    then its outcome (``completed``, ``failed``, ``requeue``…). Two ``claimed``
    slots in a row (consecutive numbers) mean the hub granted a task that was
    still held. A missing number is a slot the hub's retention pruned (an old
    ``failed`` outcome, say): what stood there is unknown, so the slots on its
    two sides are not compared; they are counted as ``slots_missing``.
    """
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in claim_records:
        payload = rec.get("payload") if isinstance(rec.get("payload"), dict) else rec
        if isinstance(payload, dict) and isinstance(payload.get("task_id"), str):
            by_task[payload["task_id"]].append(payload)
    double = 0
    completed_twice = 0
    completed = 0
    missing = 0
    for slots in by_task.values():
        slots.sort(key=lambda p: int(p.get("slot") or 0))
        held = False
        done = 0
        previous = 0
        for p in slots:
            number = int(p.get("slot") or 0)
            if number > previous + 1:  # pruned slots between: no evidence either way
                missing += number - previous - 1
                held = False
            previous = number
            status = p.get("status")
            if status == "claimed":
                if held:
                    double += 1
                held = True
            else:
                held = False
                if status == "completed":
                    done += 1
        completed += 1 if done else 0
        completed_twice += 1 if done > 1 else 0
    return {"tasks": len(by_task), "completed": completed, "double_claims": double,
            "completed_twice": completed_twice, "slots_missing": missing}
