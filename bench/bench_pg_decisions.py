"""Live decisions per second on the PostgreSQL store, 1 connection against many.

In-process on :class:`~muse.storage.postgres.PostgresStore` (no HTTP, no
signatures): each thread is one agent with its own pooled connection, looping
over the workload's decisions — claim, strict reserve of two symbols of its
own (no conflicts: only the database's contention is measured), heartbeat,
release, complete — each in its own ``live_transaction``. Next to it, the
database's own speed in the same run: ``raw``, one small ``INSERT`` + ``COMMIT``
per transaction on a bare table, the same number of connections (what
PostgreSQL does with that many concurrent committers on this machine).

It also samples ``pg_stat_activity`` of its own connections every 5 ms during
the concurrent runs (what the backends are waiting for) and, with one
connection, times every SQL statement a decision runs.

    python bench/bench_pg_decisions.py                    # 1 and 8 connections, 3 rounds of 4 s
    python bench/bench_pg_decisions.py --conns 1 2 4 8 16 --seconds 6
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from muse.hub import lessor as live
from muse.storage.postgres import PostgresStore, _LiveTx

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"
TTL = 60.0


def _with_app(dsn: str, app: str) -> str:
    return f"{dsn}{'&' if '?' in dsn else '?'}application_name={app}"


class Sampler(threading.Thread):
    """Counts (state, wait event) of the backends named *app* every 5 ms."""

    def __init__(self, dsn: str, app: str) -> None:
        super().__init__(daemon=True)
        self.dsn, self.app = dsn, app
        self.counts: collections.Counter[str] = collections.Counter()
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self.stop.is_set():
                for state, wtype, wevent in conn.execute(
                        "SELECT state, wait_event_type, wait_event FROM pg_stat_activity"
                        " WHERE application_name=%s", (self.app,)).fetchall():
                    if state == "active":
                        self.counts[f"{wtype}:{wevent}" if wtype else "running (CPU)"] += 1
                    else:
                        self.counts[str(state)] += 1
                time.sleep(0.005)


def _drive(n_threads: int, seconds: float, body: Any) -> float:
    """Run *body(i, stop)* on *n_threads* threads for *seconds*; decisions per second."""
    stop = threading.Event()
    counts = [0] * n_threads

    def work(i: int) -> None:
        counts[i] = body(i, stop)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - t0)


def raw_rate(dsn: str, schema: str, n: int, seconds: float) -> float:
    conns = [psycopg.connect(dsn, autocommit=True) for _ in range(n)]
    for c in conns:
        c.execute(f'SET search_path TO "{schema}"')

    def body(i: int, stop: threading.Event) -> int:
        done = 0
        while not stop.is_set():
            with conns[i].transaction():
                conns[i].execute("INSERT INTO raw_commits (who, at) VALUES (%s, %s)",
                                 (i, time.time()))
            done += 1
        return done

    try:
        return _drive(n, seconds, body)
    finally:
        for c in conns:
            c.close()


class Muse:
    """A fresh repository with a full queue on the store."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store
        slug = f"dec-{uuid.uuid4().hex[:8]}"
        store.create_repo("bench", slug, "bench", False, time.time())
        repo = store.get_repo("bench", slug)
        assert repo is not None
        self.rid = repo.id
        self.next_task = 0

    def call(self, fn: Any, *args: Any) -> Any:
        with self.store.live_transaction(self.rid) as tx:
            return fn(tx, time.time(), *args)

    def fill(self, n: int) -> None:
        for s in range(0, n, 500):
            self.call(live.enqueue, "bench",
                      [live.TaskSpec(f"t{self.next_task + i:07d}") for i in range(min(500, n - s))])
            self.next_task += min(500, n - s)

    def cycle(self, run: str, k: int) -> int:
        """One task's decisions; returns how many were taken (5)."""
        got = self.call(live.claim, "bench", run, TTL, None)
        assert got["task"] is not None, "queue ran dry: raise --tasks"
        res = self.call(live.reserve, "bench", run, [f"src/{run}/m{k}.py::f", f"src/{run}/m{k}.py::g"],
                        TTL, "strict")
        self.call(live.heartbeat, "bench", run, TTL)
        self.call(live.release, "bench", res["reservation_id"], run, res["token"])
        self.call(live.finish, "bench", got["task"]["task_id"], run, got["token"], "completed", "")
        return 5


