"""Tree and plan generators: shapes, determinism, a DAG, planted overlaps counted right."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from muse.swarm.plan import Plan, make_plan
from muse.swarm.tree import generate_tree


def _check_plan(plan: Plan, tasks: int, overlap: float) -> None:
    assert len(plan.tasks) == tasks
    ids = [t.task_id for t in plan.tasks]
    assert len(set(ids)) == tasks
    assert ids == sorted(ids), "task ids sort in plan order (the hub breaks ties by id)"
    for i, t in enumerate(plan.tasks):
        assert t.index == i
        # A DAG by construction: every edge points to an earlier task.
        assert all(0 <= d < t.index for d in t.after)
        assert len(set(t.symbols)) == len(t.symbols)
    # Planted pairs: symmetric, disjoint, one shared symbol, same deps and priority.
    pairs = {tuple(sorted((t.index, t.partner))) for t in plan.tasks if t.partner >= 0}
    assert len(pairs) == plan.planted_pairs
    assert plan.planted_pairs <= round(overlap * tasks / 2)
    for a, b in pairs:
        ta, tb = plan.tasks[a], plan.tasks[b]
        assert ta.partner == b and tb.partner == a
        assert ta.shared == tb.shared and ta.shared in ta.symbols and ta.shared in tb.symbols
        assert ta.after == tb.after and ta.priority == tb.priority
        assert ta.subsystem == tb.subsystem
        assert set(ta.symbols) & set(tb.symbols) == {ta.shared}
    # No symbol is shared by two tasks unless planted: conflicts all come from the plan.
    holders = Counter(s for t in plan.tasks for s in t.symbols)
    shared = {s for s, n in holders.items() if n > 1}
    assert all(holders[s] == 2 for s in shared)
    assert shared == {plan.tasks[a].shared for a, _ in pairs}


@settings(max_examples=60, deadline=None)
@given(files=st.integers(1, 600), subs=st.integers(1, 80), task_share=st.floats(0.01, 1.0),
       overlap=st.sampled_from([0.0, 0.05, 0.1, 0.5, 1.0]), seed=st.integers(0, 2**32))
def test_plan_is_a_dag_with_counted_overlaps(files: int, subs: int, task_share: float,
                                              overlap: float, seed: int) -> None:
    subs = min(subs, files)
    tree = generate_tree(files, subs, seed)
    tasks = max(1, int(files * task_share))
    plan = make_plan(tree, tasks, overlap, seed)
    _check_plan(plan, tasks, overlap)
    # Tasks are clustered: every symbol of a task lies in its own subsystem.
    for t in plan.tasks:
        prefix = tree.subsystems[t.subsystem].path + "/"
        assert all(s.startswith(prefix) for s in t.symbols)


@settings(max_examples=30, deadline=None)
@given(files=st.integers(1, 3000), subs=st.integers(1, 200), seed=st.integers(0, 2**32))
def test_tree_shape(files: int, subs: int, seed: int) -> None:
    subs = min(subs, files)
    tree = generate_tree(files, subs, seed)
    assert len(tree.files) == files == len(tree.symbol_counts)
    assert len(set(tree.files)) == files
    assert len(tree.subsystems) == subs
    assert sum(s.file_count for s in tree.subsystems) == files
    assert all(s.file_count >= 1 for s in tree.subsystems)
    for i in range(0, files, max(1, files // 50)):
        sub = tree.subsystem_of(i)
        assert sub.first_file <= i < sub.first_file + sub.file_count
        assert tree.files[i].startswith(sub.path + "/")
        names = tree.symbols(i)
        assert len(names) == tree.symbol_counts[i] and len(set(names)) == len(names)
        assert all(n.startswith(tree.files[i] + "::") for n in names)


def test_same_seed_same_plan_and_the_default_size() -> None:
    a = make_plan(generate_tree(5000, 40, 3), 1000, 0.1, 3)
    b = make_plan(generate_tree(5000, 40, 3), 1000, 0.1, 3)
    assert a == b
    assert a.planted_pairs == 50
    assert 1 < a.depth() < 20, "enough dependencies to matter, not a long chain"
    assert a != make_plan(generate_tree(5000, 40, 4), 1000, 0.1, 4)


def test_kernel_scale_is_cheap() -> None:
    import time

    start = time.perf_counter()
    tree = generate_tree(150_000, 1200, 0)
    plan = make_plan(tree, 30_000, 0.1, 0)
    assert len(plan.tasks) == 30_000 and plan.planted_pairs == 1500
    assert {s.tier for s in tree.subsystems} == {0, 1, 2, 3}
    assert time.perf_counter() - start < 20  # ~1 s; loose for a loaded machine


def test_bad_sizes_are_refused() -> None:
    import pytest

    with pytest.raises(ValueError):
        generate_tree(3, 5)
    with pytest.raises(ValueError):
        make_plan(generate_tree(10, 2), 11)
    with pytest.raises(ValueError):
        make_plan(generate_tree(10, 2), 5, overlap=1.5)


def test_the_generated_tree_is_shaped_like_linux() -> None:
    tree = generate_tree(150_000, 1200, 0)
    headers = sum(f.endswith(".h") for f in tree.files) / len(tree.files)
    assert 0.39 < headers < 0.45  # Linux 6.1: 42 %
    counts = sorted(tree.symbol_counts)
    assert 10 <= counts[len(counts) // 2] <= 20  # median 15
    assert counts[int(len(counts) * 0.99)] > 300 and counts[-1] > 5_000  # the long tail
    big = max(range(len(tree.files)), key=lambda i: tree.symbol_counts[i])
    names = tree.symbols(big)
    assert len(set(names)) == len(names) == tree.symbol_counts[big]
