"""The code-aware forecast pass: runs related through the code, not the text.

Two relations, each reported as ``low`` and ranked after the direct
overlaps of :mod:`muse.core.coord.forecast`:

* **include / import** — run A holds a header (or a Python module), run B
  holds files that include (import) it directly. One row per
  ``(header, B)``, with the fan-in: how many of B's held files include it.
  A run editing ``linux/module.h`` next to a run porting 3,000 drivers gives
  one row with ``fan-in 3000``, not 3,000 rows.
* **call** — run A holds a function, run B holds functions that call it (by
  name: the callee is a non-private function — not ``static`` in C, not
  ``_name`` in Python — of a file A holds; of several such definitions, the
  one nearest the caller in the folder tree). One row per ``(function, B)``,
  with the number of callers. Calls inside one file are left to the
  forecast's same-file pass.

Cost: linear in the held addresses and their files' includes and calls; the
index is only read, never walked.
"""

from __future__ import annotations

from collections import defaultdict

from muse.core.source.graph import Graph
from muse.core.source.index import CodeIndex
from muse.core.vocab.records import Reservation

__all__ = ["CODE_KINDS", "code_relations"]

CODE_KINDS = ("include", "import", "call")

# (severity, kind, target, runs, reason), the fields of forecast.Prediction.
Row = tuple[str, str, str, tuple[str, ...], str]


def code_relations(index: CodeIndex, active: list[Reservation], graph: Graph | None = None) -> list[Row]:
    """Include/import and call relations between different runs' live reservations."""
    graph = graph or Graph(index)
    # path -> runs holding it (whole or in part); path -> run -> names (None: whole file)
    file_runs: dict[str, set[str]] = defaultdict(set)
    held: dict[str, dict[str, set[str] | None]] = defaultdict(dict)
    for r in active:
        for address in r.symbols:
            path, sep, name = address.partition("::")
            if path not in index.entries:
                continue
            file_runs[path].add(r.run_id)
            by_run = held[path]
            if not sep:
                by_run[r.run_id] = None
            else:
                names = by_run.get(r.run_id, set())
                if names is not None:
                    names.add(name)
                    by_run[r.run_id] = names
    return _includes(graph, file_runs) + _calls(index, held)


def _includes(graph: Graph, file_runs: dict[str, set[str]]) -> list[Row]:
    # (dependency, including run) -> number of that run's files including it
    fan_in: dict[tuple[str, str], int] = defaultdict(int)
    for path, runs in file_runs.items():
        for dep in graph.deps(path):
            holders = file_runs.get(dep)
            if not holders:
                continue
            for run in runs:
                if len(holders) > 1 or run not in holders:
                    fan_in[(dep, run)] += 1
    rows: list[Row] = []
    for (dep, run), n in fan_in.items():
        others = sorted(file_runs[dep] - {run})
        kind = "import" if dep.endswith(".py") else "include"
        verb = "import" if kind == "import" else "include"
        rows.append(("low", kind, dep, tuple(sorted({*others, run})),
                     f"{run} edits {n} file(s) that {verb} it (fan-in {n}); held by {', '.join(others)}"))
    return rows


def _calls(index: CodeIndex, held: dict[str, dict[str, set[str] | None]]) -> list[Row]:
    # Held, non-private functions by bare name: name -> [(path, address, holder runs)]
    defined: dict[str, list[tuple[str, str, frozenset[str]]]] = defaultdict(list)
    for path, by_run in held.items():
        names = index.symbols(path)
        kinds, private = index.kinds(path)
        runs_of_name: dict[str, set[str]] = defaultdict(set)
        whole = {run for run, n in by_run.items() if n is None}
        for run, n in by_run.items():
            for name in n or ():
                runs_of_name[name].add(run)
        for i, name in enumerate(names):
            if kinds[i] not in "fd":
                continue
            runs = whole | runs_of_name.get(name, set())
            if runs and private[i] != "1":  # a private function is reachable from its file only
                defined[name.rsplit(".", 1)[-1]].append((path, f"{path}::{name}", frozenset(runs)))
    if not defined:
        return []
    # (callee address, caller run) -> caller addresses
    callers: dict[tuple[str, str], set[str]] = defaultdict(set)
    holders_of: dict[str, frozenset[str]] = {}
    nearest: dict[tuple[str, str], tuple[str, str, frozenset[str]] | None] = {}
    for path, by_run in held.items():
        folder = path.rpartition("/")[0]
        whole_runs = [run for run, n in by_run.items() if n is None]
        wanted: set[str] | None = None
        if not whole_runs:  # only the held functions' calls are read
            wanted = set()
            for n in by_run.values():
                wanted |= n or set()
        for func, callees in index.calls(path, wanted):
            caller_runs = whole_runs + [run for run, n in by_run.items() if n is not None and func in n]
            caller = f"{path}::{func}"
            for callee in callees:
                defs = defined.get(callee)
                if defs is None:
                    continue
                key = (folder, callee)
                if key not in nearest:
                    nearest[key] = _nearest(folder, defs)
                best = nearest[key]
                if best is None or best[0] == path:
                    continue  # same file: the file pass covers it
                _, target, def_runs = best
                for run in caller_runs:
                    if len(def_runs) > 1 or run not in def_runs:
                        callers[(target, run)].add(caller)
                        holders_of[target] = def_runs
    rows: list[Row] = []
    for (target, run), who in callers.items():
        others = sorted(holders_of[target] - {run})
        rows.append(("low", "call", target, tuple(sorted({*others, run})),
                     f"{run} edits {len(who)} caller(s), e.g. {min(who)}; held by {', '.join(others)}"))
    return rows


def _nearest(folder: str, defs: list[tuple[str, str, frozenset[str]]]
             ) -> tuple[str, str, frozenset[str]] | None:
    """Of several definitions of one name, the one sharing the longest folder prefix with
    the caller (an arch file calls its own arch's ``setup_arch``); ties: the shortest path."""
    if len(defs) == 1:
        return defs[0]
    parts = folder.split("/")

    def shared(d: tuple[str, str, frozenset[str]]) -> int:
        n = 0
        for a, b in zip(parts, d[0].split("/")[:-1], strict=False):
            if a != b:
                break
            n += 1
        return n

    return min(defs, key=lambda d: (-shared(d), len(d[0]), d[0]))
