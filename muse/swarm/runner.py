"""Run a swarm: tree and plan, a hub, worker processes, progress, verdict.

:func:`run_swarm` does, in order:

1. start ``--hubs`` local ``muse hub serve --insecure-dev`` processes on one
   database (:class:`~muse.swarm.hubs.HubSet`: an SQLite file in a temporary
   folder by default, or ``--db``, PostgreSQL in a fresh schema), or use
   ``--hub URL``, signing with the configured identity — first, so a database
   that cannot be used fails at once;
2. generate the tree and the plan (in this process; :mod:`muse.swarm.tree`,
   :mod:`muse.swarm.plan`), create a fresh repository, set it advisory;
3. enqueue the tasks through ``live/tasks`` (500 per request);
4. start the worker processes (``python -m muse.swarm.worker``), each running
   its share of the agents as coroutines against one of the hubs (worker *i*
   talks to hub *i* mod ``--hubs``), and show their summed progress;
5. when the hub says no task is left to do (or the duration cap is reached),
   stop the workers, read their logs, and check the outcome against the hub:
   its task counts, and the claim slots it stored (pulled as records);
6. read each hub's request count, CPU and peak memory (and its PostgreSQL
   backends' CPU), stop the hubs and drop the schema they used (unless
   ``--keep``) — also on failure, Ctrl-C or SIGTERM.

The result is a plain dict (see :mod:`muse.swarm.report`).
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from muse.core.client.hub_client import HubClient
from muse.core.vocab.errors import MuseError, UsageError
from muse.swarm.hubs import HubSet, SwarmHub
from muse.swarm.metrics import (
    VERBS,
    conflict_check,
    double_claims,
    hub_claim_check,
    percentile,
    vm_hwm_kib,
)
from muse.swarm.plan import Plan, make_plan
from muse.swarm.tree import generate_tree

__all__ = ["HubProcess", "SwarmConfig", "run_swarm"]

_ENQUEUE_BATCH = 500
_STATUS_PATIENCE = 300.0  # seconds of failing status calls before the run is declared failed


@dataclass
class SwarmConfig:
    """What to simulate. ``None`` sizes are derived from the others (see :meth:`resolved`)."""

    agents: int = 200
    files: int = 5000
    subsystems: int | None = None
    tasks: int | None = None
    overlap: float = 0.1
    workers: int | None = None
    connections: int | None = None
    hub_url: str | None = None
    owner: str | None = None
    slug: str | None = None
    handle: str | None = None
    key: str | None = None
    seed: int = 0
    duration_cap: float = 600.0
    keep: bool = False
    ttl: float | None = None
    think: tuple[float, float] = (0.02, 0.1)
    fail_fraction: float = 0.02
    workdir: str | None = None
    extra_hub_args: list[str] = field(default_factory=list)
    tree: str | None = None  # a real source tree (muse.swarm.fromtree) instead of a generated one
    all_symbols: bool = False  # with tree: reserve macros and enumerators too
    db: str | None = None  # local hubs' database: SQLite path or postgresql:// DSN (None: temp SQLite)
    hubs: int = 1  # local hub processes on that database
    pg_schema: str | None = None  # use this schema as it is (None: a fresh one per run)
    batch: bool = False  # agents release with complete / fail in one request

    def resolved(self) -> SwarmConfig:
        """A copy with every derived size filled in and checked.

        Raises:
            UsageError: sizes out of range.
        """
        if self.agents < 1:
            raise UsageError("--agents must be at least 1")
        if self.files < 1:
            raise UsageError("--files must be at least 1")
        subsystems = self.subsystems or max(1, min(2000, self.files // 125, self.files))
        subsystems = max(subsystems, min(4, self.files)) if self.subsystems is None else subsystems
        if not 1 <= subsystems <= self.files:
            raise UsageError(f"--subsystems must be between 1 and --files ({self.files})")
        tasks = self.tasks if self.tasks is not None else max(1, self.files // 5)
        if not 1 <= tasks <= self.files and not self.tree:  # a real file may need several tasks
            raise UsageError(f"--tasks must be between 1 and --files ({self.files})")
        if not 0.0 <= self.overlap <= 1.0:
            raise UsageError("--overlap is a fraction between 0 and 1")
        if self.hubs < 1:
            raise UsageError("--hubs must be at least 1")
        if self.hub_url and (self.db or self.hubs > 1 or self.pg_schema):
            raise UsageError("--hub uses a running hub; --db, --hubs and --pg-schema "
                             "are for the hubs the swarm starts itself")
        if self.pg_schema and not (self.db or "").startswith(("postgresql://", "postgres://")):
            raise UsageError("--pg-schema needs a postgresql:// --db")
        if self.agents < self.hubs:
            raise UsageError(f"--agents ({self.agents}) must be at least --hubs ({self.hubs})")
        if self.workers is not None and self.workers < self.hubs:
            raise UsageError(f"--workers ({self.workers}) must be at least --hubs ({self.hubs}): "
                             "each worker process talks to one hub")
        workers = self.workers or max(2, min(4, self.agents // 1000))
        if self.workers is None:  # as many workers on every hub
            workers = -(-workers // self.hubs) * self.hubs
        workers = max(self.hubs, min(workers, self.agents))
        per_worker = math.ceil(self.agents / workers)
        # Few connections: the hub decides one write at a time, so more requests in
        # flight only lengthen its queue (measured: same throughput, 8x the latency).
        connections = self.connections or max(1, min(8, per_worker))
        if self.duration_cap <= 0:
            raise UsageError("--duration-cap must be positive")
        # Every agent may hold a claim while its requests queue behind everyone
        # else's: the lease must outlast that queue (≈ agents × 5 requests at the
        # hub's rate) until the first heartbeat.
        ttl = self.ttl or max(60.0, self.agents / 10)
        out = SwarmConfig(**{**asdict(self), "subsystems": subsystems, "tasks": tasks,
                             "workers": workers, "connections": connections, "ttl": ttl})
        out.think = tuple(self.think)  # type: ignore[assignment]
        return out


class HubProcess(SwarmHub):
    """One local hub on an SQLite file in *workdir* (``--insecure-dev``), as the
    benchmarks start it; the swarm itself starts a :class:`~muse.swarm.hubs.HubSet`."""

    def __init__(self, workdir: pathlib.Path, extra: list[str] | None = None,
                 start_timeout: float = 90.0) -> None:
        self.db = workdir / "hub.sqlite3"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MUSE_HUB_")}
        super().__init__(workdir, str(self.db), "--insecure-dev", *(extra or []), env=env,
                         start_timeout=start_timeout)


class _Worker:
    """One worker process and the thread reading its stdout."""

    def __init__(self, index: int, spec_path: pathlib.Path, workdir: pathlib.Path,
                 events: queue.Queue[tuple[int, dict[str, Any] | None]]) -> None:
        self.index = index
        self.progress: dict[str, int] = {}
        self.done = False
        self.stderr_path = workdir / f"worker-{index}.stderr"
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "muse.swarm.worker", str(spec_path), str(index)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, cwd=workdir)
        out = self.proc.stdout
        assert out is not None

        def pump() -> None:
            for line in iter(out.readline, b""):
                try:
                    events.put((index, json.loads(line)))
                except ValueError:
                    continue
            events.put((index, None))

        threading.Thread(target=pump, daemon=True).start()

    def stop(self) -> None:
        stdin = self.proc.stdin
        if stdin is not None and not stdin.closed:
            try:
                stdin.write(b"stop\n")
                stdin.close()
            except OSError:
                pass

    def close(self, timeout: float = 60.0) -> None:
        self.stop()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()

    def stderr_tail(self) -> str:
        lines = self.stderr_path.read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:])


class _Progress:
    """One refreshing line on a terminal; a line every few seconds otherwise."""

    def __init__(self, out: IO[str] | None, total: int, every: float = 5.0) -> None:
        self.out = out
        self.total = total
        self.tty = bool(out is not None and out.isatty())
        self.every = 0.25 if self.tty else every
        self.last = 0.0
        self.width = 0

    def show(self, elapsed: float, phase: str, p: dict[str, int], force: bool = False) -> None:
        if self.out is None:
            return
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        rate = p.get("completed", 0) / elapsed if elapsed > 0 else 0.0
        rps = p.get("requests", 0) / elapsed if elapsed > 0 else 0.0
        line = (f"swarm {elapsed:6.1f}s {phase}: tasks {p.get('completed', 0):,}/{self.total:,} "
                f"({rate:,.0f}/s, {p.get('ready', 0):,} ready, {p.get('claimed', 0):,} claimed)  "
                f"requests {p.get('requests', 0):,} ({rps:,.0f}/s)  "
                f"conflicts {p.get('conflicts', 0):,}  errors {p.get('errors', 0):,}")
        if self.tty:
            pad = max(0, self.width - len(line))
            self.width = len(line)
            self.out.write("\r" + line + " " * pad)
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def message(self, text: str) -> None:
        if self.out is None:
            return
        if self.tty and self.width:
            self.out.write("\n")
            self.width = 0
        self.out.write(f"swarm: {text}\n")
        self.out.flush()

    def end(self) -> None:
        if self.out is not None and self.tty and self.width:
            self.out.write("\n")
            self.out.flush()
            self.width = 0


def _task_body(plan: Plan, t: Any, tree_paths: list[str]) -> dict[str, Any]:
    return {"task_id": t.task_id, "priority": t.priority,
            "description": f"port {t.symbols[0].partition('::')[0] if t.symbols else ''} "
                           f"({len(t.symbols)} symbols)",
            "depends_on": [plan.tasks[d].task_id for d in t.after],
            "symbols": list(t.symbols)}


def _signing(cfg: SwarmConfig) -> Any:
    if not cfg.handle:
        return None
    from muse.core.files.config import muse_home
    from muse.core.transport import SigningIdentity

    key = cfg.key or str(muse_home() / "keys" / f"{cfg.handle}.key")
    return SigningIdentity.load(cfg.handle, key)


def _merged(results: list[dict[str, Any]], key: str) -> dict[str, list[float]]:
    from array import array

    merged: dict[str, list[float]] = {}
    for r in results:
        for verb, raw in (r.get(key) or {}).items():
            a = array("d")
            a.frombytes(raw)
            merged.setdefault(verb, []).extend(a)
    return merged


def _latency_table(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    merged = _merged(results, "latencies")
    waits = _merged(results, "waits")
    statuses: dict[str, dict[str, int]] = {}
    for r in results:
        for verb, counts in r["statuses"].items():
            into = statuses.setdefault(verb, {})
            for s, n in counts.items():
                into[s] = into.get(s, 0) + n
    table: dict[str, dict[str, float]] = {}
    order = [v for v in VERBS if v in merged] + sorted(v for v in merged if v not in VERBS)
    for verb in order:
        values = sorted(merged[verb])
        queued = sorted(waits.get(verb, []))
        errors = sum(n for s, n in statuses.get(verb, {}).items() if s != "200")
        table[verb] = {"count": len(values), "errors": errors,
                       "p50_ms": round(percentile(values, 0.50) * 1000, 2),
                       "p99_ms": round(percentile(values, 0.99) * 1000, 2),
                       "max_ms": round(values[-1] * 1000, 2) if values else 0.0,
                       "queued_p50_ms": round(percentile(queued, 0.50) * 1000, 2),
                       "queued_p99_ms": round(percentile(queued, 0.99) * 1000, 2)}
    return table


def run_swarm(cfg: SwarmConfig, progress: IO[str] | None = sys.stderr,
              on_phase: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the swarm *cfg* describes and return the report (see :mod:`muse.swarm.report`).

    Whatever happens (an error, Ctrl-C, a signal the caller turned into an
    exception), the worker processes and hubs are stopped and the temporary
    folder and PostgreSQL schema removed (unless ``keep``) before this returns
    or raises.

    Raises:
        UsageError: invalid sizes or options.
        UserError: the database cannot be used (PostgreSQL unreachable, psycopg missing).
        RemoteError: the hub could not be started, reached or used.
    """
    t_start = time.monotonic()
    real = None
    if cfg.tree:
        from muse.swarm.fromtree import plan_from_tree

        real = plan_from_tree(cfg.tree, cfg.tasks, cfg.overlap, cfg.seed, progress,
                              all_symbols=cfg.all_symbols)
        cfg = SwarmConfig(**{**asdict(cfg), "files": len(real[0].files),
                             "subsystems": len(real[0].subsystems), "tasks": len(real[1].tasks)})
    cfg = cfg.resolved()
    assert cfg.tasks is not None and cfg.subsystems is not None and cfg.workers is not None
    workdir = pathlib.Path(cfg.workdir or tempfile.mkdtemp(prefix="muse-swarm-"))
    workdir.mkdir(parents=True, exist_ok=True)
    show = _Progress(progress, cfg.tasks)
    t_resolved = time.monotonic()
    hubs: HubSet | None = None
    workers: list[_Worker] = []
    try:
        # Hubs first: a database that cannot be used fails before minutes of planning.
        signing = _signing(cfg)
        if cfg.hub_url:
            urls = [cfg.hub_url.rstrip("/")]
            owner = cfg.owner or (signing.handle if signing is not None else "swarm")
        else:
            hubs = HubSet(workdir, cfg.db, cfg.hubs, schema=cfg.pg_schema, keep=cfg.keep,
                          extra=[*_hub_limits(cfg), *cfg.extra_hub_args])
            if hubs.count > 1 and not hubs.postgres:
                show.message(f"{hubs.count} hubs on one SQLite file: safe (WAL; writers of all "
                             "hubs take turns), but they decide one write at a time between them")
            hubs.start()
            urls, owner = hubs.urls, cfg.owner or "swarm"
        url = urls[0]
        t_hub = time.monotonic()
        slug = cfg.slug or f"linux-{cfg.seed}-{int(time.time() * 1000) % 10**9}"
        where = (f"{len(urls)} local hub{'s' if len(urls) > 1 else ''} on {hubs.describe()}"
                 if hubs is not None else "remote hub")
        show.message(f"{where}: {', '.join(urls)}; repository {owner}/{slug}")

        if real is not None:
            tree, plan = real[0], real[1]
        else:
            tree = generate_tree(cfg.files, cfg.subsystems, cfg.seed)
            plan = make_plan(tree, cfg.tasks, cfg.overlap, cfg.seed)
        t_plan = time.monotonic()
        show.message(f"{cfg.files:,} files in {cfg.subsystems:,} subsystems, "
                     f"{tree.symbol_total:,} symbols; {len(plan.tasks):,} tasks "
                     f"({plan.edges:,} dependencies, depth {plan.depth()}, "
                     f"{plan.planted_pairs:,} planted overlaps)")

        import msgspec

        client = HubClient(url, owner, slug, signing)
        client.request("POST", "/api/v1/repos", {"owner": owner, "slug": slug},
                       what=f"create {owner}/{slug}", user_errors=False)
        client.set_mode("advisory")
        bodies = [_task_body(plan, t, tree.files) for t in plan.tasks]
        for i in range(0, len(bodies), _ENQUEUE_BATCH):
            client.enqueue(bodies[i:i + _ENQUEUE_BATCH])
        del bodies
        if hubs is not None and (maint := hubs.maintain()) is not None:
            show.message(f"autovacuum is {maint['autovacuum']} on this PostgreSQL server: the "
                         f"swarm applies its thresholds to its schema every {maint['every_s']:g} s "
                         "(without it the hubs' plans stay those of empty tables)")
        seq_before = _last_seq(client)
        t_enqueued = time.monotonic()
        show.message(f"enqueued {len(plan.tasks):,} tasks in {t_enqueued - t_plan:.1f}s; "
                     f"starting {cfg.agents:,} agents in {cfg.workers} worker processes"
                     + (f" over {len(urls)} hubs" if len(urls) > 1 else ""))

        results_dir = workdir / "results"
        results_dir.mkdir(exist_ok=True)
        spec = {"hub_url": url, "hub_urls": urls, "owner": owner, "slug": slug,
                "agents": cfg.agents, "workers": cfg.workers, "connections": cfg.connections,
                "seed": cfg.seed, "results": str(results_dir), "progress_every": 0.5,
                "signing": {"handle": signing.handle, "key": signing.key_path} if signing else None,
                "agent_identities": hubs is not None,
                "agent": {"ttl": cfg.ttl, "think": list(cfg.think),
                          "fail_fraction": cfg.fail_fraction, "batch": cfg.batch,
                          # One scout per worker polls; the others wait to be woken,
                          # with a safety net that grows with the swarm.
                          "poll": [0.05, 1.0],
                          "idle_timeout": max(10.0, cfg.agents / 50),
                          "ramp": min(2.0, 0.2 + cfg.agents / 5000)}}
        spec_path = workdir / "spec.json"
        spec_path.write_text(json.dumps(spec, indent=1))
        events: queue.Queue[tuple[int, dict[str, Any] | None]] = queue.Queue()
        cpu_before = _server_cpu(hubs)
        t_run = time.monotonic()
        workers = [_Worker(i, spec_path, workdir, events) for i in range(cfg.workers)]

        outcome, _, t_end = _drive(cfg, workers, events, show, client, hubs, t_run)
        run_seconds = t_end - t_run
        cpu_after = _server_cpu(hubs)
        for w in workers:
            w.stop()
        _await_done(workers, events, timeout=120.0)
        results = []
        for w in workers:
            w.close()
            path = results_dir / f"worker-{w.index}.msgpack"
            if path.exists():
                results.append(msgspec.msgpack.decode(path.read_bytes()))
            else:
                outcome.append(f"worker {w.index} wrote no results ({w.stderr_tail() or 'no output'})")
        show.end()
        t_stopped = time.monotonic()

        # ── verdict: agents' logs and the hub's own records ──
        status = client.status(limit=1000)
        seq_after = _last_seq(client)
        claims = client.pull_all(["claim"], limit=5000)
        t_verified = time.monotonic()
        hub_rows = _hub_rows(hubs, urls, cfg.workers, results)
        peaks = [row["peak_kib"] for row in hub_rows if row["peak_kib"]]
        report = _report(cfg, plan, tree.symbol_total, results, status, claims, outcome,
                         run_seconds, seq_after - seq_before, sum(peaks) if peaks else None,
                         {"plan_s": (t_resolved - t_start) + (t_plan - t_hub),
                          "hub_start_s": t_hub - t_resolved,
                          "enqueue_s": t_enqueued - t_plan, "run_s": run_seconds,
                          "stop_s": t_stopped - t_end, "verify_s": t_verified - t_stopped,
                          "total_s": time.monotonic() - t_start},
                         url if cfg.hub_url else "local", f"{owner}/{slug}")
        report["workdir"] = str(workdir) if cfg.keep else None
        report["tree"] = {"path": cfg.tree, **real[2].to_json()} if real is not None else None
        report["database"] = ({"backend": hubs.backend, "url": hubs.describe(),
                               "schema": hubs.schema, "maintenance": hubs.maintenance,
                               "schema_kept": bool(hubs.schema) and (cfg.keep or not hubs.fresh)}
                              if hubs is not None else None)
        report["config"]["hubs"] = len(urls)
        report["config"]["database"] = hubs.describe() if hubs is not None else None
        report["hubs"] = [{k: v for k, v in row.items() if k != "peak_kib"} for row in hub_rows]
        report["memory_mib"]["hubs"] = [round(r["peak_kib"] / 1024, 1) if r["peak_kib"] else None
                                        for r in hub_rows]
        # CPU spent up to the end of the run (start-up and enqueue included, as before),
        # and during the run alone: who the machine's cores worked for.
        hub_cpu = cpu_after["hubs"]
        run_hub_cpu = (hub_cpu - cpu_before["hubs"]
                       if hub_cpu is not None and cpu_before["hubs"] is not None else None)
        requests = report["throughput"]["requests"]
        db_cpu = (cpu_after["database"] - (cpu_before["database"] or 0.0)
                  if cpu_after["database"] is not None else None)
        report["cpu_s"] = {
            "hub": round(hub_cpu, 1) if hub_cpu is not None else None,
            "hub_run": round(run_hub_cpu, 1) if run_hub_cpu is not None else None,
            "hub_ms_per_request": (round(run_hub_cpu * 1000 / requests, 3)
                                   if run_hub_cpu is not None and requests else None),
            "database_run": round(db_cpu, 1) if db_cpu is not None else None,
            "workers": round(sum(float(r.get("cpu_s") or 0) for r in results), 1),
            "runner": round(sum(os.times()[:2]), 1)}
        report["load_average"] = [round(x, 2) for x in os.getloadavg()]
        return report
    finally:
        for w in workers:
            if w.proc.poll() is None:
                w.close(timeout=10)
        if hubs is not None:
            for problem in hubs.stop():
                show.message(f"cleanup: {problem}")
        if not cfg.keep and cfg.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _hub_limits(cfg: SwarmConfig) -> list[str]:
    """Settings for the hubs the swarm starts: room for ``--tasks`` in one repository,
    and a retention grace longer than the run.
    (Each agent speaks as its own identity there — see :mod:`muse.swarm.worker` —
    so the per-identity bounds keep their defaults.)"""
    assert cfg.tasks is not None
    # The verdict reads every claim slot back from the hub: its retention must not
    # prune any before then (a full-scale run outlasts the default 10 minutes).
    grace = max(600.0, cfg.duration_cap + 600.0)
    return ["--limit", f"tasks_per_repository={max(100_000, 2 * cfg.tasks)}",
            "--retention-grace", f"{grace:g}"]


