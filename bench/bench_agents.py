"""The agent workload of issue 11, side by side: etcd and every Muse Coord mode.

N agents work a queue of 5N tasks. Each agent loops until the queue is empty:

1. **claim** a task (exactly one agent may win it);
2. **reserve** its two symbols *strictly* with a 60 s TTL; every fifth task's
   second symbol is its neighbour's first one, so neighbours collide: a
   refused agent backs off (5 ms doubling to 200 ms, jittered) and retries;
3. **renew** its leases once;
4. **release** the reservation (both symbols);
5. on every tenth task, present the claim's token minus one to **complete**
   (a stale token: it must be refused), then **complete** with the real one.

With ``--batch``, steps 4 and 5 are one request in every system (**finish**):
Muse's ``complete`` with ``release`` (one decision on the hub), etcd's one
``Txn`` that completes under the claim's revision and, nested in it, deletes
the reservation's keys under theirs (etcd's own batch primitive). The stale
attempt names the lease too: it must be refused and release nothing.

Systems (``--systems``, round-robin within each repetition, fresh state per run):

``etcd``       Debian's ``etcd`` (3.4), started here on a loopback port with its
               data in a temp folder, spoken to through its v3 JSON gateway.
``sqlite``     one ``muse hub serve`` on an SQLite file.
``pg1``        one hub on PostgreSQL (a fresh schema per run).
``pg2``        two hubs on the same PostgreSQL schema, agents split between them.
``local``      no hub: the in-process ``LocalCoordinator`` (record files) on a
               fresh ``.muse`` folder, called from a pool of ``--local-threads``.

**One client model for all**: the N agents are coroutines on one asyncio loop
in this process; hubs and etcd are called over HTTP/1.1 keep-alive sockets
through the swarm's ``AsyncHub`` (at most ``--connections`` requests in
flight, the same pool for every system; msgpack + Ed25519 signatures for the
hubs, as in production, JSON for etcd's gateway). Local mode has no server, so
its blocking calls run in a thread pool (the only way to call it).

etcd uses its native primitives only, as an etcd user would build this:

* one **lease** per agent, as etcd's ``concurrency.Session`` keeps one (grant at
  start, keepalive = renew, and before a claim if the last one is older than
  TTL/3, revoke at end);
* **claim** = range the first ``--etcd-window`` ready keys, pick one at random,
  ``Txn(If version(q/T) > 0, Then delete q/T, put c/T on the lease)``; the
  fencing token is the transaction's revision;
* **strict reserve** = one ``Txn`` whose comparisons equal Muse's overlap rule:
  for each address S, nobody holds S (``create_revision(x/S) == 0``), nobody
  holds an enclosing scope of S whole (``x/<file>``, ``x/<file>::Class``), and
  nobody holds a member of S (the range ``s/S/`` is empty); on success it puts
  ``x/S`` and one scope marker ``s/<scope>/<lease>`` per enclosing scope, all on
  the lease;
* **release** / **complete** = ``Txn`` comparing ``create_revision`` with the
  token (so a stale token is refused), deleting the keys (and putting ``d/T``);
  with ``--batch`` one ``Txn`` does both: the completion as the outer
  transaction, the release as a nested one (``request_txn``), so a lapsed lease
  does not refuse the completion — Muse's rule.

The bench keeps a ledger and checks correctness itself: **double claims** (a
task won twice), **double holders** (two runs holding one address at overlapping
times, each hold counted from the grant's answer to the release's sending, so a
hit is a real violation), **lost** tasks (never completed), and **stale tokens
refused** (out of those presented).

Per run it records tasks/s, the latency of each verb (p50 / p99, including the
wait for a free connection), refusals, server CPU seconds (hub processes; etcd;
the PostgreSQL backends of the hubs, found by ``application_name``; for local
mode this whole process) read from ``/proc``, and peak RSS (``VmHWM``).

    python bench/bench_agents.py                           # N = 50, 3 runs, all systems
    python bench/bench_agents.py --agents 50 500 --runs 3 --json out.json
    python bench/bench_agents.py --agents 2000 --systems etcd sqlite pg1 pg2
    python bench/bench_agents.py --batch                   # release + complete in one request

PostgreSQL: ``$MUSE_TEST_PG_DSN`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import concurrent.futures
import json
import os
import pathlib
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from muse.core.client.hub_client import (
    claim_call,
    enqueue_call,
    finish_call,
    heartbeat_call,
    release_call,
    reserve_call,
)
from muse.swarm.client import AsyncHub

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"
SYSTEMS = ("etcd", "sqlite", "pg1", "pg2", "local")
TTL = 60.0
VERBS = ("grant", "claim", "reserve", "renew", "release", "stale", "complete", "finish",
         "revoke")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ── the workload ──────────────────────────────────────────────────────────────
def task_ids(n_tasks: int) -> list[str]:
    return [f"t{i:06d}" for i in range(n_tasks)]


def symbols_of(index: int, n_tasks: int) -> list[str]:
    """Two symbols per task; every fifth task's second one is its neighbour's first."""
    first = f"src/m{index:06d}.py::f"
    if index % 5 == 4 and index + 1 < n_tasks:
        return [first, f"src/m{index + 1:06d}.py::f"]
    return [first, f"src/m{index:06d}.py::g"]


class Refused(Exception):
    """A strict reservation was refused: someone holds an overlapping address."""


@dataclass
class Claimed:
    task_id: str
    token: int


@dataclass
class Lease:
    handle: Any  # what release needs (a reservation id, or etcd's keys)
    token: int
    symbols: list[str]


class Agent(Protocol):
    """One agent's connection to a system: the adapter each system implements.

    Swapping Muse onto a new client interface means rewriting the Muse classes
    below (a few lines each), nothing else.
    """

    async def start(self) -> None: ...
    async def claim(self) -> Claimed | None: ...
    async def reserve(self, symbols: list[str]) -> Lease: ...  # raises Refused
    async def renew(self) -> None: ...
    async def release(self, lease: Lease) -> bool: ...  # False: refused, the lease lapsed
    async def complete(self, task: Claimed, token: int) -> bool: ...  # False: refused stale
    # --batch: complete with *token* and release *lease* in one request;
    # (completed, released) — a stale token: (False, False), nothing released.
    async def finish(self, task: Claimed, token: int, lease: Lease) -> tuple[bool, bool]: ...
    async def stop(self) -> None: ...


# ── measurement ───────────────────────────────────────────────────────────────
def _overlaps(spans: list[tuple[float, float, str]]) -> int:
    """Spans (start, end, run) that start while another run's span is still open."""
    bad = 0
    end, owner = -1.0, ""
    for start, stop, run in sorted(spans):
        if start < end and run != owner:
            bad += 1
        if stop > end:
            end, owner = stop, run
    return bad


