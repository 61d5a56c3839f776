"""Store benchmarks: our reads next to the raw floor, measured in the same run.

For each size (default 1,000 / 15,000 / 150,000 reservation files) it times:

* floor   — ``os.scandir`` + ``os.open``/``os.read`` (dir fd) + close, no decode
* floor+decode — the same plus ``orjson.loads`` (the practical Python floor)
* listing — a bare ``os.listdir`` (what an index should reduce a query to)
* naive   — ``glob`` + ``read_text`` + ``json.loads`` (the original design)
* gather  — ``_gather_local_records`` (push path)
* active, no index — ``active_reservations`` with ``MUSE_INDEX=0``
* active, index build — first call that writes the index
* active, index (listing) — repeat call that re-lists the folder
* active, index (settled) — repeat call on a settled folder (one stat)
* active, index (+10 new / +1% new) — repeat call after 10 files, or 1% more
  files, appeared (listing, alignment with the last one, reading the new
  files); the files are written outside the timing
* status / forecast / claim / gc plan — repeat calls with the index

and CLI start-up of ``muse coord reserve`` against ``python -c pass``.
Each figure is the median of several runs after a warm-up; ratios compare
with the floor or the listing measured in the same run.

    python bench/bench_store.py                  # all sizes
    python bench/bench_store.py --sizes 1000 15000 --repeat 5
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import orjson

FUT = "2099-12-31T23:59:59+00:00"


def make_repo(base: pathlib.Path, n: int) -> pathlib.Path:
    from muse.cli.commands.init import init_repo

    root = base / f"repo-{n}"
    init_repo(root)
    d = root / ".muse/coordination/reservations"
    for i in range(n):
        rid = f"reservation-{i:06d}"
        (d / f"{rid}.json").write_bytes(orjson.dumps({
            "reservation_id": rid, "run_id": f"run-{i % 7000}", "expires_at": FUT,
            "symbols": [f"kernel/subsys_{i % 50}/file_{i % 3000}.c::func_{i}"],
        }))
    tasks = root / ".muse/coordination/tasks"
    for i in range(min(n // 10, 15000)):
        (tasks / f"t{i:06d}.json").write_bytes(orjson.dumps(
            {"task_id": f"t{i:06d}", "description": "port", "priority": i % 7}))
    return root


def timeit(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    fn()  # warm-up
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), min(runs), max(runs)


def timeit_after(prepare: Callable[[], object], fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Like :func:`timeit`, with *prepare* run untimed before each call."""
    prepare()
    fn()  # warm-up
    runs = []
    for _ in range(repeat):
        prepare()
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), min(runs), max(runs)


def add_reservations(folder: str, start: int, count: int) -> None:
    for i in range(start, start + count):
        rid = f"reservation-new-{i:06d}"
        with open(os.path.join(folder, rid + ".json"), "wb") as fh:
            fh.write(orjson.dumps({"reservation_id": rid, "run_id": f"run-{i % 7000}", "expires_at": FUT,
                                   "symbols": [f"kernel/new/file_{i % 3000}.c::func_{i}"]}))


def floor_read(folder: str, decode: bool) -> int:
    fd_dir = os.open(folder, os.O_RDONLY)
    n = 0
    loads = orjson.loads
    try:
        with os.scandir(fd_dir) as it:
            for e in it:
                fd = os.open(e.name, os.O_RDONLY, dir_fd=fd_dir)
                data = os.read(fd, 65536)
                os.close(fd)
                if decode:
                    loads(data)
                n += 1
    finally:
        os.close(fd_dir)
    return n


def naive(folder: str) -> int:
    return len([json.loads(pathlib.Path(p).read_text()) for p in glob.glob(folder + "/*.json")])


