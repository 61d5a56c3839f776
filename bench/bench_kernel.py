"""The real Linux kernel: index, code-aware forecast, shard and swarm figures.

    python bench/bench_kernel.py                        # everything (tens of minutes)
    python bench/bench_kernel.py --tree /tmp/linux-6.1  # an already extracted tree
    python bench/bench_kernel.py --skip swarm           # leave out a part

Steps (each printed as it finishes, then one JSON document):

1. **Source**: Debian's ``linux-source-6.1`` (``apt-get update``, ``apt-get
   install -y linux-source-6.1``; the tarball lands in ``/usr/src``),
   extracted to a temporary folder — unless ``--tree`` names one. The tree
   is made a Muse repository (``.muse/``) so every tool finds its index.
2. **index**: a first build of the symbol index, an update with nothing
   changed, and an update after appending a line to ``--touch`` files
   (default 100, spread over the tree).
3. **reserve**: the address check in process (an existing symbol read from
   its folder's shard, a misspelt one, a missing file; parsing the file
   instead, for scale), then ``muse coord reserve --json`` of the same as CLI
   wall time, medians against ``python -c pass``.
4. **forecast**: ``--leases`` reservations (default 150,000) of real
   symbols (a few functions of every file) by 7,000 runs, each run holding
   consecutive files (so headers and their includers, functions and their
   callers meet as they would); forecast without and with the code pass, interleaved rounds,
   medians with min/max. The code pass reads the stored index each round.
5. **shard**: ``drivers/net`` into 8 groups and the whole tree into 16:
   include edges cut against the naive split by folder.
6. **swarm**: ``muse swarm --tree`` at 1,000 and 7,000 agents (the swarm's
   own report; default tasks: one per five files with symbols).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

TARBALL = "/usr/src/linux-source-6.1.tar.xz"
FUT = "2099-12-31T23:59:59+00:00"


def say(text: str) -> None:
    print(text, flush=True)


def get_tree(args: argparse.Namespace) -> pathlib.Path:
    if args.tree:
        return pathlib.Path(args.tree).resolve()
    if not os.path.exists(TARBALL):
        subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "linux-source-6.1"], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    dest = pathlib.Path(tempfile.mkdtemp(prefix="muse-kernel-"))
    t0 = time.perf_counter()
    subprocess.run(["tar", "xJf", TARBALL, "-C", str(dest)], check=True)
    say(f"extracted {TARBALL} in {time.perf_counter() - t0:.0f} s")
    return dest / "linux-source-6.1"


def bench_index(root: pathlib.Path, touch: int) -> dict[str, object]:
    from muse.core.source.index import default_store, update_index

    shutil.rmtree(default_store(root), ignore_errors=True)
    index, first = update_index(root)
    say(f"index build: {first.files:,} files in {first.seconds:.1f} s "
        f"({index.symbol_total():,} symbols)")
    _, same = update_index(root)
    say(f"index update, nothing changed: {same.seconds:.2f} s")
    paths = sorted(index.entries)[:: max(1, len(index.entries) // touch)][:touch]
    for p in paths:
        with open(root / p, "a", encoding="utf-8") as fh:
            fh.write("\n/* touched by bench_kernel */\n")
    _, changed = update_index(root)
    say(f"index update, {len(paths)} files changed: {changed.seconds:.2f} s "
        f"(walk {changed.walk_seconds:.2f} s, parsed {changed.parsed})")
    store = default_store(root)
    size = sum(f.stat().st_size for f in store.iterdir())
    return {"files": first.files, "symbols": index.symbol_total(), "build_s": round(first.seconds, 1),
            "update_unchanged_s": round(same.seconds, 2), "update_changed_s": round(changed.seconds, 2),
            "changed_files": len(paths), "store_mib": round(size / 2**20, 1)}


def _cli(root: pathlib.Path, argv: list[str], repeat: int) -> float:
    env = {**os.environ, "MUSE_RUN_ID": "bench", "PYTHONPATH": str(pathlib.Path(__file__).parents[1])}
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def bench_reserve(root: pathlib.Path, repeat: int) -> dict[str, float]:
    py = sys.executable
    cases = {"python -c pass": [py, "-c", "pass"],
             "reserve existing symbol": [py, "-m", "muse", "coord", "reserve",
                                         "kernel/sched/core.c::schedule", "--json"],
             "reserve misspelt symbol": [py, "-m", "muse", "coord", "reserve",
                                         "kernel/sched/core.c::schedul", "--json"],
             "reserve, language not indexed": [py, "-m", "muse", "coord", "reserve",
                                               "MAINTAINERS", "--json"]}
    out = {}
    for name, argv in cases.items():
        out[name] = round(_cli(root, argv, repeat) * 1000, 1)
        say(f"{name}: {out[name]} ms")
    _clear_reservations(root)
    return out


def _clear_reservations(root: pathlib.Path) -> None:
    folder = root / ".muse" / "coordination" / "reservations"
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def bench_check(root: pathlib.Path) -> dict[str, str]:
    """The address check alone, in process (CLI wall times drown it on a busy machine)."""
    from muse.core.source.check import check_addresses
    from muse.core.source.index import read_facts

    def med(fn: object, n: int = 15) -> str:
        assert callable(fn)
        fn()
        runs = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        return (f"{statistics.median(runs) * 1000:.1f} ms "
                f"(min {min(runs) * 1000:.1f}, max {max(runs) * 1000:.1f})")

    out = {
        "existing symbol (folder shard)": med(lambda: check_addresses(root, ["kernel/sched/core.c::schedule"])),
        "misspelt symbol (shard + difflib)": med(lambda: check_addresses(root, ["kernel/sched/core.c::schedul"])),
        "missing file (listing + difflib)": med(lambda: check_addresses(root, ["kernel/sched/cor.c"])),
        "parsing kernel/sched/core.c instead": med(lambda: read_facts(str(root), "kernel/sched/core.c")),
    }
    for k, v in out.items():
        say(f"check, {k}: {v}")
    return out


def write_leases(root: pathlib.Path, index: object, leases: int, runs: int = 7000) -> None:
    import orjson

    from muse.core.source.index import CodeIndex

    assert isinstance(index, CodeIndex)
    folder = root / ".muse" / "coordination" / "reservations"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = sorted(index.entries)
    each = -(-leases // len(files))  # symbols per file: spread over the whole tree
    per_run = -(-leases // runs)
    n = 0
    for path in files:
        names = index.symbols(path)
        kinds = index.kinds(path)[0]
        picked = [x for x, k in zip(names, kinds, strict=True) if k == "f"][:each] or list(names[:each])
        for name in picked:
            if n >= leases:
                return
            rid = f"reservation-{n:06d}"
            (folder / f"{rid}.json").write_bytes(orjson.dumps({
                "reservation_id": rid, "run_id": f"run-{n // per_run}", "expires_at": FUT,
                "symbols": [f"{path}::{name}"]}))
            n += 1


def bench_forecast(root: pathlib.Path, leases: int, rounds: int) -> dict[str, object]:
    from muse.core.coord.forecast import forecast
    from muse.core.source.index import load_index

    index = load_index(root)
    write_leases(root, index, leases)
    forecast(root)  # builds the record index
    plain: list[float] = []
    code: list[float] = []
    rows: dict[str, int] = {}
    for _ in range(rounds):
        t0 = time.perf_counter()
        forecast(root)
        plain.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        fc = forecast(root, code=load_index(root))
        code.append(time.perf_counter() - t0)
        rows = {}
        for p in fc.predictions:
            rows[p.kind] = rows.get(p.kind, 0) + 1
    out = {"leases": leases, "rounds": rounds,
           "plain_s": [round(statistics.median(plain), 2), round(min(plain), 2), round(max(plain), 2)],
           "code_s": [round(statistics.median(code), 2), round(min(code), 2), round(max(code), 2)],
           "rows": rows}
    say(f"forecast at {leases:,} leases: {out['plain_s'][0]} s without the code pass, "
        f"{out['code_s'][0]} s with it (median of {rounds}); rows {rows}")
    return out


def bench_shard(root: pathlib.Path) -> list[dict[str, object]]:
    from muse.core.source.graph import Graph
    from muse.core.source.index import load_index
    from muse.core.source.shard import shard

    index = load_index(root)
    assert index is not None
    out = []
    for prefix, parts in (("drivers/net/", 8), ("", 16)):
        files = [f for f in index.entries if f.startswith(prefix)]
        t0 = time.perf_counter()
        result = shard({f: [f] for f in files}, Graph(index).edges(files), parts)
        row = {"scope": prefix or "(whole tree)", "files": len(files), "parts": parts,
               "edges": result.edges, "cut": result.cut, "naive_cut": result.naive_cut,
               "seconds": round(time.perf_counter() - t0, 1)}
        say(f"shard {row}")
        out.append(row)
    return out


def bench_swarm(root: pathlib.Path, agents: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(pathlib.Path(__file__).parents[1])}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "muse", "swarm", "--tree", str(root),
                           "--agents", str(agents), "--json", "--quiet", "--duration-cap", "40m"],
                          capture_output=True, text=True, env=env, check=False)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        report = {"error": proc.stderr.strip()[-2000:]}
    report["exit_code"] = proc.returncode
    report["wall_s"] = round(time.perf_counter() - t0, 1)
    if "throughput" in report:
        say(f"swarm {agents} agents: {report['tasks']['completed']:,} tasks, "
            f"run {report['timings']['run_s'] if 'timings' in report else '?'} s, "
            f"double {report['double_claims']['total']} lost {report['tasks']['lost']}")
    else:
        say(f"swarm {agents} agents failed: {report.get('error')}")
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", help="an extracted Linux tree (default: extract the Debian package)")
    ap.add_argument("--touch", type=int, default=100)
    ap.add_argument("--leases", type=int, default=150_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--agents", type=int, nargs="+", default=[1000, 7000])
    ap.add_argument("--skip", nargs="*", default=[],
                    choices=["index", "reserve", "forecast", "shard", "swarm"])
    ap.add_argument("--out", help="also write the JSON here")
    args = ap.parse_args()
    from muse.cli.commands.init import init_repo

    root = get_tree(args)
    init_repo(root)
    results: dict[str, object] = {"tree": str(root), "load": os.getloadavg()}
    if "index" not in args.skip:
        results["index"] = bench_index(root, args.touch)
    if "reserve" not in args.skip:
        results["check"] = bench_check(root)
        results["reserve_ms"] = bench_reserve(root, 5)
    if "forecast" not in args.skip:
        results["forecast"] = bench_forecast(root, args.leases, args.rounds)
        _clear_reservations(root)
    if "shard" not in args.skip:
        results["shard"] = bench_shard(root)
    if "swarm" not in args.skip:
        results["swarm"] = {str(a): bench_swarm(root, a) for a in args.agents}
    text = json.dumps(results, indent=2)
    if args.out:
        pathlib.Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