@dataclass
class Ledger:
    """What the agents saw, for latencies and the correctness checks.

    A hold (of a task or an address) counts from the grant's answer to the
    earlier of the release's (or completion's) sending and the lease's least
    possible expiry (the granting request's sending plus the TTL; a renewal
    may have lapsed): a lease that lapsed may be granted again legitimately,
    so only spans in which the holder certainly held it are compared.
    """

    lat: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    claims: dict[str, list[tuple[float, float, str]]] = field(default_factory=lambda: defaultdict(list))
    holds: dict[str, list[tuple[float, float, str]]] = field(default_factory=lambda: defaultdict(list))
    completed: set[str] = field(default_factory=set)
    refusals: int = 0
    claim_retries: int = 0  # etcd: claim transactions lost to another agent
    lapsed: int = 0  # releases / completes refused with the real token: the lease had lapsed
    http: int = 0  # HTTP requests answered (hubs, etcd)
    stale_sent: int = 0
    stale_refused: int = 0

    def count_http(self, verb: str, took: float, queued: float, status: int) -> None:
        self.http += 1

    async def timed(self, verb: str, aw: Awaitable[Any]) -> Any:
        t0 = time.perf_counter()
        try:
            return await aw
        finally:
            self.lat[verb].append(time.perf_counter() - t0)

    def double_claims(self) -> int:
        return sum(_overlaps(spans) for spans in self.claims.values())

    def takeovers(self) -> int:
        """Claims of a task after its first (its claim had lapsed)."""
        return sum(len(spans) - 1 for spans in self.claims.values() if len(spans) > 1)

    def double_holders(self) -> int:
        return sum(_overlaps(spans) for spans in self.holds.values())


