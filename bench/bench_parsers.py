"""tree-sitter (in process) against Universal Ctags (a subprocess) on real kernel files.

    python bench/bench_parsers.py /path/to/linux [--files 400]

Both read the same sample of ``.c``/``.h`` files (every k-th of the sorted
list, so every subsystem is represented). Reported per parser: time per file
(median over 3 interleaved rounds, min/max), and what each finds —
functions, structs, macros, includes and calls. Ctags runs once over the whole
sample (one process, ``-L -``), its best case.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from muse.core.source.parse import parse_source


def sample(root: str, count: int) -> list[str]:
    files = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        files += [os.path.relpath(os.path.join(folder, n), root) for n in sorted(names)
                  if n.endswith((".c", ".h"))]
    step = max(1, len(files) // count)
    return files[::step][:count]


def run_treesitter(root: str, files: list[str]) -> tuple[float, dict[str, int]]:
    found = {"functions": 0, "structs": 0, "macros": 0, "includes": 0, "calls": 0}
    t = time.perf_counter()
    for rel in files:
        with open(os.path.join(root, rel), "rb") as fh:
            facts = parse_source(rel, fh.read())
        found["functions"] += facts.kinds.count("f")
        found["structs"] += facts.kinds.count("s")
        found["macros"] += facts.kinds.count("m")
        found["includes"] += len(facts.includes)
        found["calls"] += sum(len(c) for _, c in facts.calls)
    return time.perf_counter() - t, found


def run_ctags(root: str, files: list[str]) -> tuple[float, dict[str, int]]:
    t = time.perf_counter()
    out = subprocess.run(["ctags", "--output-format=json", "--fields=+K", "--extras=+r",
                          "--kinds-C=+p+x+h", "-f", "-", "-L", "-"], cwd=root,
                         input="\n".join(files), capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    found = {"functions": 0, "structs": 0, "macros": 0, "includes": 0, "calls": 0}
    for line in out.stdout.splitlines():
        try:
            tag = json.loads(line)
        except ValueError:
            continue
        kind = tag.get("kind")
        if kind == "function":
            found["functions"] += 1
        elif kind == "struct":
            found["structs"] += 1
        elif kind == "macro" and tag.get("roles", "def") == "def":
            found["macros"] += 1
        elif kind == "header":
            found["includes"] += 1
    return elapsed, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tree")
    ap.add_argument("--files", type=int, default=400)
    args = ap.parse_args()
    files = sample(args.tree, args.files)
    runners = {"tree-sitter": run_treesitter}
    if shutil.which("ctags"):
        runners["ctags"] = run_ctags
    times: dict[str, list[float]] = {k: [] for k in runners}
    found: dict[str, dict[str, int]] = {}
    for _ in range(3):
        for name, fn in runners.items():
            elapsed, found[name] = fn(args.tree, files)
            times[name].append(elapsed / len(files) * 1000)
    size = sum(os.path.getsize(os.path.join(args.tree, f)) for f in files)
    print(f"{len(files)} files, {size / len(files) / 1024:.1f} KiB average")
    for name in runners:
        ms = times[name]
        print(f"{name:<12} {statistics.median(ms):.2f} ms/file (min {min(ms):.2f}, max {max(ms):.2f})"
              f"  {found[name]}")


if __name__ == "__main__":
    main()
