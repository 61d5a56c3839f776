"""The code-aware forecast pass: runs related through the code, not the text.

Two relations, each reported as ``low`` and ranked after the direct
overlaps of :mod:`muse.core.forecast`:

* **include / import** — run A holds a header (or a Python module), run B
  holds files that include (import) it directly. One row per
  ``(header, B)``, with the fan-in: how many of B's held files include it.
  A run editing ``linux/module.h`` next to a run porting 3,000 drivers gives
  one row with ``fan-in 3000``, not 3,000 rows.
* **call** — run A holds a function, run B holds functions that call it (by
  name: the callee is defined in a file A holds, and is either in the
  caller's file or not private — ``static`` in C, ``_name`` in Python). One
  row per ``(function, B)``, with the number of callers. Calls inside one
  file are left to the forecast's same-file pass.

Cost: linear in the held addresses and their files' includes and calls; the
index is only read, never walked.
"""

from __future__ import annotations

from collections import defaultdict

from muse.core.codegraph import Graph
from muse.core.codeindex import CodeIndex
from muse.core.records import Reservation

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
                if holders - {run}:
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
    # Functions held, by name: name -> [(path, holder runs)]
    defined: dict[str, list[tuple[str, frozenset[str], bool]]] = defaultdict(list)
    for path, by_run in held.items():
        names = index.symbols(path)
        kinds, private = index.kinds(path)
        wanted: dict[str, set[str]] = defaultdict(set)
        whole = [run for run, n in by_run.items() if n is None]
        for run, n in by_run.items():
            if n is not None:
                for name in n:
                    wanted[name].add(run)
        for i, name in enumerate(names):
            if kinds[i] not in "fd":
                continue
            runs = set(whole) | wanted.get(name, set())
            if runs:
                defined[name.rsplit(".", 1)[-1]].append((path, frozenset(runs), private[i] == "1"))
    if not defined:
        return []
    # (callee address, caller run) -> callers
    callers: dict[tuple[str, str], set[str]] = defaultdict(set)
    holders_of: dict[str, frozenset[str]] = {}
    for path, by_run in held.items():
        for func, callees in index.calls(path):
            caller_runs = [run for run, n in by_run.items() if n is None or func in n]
            if not caller_runs:
                continue
            for callee in callees:
                for def_path, def_runs, is_private in defined.get(callee, ()):
                    if def_path == path or is_private:
                        continue  # same file: the file pass covers it; private: unreachable
                    for run in caller_runs:
                        if def_runs - {run}:
                            target = f"{def_path}::{callee}"
                            callers[(target, run)].add(f"{path}::{func}")
                            holders_of[target] = def_runs
    rows: list[Row] = []
    for (target, run), who in callers.items():
        others = sorted(holders_of[target] - {run})
        example = min(who)
        rows.append(("low", "call", target, tuple(sorted({*others, run})),
                     f"{run} edits {len(who)} caller(s), e.g. {example}; held by {', '.join(others)}"))
    return rows