async def run_agent(agent: Agent, run_id: str, n_tasks: int, led: Ledger, rng: random.Random,
                    batch: bool = False) -> None:
    await led.timed("grant", agent.start())
    while True:
        claim_sent = time.monotonic()
        got = await led.timed("claim", agent.claim())
        if got is None:
            break
        claimed_at = time.monotonic()
        index = int(got.task_id[1:])
        syms = symbols_of(index, n_tasks)
        backoff = 0.005
        while True:
            reserve_sent = time.monotonic()
            try:
                lease = await led.timed("reserve", agent.reserve(syms))
                break
            except Refused:
                led.refusals += 1
                await asyncio.sleep(backoff * rng.uniform(0.5, 1.5))
                backoff = min(0.2, backoff * 2)
        held_from = time.monotonic()
        await led.timed("renew", agent.renew())
        if batch:
            await _finish_batched(agent, run_id, got, lease, syms, index, led, claim_sent,
                                  claimed_at, held_from, reserve_sent)
            continue
        release_sent = time.monotonic()
        for s in syms:
            led.holds[s].append((held_from, min(release_sent, reserve_sent + TTL), run_id))
        if not await led.timed("release", agent.release(lease)):
            led.lapsed += 1
        if index % 10 == 3:
            led.stale_sent += 1
            if not await led.timed("stale", agent.complete(got, got.token - 1)):
                led.stale_refused += 1
        complete_sent = time.monotonic()
        if await led.timed("complete", agent.complete(got, got.token)):
            led.completed.add(got.task_id)
        else:
            led.lapsed += 1
        led.claims[got.task_id].append(
            (claimed_at, min(complete_sent, claim_sent + TTL), run_id))
    await led.timed("revoke", agent.stop())
    led.claim_retries += getattr(agent, "retries", 0)


async def _finish_batched(agent: Agent, run_id: str, got: Claimed, lease: Lease, syms: list[str],
                          index: int, led: Ledger, claim_sent: float, claimed_at: float,
                          held_from: float, reserve_sent: float) -> None:
    """Steps 4 and 5 as one request; the holds end at its sending (the stale
    attempt before it must release nothing, so they are still held then)."""
    if index % 10 == 3:
        led.stale_sent += 1
        done, released = await led.timed("stale", agent.finish(got, got.token - 1, lease))
        if not done and not released:
            led.stale_refused += 1
    sent = time.monotonic()
    for s in syms:
        led.holds[s].append((held_from, min(sent, reserve_sent + TTL), run_id))
    done, released = await led.timed("finish", agent.finish(got, got.token, lease))
    if done:
        led.completed.add(got.task_id)
    led.lapsed += (not done) + (not released)
    led.claims[got.task_id].append((claimed_at, min(sent, claim_sent + TTL), run_id))


# ── server processes: CPU and memory from /proc ──────────────────────────────
def proc_cpu(pid: int) -> float:
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_hwm(pid: int) -> int:
    """Peak resident set (bytes) of *pid*; 0 if it is gone."""
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class System:
    """A system under test for one run: start it, make agents, account its CPU."""

    name = ""

    def __init__(self, args: argparse.Namespace, work: pathlib.Path) -> None:
        self.args, self.work = args, work

    def start(self) -> None: ...

    def stop(self) -> None: ...

    async def load(self, ids: list[str], n_tasks: int) -> None: ...

    def agent(self, i: int, run_id: str) -> Agent:
        raise NotImplementedError

    async def close(self) -> None: ...

    def server_pids(self) -> list[int]:
        return []

    def cpu_seconds(self) -> float:
        return sum(proc_cpu(p) for p in self.server_pids())

    def http_clients(self) -> list[AsyncHub]:
        return []

    def peak_rss(self) -> int:
        return sum(proc_hwm(p) for p in self.server_pids())


# ── etcd ──────────────────────────────────────────────────────────────────────
def _b64(key: str) -> str:
    return base64.b64encode(key.encode()).decode()


def _prefix_end(prefix: str) -> str:
    raw = bytearray(prefix.encode())
    raw[-1] += 1
    return base64.b64encode(bytes(raw)).decode()


