"""Hub CPU per request on SQLite, split into its parts.

Through a real hub process (``/proc`` CPU of the hub before and after
``--requests`` calls sent by ``--connections`` keep-alive sockets of the
swarm's ``AsyncHub``):

* ``healthz``          unsigned GET, one read of the database: HTTP + ASGI + thread hop
* ``heartbeat``        a live write, signed (a run with 2 leases)
* ``reserve``          a strict reservation of a fresh symbol, signed
* the same two on an ``--insecure-dev`` hub (no signature check, no replay record)

and in this process, one call at a time (thread CPU time), the pieces a
signed live request runs besides HTTP:

* ``verify``           Ed25519 verification of one signature
* ``replay insert``    ``remember_signature`` (its own SQLite write transaction)
* ``decision: …``      the live decision in ``live_transaction`` on a fresh SQLite store
* ``msgpack``          decode of a reserve body + encode of its answer

    python bench/diag_hub_cpu.py --requests 3000 --connections 16
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import bench_agents
import msgspec
from bench_hub import Hub, new_repo, setup_identity

from muse.swarm.client import AsyncHub


async def _drive(hub: AsyncHub, n: int, conns: int, make: Callable[[int], tuple[str, str, str, Any]],
                 repo: bool = True) -> None:
    todo = iter(range(n))

    async def worker() -> None:
        for i in todo:
            verb, method, endpoint, body = make(i)
            status, ans = await hub.call(verb, method, endpoint, body, repo=repo)
            if status != 200:
                raise RuntimeError(f"{verb}: HTTP {status} {ans!r}")

    await asyncio.gather(*(worker() for _ in range(conns)))


def through_hub(insecure: bool, n: int, conns: int,
                only: tuple[str, ...] = ("healthz", "heartbeat", "reserve")) -> dict[str, float]:
    work = pathlib.Path(tempfile.mkdtemp(prefix="diag-hub-"))
    extra = ("--insecure-dev",) if insecure else ()
    hub = Hub(work, str(work / "hub.sqlite3"), *extra)
    out: dict[str, float] = {}
    try:
        ident = setup_identity(hub, work)
        slug = new_repo(hub, ident)

        async def main() -> None:
            client = AsyncHub(hub.url, ident.handle, slug, connections=conns,
                              signing=None if insecure else ident)
            tag = uuid.uuid4().hex[:6]
            for r in range(conns):
                await client.call("reserve", "POST", "live/reserve",
                                  {"run_id": f"hb{tag}-{r}", "symbols": [f"hb/{tag}/{r}.c::a",
                                                                          f"hb/{tag}/{r}.c::b"],
                                   "ttl": 600})
            cases: dict[str, tuple[Callable[[int], tuple[str, str, str, Any]], bool]] = {
                "healthz": (lambda i: ("healthz", "GET", "/healthz", None), False),
                "heartbeat": (lambda i: ("heartbeat", "POST", "live/heartbeat",
                                         {"run_id": f"hb{tag}-{i % conns}", "ttl": 600}), True),
                "reserve": (lambda i: ("reserve", "POST", "live/reserve",
                                       {"run_id": f"rs{tag}-{i % conns}", "ttl": 600,
                                        "mode": "strict",
                                        "symbols": [f"src/{tag}/m{i}.py::f"]}), True),
            }
            for name, (make, repo) in cases.items():
                if name not in only:
                    continue
                await _drive(client, 50, conns, make, repo)  # warm up
                c0, t0 = bench_agents.proc_cpu(hub.proc.pid), time.perf_counter()
                await _drive(client, n, conns, make, repo)
                wall = time.perf_counter() - t0
                out[name] = 1000 * (bench_agents.proc_cpu(hub.proc.pid) - c0) / n
                out[name + " req/s"] = n / wall
            await client.close()

        asyncio.run(main())
    finally:
        hub.stop()
    return out


def _cpu_per_call(fn: Callable[[int], Any], n: int) -> float:
    for i in range(20):
        fn(-1 - i)
    t0 = time.thread_time()
    for i in range(n):
        fn(i)
    return 1000 * (time.thread_time() - t0) / n


def in_process(n: int) -> dict[str, float]:
    from muse.core.client import signing
    from muse.hub import lessor as live
    from muse.storage import open_store

    out: dict[str, float] = {}
    work = pathlib.Path(tempfile.mkdtemp(prefix="diag-store-"))
    key = signing.generate_private_key()
    pub = key.public_key()
    msg = b"POST\n/api/v1/repos/a/b/live/reserve\n" + os.urandom(64)
    sig = key.sign(msg)
    from cryptography.hazmat.primitives import serialization

    raw_pub = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def verify(i: int) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        Ed25519PublicKey.from_public_bytes(raw_pub).verify(sig, msg)

    out["verify (Ed25519)"] = _cpu_per_call(verify, n)
    store = open_store(str(work / "s.sqlite3"))
    out["replay insert (own write transaction)"] = _cpu_per_call(
        lambda i: store.remember_signature(os.urandom(64), time.time() + 600, time.time()), n)
    store.create_repo("bench", "r", "bench", False, time.time())
    repo = store.get_repo("bench", "r")
    assert repo is not None

    def call(fn: Any, *args: Any) -> Any:
        with store.live_transaction(repo.id) as tx:
            return fn(tx, time.time(), *args)

    for k in range(4):
        call(live.reserve, "bench", "hbrun", [f"hb/{k}.c::a"], 600.0, None)
    out["decision: heartbeat (2+ leases)"] = _cpu_per_call(
        lambda i: call(live.heartbeat, "bench", "hbrun", 600.0), n)
    out["decision: strict reserve"] = _cpu_per_call(
        lambda i: call(live.reserve, "bench", "rsrun", [f"src/m{i}.py::f"], 600.0, "strict"), n)
    body = msgspec.msgpack.encode({"run_id": "agent-0001", "symbols": ["src/m1.py::f", "src/m1.py::g"],
                                   "ttl": 60.0, "mode": "strict"})
    answer = {"reservation_id": "sha256:" + "0" * 64, "run_id": "agent-0001", "symbols": ["a", "b"],
              "token": 12345, "mode": "strict", "granted_at": "2026-01-01T00:00:00+00:00",
              "expires_at": "2026-01-01T00:01:00+00:00", "expires_in": 60.0, "conflicts": [],
              "now": "2026-01-01T00:00:00+00:00"}
    out["msgpack decode + encode"] = _cpu_per_call(
        lambda i: msgspec.msgpack.encode(answer) and msgspec.msgpack.decode(body), n)
    store.close()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=3000)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--cases", default="healthz,heartbeat,reserve",
                   help="requests to send through the hub (comma-separated)")
    p.add_argument("--modes", default="signed,insecure", help="hubs to run (comma-separated)")
    p.add_argument("--no-pieces", action="store_true", help="skip the in-process pieces")
    args = p.parse_args()
    only = tuple(args.cases.split(","))
    modes = [m == "insecure" for m in ("signed", "insecure") if m in args.modes.split(",")]
    hub: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for insecure in modes:
            for k, v in through_hub(insecure, args.requests, args.connections, only).items():
                hub.setdefault(("insecure " if insecure else "signed ") + k, []).append(v)
    local: dict[str, list[float]] = {}
    for _ in range(0 if args.no_pieces else args.rounds):
        for k, v in in_process(1000).items():
            local.setdefault(k, []).append(v)
    print(f"Hub CPU per request (ms), {args.requests} requests over {args.connections} connections,"
          f" median of {args.rounds} (min–max):\n")
    print("| request | hub CPU ms/request | requests/s |\n|---|---|---|")
    for k in sorted(x for x in hub if not x.endswith(" req/s")):
        v, r = hub[k], hub[k + " req/s"]
        print(f"| {k} | {statistics.median(v):.3f} ({min(v):.3f}–{max(v):.3f})"
              f" | {statistics.median(r):.0f} |")
    print("\nIn-process pieces (thread CPU ms per call):\n")
    print("| piece | CPU ms/call |\n|---|---|")
    for k, v in local.items():
        print(f"| {k} | {statistics.median(v):.3f} ({min(v):.3f}–{max(v):.3f}) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
