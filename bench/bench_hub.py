"""Hub benchmarks: push and pull through a real hub process on loopback, next to
the database's own speed measured in the same run.

For each backend (SQLite file, PostgreSQL) it starts ``python -m muse hub serve
--port 0``, registers an identity, and times:

* push        — ``push_to_hub`` of N records in batches of 500 (signed, msgpack,
                one keep-alive connection) into a fresh repository
* re-push     — the same N again (all skipped: the idempotent retry path)
* pull/500    — ``pull_from_hub`` pages of 500 (the CLI default) until the end
* pull/5000   — the same with pages of 5,000 (the hub's cap)
* raw insert  — ``executemany`` of the same rows into a bare table in the same
                database, one transaction (the baseline for push)
* raw select  — ``SELECT body … ORDER BY seq`` of those rows (baseline for pull)

and, without a hub, the serialisation cost of one 500-record push batch and
the parse cost of one 1,000-record pull page (msgspec next to json).
Each figure is the median of ``--repeat`` runs after a warm-up (min–max shown).

    python bench/bench_hub.py                        # 15,000 records, SQLite
    python bench/bench_hub.py --records 150000 --backend both
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

import msgspec
import orjson

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from muse.core.coord_bus import MAX_PUSH_BATCH, hub_request, pull_from_hub, push_to_hub
from muse.core.transport import HTTPTransport, SigningIdentity
from muse.hub.process import HubProcess

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"
FUT = "2099-12-31T23:59:59+00:00"


def make_records(n: int, tag: str = "") -> list[dict[str, Any]]:
    """Reservation bus records shaped like the kernel scenario (~230 bytes each)."""
    out = []
    for i in range(n):
        rid = f"reservation-{tag}{i:07d}"
        run = f"agent-{i % 7000:04d}"
        out.append({"kind": "reservation", "record_id": rid, "run_id": run, "expires_at": FUT,
                    "payload": {"reservation_id": rid, "run_id": run, "expires_at": FUT,
                                "symbols": [f"kernel/subsys_{i % 50}/file_{i % 3000}.c::func_{i}"],
                                "operation": "modify"}})
    return out


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def summary(times: list[float]) -> tuple[float, float, float]:
    return statistics.median(times), min(times), max(times)


class Hub(HubProcess):
    """The benchmarked hub: a clean environment with its own HOME."""

    def __init__(self, workdir: pathlib.Path, db: str, *extra: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MUSE_")}
        env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        env["HOME"] = str(workdir)
        super().__init__(workdir, db, *extra, env=env)


def setup_identity(hub: Hub, workdir: pathlib.Path) -> SigningIdentity:
    from muse.core.client import signing

    handle = f"bench-{uuid.uuid4().hex[:8]}"
    key = workdir / f"{handle}.key"
    signing.write_key_pair(signing.generate_private_key(), key)
    ident = SigningIdentity.load(handle, key)
    hub_request("POST", hub.url + "/api/v1/identities",
                orjson.dumps({"handle": handle, "public_key": ident.public_key}), signing=ident,
                content_type="application/json")
    return ident


def new_repo(hub: Hub, ident: SigningIdentity) -> str:
    slug = f"r-{uuid.uuid4().hex[:8]}"
    hub_request("POST", hub.url + "/api/v1/repos",
                orjson.dumps({"owner": ident.handle, "slug": slug}), signing=ident,
                content_type="application/json")
    return slug


class RawSqlite:
    def __init__(self, path: str) -> None:
        import sqlite3

        self.conn = sqlite3.connect(path, isolation_level=None, timeout=60)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("""CREATE TABLE IF NOT EXISTS bench_raw (repo_id INTEGER, seq INTEGER,
            kind TEXT, record_id TEXT, body BLOB, PRIMARY KEY (repo_id, seq),
            UNIQUE (repo_id, kind, record_id))""")
        self.run = 0

    def insert(self, rows: list[tuple[str, str, bytes]]) -> None:
        self.run += 1
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany("INSERT INTO bench_raw VALUES (?,?,?,?,?)",
                              [(self.run, i, k, r, b) for i, (k, r, b) in enumerate(rows, 1)])
        self.conn.execute("COMMIT")

    def select(self) -> int:
        return len(self.conn.execute("SELECT body FROM bench_raw WHERE repo_id=? ORDER BY seq",
                                     (self.run,)).fetchall())

    def close(self) -> None:
        self.conn.close()


class RawPostgres:
    def __init__(self, dsn: str, schema: str) -> None:
        import psycopg

        self.conn = psycopg.connect(dsn)
        self.conn.execute(f'SET search_path TO "{schema}"')
        self.conn.execute("""CREATE TABLE IF NOT EXISTS bench_raw (repo_id BIGINT, seq BIGINT,
            kind TEXT, record_id TEXT, body BYTEA, PRIMARY KEY (repo_id, seq),
            UNIQUE (repo_id, kind, record_id))""")
        self.conn.commit()
        self.run = 0

    def insert(self, rows: list[tuple[str, str, bytes]]) -> None:
        self.run += 1
        with self.conn.cursor() as cur:
            cur.executemany("INSERT INTO bench_raw VALUES (%s,%s,%s,%s,%s)",
                            [(self.run, i, k, r, b) for i, (k, r, b) in enumerate(rows, 1)])
        self.conn.commit()

    def select(self) -> int:
        n = len(self.conn.execute("SELECT body FROM bench_raw WHERE repo_id=%s ORDER BY seq",
                                  (self.run,)).fetchall())
        self.conn.commit()
        return n

    def close(self) -> None:
        self.conn.close()


def bench_backend(name: str, n: int, repeat: int, dsn: str) -> dict[str, Any]:
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"bench-hub-{name}-"))
    schema = None
    if name == "sqlite":
        db = str(work / "hub.sqlite3")
        hub = Hub(work, db)
        raw: RawSqlite | RawPostgres = RawSqlite(db)
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        hub = Hub(work, dsn, "--pg-schema", schema)
        raw = RawPostgres(dsn, schema)
    tx = HTTPTransport()
    enc = msgspec.msgpack.Encoder().encode
    try:
        ident = setup_identity(hub, work)
        records = make_records(n)
        rows = [(r["kind"], r["record_id"], enc(r)) for r in records]
        batches = [records[i:i + MAX_PUSH_BATCH] for i in range(0, n, MAX_PUSH_BATCH)]
        # warm-up: a small push/pull and a small raw insert
        warm = new_repo(hub, ident)
        push_to_hub(hub.url, ident.handle, warm, make_records(500, "w"), signing=ident, transport=tx)
        pull_from_hub(hub.url, ident.handle, warm, signing=ident, transport=tx)
        raw.insert(rows[:500])

        res: dict[str, list[float]] = {k: [] for k in
                                       ("push", "repush", "pull500", "pull5000", "raw_insert",
                                        "raw_select")}
        for _ in range(repeat):
            slug = new_repo(hub, ident)

            def push(slug: str = slug) -> None:
                for b in batches:
                    push_to_hub(hub.url, ident.handle, slug, b, signing=ident, transport=tx)

            def pull(limit: int, slug: str = slug) -> None:
                cursor, got = 0, 0
                while True:
                    page = pull_from_hub(hub.url, ident.handle, slug, since_id=cursor,
                                         limit=limit, signing=ident, transport=tx)
                    got += len(page["records"])
                    cursor = page["cursor"]
                    if not page["has_more"]:
                        break
                assert got == n, got

            # alternate ours and the baseline within each round
            res["raw_insert"].append(timed(lambda: raw.insert(rows)))
            res["push"].append(timed(push))
            res["repush"].append(timed(push))
            res["raw_select"].append(timed(raw.select))
            res["pull500"].append(timed(lambda: pull(500)))
            res["pull5000"].append(timed(lambda: pull(5000)))
        assert len(tx._all) == 1, "one keep-alive connection expected"
        return {k: summary(v) for k, v in res.items()}
    finally:
        tx.close()
        raw.close()
        hub.stop()
        if schema is not None:
            import psycopg

            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def bench_codec(repeat: int) -> dict[str, tuple[float, float, float]]:
    batch = make_records(500)
    page = make_records(1000)
    page_msgpack = msgspec.msgpack.encode({"records": page, "cursor": 1000, "has_more": True})
    page_json = json.dumps({"records": page, "cursor": 1000, "has_more": True}).encode()
    reps = max(repeat, 5)
    inner = 20
    out: dict[str, list[float]] = {k: [] for k in ("encode_msgpack", "encode_json", "decode_msgpack",
                                                    "decode_json")}
    for _ in range(reps):
        out["encode_msgpack"].append(timed(lambda: [msgspec.msgpack.encode({"records": batch})
                                                    for _ in range(inner)]) / inner)
        out["encode_json"].append(timed(lambda: [json.dumps({"records": batch}).encode()
                                                 for _ in range(inner)]) / inner)
        out["decode_msgpack"].append(timed(lambda: [msgspec.msgpack.decode(page_msgpack)
                                                    for _ in range(inner)]) / inner)
        out["decode_json"].append(timed(lambda: [json.loads(page_json)
                                                 for _ in range(inner)]) / inner)
    sizes = {"batch_msgpack_bytes": len(msgspec.msgpack.encode({"records": batch})),
             "page_msgpack_bytes": len(page_msgpack)}
    print(f"  500-record batch: {sizes['batch_msgpack_bytes']:,} bytes msgpack; "
          f"1,000-record page: {sizes['page_msgpack_bytes']:,} bytes")
    return {k: summary(v) for k, v in out.items()}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--records", type=int, default=15_000, help="records pushed and pulled (default 15000)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per figure (default 3)")
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    p.add_argument("--dsn", default=os.environ.get("MUSE_TEST_PG_DSN") or DEFAULT_DSN,
                   help="PostgreSQL DSN for --backend postgres/both")
    p.add_argument("--json", dest="json_out", action="store_true", help="print the figures as JSON")
    args = p.parse_args()
    n = args.records
    report: dict[str, Any] = {"records": n, "repeat": args.repeat}

    print("codec (no hub):")
    codec = bench_codec(args.repeat)
    report["codec"] = codec
    em, ej = codec["encode_msgpack"][0], codec["encode_json"][0]
    dm, dj = codec["decode_msgpack"][0], codec["decode_json"][0]
    print(f"  serialise 500-record push batch: msgspec {em * 1e3:.2f} ms ({em / 500 * 1e6:.2f} µs/rec)"
          f", json.dumps {ej * 1e3:.2f} ms  → {ej / em:.1f}x")
    print(f"  parse 1,000-record pull page:    msgspec {dm * 1e3:.2f} ms ({dm / 1000 * 1e6:.2f} µs/rec)"
          f", json.loads {dj * 1e3:.2f} ms  → {dj / dm:.1f}x")

    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for name in backends:
        print(f"\n{name}: {n:,} records, median of {args.repeat} (min–max)")
        r = bench_backend(name, n, args.repeat, args.dsn)
        report[name] = r

        def line(label: str, key: str, base: str | None = None,
                 r: dict[str, Any] = r) -> None:
            med, lo, hi = r[key]
            text = f"  {label:<28}{med:8.3f} s  ({lo:.3f}–{hi:.3f})  {n / med:>10,.0f} rec/s"
            if base is not None:
                text += f"   ratio vs {base}: {r[base][0] / med:.2f}  ({med / r[base][0]:.1f}x slower)"
            print(text)

        line("raw executemany insert", "raw_insert")
        line("push via hub (500/batch)", "push", "raw_insert")
        line("re-push (all skipped)", "repush", "raw_insert")
        line("raw select", "raw_select")
        line("pull via hub (500/page)", "pull500", "raw_select")
        line("pull via hub (5000/page)", "pull5000", "raw_select")
    if args.json_out:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
