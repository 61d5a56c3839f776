"""CPU of one strict reservation as the repository's live leases grow (SQLite store, in process).

Each reservation is a fresh file under ``src/`` held by one run, never released,
so the live leases grow by 500 per line. A flat line means the conflict check
costs the same however many leases are live; a rising one means it reads
leases that cannot conflict (e.g. every lease under a shared directory).

    python bench/diag_reserve_growth.py --batches 4
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from muse.hub import lessor
from muse.storage import open_store


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batches", type=int, default=4)
    p.add_argument("--size", type=int, default=500)
    args = p.parse_args()
    store = open_store(str(pathlib.Path(tempfile.mkdtemp(prefix="diag-growth-")) / "s.sqlite3"))
    store.create_repo("bench", "r", "bench", False, time.time())
    repo = store.get_repo("bench", "r")
    assert repo is not None
    k = 0
    for _ in range(args.batches):
        t0 = time.thread_time()
        for _ in range(args.size):
            with store.live_transaction(repo.id) as tx:
                lessor.reserve(tx, time.time(), "bench", "run", [f"src/m{k}.py::f"], 600.0, "strict")
            k += 1
        print(f"live leases {k - args.size:6d}–{k:6d}: "
              f"{1000 * (time.thread_time() - t0) / args.size:.3f} ms CPU per strict reserve")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