def muse_rate(m: Muse, n: int, seconds: float) -> float:
    tag = uuid.uuid4().hex[:6]

    def body(i: int, stop: threading.Event) -> int:
        done, k = 0, 0
        while not stop.is_set():
            done += m.cycle(f"r{tag}-{i}", k)
            k += 1
        return done

    return _drive(n, seconds, body)


def statement_profile(m: Muse, cycles: int) -> list[tuple[str, float, float]]:
    """(what, count per task, ms per task) with one connection.

    A decision's statements wait in the transaction until a result is read,
    then go in one round trip (``_LiveTx.flush``): each round trip is listed
    by the statements it carried (``BEGIN``/``COMMIT`` included).
    """
    spent: dict[str, list[float]] = collections.defaultdict(list)
    orig_flush = _LiveTx.flush

    def flush(self: _LiveTx, last: str | None = None) -> None:
        sent = [" ".join(q.split())[:28] for q, _, _ in self._waiting] + ([last] if last else [])
        t0 = time.perf_counter()
        try:
            orig_flush(self, last)
        finally:
            if sent:
                spent["; ".join(sent)[:100]].append(time.perf_counter() - t0)

    _LiveTx.flush = flush  # type: ignore[method-assign]
    try:
        t0 = time.perf_counter()
        for k in range(cycles):
            m.cycle("profile", k)
        total = time.perf_counter() - t0
    finally:
        _LiveTx.flush = orig_flush  # type: ignore[method-assign]
    rows = [(k, len(v) / cycles, 1000 * sum(v) / cycles) for k, v in spent.items()]
    rows.sort(key=lambda r: -r[2])
    trips = sum(len(v) for v in spent.values()) / cycles
    rows.append((f"(whole task: 5 transactions, {trips:.1f} round trips, Python included)", 5,
                 1000 * total / cycles))
    return rows


