"""The work plan: tasks clustered by subsystem, dependencies, planted overlaps.

Each task ports a run of consecutive files of one subsystem and reserves some
of their symbols. Files are dealt to tasks without sharing, so two tasks
touch the same symbol only where the planner *plants* it: a planted pair is
two tasks of one subsystem with the same dependencies and priority (so they
become ready together and are claimed side by side) where the second also
reserves one symbol of the first. Conflicts the hub reports can then be
checked against the plan: every reported conflict should be a planted one.

Dependencies point only from a task to tasks earlier in the plan's order
(tier, subsystem, position), so the graph is acyclic by construction:

* inside a subsystem, task 0 ports its headers; most later tasks wait for it,
  some also for a random earlier task of the same subsystem;
* task 0 of a subsystem above tier 0 usually waits for task 0 of a subsystem
  in a lower tier (drivers after core kernel after headers).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from muse.swarm.tree import Tree

__all__ = ["MAX_TASK_SYMBOLS", "Plan", "PlannedTask", "make_plan", "make_tree_plan", "task_slug"]

_MAX_SYMBOLS_PER_FILE = 6
_MAX_SYMBOLS_PER_TASK = 12
MAX_TASK_SYMBOLS = 256  # the hub's cap on symbols per task and per reservation
_MAX_TREE_DEPS = 8  # include-graph dependencies kept per task (the most included first)
_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


@dataclass(frozen=True, slots=True)
class PlannedTask:
    """One task of the plan.

    Attributes:
        index: position in the plan (also the enqueue order).
        task_id: id on the hub (``t<index>-<subsystem>``; sorts in plan order).
        subsystem: index of its subsystem in the tree.
        symbols: addresses the task reserves (planted shared symbol included).
        after: indices of the tasks it depends on (all smaller than *index*).
        priority: higher is claimed first.
        partner: index of its planted partner, or -1.
        shared: the symbol shared with the partner ("" when none).
    """

    index: int
    task_id: str
    subsystem: int
    symbols: tuple[str, ...]
    after: tuple[int, ...]
    priority: int
    partner: int = -1
    shared: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    tasks: list[PlannedTask]
    planted_pairs: int

    @property
    def symbol_total(self) -> int:
        return sum(len(t.symbols) for t in self.tasks)

    @property
    def edges(self) -> int:
        return sum(len(t.after) for t in self.tasks)

    def depth(self) -> int:
        """Longest dependency chain, in tasks (the critical path of the run)."""
        level: list[int] = []
        for t in self.tasks:
            level.append(1 + max((level[d] for d in t.after), default=0))
        return max(level, default=0)


def task_slug(name: str, limit: int = 60) -> str:
    """A part of a task id from a folder or section name, valid on the hub.

    Folders read as dotted paths (``kernel/sched`` → ``kernel.sched``); any
    other character (``+`` is refused in task ids, ``,`` and spaces are odd)
    becomes ``_``, runs of dots collapse (``..`` is refused), and a name that
    had to change, or was cut to *limit*, gets a short hash of the original,
    so ``c++`` and ``c__`` stay distinct.
    """
    natural = name.replace("/", ".")
    slug = "".join(c if c in _SLUG_CHARS else "_" for c in natural)
    while ".." in slug:
        slug = slug.replace("..", ".")
    slug = slug.strip(".-") or "_"
    if slug != natural or len(slug) > limit:
        from zlib import crc32

        slug = f"{slug[:limit]}-{crc32(name.encode()):08x}"
    return slug


def _deal(count: int, parts: int) -> list[int]:
    """*count* items dealt into *parts* runs as even as possible (each ≥ 1 when count ≥ parts)."""
    base, extra = divmod(count, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def make_plan(tree: Tree, tasks: int, overlap: float = 0.1, seed: int = 0) -> Plan:
    """Plan *tasks* tasks over *tree*.

    Args:
        tree: the source tree.
        tasks: number of tasks (1 ≤ tasks ≤ files in the tree).
        overlap: fraction of tasks that share a symbol with another task
            (planted pairs = ``round(overlap * tasks / 2)``), 0 ≤ overlap ≤ 1.
        seed: the same seed (and tree) gives the same plan.

    Raises:
        ValueError: sizes out of range.
    """
    if not 1 <= tasks <= len(tree.files):
        raise ValueError(f"tasks must be between 1 and the number of files ({len(tree.files)})")
    if not 0.0 <= overlap <= 1.0:
        raise ValueError("overlap must be a fraction between 0 and 1")
    rng = random.Random(seed * 7919 + 17)
    # Tasks per subsystem in proportion to its files; every subsystem gets one
    # when there are enough tasks (a subsystem never gets more tasks than files).
    subs = sorted(tree.subsystems, key=lambda s: (s.tier, s.index))
    weights = [s.file_count for s in subs]
    per_sub = [0] * len(subs)
    if tasks >= len(subs):
        per_sub = [1] * len(subs)
    left = tasks - sum(per_sub)
    total_files = sum(weights)
    for i, w in enumerate(weights):
        per_sub[i] += min(w - per_sub[i], int(left * w / total_files))
    left = tasks - sum(per_sub)
    i = 0
    while left > 0:  # hand out the remainder to subsystems with files to spare
        if per_sub[i % len(subs)] < weights[i % len(subs)]:
            per_sub[i % len(subs)] += 1
            left -= 1
        i += 1

    out: list[PlannedTask] = []
    first_of_tier: dict[int, list[int]] = {}
    heads: list[int] = []  # index of task 0 of each subsystem (in `subs` order)
    ranges: list[tuple[int, int]] = []  # (start, count) of each subsystem's tasks in `out`
    for sub, n in zip(subs, per_sub, strict=True):
        if n == 0:
            heads.append(-1)
            ranges.append((len(out), 0))
            continue
        start = len(out)
        ranges.append((start, n))
        file_at = sub.first_file
        lower = [h for tier, hs in first_of_tier.items() if tier < sub.tier for h in hs]
        for k, nfiles in enumerate(_deal(sub.file_count, n)):
            index = len(out)
            symbols: list[str] = []
            for f in range(file_at, file_at + nfiles):
                if len(symbols) >= _MAX_SYMBOLS_PER_TASK:
                    break
                names = tree.symbols(f)
                take = min(len(names), _MAX_SYMBOLS_PER_FILE, _MAX_SYMBOLS_PER_TASK - len(symbols))
                symbols.extend(names[:take])
            file_at += nfiles
            after: set[int] = set()
            if k == 0:
                if lower and rng.random() < 0.7:
                    after.add(rng.choice(lower))
            else:
                if rng.random() < 0.6:
                    after.add(start)
                if k > 1 and rng.random() < 0.3:
                    after.add(rng.randrange(start + 1, index))
            priority = (3 - sub.tier) * 10 + (5 if k == 0 else 0)
            out.append(PlannedTask(index, f"t{index:06d}-{task_slug(sub.path)}", sub.index,
                                   tuple(symbols), tuple(sorted(after)), priority))
        heads.append(start)
        first_of_tier.setdefault(sub.tier, []).append(start)

    pairs = _plant(out, ranges, round(overlap * tasks / 2), rng)
    return Plan(out, pairs)


def _plant(out: list[PlannedTask], ranges: list[tuple[int, int]], wanted: int,
           rng: random.Random, room: Callable[[PlannedTask], bool] | None = None) -> int:
    """Turn up to *wanted* adjacent task pairs (a, a+1) of one subsystem into planted
    overlaps, in place; return how many were planted."""
    candidates = [a for start, n in ranges for a in range(start + 1, start + n - 1)]
    rng.shuffle(candidates)
    used: set[int] = set()
    planted = 0
    for a in candidates:
        if planted >= wanted:
            break
        b = a + 1
        if a in used or b in used or not out[a].symbols or (room is not None and not room(out[b])):
            continue
        used.update((a, b))
        ta, tb = out[a], out[b]
        shared = ta.symbols[0]
        # Same dependencies and priority as a: ready at the same moment, claimed
        # side by side. a's dependencies are all < a, so b cannot reach a: no edge
        # orders the pair, and the graph stays acyclic.
        out[a] = PlannedTask(ta.index, ta.task_id, ta.subsystem, ta.symbols, ta.after,
                             ta.priority, partner=b, shared=shared)
        out[b] = PlannedTask(tb.index, tb.task_id, tb.subsystem, tb.symbols + (shared,),
                             ta.after, ta.priority, partner=a, shared=shared)
        planted += 1
    return planted


def make_tree_plan(tree: Tree, tasks: int, overlap: float = 0.1, seed: int = 0) -> Plan:
    """Plan about *tasks* tasks over a real *tree* (see :func:`muse.swarm.tree.load_tree`).

    Every symbol of the tree is reserved by exactly one task (so the only
    overlaps are the planted ones). A subsystem gets tasks in proportion to
    its symbols, each reserving consecutive files' symbols up to an even
    share, never more than :data:`MAX_TASK_SYMBOLS`: a file with more symbols
    than that is batched over several tasks. The result may hold more tasks
    than asked when the cap requires it.

    Dependencies follow the include graph: a task waits for the tasks that
    port the headers its files include (the first task of each, at most
    eight, the most included first), when those come earlier in the plan's
    order (tier, subsystem, headers first), so the graph is acyclic.

    Raises:
        ValueError: no symbols, or sizes out of range.
    """
    if tree.names is None or tree.deps is None:
        raise ValueError("make_tree_plan needs a tree read from disk (load_tree)")
    deps = tree.deps
    if tasks < 1:
        raise ValueError("tasks must be at least 1")
    if not 0.0 <= overlap <= 1.0:
        raise ValueError("overlap must be a fraction between 0 and 1")
    total = sum(tree.symbol_counts)
    if total == 0:
        raise ValueError("the tree has no symbols the parser recognises")
    rng = random.Random(seed * 7919 + 17)
    subs = sorted(tree.subsystems, key=lambda s: (s.tier, s.index))
    out: list[PlannedTask] = []
    ranges: list[tuple[int, int]] = []
    first_task_of_file: dict[int, int] = {}
    for sub in subs:
        sub_symbols = sum(tree.symbol_counts[sub.first_file:sub.first_file + sub.file_count])
        share = max(1, round(tasks * sub_symbols / total))
        target = max(1, min(MAX_TASK_SYMBOLS, -(-sub_symbols // share)))
        start = len(out)
        batches: list[tuple[list[str], list[int]]] = []  # (symbols, files) per task
        for f in range(sub.first_file, sub.first_file + sub.file_count):
            names = tree.symbols(f)
            for i in range(0, len(names), MAX_TASK_SYMBOLS):
                batch = names[i:i + MAX_TASK_SYMBOLS]
                if not batches or (batches[-1][0] and len(batches[-1][0]) + len(batch) > target):
                    batches.append(([], []))
                first_task_of_file.setdefault(f, start + len(batches) - 1)
                batches[-1][0].extend(batch)
                if f not in batches[-1][1]:
                    batches[-1][1].append(f)
        for symbols, files in batches:
            index = len(out)
            after: dict[int, int] = {}
            for f in files:
                for d in deps[f]:
                    owner = first_task_of_file.get(d)
                    if owner is not None and owner < index:
                        after[owner] = after.get(owner, 0) + 1
            kept = sorted(sorted(after, key=lambda t: -after[t])[:_MAX_TREE_DEPS])
            priority = (3 - sub.tier) * 10 + (5 if index == start else 0)
            out.append(PlannedTask(index, f"t{index:06d}-{task_slug(sub.path)}", sub.index,
                                   tuple(symbols), tuple(kept), priority))
        ranges.append((start, len(out) - start))
    # A planted partner gets one more symbol: keep it under the hub's cap.
    pairs = _plant(out, ranges, round(overlap * len(out) / 2), rng,
                   room=lambda t: len(t.symbols) < MAX_TASK_SYMBOLS)
    return Plan(out, pairs)
