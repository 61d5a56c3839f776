"""Retention benchmark: table sizes under reserve/release cycles, with and without pruning,
and what a pruning pass costs live reserves, through a real hub process.

For each backend it starts ``python -m muse hub serve --port 0 --prune-every 0``
and runs *rounds* of *cycles* live reserve → release cycles (4 runs, a fresh
symbol each), plus one lease and one claim kept for the whole run. After
each round it prints the table sizes, runs one retention pass (grace 0, so
everything dead goes) and prints the sizes again: without pruning they grow
by the round, with it they return to the same floor.

Then the cost to live decisions: blocks of *cycles* reserve+release calls
timed while a pruner process prunes non-stop, interleaved with blocks timed
without it (the baseline, same run); medians and min/max of the per-call
time, and the ratio.

    python bench/bench_retention.py --backend sqlite --cycles 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import pathlib
import statistics
import sys
import tempfile
import time
import uuid
from typing import Any

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from bench_hub import Hub, new_repo, setup_identity

from muse.core.client.live import LiveClient
from muse.hub.retention import prune, table_sizes
from muse.storage import open_store

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def churn(c: Any, n: int, tag: str) -> float:
    """*n* reserve→release cycles over 4 runs; seconds per cycle."""
    t0 = time.perf_counter()
    for i in range(n):
        run = f"run-{i % 4}"
        lease = c.reserve(run, [f"src/{tag}/m{i % 13}.py::f{i}"], ttl=60)
        c.release(lease["reservation_id"], run, lease["token"])
    return (time.perf_counter() - t0) / n


def prune_forever(db: str, schema: str | None, stop: Any, interval: float) -> None:
    """Retention passes back to back until *stop*, in a process of its own (as a
    hub's pruner would be, beside the hub serving the calls)."""
    store = open_store(db, schema=schema, max_size=2) if schema else open_store(db)
    try:
        while not stop.is_set():
            prune(store, time.time() + 1, grace=0.0)
            stop.wait(interval)
    finally:
        store.close()


def run_backend(backend: str, cycles: int, rounds: int, blocks: int, interval: float) -> dict[str, Any]:
    out: dict[str, Any] = {"backend": backend, "cycles": cycles, "rounds": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        schema = None
        if backend == "postgres":
            dsn = os.environ.get("MUSE_TEST_PG_DSN") or DEFAULT_DSN
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            db = dsn
            hub = Hub(work, dsn, "--pg-schema", schema, "--prune-every", "0")
            store = open_store(dsn, schema=schema, max_size=2)
        else:
            db = str(work / "hub.sqlite3")
            hub = Hub(work, db, "--prune-every", "0")
            store = open_store(str(work / "hub.sqlite3"))
        try:
            ident = setup_identity(hub, work)
            slug = new_repo(hub, ident)
            c = LiveClient(hub.url, ident.handle, slug, ident)
            c.reserve("run-keep", ["src/keep.py::kept"], ttl=3600)
            c.enqueue([{"task_id": "t-keep"}])
            c.claim("run-keep", ttl=3600)
            for r in range(rounds):
                churn(c, cycles, f"r{r}")
                grown = table_sizes(store)
                t0 = time.perf_counter()
                result = prune(store, time.time() + 1, grace=0.0)
                took = time.perf_counter() - t0
                out["rounds"].append({"before": grown, "after": table_sizes(store),
                                      "removed": result.removed, "pass_seconds": round(took, 3)})
            # Cost to live calls: interleaved blocks with and without a busy pruner.
            ctx = mp.get_context("spawn")
            base: list[float] = []
            busy: list[float] = []
            for b in range(blocks):
                base.append(churn(c, cycles // 4, f"b{b}"))
                stop = ctx.Event()
                t = ctx.Process(target=prune_forever, args=(db, schema, stop, interval))
                t.start()
                busy.append(churn(c, cycles // 4, f"p{b}"))
                stop.set()
                t.join()
            ms = [x * 1000 for x in base]
            mb = [x * 1000 for x in busy]
            out["cycle_ms"] = {"baseline": [statistics.median(ms), min(ms), max(ms)],
                               "while_pruning": [statistics.median(mb), min(mb), max(mb)],
                               "ratio": statistics.median(mb) / statistics.median(ms),
                               "pruner_interval": interval}
        finally:
            store.close()
            hub.stop()
            if schema is not None:
                import psycopg

                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--cycles", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--blocks", type=int, default=5)
    p.add_argument("--interval", type=float, default=0.0,
                   help="seconds between the busy pruner's passes (0: back to back)")
    args = p.parse_args()
    for backend in (("sqlite", "postgres") if args.backend == "both" else (args.backend,)):
        print(json.dumps(run_backend(backend, args.cycles, args.rounds, args.blocks, args.interval), indent=1))


if __name__ == "__main__":
    main()