def cli_startup(root: pathlib.Path, repeat: int) -> tuple[float, float]:
    env = {**os.environ, "MUSE_RUN_ID": "bench"}

    def run(argv: list[str]) -> float:
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0

    base = [run([sys.executable, "-c", "pass"]) for _ in range(repeat)]
    ours = [run([sys.executable, "-m", "muse", "coord", "reserve", "bench/x.c::f", "--ttl", "1m"])
            for _ in range(repeat)]
    return statistics.median(base), statistics.median(ours)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 15000, 150000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", default=None, help="scratch folder (default: a temp dir)")
    args = ap.parse_args()

    from muse.cli.commands.coord_sync import _gather_local_records
    from muse.core.coord.forecast import forecast
    from muse.core.coord.gc import run_coord_gc
    from muse.core.coord.state import CoordState
    from muse.core.coordination import active_reservations
    from muse.core.files import index as idx

    scratch = pathlib.Path(args.dir or tempfile.mkdtemp(prefix="muse-bench-"))
    rows: list[tuple[int, str, float, float, float, str]] = []
    per_record: dict[str, dict[int, float]] = {}
    try:
        for n in args.sizes:
            root = make_repo(scratch, n)
            folder = str(root / ".muse/coordination/reservations")
            index_dir = root / ".muse/state/index"
            r = args.repeat

            def no_index() -> object:
                os.environ["MUSE_INDEX"] = "0"
                try:
                    return active_reservations(root)
                finally:
                    del os.environ["MUSE_INDEX"]

            def drop_index() -> None:  # untimed: the first call finds no index
                shutil.rmtree(index_dir, ignore_errors=True)

            results: dict[str, tuple[float, float, float]] = {}
            # Alternate baseline and ours so drift hits both.
            results["floor (scandir+read)"] = timeit(lambda: floor_read(folder, False), r)
            results["floor+decode (orjson)"] = timeit(lambda: floor_read(folder, True), r)
            results["listing (os.listdir)"] = timeit(lambda: os.listdir(folder), r)
            results["naive (glob+json)"] = timeit(lambda: naive(folder), max(1, r // 2))
            results["gather (push read)"] = timeit(lambda: _gather_local_records(root, ["reservation"]), r)
            results["active, no index"] = timeit(no_index, r)
            results["active, index build"] = timeit_after(drop_index, lambda: active_reservations(root), r)
            old = idx._RACY_NS
            idx._RACY_NS = 1 << 62  # never trust mtimes: always list
            results["active, index (listing)"] = timeit(lambda: active_reservations(root), r)
            idx._RACY_NS = -1  # the folder is settled: trust its mtime
            results["active, index (settled)"] = timeit(lambda: active_reservations(root), r)
            idx._RACY_NS = old
            results["status (index)"] = timeit(lambda: CoordState(root).conflicts(), r)
            results["forecast (index)"] = timeit(lambda: forecast(root), r)
            results["claim plan (index)"] = timeit(lambda: CoordState(root).task_states(), r)
            results["gc plan, dry run"] = timeit(lambda: run_coord_gc(root, dry_run=True), r)
            added = [0]

            def grower(step: int) -> Callable[[], None]:
                def grow() -> None:
                    add_reservations(folder, added[0], step)
                    added[0] += step
                return grow

            # Last: they change the folder the other rows read.
            results["active, index (+10 new)"] = timeit_after(grower(10), lambda: active_reservations(root), r)
            results["active, index (+1% new)"] = timeit_after(
                grower(max(1, n // 100)), lambda: active_reservations(root), r)
            floor = results["floor (scandir+read)"][0]
            listing = results["listing (os.listdir)"][0]
            for name, (med, lo, hi) in results.items():
                if name.startswith(("active, index (", "status", "forecast", "claim", "gc")):
                    ratio = f"{med / listing:.2f}× listing"
                else:
                    ratio = f"{med / floor:.2f}× floor"
                rows.append((n, name, med, lo, hi, ratio))
                per_record.setdefault(name, {})[n] = med / n
            shutil.rmtree(root, ignore_errors=True)
        from muse.cli.commands.init import init_repo

        init_repo(scratch / "cli")
        base, ours = cli_startup(scratch / "cli", max(5, args.repeat * 2))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    print("| records | operation | median ms | min | max | ratio |")
    print("|---:|---|---:|---:|---:|---|")
    for n, name, med, lo, hi, ratio in rows:
        print(f"| {n:,} | {name} | {med * 1e3:.1f} | {lo * 1e3:.1f} | {hi * 1e3:.1f} | {ratio} |")
    if len(args.sizes) >= 2:
        a, b = sorted(args.sizes)[-2:]
        print(f"\ngrowth {a:,} → {b:,} records, cost per record (1.00 = linear):")
        for name, costs in per_record.items():
            if a in costs and b in costs:
                print(f"  {name:<28} {costs[b] / costs[a]:.2f}")
    print(f"\nCLI start-up: python -c pass {base * 1e3:.1f} ms; muse coord reserve {ours * 1e3:.1f} ms "
          f"({ours / base:.2f}×, +{(ours - base) * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
