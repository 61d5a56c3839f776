"""Swarm benchmark: ``muse swarm`` at two sizes, next to the hub's HTTP floor.

For each size it runs the whole swarm (local hub on SQLite, agents in worker
processes, the same code as ``muse swarm``) and reports tasks/s, requests/s,
records/s, p50/p99 of the busiest verbs, peak memory and the correctness
figures. The baseline, measured in the same run against a fresh hub with the
same client, worker count and connections, is the **HTTP floor**: ``GET
/healthz`` round trips (no database write), i.e. what the hub could answer if
every live verb cost nothing. ``requests/s ÷ floor`` says how much of the
hub's capacity the live verbs themselves take.

    python bench/bench_swarm.py                       # 200 × 5,000 and 1,000 × 20,000
    python bench/bench_swarm.py --sizes 200x5000 7000x150000 --repeat 1
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import statistics
import sys
import tempfile
import time
from typing import Any

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from muse.swarm.client import AsyncHub
from muse.swarm.runner import HubProcess, SwarmConfig, run_swarm


async def _floor_async(url: str, requests: int, concurrency: int, connections: int) -> float:
    hub = AsyncHub(url, "x", "y", connections=connections)
    left = requests

    async def one() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await hub.call("healthz", "GET", "/healthz", repo=False)

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(concurrency)))
    took = time.perf_counter() - start
    await hub.close()
    return requests / took


def _floor_worker(url: str, requests: int, concurrency: int, connections: int) -> float:
    return asyncio.run(_floor_async(url, requests, concurrency, connections))


def http_floor(workers: int, connections: int, requests: int = 6000) -> float:
    """GET /healthz requests/s through the swarm's client, *workers* processes at once."""
    from concurrent.futures import ProcessPoolExecutor

    with tempfile.TemporaryDirectory(prefix="bench-swarm-floor-") as tmp:
        hub = HubProcess(pathlib.Path(tmp))
        try:
            _floor_worker(hub.url, 200, 8, connections)  # warm-up
            per = requests // workers
            start = time.perf_counter()
            with ProcessPoolExecutor(workers) as pool:
                list(pool.map(_floor_worker, [hub.url] * workers, [per] * workers,
                              [connections * 2] * workers, [connections] * workers))
            return per * workers / (time.perf_counter() - start)
        finally:
            hub.stop()


def run_size(agents: int, files: int, seed: int) -> dict[str, Any]:
    return run_swarm(SwarmConfig(agents=agents, files=files, seed=seed), progress=None)


def _fmt(values: list[float], digits: int = 0) -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:,.{digits}f}"
    return f"{med:,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", nargs="+", default=["200x5000", "1000x20000"],
                   help="AGENTSxFILES pairs (default: 200x5000 1000x20000)")
    p.add_argument("--repeat", type=int, default=1, help="runs per size; the median is shown")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    rows = []
    for size in args.sizes:
        agents, files = (int(x) for x in size.lower().split("x"))
        reports = []
        for i in range(args.repeat):
            print(f"… {agents:,} agents × {files:,} files, run {i + 1}/{args.repeat}",
                  file=sys.stderr, flush=True)
            reports.append(run_size(agents, files, args.seed + i))
        cfg = reports[0]["config"]
        floor = http_floor(cfg["workers"], cfg["connections"])
        rps = [r["throughput"]["requests_per_s"] for r in reports]
        lat = [r["latency"] for r in reports]
        rows.append({
            "size": f"{agents:,} × {files:,}", "tasks": f"{cfg['tasks']:,}",
            "run s": _fmt([r["seconds"]["run_s"] for r in reports], 1),
            "tasks/s": _fmt([r["throughput"]["tasks_per_s"] for r in reports]),
            "requests/s": _fmt(rps),
            "records/s": _fmt([r["throughput"]["records_per_s"] for r in reports]),
            "floor req/s": f"{floor:,.0f}",
            "÷ floor": f"{statistics.median(rps) / floor:.2f}",
            "claim p50/p99 ms": f"{_fmt([x['claim']['p50_ms'] for x in lat])}/"
                                f"{_fmt([x['claim']['p99_ms'] for x in lat])}",
            "heartbeat p50/p99 ms": f"{_fmt([x['heartbeat']['p50_ms'] for x in lat])}/"
                                    f"{_fmt([x['heartbeat']['p99_ms'] for x in lat])}",
            "hub MiB": _fmt([r["memory_mib"]["hub"] or 0 for r in reports]),
            "workers MiB": _fmt([r["memory_mib"]["workers_sum"] for r in reports]),
            "hub CPU s": _fmt([r["cpu_s"]["hub"] or 0 for r in reports], 1),
            "double/lost": (f"{max(r['double_claims']['total'] for r in reports)}/"
                            f"{max(r['tasks']['lost'] for r in reports)}"),
        })
    headers = list(rows[0])
    widths = [max(len(h), *(len(r[h]) for r in rows)) for h in headers]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(r[h].ljust(w) for h, w in zip(headers, widths)) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
