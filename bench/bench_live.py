"""Live coordination benchmark: reserve / claim / heartbeat / fence through a real
hub process on loopback, on SQLite and PostgreSQL.

For each backend it starts ``python -m muse hub serve --port 0`` (signatures
checked, as in production), registers an identity, creates a repository and
measures, per operation:

* latency p50 / p99 of N sequential calls from one client (one keep-alive
  connection, msgpack, Ed25519-signed);
* throughput with 1 client and with ``--clients`` client processes at once
  (each its own connection and run id);

next to two baselines measured in the same run:

* ``healthz`` — an unsigned GET that touches the database once: the floor of
  one HTTP round trip through this hub;
* ``store``   — the same live decision called in-process on the store (no HTTP,
  no signature, no auth lookups): what the database transaction costs.

Operations: ``reserve`` (strict, a fresh symbol each time, so every call is a
conflict lookup plus a grant), ``heartbeat`` (a run holding 5 reservations),
``claim`` (from a queue filled beforehand), ``fence`` (a read).

    python bench/bench_live.py                         # SQLite and PostgreSQL, 400 ops
    python bench/bench_live.py --backend sqlite --ops 2000 --clients 4

PostgreSQL: ``$MUSE_TEST_PG_DSN`` (default ``postgresql://postgres@127.0.0.1:5432/test``),
in a fresh schema dropped afterwards.
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
from muse.core.transport import SigningIdentity

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"
OPS = ("reserve", "heartbeat", "claim", "fence")


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def _prepare(client: LiveClient, run: str, op: str, n: int) -> dict[str, Any]:
    if op == "heartbeat":
        for i in range(5):
            client.reserve(run, [f"hb/{run}/f{i}.c"], ttl=600)
    if op == "fence":
        res = client.reserve(run, [f"fence/{run}.c"], ttl=3600)
        return {"token": res["token"], "reservation_id": res["reservation_id"]}
    return {}


def _one(client: LiveClient, run: str, op: str, i: int, ctx: dict[str, Any]) -> None:
    if op == "reserve":
        client.reserve(run, [f"kernel/{run}/file_{i % 500}.c::func_{i}"], ttl=600, strict=True)
    elif op == "heartbeat":
        client.heartbeat(run, ttl=600)
    elif op == "claim":
        got = client.claim(run, ttl=600)
        assert got["task"] is not None, "queue ran dry"
    else:
        assert client.fence(ctx["token"], reservation_id=ctx["reservation_id"])["valid"]


def _worker(args: tuple[str, str, str, str, str, str, str, int]) -> list[float]:
    url, owner, slug, handle, key, run, op, n = args
    client = LiveClient(url, owner, slug, SigningIdentity.load(handle, key))
    client.status(limit=0)  # connect and learn the hub clock first
    ctx = _prepare(client, run, op, n)
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        _one(client, run, op, i, ctx)
        out.append(time.perf_counter() - t0)
    return out


def _parallel(pool: Any, base: tuple[str, str, str, str, str], op: str, clients: int,
              n: int) -> float:
    tag = uuid.uuid4().hex[:6]
    jobs = [(*base, f"par-{tag}-{c}", op, n) for c in range(clients)]
    t0 = time.perf_counter()
    pool.map(_worker, jobs)
    return clients * n / (time.perf_counter() - t0)


def _store_baseline(db: str, schema: str | None, op: str, n: int) -> list[float]:
    """The live decision in-process on a fresh store of the same kind (no HTTP)."""
    from muse.hub import lessor as live
    from muse.storage import open_store

    store = open_store(db, **({"schema": schema} if schema else {}))
    try:
        slug = f"base-{uuid.uuid4().hex[:6]}"
        store.create_repo("bench", slug, "bench", False, time.time())
        repo = store.get_repo("bench", slug)
        assert repo is not None
        rid = repo.id

        def call(fn: Any, *args: Any) -> Any:
            with store.live_transaction(rid) as tx:
                return fn(tx, time.time(), *args)

        if op == "claim":
            for s in range(0, n, 500):
                call(live.enqueue, "bench", [live.TaskSpec(f"t{i}") for i in range(s, min(n, s + 500))])
        if op == "heartbeat":
            for i in range(5):
                call(live.reserve, "bench", "run", [f"hb/f{i}.c"], 600.0, None)
        tok = call(live.reserve, "bench", "run", ["fence.c"], 3600.0, None)
        out = []
        for i in range(n):
            t0 = time.perf_counter()
            if op == "reserve":
                call(live.reserve, "bench", "run", [f"k/f{i % 500}.c::fn{i}"], 600.0, "strict")
            elif op == "heartbeat":
                call(live.heartbeat, "bench", "run", 600.0)
            elif op == "claim":
                call(live.claim, "bench", "run", 600.0, None)
            else:
                with store.live_transaction(rid, write=False) as tx:
                    live.fence(tx, time.time(), tok["token"], tok["reservation_id"])
            out.append(time.perf_counter() - t0)
        return out
    finally:
        store.close()


def bench_backend(name: str, n: int, clients: int, dsn: str) -> dict[str, Any]:
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"bench-live-{name}-"))
    schema = None
    if name == "postgres":
        schema = f"bench_live_{uuid.uuid4().hex[:8]}"
        db, extra = dsn, ("--pg-schema", schema, "--pg-pool-size", str(max(4, clients + 2)))
    else:
        db, extra = str(work / "hub.sqlite3"), ()
    hub = Hub(work, db, *extra)
    results: dict[str, Any] = {}
    try:
        ident = setup_identity(hub, work)
        slug = new_repo(hub, ident)
        client = LiveClient(hub.url, ident.handle, slug, ident)
        # Enough tasks for every claim of the sequential run and the parallel one.
        total = n * (1 + clients) + 10
        for s in range(0, total, 500):
            client.enqueue([{"task_id": f"t{i:07d}", "description": "bench"}
                            for i in range(s, min(total, s + 500))])
        # healthz floor
        from muse.core.coord_bus import hub_request

        hz = []
        for _ in range(n):
            t0 = time.perf_counter()
            hub_request("GET", hub.url + "/healthz")
            hz.append(time.perf_counter() - t0)
        results["healthz"] = {"p50": _pct(hz, 0.5), "p99": _pct(hz, 0.99)}
        base = (hub.url, ident.handle, slug, ident.handle, ident.key_path)
        ctx = mp.get_context("spawn")
        with ctx.Pool(clients) as pool:
            pool.map(_worker, [(*base, f"warm-{c}", "fence", 5) for c in range(clients)])
            for op in OPS:
                seq = _worker((*base, f"seq-{op}", op, n))
                par = _parallel(pool, base, op, clients, n // clients)
                store = _store_baseline(db, schema, op, n)
                results[op] = {"p50": _pct(seq, 0.5), "p99": _pct(seq, 0.99),
                               "ops1": len(seq) / sum(seq), f"ops{clients}": par,
                               "store_p50": _pct(store, 0.5), "store_p99": _pct(store, 0.99)}
    finally:
        hub.stop()
        if schema is not None:
            import psycopg

            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--ops", type=int, default=400, help="calls per operation (default 400)")
    p.add_argument("--clients", type=int, default=4, help="client processes for throughput")
    p.add_argument("--json", action="store_true", help="print raw figures as JSON")
    args = p.parse_args()
    dsn = os.environ.get("MUSE_TEST_PG_DSN") or DEFAULT_DSN
    names = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    all_results = {name: bench_backend(name, args.ops, args.clients, dsn) for name in names}
    if args.json:
        print(json.dumps(all_results, indent=2))
        return 0
    c = args.clients
    for name, res in all_results.items():
        hz = res["healthz"]
        print(f"\n{name}: {args.ops} calls per op; healthz floor p50 {hz['p50'] * 1e3:.2f} ms,"
              f" p99 {hz['p99'] * 1e3:.2f} ms")
        print(f"{'op':<10} {'p50 ms':>7} {'p99 ms':>7} {'ops/s 1':>8} {f'ops/s {c}':>8}"
              f" {'store p50':>9} {'store p99':>9}")
        for op in OPS:
            r = res[op]
            print(f"{op:<10} {r['p50'] * 1e3:7.2f} {r['p99'] * 1e3:7.2f} {r['ops1']:8.0f}"
                  f" {r[f'ops{c}']:8.0f} {r['store_p50'] * 1e3:9.2f} {r['store_p99'] * 1e3:9.2f}")
    print(f"\n(median machine load: {statistics.mean(os.getloadavg()):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