def _server_cpu(hubs: HubSet | None) -> dict[str, float | None]:
    """CPU seconds so far of all hub processes, and of their PostgreSQL backends."""
    if hubs is None:
        return {"hubs": None, "database": None}
    each = hubs.cpu_s()
    return {"hubs": sum(c for c in each if c is not None) if any(c is not None for c in each)
            else None, "database": hubs.backend_cpu()}


def _hub_rows(hubs: HubSet | None, urls: list[str], workers: int,
              results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per hub: URL, its workers, requests they sent, requests it says it answered, CPU, peak."""
    sent = {int(r["worker"]): int(r.get("requests") or 0) for r in results}
    served = hubs.requests_served() if hubs is not None else [None] * len(urls)
    cpu = hubs.cpu_s() if hubs is not None else [None] * len(urls)
    peak = hubs.peak_kib() if hubs is not None else [None] * len(urls)
    rows = []
    for i, url in enumerate(urls):
        mine = [w for w in range(workers) if w % len(urls) == i]
        answered, used = served[i], cpu[i]
        rows.append({"url": url, "workers": mine, "requests_sent": sum(sent.get(w, 0) for w in mine),
                     "requests_served": answered[0] if answered else None,
                     "errors_5xx": answered[1] if answered else None,
                     "cpu_s": round(used, 1) if used is not None else None,
                     "peak_kib": peak[i]})
    return rows


def _last_seq(client: HubClient) -> int:
    info = client.request("GET", f"/api/v1/repos/{client.owner}/{client.slug}",
                          what=f"info on {client.owner}/{client.slug}", user_errors=False)
    return int(info.get("last_seq") or 0) if isinstance(info, dict) else 0


def _drive(cfg: SwarmConfig, workers: list[_Worker],
           events: queue.Queue[tuple[int, dict[str, Any] | None]], show: _Progress,
           client: HubClient, hubs: HubSet | None,
           t_run: float) -> tuple[list[str], dict[str, int], float]:
    """Show progress until the hub has nothing left to do; return problems, task counts, end time."""
    assert cfg.tasks is not None
    problems: list[str] = []
    counts: dict[str, int] = {}
    next_status = t_run + 1.0
    last_status = t_run
    failing: float | None = None
    while True:
        try:
            index, event = events.get(timeout=0.2)
            if event is None:
                if not workers[index].done:
                    problems.append(f"worker {index} exited early "
                                    f"({workers[index].stderr_tail() or 'no output'})")
                    workers[index].done = True
            elif event.get("t") == "progress":
                workers[index].progress = event
            elif event.get("t") == "done":
                workers[index].done = True
        except queue.Empty:
            pass
        now = time.monotonic()
        total = _sum_progress(workers)
        show.show(now - t_run, "running",
                  {**total, "ready": int(counts.get("ready") or 0),
                   "claimed": int(counts.get("claimed") or 0)})
        if problems:
            return problems, counts, now
        dead = hubs.dead() if hubs is not None else []
        if dead:
            assert hubs is not None
            problems.append("; ".join(f"hub {i} exited during the run "
                                      f"({_tail(hubs.hubs[i].stderr_path) or 'no output'})"
                                      for i in dead))
            return problems, counts, now
        if now - t_run > cfg.duration_cap:
            problems.append(f"stopped by --duration-cap after {cfg.duration_cap:g}s")
            return problems, counts, now
        # Ask the hub itself whether work is left: the agents' own counts could be
        # wrong in exactly the ways this run is meant to catch.
        if now >= next_status or (total.get("completed", 0) >= cfg.tasks
                                  and now >= last_status + 0.5):
            if hubs is not None:
                hubs.backend_cpu()  # a backend the pool closes keeps its last figure
            try:
                st = client.status(limit=1)
            except MuseError as exc:
                # A hub at full load may answer a status call late (it is one more
                # request in its queue): the run goes on, unless that lasts.
                failing = failing or now
                if now - failing >= _STATUS_PATIENCE:
                    problems.append(f"status from the hub failed for {now - failing:.0f}s: "
                                    f"{exc.message}")
                    return problems, counts, now
                show.message(f"status from the hub failed ({exc.message}); retrying")
                last_status, next_status = now, time.monotonic() + 2.0
                continue
            failing = None
            # Ask less often when the answer is slow, so polling never becomes load.
            last_status = time.monotonic()
            next_status = last_status + max(2.0, 4 * (last_status - now))
            counts = st.get("tasks") or {}
            left = sum(int(counts.get(k) or 0) for k in ("pending", "ready", "blocked", "claimed"))
            if left == 0:
                show.show(now - t_run, "done", _sum_progress(workers), force=True)
                return problems, counts, now


def _tail(path: pathlib.Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(lines[-3:])


def _sum_progress(workers: list[_Worker]) -> dict[str, int]:
    total: dict[str, int] = {}
    for w in workers:
        for k, v in w.progress.items():
            if isinstance(v, int):
                total[k] = total.get(k, 0) + v
    return total


def _await_done(workers: list[_Worker], events: queue.Queue[tuple[int, dict[str, Any] | None]],
                timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not all(w.done for w in workers) and time.monotonic() < deadline:
        try:
            index, event = events.get(timeout=0.2)
        except queue.Empty:
            continue
        if event is None or event.get("t") == "done":
            workers[index].done = True


def _report(cfg: SwarmConfig, plan: Plan, symbols: int, results: list[dict[str, Any]],
            status: dict[str, Any], claims: list[dict[str, Any]], problems: list[str],
            run_s: float, records: int, hub_peak: int | None, phases: dict[str, float],
            hub: str, repo: str) -> dict[str, Any]:
    grants = [g for r in results for g in r["grants"]]
    completions = [c for r in results for c in r["completions"]]
    reservations = [x for r in results for x in r["reservations"]]
    partners = {t.task_id: (plan.tasks[t.partner].task_id, t.shared)
                for t in plan.tasks if t.partner >= 0}
    agent_doubles = double_claims(grants, completions)
    hub_check = hub_claim_check(claims)
    conflicts = conflict_check(reservations, partners, plan.planted_pairs)
    counts = status.get("tasks") or {}
    completed = int(counts.get("completed") or 0)
    enqueued = len(plan.tasks)
    lost = enqueued - completed
    requests = sum(int(r.get("requests", 0)) for r in results)
    errors: dict[str, int] = {}
    samples: list[str] = []
    for r in results:
        for k, n in r["error_kinds"].items():
            errors[k] = errors.get(k, 0) + n
        samples.extend(r["error_samples"])
    double = max(agent_doubles["total"], hub_check["double_claims"] + hub_check["completed_twice"])
    active = status.get("reservations") or {}
    worker_peaks = [r.get("vm_hwm_kib") or 0 for r in results]
    verdict = list(problems)
    if double:
        verdict.append(f"{double} double claims")
    if lost:
        verdict.append(f"{lost} lost tasks (enqueued {enqueued}, completed {completed})")
    return {
        "ok": double == 0 and lost == 0,
        "problems": verdict,
        "config": {"agents": cfg.agents, "workers": cfg.workers, "connections": cfg.connections,
                   "files": cfg.files, "subsystems": cfg.subsystems, "symbols": symbols,
                   "tasks": enqueued, "dependencies": plan.edges, "depth": plan.depth(),
                   "overlap": cfg.overlap, "seed": cfg.seed, "ttl": cfg.ttl,
                   "fail_fraction": cfg.fail_fraction, "batch": cfg.batch, "hub": hub,
                   "repo": repo},
        "seconds": {k: round(v, 3) for k, v in phases.items()},
        "throughput": {"tasks_per_s": round(completed / run_s, 1) if run_s > 0 else 0.0,
                       "requests_per_s": round(requests / run_s, 1) if run_s > 0 else 0.0,
                       "records_per_s": round(records / run_s, 1) if run_s > 0 else 0.0,
                       "requests": requests, "records": records},
        "latency": _latency_table(results),
        "tasks": {"enqueued": enqueued, "completed": completed, "lost": lost,
                  "hub_counts": counts, "grants": len(grants),
                  "requeued": sum(int(r["statuses"].get("fail", {}).get("200", 0))
                                  for r in results)},
        "double_claims": {"total": double, "agents": agent_doubles, "hub": hub_check},
        "conflicts": {"planted": conflicts.planted, "concurrent": conflicts.concurrent,
                      "detected": conflicts.detected, "missed": conflicts.missed,
                      "unplanted": conflicts.unplanted, "reported": conflicts.reported,
                      "active_reservations_left": int(active.get("active") or 0)},
        "errors": {"by_kind": errors, "samples": samples[:10],
                   "stale_tokens": sum(int(r.get("stale", 0)) for r in results),
                   "null_claims": sum(int(r.get("null_claims", 0)) for r in results)},
        "memory_mib": {"hub": round(hub_peak / 1024, 1) if hub_peak else None,
                       "workers": [round(k / 1024, 1) for k in worker_peaks],
                       "workers_max": round(max(worker_peaks, default=0) / 1024, 1),
                       "workers_sum": round(sum(worker_peaks) / 1024, 1),
                       "runner": round((vm_hwm_kib() or 0) / 1024, 1)},
    }