class EtcdHTTP(AsyncHub):
    """The swarm's keep-alive HTTP client, speaking JSON to etcd's gateway."""

    def __init__(self, url: str, connections: int) -> None:
        super().__init__(url, "etcd", "v3", connections=connections)
        import orjson

        self._encode = orjson.dumps

    def _head(self, method: str, path: str, body: bytes) -> bytes:
        return (f"{method} {path} HTTP/1.1\r\nHost: {self.netloc}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode("latin-1")

    async def rpc(self, verb: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        status, answer = await self.call(verb, "POST", path, body, repo=False)
        if status != 200 or not isinstance(answer, dict):
            raise RuntimeError(f"etcd {path}: HTTP {status} {answer!r}")
        return answer


def _scopes(symbol: str) -> list[str]:
    from muse.core.coord.state import symbol_ancestors

    return list(symbol_ancestors(symbol))


class EtcdAgent:
    def __init__(self, http: EtcdHTTP, run_id: str, window: int, rng: random.Random) -> None:
        self.http, self.run_id, self.window, self.rng = http, run_id, window, rng
        self.lease = "0"
        self.value = _b64(run_id)
        self.retries = 0
        self.renewed = 0.0

    async def start(self) -> None:
        self.lease = (await self.http.rpc("grant", "/v3/lease/grant", {"TTL": int(TTL)}))["ID"]
        self.renewed = time.monotonic()

    async def _keep_alive(self) -> None:
        # etcd's own session keeps its lease alive every TTL/3 in the background
        # (Muse's claim and reserve start fresh leases instead); checked before
        # every claim attempt and reserve, so an agent that retries for longer
        # than the TTL (many agents racing for the same ready keys) keeps it.
        if time.monotonic() - self.renewed > TTL / 3:
            await self.renew()

    async def claim(self) -> Claimed | None:
        while True:
            await self._keep_alive()
            found = await self.http.rpc("claim", "/v3/kv/range", {
                "key": _b64("q/"), "range_end": _prefix_end("q/"), "limit": self.window,
                "keys_only": True})
            kvs = found.get("kvs") or []
            if not kvs:
                return None
            key = self.rng.choice(kvs)["key"]
            task_id = base64.b64decode(key).decode()[2:]
            ans = await self.http.rpc("claim", "/v3/kv/txn", {
                "compare": [{"key": key, "target": "VERSION", "result": "GREATER", "version": "0"}],
                "success": [{"request_delete_range": {"key": key}},
                            {"request_put": {"key": _b64("c/" + task_id), "value": self.value,
                                             "lease": self.lease}}]})
            if ans.get("succeeded"):
                return Claimed(task_id, int(ans["header"]["revision"]))
            self.retries += 1

    async def reserve(self, symbols: list[str]) -> Lease:
        await self._keep_alive()
        compare: list[dict[str, Any]] = []
        puts: list[str] = []
        for sym in symbols:
            compare.append({"key": _b64("x/" + sym), "target": "CREATE", "create_revision": "0"})
            compare.append({"key": _b64(f"s/{sym}\x00"), "range_end": _prefix_end(f"s/{sym}\x00"),
                            "target": "CREATE", "create_revision": "0"})
            puts.append("x/" + sym)
            for outer in _scopes(sym):
                compare.append({"key": _b64("x/" + outer), "target": "CREATE",
                                "create_revision": "0"})
                puts.append(f"s/{outer}\x00{self.lease}")
        puts = list(dict.fromkeys(puts))
        ans = await self.http.rpc("reserve", "/v3/kv/txn", {
            "compare": compare,
            "success": [{"request_put": {"key": _b64(k), "value": self.value, "lease": self.lease}}
                        for k in puts]})
        if not ans.get("succeeded"):
            raise Refused(symbols[0])
        return Lease(puts, int(ans["header"]["revision"]), symbols)

    async def renew(self) -> None:
        await self.http.rpc("renew", "/v3/lease/keepalive", {"ID": self.lease})
        self.renewed = time.monotonic()

    async def release(self, lease: Lease) -> bool:
        keys: list[str] = lease.handle
        ans = await self.http.rpc("release", "/v3/kv/txn", {
            "compare": [{"key": _b64(k), "target": "CREATE", "create_revision": str(lease.token)}
                        for k in keys if k.startswith("x/")],
            "success": [{"request_delete_range": {"key": _b64(k)}} for k in keys]})
        return bool(ans.get("succeeded"))

    async def complete(self, task: Claimed, token: int) -> bool:
        ckey = _b64("c/" + task.task_id)
        ans = await self.http.rpc("complete", "/v3/kv/txn", {
            "compare": [{"key": ckey, "target": "CREATE", "create_revision": str(token)}],
            "success": [{"request_delete_range": {"key": ckey}},
                        {"request_put": {"key": _b64("d/" + task.task_id), "value": self.value}}]})
        return bool(ans.get("succeeded"))

    async def finish(self, task: Claimed, token: int, lease: Lease) -> tuple[bool, bool]:
        keys: list[str] = lease.handle
        ckey = _b64("c/" + task.task_id)
        ans = await self.http.rpc("finish", "/v3/kv/txn", {
            "compare": [{"key": ckey, "target": "CREATE", "create_revision": str(token)}],
            "success": [
                {"request_delete_range": {"key": ckey}},
                {"request_put": {"key": _b64("d/" + task.task_id), "value": self.value}},
                {"request_txn": {  # the release, nested: its refusal keeps the completion
                    "compare": [{"key": _b64(k), "target": "CREATE",
                                 "create_revision": str(lease.token)}
                                for k in keys if k.startswith("x/")],
                    "success": [{"request_delete_range": {"key": _b64(k)}} for k in keys]}}]})
        if not ans.get("succeeded"):
            return False, False
        inner = ans["responses"][2]["response_txn"]
        return True, bool(inner.get("succeeded"))

    async def stop(self) -> None:
        await self.http.rpc("revoke", "/v3/lease/revoke", {"ID": self.lease})


class Etcd(System):
    name = "etcd"

    def start(self) -> None:
        client, peer = free_port(), free_port()
        self.url = f"http://127.0.0.1:{client}"
        self.log = open(self.work / "etcd.log", "wb")
        self.proc = subprocess.Popen(
            ["etcd", "--name", "bench", "--data-dir", str(self.work / "etcd-data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", f"http://127.0.0.1:{peer}",
             "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
             "--initial-cluster", f"bench=http://127.0.0.1:{peer}",
             "--log-level", "error"],
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        from muse.core.coord_bus import hub_request

        deadline = time.monotonic() + 30
        while True:
            try:
                hub_request("GET", self.url + "/health")
                return
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"etcd did not start: see {self.work}/etcd.log") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()

    def server_pids(self) -> list[int]:
        return [self.proc.pid]

    async def load(self, ids: list[str], n_tasks: int) -> None:
        self.http = EtcdHTTP(self.url, self.args.conns)
        for s in range(0, len(ids), 100):  # etcd caps a transaction at 128 operations
            await self.http.rpc("load", "/v3/kv/txn", {"success": [
                {"request_put": {"key": _b64("q/" + t), "value": _b64("task")}}
                for t in ids[s:s + 100]]})

    def http_clients(self) -> list[AsyncHub]:
        return [self.http]

    def agent(self, i: int, run_id: str) -> Agent:
        return EtcdAgent(self.http, run_id, self.args.etcd_window, random.Random(run_id))

    async def close(self) -> None:
        await self.http.close()


# ── Muse Coord through hubs (the swarm's AsyncHub: msgpack, signed) ──────────
def _raise_for(verb: str, status: int, answer: Any) -> None:
    raise RuntimeError(f"hub {verb}: HTTP {status} {answer!r}")


class MuseHubAgent:
    """The live verbs as an agent sends them: the one hub client's call builders
    (``muse.core.client.hub_client``) over the swarm's ``AsyncHub``."""

    def __init__(self, hub: AsyncHub, run_id: str) -> None:
        self.hub, self.run_id = hub, run_id

    async def start(self) -> None:
        return None

    async def claim(self) -> Claimed | None:
        status, ans = await self.hub.send(claim_call(self.run_id, TTL))
        if status != 200:
            _raise_for("claim", status, ans)
        if ans["task"] is None:
            return None
        return Claimed(ans["task"]["task_id"], int(ans["token"]))

    async def reserve(self, symbols: list[str]) -> Lease:
        status, ans = await self.hub.send(reserve_call(self.run_id, symbols, TTL, strict=True))
        if status == 409 and isinstance(ans, dict) and ans.get("error") == "conflict":
            raise Refused(symbols[0])
        if status != 200:
            _raise_for("reserve", status, ans)
        return Lease(ans["reservation_id"], int(ans["token"]), symbols)

    async def renew(self) -> None:
        status, ans = await self.hub.send(heartbeat_call(self.run_id, TTL))
        if status != 200:
            _raise_for("heartbeat", status, ans)

    async def release(self, lease: Lease) -> bool:
        status, ans = await self.hub.send(release_call(lease.handle, self.run_id, lease.token))
        if status == 409 and isinstance(ans, dict) and ans.get("error") == "stale_token":
            return False
        if status != 200:
            _raise_for("release", status, ans)
        return True

    async def complete(self, task: Claimed, token: int) -> bool:
        status, ans = await self.hub.send(finish_call("complete", task.task_id, self.run_id, token))
        if status == 409 and isinstance(ans, dict) and ans.get("error") == "stale_token":
            return False
        if status != 200:
            _raise_for("complete", status, ans)
        return True

    async def finish(self, task: Claimed, token: int, lease: Lease) -> tuple[bool, bool]:
        status, ans = await self.hub.send(finish_call(
            "complete", task.task_id, self.run_id, token, release=[(lease.handle, lease.token)]))
        if status == 409 and isinstance(ans, dict) and ans.get("error") == "stale_token":
            return False, False
        if status != 200:
            _raise_for("complete", status, ans)
        return True, bool(ans["released"][0]["released"])

    async def stop(self) -> None:
        return None


class MuseHubs(System):
    """``hubs`` Muse hub processes on one database; agents split between them."""

    def __init__(self, args: argparse.Namespace, work: pathlib.Path, name: str) -> None:
        super().__init__(args, work)
        self.name = name
        self.n_hubs = 2 if name == "pg2" else 1
        self.schema: str | None = None
        self.app = f"musebench_{uuid.uuid4().hex[:8]}"

    def start(self) -> None:
        from bench_hub import Hub, new_repo, setup_identity

        if self.name == "sqlite":
            db, extra = str(self.work / "hub.sqlite3"), []
        else:
            self.schema = f"bench_agents_{uuid.uuid4().hex[:8]}"
            sep = "&" if "?" in self.args.dsn else "?"
            db = f"{self.args.dsn}{sep}application_name={self.app}"
            extra = ["--pg-schema", self.schema]
            if self.args.pg_pool_size:
                extra += ["--pg-pool-size", str(self.args.pg_pool_size)]
        # Started one after the other: the first creates the schema.
        self.hubs = [Hub(self.work / f"hub{i}", db, *extra) for i in range(self.n_hubs)]
        self.ident = setup_identity(self.hubs[0], self.work)
        self.slug = new_repo(self.hubs[0], self.ident)

    def stop(self) -> None:
        for h in self.hubs:
            h.stop()
        if self.schema is not None:
            import psycopg

            with psycopg.connect(self.args.dsn, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    def _pg_backends(self) -> list[int]:
        if self.schema is None:
            return []
        import psycopg

        with psycopg.connect(self.args.dsn, autocommit=True) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name=%s",
                                (self.app,)).fetchall()
        return [int(r[0]) for r in rows]

    def server_pids(self) -> list[int]:
        return [h.proc.pid for h in self.hubs] + self._pg_backends()

    def cpu_split(self) -> tuple[float, float]:
        hubs = sum(proc_cpu(h.proc.pid) for h in self.hubs)
        return hubs, sum(proc_cpu(p) for p in self._pg_backends())

    def peak_rss(self) -> int:
        return sum(proc_hwm(h.proc.pid) for h in self.hubs)

    async def load(self, ids: list[str], n_tasks: int) -> None:
        per = max(1, self.args.conns // self.n_hubs)
        self.clients = [AsyncHub(h.url, self.ident.handle, self.slug, connections=per,
                                 signing=self.ident) for h in self.hubs]
        for s in range(0, len(ids), 500):
            tasks = [{"task_id": t, "description": "bench",
                      "symbols": symbols_of(int(t[1:]), n_tasks)} for t in ids[s:s + 500]]
            status, ans = await self.clients[0].send(enqueue_call(tasks))
            if status != 200:
                _raise_for("tasks", status, ans)

    def http_clients(self) -> list[AsyncHub]:
        return list(self.clients)

    def agent(self, i: int, run_id: str) -> Agent:
        return MuseHubAgent(self.clients[i % len(self.clients)], run_id)

    async def close(self) -> None:
        for c in self.clients:
            await c.close()


# ── Muse Coord local files (the in-process API, blocking, in threads) ────────
class MuseLocalAgent:
    """The :class:`~muse.core.coord.coordinator.Coordinator` of the record files, called
    from worker threads (it blocks)."""

    def __init__(self, coord: Any, run_id: str,
                 pool: concurrent.futures.ThreadPoolExecutor) -> None:
        self.coord, self.run_id, self.pool = coord, run_id, pool

    def _run(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Awaitable[Any]:
        return asyncio.get_running_loop().run_in_executor(self.pool, lambda: fn(*args, **kw))

    async def start(self) -> None:
        return None

    async def claim(self) -> Claimed | None:
        got = await self._run(self.coord.claim, self.run_id, ttl=TTL)
        return Claimed(got.data["task_id"], int(got.data["token"])) if got.won else None

    async def reserve(self, symbols: list[str]) -> Lease:
        from muse.core.vocab.errors import ConflictError

        try:
            res = await self._run(self.coord.reserve, self.run_id, symbols, ttl=TTL, strict=True)
        except ConflictError:
            raise Refused(symbols[0]) from None
        return Lease(res.data["reservation_id"], int(res.data["token"]), symbols)

    async def renew(self) -> None:
        await self._run(self.coord.heartbeat, self.run_id, ttl=TTL)

    async def release(self, lease: Lease) -> bool:
        from muse.core.vocab.errors import StaleToken

        try:
            await self._run(self.coord.release, lease.handle, self.run_id, token=lease.token)
        except StaleToken:
            return False
        return True

    async def complete(self, task: Claimed, token: int) -> bool:
        from muse.core.vocab.errors import StaleToken

        try:
            await self._run(self.coord.complete, task.task_id, self.run_id, token=token)
        except StaleToken:
            return False
        return True

    async def finish(self, task: Claimed, token: int, lease: Lease) -> tuple[bool, bool]:
        from muse.core.vocab.errors import StaleToken

        try:
            got = await self._run(self.coord.complete, task.task_id, self.run_id, token=token,
                                  release=[(lease.handle, lease.token)])
        except StaleToken:
            return False, False
        return True, bool(got["released"][0]["released"])

    async def stop(self) -> None:
        return None


class MuseLocal(System):
    name = "local"

    def start(self) -> None:
        from muse.cli.commands.init import init_repo

        self.root = self.work / "repo"
        self.root.mkdir()
        init_repo(self.root)
        from muse.core.coord.coordinator import LocalCoordinator

        self.coord = LocalCoordinator(self.root)  # stateless: one for every thread
        self.pool = concurrent.futures.ThreadPoolExecutor(self.args.local_threads)

    def stop(self) -> None:
        self.pool.shutdown()

    def server_pids(self) -> list[int]:
        return [os.getpid()]  # client and "server" are this process

    def peak_rss(self) -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    async def load(self, ids: list[str], n_tasks: int) -> None:
        for t in ids:
            self.coord.enqueue("bench", task_id=t, symbols=symbols_of(int(t[1:]), n_tasks))

    def agent(self, i: int, run_id: str) -> Agent:
        return MuseLocalAgent(self.coord, run_id, self.pool)


def make_system(name: str, args: argparse.Namespace, work: pathlib.Path) -> System:
    if name == "etcd":
        return Etcd(args, work)
    if name == "local":
        return MuseLocal(args, work)
    return MuseHubs(args, work, name)


# ── one run ───────────────────────────────────────────────────────────────────
def _pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


async def _run_async(system: System, n_agents: int, led: Ledger,
                     batch: bool = False) -> dict[str, Any]:
    n_tasks = 5 * n_agents
    ids = task_ids(n_tasks)
    await system.load(ids, n_tasks)
    tag = uuid.uuid4().hex[:6]
    agents = [(system.agent(i, f"a{tag}-{i:05d}"), f"a{tag}-{i:05d}") for i in range(n_agents)]
    for client in system.http_clients():
        client.sink = led.count_http
    cpu0 = system.cpu_seconds()
    split0 = system.cpu_split() if isinstance(system, MuseHubs) else None
    t0 = time.perf_counter()
    await asyncio.gather(*(run_agent(a, run, n_tasks, led, random.Random(run), batch)
                           for a, run in agents))
    elapsed = time.perf_counter() - t0
    out: dict[str, Any] = {"elapsed": elapsed, "cpu": system.cpu_seconds() - cpu0,
                           "rss": system.peak_rss()}
    if split0 is not None and isinstance(system, MuseHubs):
        split1 = system.cpu_split()
        out["cpu_hubs"], out["cpu_db"] = split1[0] - split0[0], split1[1] - split0[1]
    await system.close()
    lost = [t for t in ids if t not in led.completed]
    out.update(
        tasks_per_s=n_tasks / elapsed, requests=sum(len(v) for v in led.lat.values()),
        http_requests=led.http,
        latency={v: {"p50": _pct(led.lat[v], 0.5), "p99": _pct(led.lat[v], 0.99),
                     "n": len(led.lat[v])} for v in VERBS if led.lat.get(v)},
        double_claims=led.double_claims(), double_holders=led.double_holders(),
        lost=len(lost), refusals=led.refusals, claim_retries=led.claim_retries,
        takeovers=led.takeovers(), lapsed=led.lapsed,
        stale_sent=led.stale_sent, stale_refused=led.stale_refused)
    return out


def run_once(name: str, n_agents: int, args: argparse.Namespace) -> dict[str, Any]:
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"bench-agents-{name}-"))
    system = make_system(name, args, work)
    system.start()
    try:
        return asyncio.run(_run_async(system, n_agents, Ledger(), bool(args.batch)))
    finally:
        system.stop()
        shutil.rmtree(work, ignore_errors=True)


# ── report ────────────────────────────────────────────────────────────────────
def _med(runs: list[dict[str, Any]], key: str) -> tuple[float, float, float]:
    vals = [r[key] for r in runs]
    return statistics.median(vals), min(vals), max(vals)


def _per_request(runs: list[dict[str, Any]]) -> str:
    counted = [1000 * r["cpu"] / r["http_requests"] for r in runs if r.get("http_requests")]
    return f"{statistics.median(counted):.2f}" if counted else "—"


def report(results: dict[int, dict[str, list[dict[str, Any]]]]) -> str:
    lines: list[str] = []
    for n, by_sys in results.items():
        lines.append(f"\n### N = {n} agents, {5 * n} tasks\n")
        base = statistics.median(r["tasks_per_s"] for r in by_sys["etcd"]) if by_sys.get("etcd") else None
        lines.append("| system | tasks/s median (min–max) | × etcd | server CPU s | CPU ms/task"
                     " | CPU ms/HTTP request"
                     " | peak RSS MB | refusals | lapsed / takeovers | double claims | double holders"
                     " | lost | stale refused |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for name, runs in by_sys.items():
            if not runs:
                continue
            med, lo, hi = _med(runs, "tasks_per_s")
            cpu = statistics.median(r["cpu"] for r in runs)
            split = ""
            if name.startswith("pg"):
                split = (f" (hub {statistics.median(r['cpu_hubs'] for r in runs):.1f}"
                         f" + pg {statistics.median(r['cpu_db'] for r in runs):.1f})")
            ratio = f"{med / base:.2f}" if base else "—"
            lines.append(
                f"| {name} | {med:.0f} ({lo:.0f}–{hi:.0f}) | {ratio} | {cpu:.1f}{split}"
                f" | {1000 * cpu / (5 * n):.2f}"
                f" | {_per_request(runs)}"
                f" | {statistics.median(r['rss'] for r in runs) / 2**20:.0f}{'*' if name == 'local' else ''}"
                f" | {statistics.median(r['refusals'] for r in runs):.0f}"
                f" | {sum(r.get('lapsed', 0) for r in runs)} / {sum(r.get('takeovers', 0) for r in runs)}"
                f" | {sum(r['double_claims'] for r in runs)} | {sum(r['double_holders'] for r in runs)}"
                f" | {sum(r['lost'] for r in runs)}"
                f" | {sum(r['stale_refused'] for r in runs)}/{sum(r['stale_sent'] for r in runs)} |")
        lines.append("\nLatency per verb, ms (p50 / p99, median over runs; includes the wait for"
                     " a free connection or thread):\n")
        verbs = [v for v in VERBS if any(v in r["latency"] for rs in by_sys.values() for r in rs)]
        lines.append("| system | " + " | ".join(verbs) + " |")
        lines.append("|---|" + "---|" * len(verbs))
        for name, runs in by_sys.items():
            if not runs:
                continue
            cells = []
            for v in verbs:
                if v not in runs[0]["latency"]:
                    cells.append("—")
                    continue
                p50 = statistics.median(r["latency"][v]["p50"] for r in runs) * 1000
                p99 = statistics.median(r["latency"][v]["p99"] for r in runs) * 1000
                # grant/revoke are no-ops for Muse (its leases start with the claim)
                cells.append(f"{p50:.1f} / {p99:.0f}" if p99 >= 0.05 else "—")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agents", type=int, nargs="+", default=[50], help="N values (default 50)")
    p.add_argument("--runs", type=int, default=3, help="repetitions per system and N (default 3)")
    p.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    p.add_argument("--connections", dest="conns", type=int, default=64,
                   help="sockets (requests in flight) per system, split across hubs (default 64)")
    p.add_argument("--local-threads", type=int, default=8,
                   help="threads calling the local API (default 8)")
    p.add_argument("--local-max-agents", type=int, default=500,
                   help="skip local mode above this N (default 500)")
    p.add_argument("--etcd-window", type=int, default=128,
                   help="ready keys an etcd agent ranges over to pick one (default 128)")
    p.add_argument("--pg-pool-size", type=int, default=0, help="--pg-pool-size per hub (default: hub's)")
    p.add_argument("--dsn", default=os.environ.get("MUSE_TEST_PG_DSN", DEFAULT_DSN))
    p.add_argument("--batch", action="store_true",
                   help="release + complete as one request in every system (Muse: complete with"
                        " release; etcd: one Txn with the release nested)")
    p.add_argument("--json", type=pathlib.Path, help="write every run's figures here")
    args = p.parse_args()
    if "etcd" in args.systems and shutil.which("etcd") is None:
        p.error("etcd not found: apt-get install -y etcd-server (or leave it out of --systems)")
    results: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for n in args.agents:
        results[n] = {s: [] for s in args.systems}
        for rep in range(args.runs):
            for name in args.systems:
                if name == "local" and n > args.local_max_agents:
                    continue
                r = run_once(name, n, args)
                results[n][name].append(r)
                print(f"N={n} run {rep + 1}/{args.runs} {name:6s} {r['tasks_per_s']:7.1f} tasks/s"
                      f"  cpu {r['cpu']:6.1f}s  refusals {r['refusals']}  claim retries {r['claim_retries']}"
                      f"  lapsed {r['lapsed']}  takeovers {r['takeovers']}"
                      f"  double claims"
                      f" {r['double_claims']}  double holders {r['double_holders']}  lost {r['lost']}"
                      f"  stale {r['stale_refused']}/{r['stale_sent']}", file=sys.stderr, flush=True)
                if args.json:
                    args.json.write_text(json.dumps({str(k): v for k, v in results.items()},
                                                    indent=1))
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
