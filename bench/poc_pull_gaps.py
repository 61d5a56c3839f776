"""Proof of concept: pull cursors under concurrent commits on PostgreSQL.

The problem. If a record's sequence number is taken when it is *inserted*
(a ``bigserial``, ``nextval``) and transactions commit in another order than
they took numbers, a reader can see seq 2 before seq 1 exists for it, move its
cursor to 2, and never see 1. Today the hub avoids this by locking the
repository row for every write (numbers are taken and committed in one order),
which is exactly what stops PostgreSQL hubs from scaling.

The fix shown here keeps the integer cursor of the contract
(``pull_from_hub(since_id) -> {"records", "cursor": int}``) without any lock on
the write path:

* writers insert with ``id`` from a sequence (no lock) and stamp their
  transaction id: ``xid xid8 DEFAULT pg_current_xact_id()``; ``pos`` stays NULL;
* before reading, a puller (or any hub, under a per-repository advisory lock
  held for a few milliseconds) numbers the rows whose transaction is older than
  every transaction still running — ``xid < pg_snapshot_xmin(pg_current_snapshot())``
  — in ``(xid, id)`` order, continuing from ``max(pos)``. Such rows are final:
  no transaction below that horizon can commit anything any more;
* readers page on ``pos > cursor ORDER BY pos``.

A record becomes pullable once every transaction that started before it has
ended (milliseconds for live decisions); nothing is ever numbered below a
position a reader has already passed.

Two parts:

1. a deterministic interleaving (writer A takes id 1 and waits, writer B takes
   id 2 and commits, a reader pulls, A commits, the reader pulls again) with the
   naive cursor and with the fix;
2. a stress run: ``--writers`` threads committing small transactions with random
   think time inside, a reader pulling all the time, then a count of the
   records each scheme's reader never saw.

    python bench/poc_pull_gaps.py                   # $MUSE_TEST_PG_DSN or the default DSN
    python bench/poc_pull_gaps.py --seconds 10 --writers 4
"""

from __future__ import annotations

import argparse
import os
import random
import threading
import time
import uuid
from typing import Any

import psycopg

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"

SCHEMA = """
CREATE TABLE records (
    id   bigserial PRIMARY KEY,
    xid  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    pos  bigint UNIQUE,
    body text NOT NULL);
CREATE INDEX records_unnumbered ON records (xid, id) WHERE pos IS NULL;
"""

# Number every final row (its transaction is below the horizon), in commit-safe order.
NUMBER = """
UPDATE records r SET pos = n.base + n.rn
FROM (SELECT id, (SELECT coalesce(max(pos), 0) FROM records) AS base,
             row_number() OVER (ORDER BY xid, id) AS rn
      FROM records
      WHERE pos IS NULL AND xid < pg_snapshot_xmin(pg_current_snapshot())) n
WHERE r.id = n.id
"""


def connect(dsn: str, schema: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(dsn, autocommit=True)
    conn.execute(f'SET search_path TO "{schema}"')
    return conn


class NaiveReader:
    """Cursor on the insert-time id: skips a record committed late under a lower id."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn, self.cursor, self.seen = conn, 0, set[int]()

    def pull(self) -> list[int]:
        ids = [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM records WHERE id > %s ORDER BY id", (self.cursor,)).fetchall()]
        if ids:
            self.cursor = ids[-1]
        self.seen.update(ids)
        return ids


class HorizonReader:
    """Numbers final rows under a short advisory lock, then reads by position."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn, self.cursor, self.seen = conn, 0, set[int]()

    def pull(self) -> list[int]:
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(4242)")  # one numberer per repository
            self.conn.execute(NUMBER)
        rows = self.conn.execute("SELECT pos, id FROM records WHERE pos > %s ORDER BY pos",
                                 (self.cursor,)).fetchall()
        if rows:
            positions = [int(r[0]) for r in rows]
            assert positions == list(range(self.cursor + 1, self.cursor + 1 + len(rows))), \
                f"positions have a hole: {positions[:10]}"
            self.cursor = positions[-1]
        ids = [int(r[1]) for r in rows]
        self.seen.update(ids)
        return ids


def interleaving(dsn: str, schema: str) -> None:
    a, b, r = connect(dsn, schema), connect(dsn, schema), connect(dsn, schema)
    for reader_cls in (NaiveReader, HorizonReader):
        r.execute("TRUNCATE records RESTART IDENTITY")
        reader = reader_cls(r)
        a.execute("BEGIN")
        a.execute("INSERT INTO records (body) VALUES ('A: took id first, commits last')")
        b.execute("INSERT INTO records (body) VALUES ('B: took id second, commits first')")
        first = reader.pull()
        a.execute("COMMIT")
        second = reader.pull()
        total = r.execute("SELECT count(*) FROM records").fetchone()
        missed = int(total[0]) - len(reader.seen) if total else -1
        print(f"{reader_cls.__name__:13s} pull while A is open -> ids {first}; after A commits"
              f" -> ids {second}; records never seen: {missed}")
    for c in (a, b, r):
        c.close()


def stress(dsn: str, schema: str, seconds: float, writers: int) -> None:
    setup = connect(dsn, schema)
    setup.execute("TRUNCATE records RESTART IDENTITY")
    stop = threading.Event()

    def write(seed: int) -> None:
        rng = random.Random(seed)
        conn = connect(dsn, schema)
        while not stop.is_set():
            with conn.transaction():
                conn.execute("INSERT INTO records (body) VALUES ('x')")
                time.sleep(rng.uniform(0, 0.004))  # the rest of a live decision
        conn.close()

    readers = [NaiveReader(connect(dsn, schema)), HorizonReader(connect(dsn, schema))]
    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for rd in readers:
            rd.pull()
    stop.set()
    for t in threads:
        t.join()
    total = int(setup.execute("SELECT count(*) FROM records").fetchone()[0])  # type: ignore[index]
    # Drain: every writer has committed now. The horizon is the whole server's,
    # so an unrelated open transaction delays the last rows (lag, never loss).
    drain_until = time.monotonic() + 30
    for rd in readers:
        rd.pull()
        while len(rd.seen) < total and isinstance(rd, HorizonReader) and time.monotonic() < drain_until:
            time.sleep(0.05)
            rd.pull()
    for rd in readers:
        print(f"{type(rd).__name__:13s} stress, {writers} writers, {seconds:g} s: {total} records"
              f" committed, {total - len(rd.seen)} never seen by the reader")
    setup.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dsn", default=os.environ.get("MUSE_TEST_PG_DSN", DEFAULT_DSN))
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--writers", type=int, default=4)
    args = p.parse_args()
    schema = f"poc_gaps_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute(SCHEMA)
    try:
        interleaving(args.dsn, schema)
        stress(args.dsn, schema, args.seconds, args.writers)
    finally:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
