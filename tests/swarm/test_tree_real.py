"""`muse swarm --tree` on real files: the vendored kernel slice, with and without MAINTAINERS."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from muse.core.source.index import update_index
from muse.core.types import is_safe_id
from muse.swarm.plan import MAX_TASK_SYMBOLS, make_tree_plan, task_slug
from muse.swarm.tree import load_tree
from tests.kernel_slice import E1000, copy_slice
from tests.swarm.test_swarm_run import _check, _swarm


@given(st.text(max_size=120))
def test_task_slugs_are_valid_hub_ids(name: str) -> None:
    task_id = f"t000001-{task_slug(name)}"
    assert is_safe_id(task_id) and "+" not in task_id and ".." not in task_id


def test_odd_real_names_stay_distinct() -> None:
    odd = ["tools/perf/util/c++", "tools/perf/util/c__", "arch/powerpc/perf/power5+-pmu.c",
           "include/dt-bindings/sound/qcom,q6afe.h", "LINUX FOR POWERPC (32-BIT AND 64-BIT)"]
    slugs = [task_slug(n) for n in odd]
    assert len(set(slugs)) == len(odd)
    assert task_slug("kernel/sched") == "kernel.sched"  # plain names read as before


@pytest.fixture(scope="module")
def slice_tree(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return copy_slice(tmp_path_factory.mktemp("k") / "tree")


def test_subsystems_come_from_maintainers(slice_tree: pathlib.Path) -> None:
    index, _ = update_index(slice_tree)
    tree = load_tree(str(slice_tree), index)
    names = {s.path for s in tree.subsystems}
    assert {"INTEL ETHERNET DRIVERS", "LINUX FOR POWERPC (32-BIT AND 64-BIT)",
            "PERFORMANCE EVENTS SUBSYSTEM", "THE REST"} <= names
    owner = {tree.files[f]: s.path for s in tree.subsystems
             for f in range(s.first_file, s.first_file + s.file_count)}
    assert owner[f"{E1000}/e1000_main.c"] == "INTEL ETHERNET DRIVERS"  # not NETWORKING DRIVERS
    assert owner["tools/perf/util/c++/clang.h"] == "PERFORMANCE EVENTS SUBSYSTEM"
    assert tree.shared_files >= 8  # e1000 is in INTEL ETHERNET, NETWORKING DRIVERS and THE REST
    assert sorted(tree.files) == sorted(owner)


def test_plan_reserves_every_symbol_once_batched_under_the_cap(slice_tree: pathlib.Path) -> None:
    index, _ = update_index(slice_tree)
    tree = load_tree(str(slice_tree), index)  # every kind: e1000_hw.h has > 256 symbols
    plan = make_tree_plan(tree, 10, overlap=0.0)
    held = [s for t in plan.tasks for s in t.symbols]
    every = [s for f in range(len(tree.files)) for s in tree.symbols(f)]
    assert sorted(held) == sorted(every) and len(set(held)) == len(held)
    assert all(0 < len(t.symbols) <= MAX_TASK_SYMBOLS for t in plan.tasks)
    hw_h = [t for t in plan.tasks if any(s.startswith(f"{E1000}/e1000_hw.h::") for s in t.symbols)]
    assert len(hw_h) >= 2
    assert all(d < t.index for t in plan.tasks for d in t.after)
    # Include graph: the task porting e1000_main.c waits for the one porting e1000.h.
    first = {s.partition("::")[0]: t.index for t in reversed(plan.tasks) for s in t.symbols}
    main = next(t for t in plan.tasks if any(s.startswith(f"{E1000}/e1000_main.c::") for s in t.symbols))
    assert first[f"{E1000}/e1000.h"] in main.after


def test_swarm_on_the_slice_with_maintainers(tmp_path: pathlib.Path) -> None:
    tree = copy_slice(tmp_path / "tree", repo=False)
    code, report, err = _swarm("--tree", str(tree), "--agents", "20", "--tasks", "12",
                               "--overlap", "0.4", "--all-symbols", "--json", "--quiet", cwd=tmp_path)
    assert code == 0, err
    _check(report, report["tasks"]["enqueued"])
    assert report["tree"]["files_in_several_sections"] >= 8
    assert report["conflicts"]["planted"] >= 1


def test_swarm_on_the_slice_by_folders_with_odd_names(tmp_path: pathlib.Path) -> None:
    tree = copy_slice(tmp_path / "tree", maintainers=False, repo=False)
    code, report, err = _swarm("--tree", str(tree), "--agents", "10", "--tasks", "16",
                               "--json", "--quiet", cwd=tmp_path)
    assert code == 0, err
    _check(report, report["tasks"]["enqueued"])
    assert report["config"]["subsystems"] == 7  # folders with symbols, tools/perf/util/c++ among them


def test_folder_subsystems_give_valid_task_ids(tmp_path: pathlib.Path) -> None:
    root = copy_slice(tmp_path / "tree", maintainers=False)
    index, _ = update_index(root)
    tree = load_tree(str(root), index)
    assert "tools/perf/util/c++" in {s.path for s in tree.subsystems}
    ids = [t.task_id for t in make_tree_plan(tree, 16).tasks]
    assert all(is_safe_id(i) and "+" not in i for i in ids)
    assert any(".c__-" in i for i in ids)  # tools.perf.util.c__-<hash>


def test_swarm_on_a_missing_tree_is_one_line(tmp_path: pathlib.Path) -> None:
    code, report, err = _swarm("--tree", str(tmp_path / "nope"), "--json", cwd=tmp_path)
    assert code == 2 and report == {} and err.count("\n") == 1 and "not a folder" in err


def test_no_two_tasks_overlap_on_python_classes_and_methods(tmp_path: pathlib.Path) -> None:
    """A file over the 256-symbol cap is split over tasks; a class and its methods split
    apart would be an unplanted conflict (2 of them at 7,000 agents on the kernel's Python
    scripts, before the class stood for its methods)."""
    from muse.core.vocab.address import ancestors, canonical

    root = tmp_path / "src"
    root.mkdir()
    methods = "".join(f"    def m{i}(self):\n        return {i}\n" for i in range(300))
    (root / "big.py").write_text(f"def first():\n    return 0\n\nclass Big:\n{methods}")
    index, _ = update_index(root, tmp_path / "store")
    plan = make_tree_plan(load_tree(str(root), index), 10, overlap=0.0)
    owner = {canonical(s): t.index for t in plan.tasks for s in t.symbols}
    clashes = [(a, outer) for a, i in owner.items() for outer in ancestors(a)
               if owner.get(outer, i) != i]
    assert clashes == []
    assert "big.py::Big" in owner and "big.py::first" in owner  # the class stands for its methods
