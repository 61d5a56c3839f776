"""Where local mode's time goes under concurrency: the agent workload with parts switched off.

Runs ``bench_agents``'s local system (N agents over ``--threads`` threads) with
the file-system costs removed one at a time, by patching in this process only:

* ``base``       as shipped;
* ``no-live``    no live copy of the folders: every verb starts from the index
                 files and re-derives every view (what each one-shot process
                 does; the per-verb cost before the live copy);
* ``no-fsync``   records written without ``fsync`` (``CoordStore.create``);
* ``no-index``   the read index never rewritten (``index._write_blob`` a no-op:
                 each read then rescans, so this shows what the rewrites cost,
                 not a fix);
* ``no-recheck`` strict reservations skip the write-then-recheck wait loop
                 (unsafe between processes; shows its cost);
* ``all-three``  all of the above.

Each variant runs ``--runs`` times, interleaved; tasks/s median (min–max) and
files written per task are printed. A diagnosis tool, not a benchmark of a
proposed design: every variant but ``base`` drops a guarantee.

    python bench/diag_local.py --agents 50 --threads 8 --runs 2
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_agents

from muse.core import coordination
from muse.core.files import fileio, index, store

VARIANTS = ("base", "no-live", "no-fsync", "no-index", "no-recheck", "all-three")


@contextlib.contextmanager
def variant(name: str, writes: collections.Counter[str]) -> Iterator[None]:
    orig_wf, orig_blob, orig_recheck = fileio.write_file, index._write_blob, coordination._strict_recheck
    orig_live = index.LIVE
    drop_fsync = name in ("no-fsync", "all-three")

    def write_file(folder: Any, fname: str, data: bytes, *, exclusive: bool = True,
                   fsync: bool = False, **kw: Any) -> bool:
        writes["index blob" if "index" in str(folder) else ("record+fsync" if fsync else "record")] += 1
        return orig_wf(folder, fname, data, exclusive=exclusive, fsync=fsync and not drop_fsync, **kw)

    def recheck(root: Any, symbols: Any, run_id: str, mine: Any, t: float) -> Any:
        return None

    store.write_file = index.write_file = write_file  # type: ignore[assignment]
    if name in ("no-index", "all-three"):
        index._write_blob = lambda folder, fname, obj: None  # type: ignore[assignment]
    if name in ("no-recheck", "all-three"):
        coordination._strict_recheck = recheck  # type: ignore[assignment]
    index.forget()
    index.LIVE = name != "no-live"
    try:
        yield
    finally:
        index.forget()
        index.LIVE = orig_live
        store.write_file = index.write_file = orig_wf  # type: ignore[assignment]
        index._write_blob, coordination._strict_recheck = orig_blob, orig_recheck  # type: ignore[assignment]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--agents", type=int, default=50)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    args = p.parse_args()
    ns = argparse.Namespace(local_threads=args.threads, conns=64)
    rates: dict[str, list[float]] = collections.defaultdict(list)
    per_task: dict[str, dict[str, float]] = {}
    for _ in range(args.runs):
        for name in args.variants:
            writes: collections.Counter[str] = collections.Counter()
            with variant(name, writes):
                r = bench_agents.run_once("local", args.agents, ns)
            assert r["lost"] == 0 and r["double_claims"] == 0
            rates[name].append(r["tasks_per_s"])
            per_task[name] = {k: v / (5 * args.agents) for k, v in writes.items()}
            print(f"{name:10s} {r['tasks_per_s']:6.1f} tasks/s  double holders {r['double_holders']}",
                  file=sys.stderr, flush=True)
    print(f"\nlocal mode, {args.agents} agents on {args.threads} threads, {args.runs} runs each\n")
    print("| variant | tasks/s median (min–max) | × base | files written per task |")
    print("|---|---|---|---|")
    base = statistics.median(rates["base"]) if rates.get("base") else None
    for name in args.variants:
        r = rates[name]
        files = ", ".join(f"{k} {v:.1f}" for k, v in sorted(per_task[name].items()))
        ratio = f"{statistics.median(r) / base:.2f}" if base else "—"
        print(f"| {name} | {statistics.median(r):.1f} ({min(r):.1f}–{max(r):.1f}) | {ratio} | {files} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
