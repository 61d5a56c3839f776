"""``muse swarm --tree PATH``: the tree and the plan from a real source tree.

The tree's symbol index is kept in ``PATH/.muse/state/code`` when PATH is a
Muse repository, else in ``$XDG_CACHE_HOME/muse/code/<hash of PATH>``
(``~/.cache`` by default), so a second run only re-reads what changed.

Tasks reserve what porting edits: functions, prototypes, types (struct,
union, enum, typedef), file-scope variables, Python classes and methods —
not macros or enumerators, which outnumber them (Linux 6.1: 3.8 M macros,
0.34 M enumerators, 1.1 M of the rest); a task holding a file's functions
covers its macros in practice, and reserving the constants of register
headers would only fill the hub with rows nobody contends for.
"""

from __future__ import annotations

import os
import pathlib
import time

from muse.core.vocab.errors import UsageError
from muse.swarm.plan import Plan, make_tree_plan
from muse.swarm.tree import Tree, load_tree

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

__all__ = ["RESERVED_KINDS", "TreeInfo", "index_store", "plan_from_tree"]

RESERVED_KINDS = "fpsuetvkd"


class TreeInfo:
    """How the tree was read: index figures and section sharing."""

    __slots__ = ("index", "seconds", "shared_files")

    def __init__(self, index: dict[str, float | int], seconds: float, shared_files: int) -> None:
        self.index, self.seconds, self.shared_files = index, seconds, shared_files

    def to_json(self) -> dict[str, object]:
        return {"index": self.index, "seconds": round(self.seconds, 3),
                "files_in_several_sections": self.shared_files}


def index_store(path: pathlib.Path) -> pathlib.Path:
    """Where the index of the tree at *path* lives (see the module docstring)."""
    if (path / ".muse").is_dir():
        from muse.core.source.index import default_store

        return default_store(path)
    from zlib import crc32

    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(cache) / "muse" / "code" / f"{crc32(str(path).encode()):08x}"


def plan_from_tree(path: str, tasks: int | None, overlap: float, seed: int,
                   progress: IO[str] | None = None, *,
                   all_symbols: bool = False) -> tuple[Tree, Plan, TreeInfo]:
    """Index (or update the index of) the tree at *path*, then read it and plan over it.

    Args:
        tasks: tasks wanted (default: one per 5 files); more when the
            256-symbol cap requires.
        all_symbols: reserve every symbol, macros and enumerators included.

    Raises:
        UsageError: *path* is not a folder, or holds no symbol the parser knows.
    """
    from muse.core.source.index import update_index

    root = pathlib.Path(path).resolve()
    if not root.is_dir():
        raise UsageError(f"--tree {path}: not a folder")
    t0 = time.perf_counter()
    def tick(done: int, total: int) -> None:
        if progress is not None and (done == total or done % 5000 < 200):
            progress.write(f"indexing {done:,}/{total:,} files\n")

    index, stats = update_index(root, index_store(root), progress=tick)
    tree = load_tree(str(root), index, kinds=None if all_symbols else RESERVED_KINDS)
    if not tree.files:
        raise UsageError(f"--tree {path}: no C or Python symbols found")
    wanted = tasks if tasks is not None else max(1, len(tree.files) // 5)
    if wanted < 1:
        raise UsageError("--tasks must be at least 1")
    plan = make_tree_plan(tree, wanted, overlap, seed)
    return tree, plan, TreeInfo(stats.to_json(), time.perf_counter() - t0, tree.shared_files)