def cpu_split(m: Muse, dsn: str, app: str, cycles: int) -> tuple[float, float, float] | None:
    """(wall, this process's CPU, its backends' CPU) in ms per decision with one
    thread (the store's backends: the pool's, whichever serves, and the
    numberer's); None when their /proc entries cannot be read (a remote server)."""
    hz = os.sysconf("SC_CLK_TCK")

    def backends_cpu() -> float:
        with psycopg.connect(dsn, autocommit=True) as conn:
            pids = [int(r[0]) for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name=%s", (app,)).fetchall()]
        total = 0.0
        for pid in pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / hz
        return total

    try:
        b0 = backends_cpu()
    except OSError:
        return None
    c0, t0 = time.process_time(), time.perf_counter()
    for k in range(cycles):
        m.cycle("cpu", k)
    n = 5 * cycles
    wall, own = time.perf_counter() - t0, time.process_time() - c0
    return 1000 * wall / n, 1000 * own / n, 1000 * (backends_cpu() - b0) / n


EXPLAINED = {
    "claim: best ready task": "SELECT task_id FROM live_tasks WHERE repo_id=%(r)s AND status='pending'"
    " AND blocked=0 ORDER BY priority DESC, created_at, task_id LIMIT 1",
    "claim: best lapsed claim": "SELECT task_id FROM live_tasks WHERE repo_id=%(r)s AND status='claimed'"
    " AND claim_expires_at<=0 ORDER BY priority DESC, created_at, task_id LIMIT 1",
    "record dup check (append_records)": "SELECT kind, record_id FROM hub_records WHERE repo_id=%(r)s"
    " AND (kind, record_id) IN (SELECT * FROM unnest(ARRAY['claim'], ARRAY['t0000001+1']))",
    "heartbeat: a run's live leases": "UPDATE live_reservations SET expires_at=expires_at"
    " WHERE repo_id=%(r)s AND run_id='profile' AND state='live' AND expires_at<1e12",
}


def explain(dsn: str, schema: str, repo_id: int) -> None:
    """EXPLAIN ANALYZE of the hot statements on the filled schema (rolled back)."""
    print("\nEXPLAIN ANALYZE on the filled schema:")
    with psycopg.connect(dsn) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute("ANALYZE")
        for name, sql in EXPLAINED.items():
            plan = [r[0] for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql,
                                               {"r": repo_id}).fetchall()]
            top = next((ln.strip() for ln in plan if "Scan" in ln), plan[0].strip())
            total = next((ln.strip() for ln in plan if ln.startswith("Execution Time")), "")
            print(f"  {name}: {top[:110]} | {total}")
        conn.rollback()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dsn", default=os.environ.get("MUSE_TEST_PG_DSN", DEFAULT_DSN))
    p.add_argument("--conns", type=int, nargs="+", default=[1, 8])
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--tasks", type=int, default=40000, help="queue size (enough for every claim)")
    args = p.parse_args()
    schema = f"bench_dec_{uuid.uuid4().hex[:8]}"
    app = f"musedec_{uuid.uuid4().hex[:6]}"
    store = PostgresStore(_with_app(args.dsn, app), schema=schema, max_size=max(args.conns) + 2)
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        conn.execute(f'CREATE TABLE "{schema}".raw_commits (id bigserial PRIMARY KEY, who int,'
                     ' at double precision)')
    try:
        m = Muse(store)
        m.fill(args.tasks)
        for k in range(20):  # warm-up
            m.cycle("warm", k)
        print("Round trips of one task's 5 decisions, 1 connection (ms per task):")
        for stmt, calls, ms in statement_profile(m, 200):
            print(f"  {ms:6.2f} ms  {calls:4.1f}x  {stmt}")
        split = cpu_split(m, args.dsn, app, 200)
        if split:
            print(f"Per decision, 1 connection: {split[0]:.3f} ms wall, {split[1]:.3f} ms CPU in"
                  f" this process (Python, psycopg), {split[2]:.3f} ms CPU in the backend")
        raw: dict[int, list[float]] = collections.defaultdict(list)
        dec: dict[int, list[float]] = collections.defaultdict(list)
        waits: collections.Counter[str] = collections.Counter()
        for _ in range(args.rounds):
            for n in args.conns:
                raw[n].append(raw_rate(args.dsn, schema, n, args.seconds))
                sampler = Sampler(args.dsn, app) if n > 1 else None
                if sampler:
                    sampler.start()
                dec[n].append(muse_rate(m, n, args.seconds))
                if sampler:
                    sampler.stop.set()
                    sampler.join()
                    if n == max(args.conns):
                        waits.update(sampler.counts)
        print("\nconnections | raw commits/s median (min–max) | Muse decisions/s median (min–max)"
              " | Muse × its 1-connection rate")
        base = statistics.median(dec[min(args.conns)])
        for n in args.conns:
            r, d = raw[n], dec[n]
            print(f"{n:11d} | {statistics.median(r):7.0f} ({min(r):.0f}–{max(r):.0f})"
                  f" | {statistics.median(d):7.0f} ({min(d):.0f}–{max(d):.0f})"
                  f" | {statistics.median(d) / base:.2f}")
        total = sum(waits.values()) or 1
        print(f"\nWhat the {max(args.conns)} backends were doing (share of 5 ms samples):")
        for what, count in waits.most_common(8):
            print(f"  {100 * count / total:5.1f} %  {what}")
        explain(args.dsn, schema, m.rid)
    finally:
        store.close()
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
