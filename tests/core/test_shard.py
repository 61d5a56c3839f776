"""Sharding: a partition, balanced, never cutting more than the naive split; on real files too."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from muse.cli.commands.init import init_repo
from muse.core.source.shard import shard
from tests.conftest import subprocess_env
from tests.kernel_slice import copy_slice

ROOT = pathlib.Path(__file__).resolve().parents[2]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str]], int]:
    n = draw(st.integers(1, 40))
    names = [f"d{i % 5}/f{i:02d}.c" for i in range(n)]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=120))
    return names, [(names[a], names[b]) for a, b in pairs], draw(st.integers(1, 6))


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_groups_partition_the_items_and_the_cut_is_exact(g: tuple[list[str], list[tuple[str, str]], int]) -> None:
    names, edges, parts = g
    result = shard({n: [n] for n in names}, edges, parts, slack=0.25)
    assert sorted(x for grp in result.groups for x in grp) == sorted(names)
    assert len(result.groups) == parts
    group_of = {x: i for i, grp in enumerate(result.groups) for x in grp}
    brute = sum(1 for a, b in edges if a != b and group_of[a] != group_of[b])
    assert result.cut == brute
    assert result.cut <= result.naive_cut
    assert result.edges == sum(1 for a, b in edges if a != b)
    # Balance: a group only grows by a move that keeps it within the bound, and the
    # naive start holds at most ceil(n / parts) items per group.
    limit = max(-(-len(names) // parts), 1.25 * len(names) / parts)
    assert all(w <= limit for w in result.weights)


def test_tasks_are_items_holding_several_files() -> None:
    items = {"t1": ["a.c", "a.h"], "t2": ["b.c"], "t3": ["c.c"], "t4": ["d.c", "d.h"]}
    edges = [("b.c", "a.h"), ("c.c", "d.h"), ("a.c", "a.h")]
    result = shard(items, edges, 2, slack=0.0)
    assert result.cut == 0 and sorted(map(sorted, result.groups)) == [["t1", "t2"], ["t3", "t4"]]


def _shard_cli(cwd: pathlib.Path, *args: str) -> dict:  # type: ignore[type-arg]
    proc = subprocess.run([sys.executable, "-m", "muse", "coord", "shard", *args, "--json"], cwd=cwd,
                          capture_output=True, text=True, env=subprocess_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_shard_on_the_kernel_slice_and_on_this_project(tmp_path: pathlib.Path) -> None:
    kernel = _shard_cli(copy_slice(tmp_path / "slice"), "3")
    assert kernel["items"] == 20 and kernel["edges"] > 0
    assert kernel["cut"] < kernel["naive_cut"]
    src = tmp_path / "src"
    shutil.copytree(ROOT / "muse", src / "muse")
    init_repo(src)
    own = _shard_cli(src, "4", "muse")
    assert own["edges"] > 100 and own["cut"] < own["naive_cut"]
    assert sum(g["weight"] for g in own["groups"]) == own["items"]


def test_shard_refuses_unknown_paths(tmp_path: pathlib.Path) -> None:
    root = copy_slice(tmp_path / "slice")
    proc = subprocess.run([sys.executable, "-m", "muse", "coord", "shard", "2", "no/such/dir"], cwd=root,
                          capture_output=True, text=True, env=subprocess_env(), timeout=120)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "no/such/dir" in proc.stderr


def test_shard_tasks_by_the_files_they_reserve(tmp_path: pathlib.Path) -> None:
    from muse.core.coordination import enqueue
    from tests.kernel_slice import E1000

    root = copy_slice(tmp_path / "slice")
    e1000 = [f"{E1000}/{f}" for f in ("e1000.h", "e1000_main.c", "e1000_param.c", "e1000_ethtool.c")]
    ppc = ["arch/powerpc/perf/internal.h", "arch/powerpc/perf/power5+-pmu.c",
           "arch/powerpc/perf/power5-pmu.c"]
    for i, path in enumerate(e1000 + ppc):
        enqueue(root, f"port {path}", task_id=f"t{i}", symbols=[path])
    result = _shard_cli(root, "2", "--tasks")
    groups = sorted(sorted(g["items"]) for g in result["groups"])
    assert result["cut"] == 0 < result["edges"]
    assert groups == [["t0", "t1", "t2", "t3"], ["t4", "t5", "t6"]]
