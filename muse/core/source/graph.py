"""File-to-file edges of a working tree: C includes and Python imports, resolved.

An include as written (``linux/sched.h``, ``"e1000.h"``) becomes a file of
the index:

* ``"x.h"`` is first looked up next to the including file;
* otherwise, every indexed header whose path ends with ``/include/x.h``,
  ``/include/uapi/x.h`` or equals ``x.h`` relative to the root is a
  candidate; the one sharing the longest leading folder path with the
  includer wins (``tools/perf`` gets ``tools/include/linux/list.h``, the
  kernel gets ``include/linux/list.h``, an arch file its own ``asm/``),
  then the shortest path.

A Python import ``a.b.c`` is ``a/b/c.py`` or ``a/b/c/__init__.py``; only
modules of the tree count (the standard library has no file there).

Unresolved includes (system headers, generated files) are dropped.
"""

from __future__ import annotations

import posixpath

from muse.core.source.index import CodeIndex

__all__ = ["Graph"]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("/")[:-1], b.split("/")[:-1], strict=False):
        if x != y:
            break
        n += 1
    return n


class Graph:
    """Lazily resolved dependency edges of *index* (memoised per file)."""

    def __init__(self, index: CodeIndex) -> None:
        self.index = index
        self._suffix: dict[str, list[str]] | None = None
        self._deps: dict[str, tuple[str, ...]] = {}
        # An include resolves the same from every file of a folder: memoised by folder.
        self._resolved: dict[tuple[str, str], str | None] = {}

    def _suffixes(self) -> dict[str, list[str]]:
        if self._suffix is None:
            out: dict[str, list[str]] = {}
            for path in self.index.entries:
                if not path.endswith(".h"):
                    continue
                out.setdefault(path, []).append(path)
                parts = path.split("/")
                for i, part in enumerate(parts[:-1]):
                    if part == "include":
                        rest = parts[i + 1:]
                        if rest and rest[0] == "uapi":
                            rest = rest[1:]
                        out.setdefault("/".join(rest), []).append(path)
            self._suffix = out
        return self._suffix

    def _include(self, folder: str, written: str) -> str | None:
        key = (folder, written)
        if key in self._resolved:
            return self._resolved[key]
        near = posixpath.normpath(posixpath.join(folder, written))
        got: str | None
        if near in self.index.entries:
            got = near
        else:
            cands = self._suffixes().get(posixpath.normpath(written))
            if not cands:
                got = None
            elif len(cands) == 1:
                got = cands[0]
            else:
                src = f"{folder}/x"
                got = min(cands, key=lambda c: (-_common_prefix(src, c), len(c), c))
        self._resolved[key] = got
        return got

    def _module(self, name: str) -> str | None:
        base = name.replace(".", "/")
        for candidate in (f"{base}.py", f"{base}/__init__.py", f"src/{base}.py", f"src/{base}/__init__.py"):
            if candidate in self.index.entries:
                return candidate
        return None

    def deps(self, path: str) -> tuple[str, ...]:
        """Files of the tree that *path* includes or imports (no self edges)."""
        got = self._deps.get(path)
        if got is not None:
            return got
        out: dict[str, None] = {}
        if path in self.index.entries:
            if path.endswith(".py"):
                targets = [self._module(w) for w in self.index.includes(path)]
            else:
                folder = posixpath.dirname(path)
                memo = self._resolved
                targets = [memo[(folder, w)] if (folder, w) in memo else self._include(folder, w)
                           for w in self.index.includes(path)]
            for target in targets:
                if target is not None and target != path:
                    out[target] = None
        got = tuple(out)
        self._deps[path] = got
        return got

    def edges(self, paths: list[str] | None = None) -> list[tuple[str, str]]:
        """(file, dependency) pairs among *paths* (default: every file of the index)."""
        keep = set(self.index.entries if paths is None else paths)
        return [(p, d) for p in keep for d in self.deps(p) if d in keep]

    def includers(self, paths: list[str] | None = None) -> dict[str, list[str]]:
        """Reverse edges: file → files (of *paths*) that include or import it."""
        out: dict[str, list[str]] = {}
        for p in (self.index.entries if paths is None else paths):
            for d in self.deps(p):
                out.setdefault(d, []).append(p)
        return out
