"""The symbol index of a working tree: built once, then updated by what changed.

Every C (``.c``, ``.h``) and Python file under the root is parsed with
:mod:`muse.core.codeparse`; the facts are kept in one file,
``.muse/state/code/index`` (safe to delete), with each file's
``(mtime_ns, size, inode)``. An update walks the tree once (``scandir``:
names, then one ``lstat`` per indexed file, as the record index does),
re-parses only files whose triple changed, drops files that are gone, and
rewrites the index only when something changed. A first build of many files
is spread over worker processes.

The stored file is ``magic + crc32 + zlib(marshal(payload))``: a missing,
foreign or corrupt one is rebuilt, never believed.
"""

from __future__ import annotations

import marshal
import os
import pathlib
import time
import zlib

from muse.core.codeparse import LANGUAGES, FileFacts, parse_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["CodeIndex", "UpdateStats", "default_store", "load_index", "read_facts", "update_index"]

_FORMAT = 1
_MAGIC = b"MUSECODE%d" % _FORMAT
_SKIP_DIRS = frozenset({"__pycache__", "node_modules"})
_PARALLEL_FROM = 2000  # files to parse before worker processes pay off

Calls = tuple[tuple[str, tuple[str, ...]], ...]
# One file's parsed facts: (symbols, kinds, private, includes, calls), and its
# entry: (mtime_ns, size, inode, *facts).
Facts = tuple[tuple[str, ...], str, str, tuple[str, ...], Calls]
Entry = tuple[int, int, int, tuple[str, ...], str, str, tuple[str, ...], Calls]


class UpdateStats:
    """What one :func:`update_index` did."""

    __slots__ = ("files", "parsed", "removed", "seconds", "walk_seconds")

    def __init__(self, files: int, parsed: int, removed: int, seconds: float,
                 walk_seconds: float) -> None:
        self.files, self.parsed, self.removed = files, parsed, removed
        self.seconds, self.walk_seconds = seconds, walk_seconds

    def to_json(self) -> dict[str, float | int]:
        return {"files": self.files, "parsed": self.parsed, "removed": self.removed,
                "seconds": round(self.seconds, 3), "walk_seconds": round(self.walk_seconds, 3)}


class CodeIndex:
    """Facts per file path (POSIX, relative to the root)."""

    __slots__ = ("entries", "root")

    def __init__(self, root: pathlib.Path, entries: dict[str, Entry]) -> None:
        self.root = root
        self.entries = entries

    def __contains__(self, path: str) -> bool:
        return path in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def facts(self, path: str) -> FileFacts | None:
        e = self.entries.get(path)
        return None if e is None else FileFacts(e[3], e[4], e[5], e[6], e[7])

    def symbols(self, path: str) -> tuple[str, ...]:
        e = self.entries.get(path)
        return () if e is None else e[3]

    def symbol_total(self) -> int:
        return sum(len(e[3]) for e in self.entries.values())


def default_store(root: pathlib.Path) -> pathlib.Path:
    """``.muse/state/code/index`` of the repository at *root*."""
    from muse.core.paths import state_dir

    return state_dir(root) / "code" / "index"


def load_index(root: pathlib.Path, store: pathlib.Path | None = None) -> CodeIndex | None:
    """The stored index as it is (possibly stale), or None when absent or unusable."""
    path = store or default_store(root)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 4
    if data[: len(_MAGIC)] != _MAGIC or len(data) < head:
        return None
    body = data[head:]
    if zlib.crc32(body) != int.from_bytes(data[len(_MAGIC):head], "big"):
        return None
    try:
        entries = marshal.loads(zlib.decompress(body))
    except (ValueError, EOFError, TypeError, zlib.error):
        return None
    return CodeIndex(pathlib.Path(root), entries) if isinstance(entries, dict) else None


def _save(store: pathlib.Path, entries: dict[str, Entry]) -> None:
    from muse.core.fileio import write_file

    body = zlib.compress(marshal.dumps(entries), 1)
    store.parent.mkdir(parents=True, exist_ok=True)
    write_file(store.parent, store.name, _MAGIC + zlib.crc32(body).to_bytes(4, "big") + body,
               exclusive=False, fsync=False)


def _walk(root: str) -> Iterable[tuple[str, int, int, int]]:
    """(relative POSIX path, mtime_ns, size, inode) of every indexable file, no symlinks."""
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            it = os.scandir(os.path.join(root, rel) if rel else root)
        except OSError:
            continue
        with it:
            for entry in it:
                name = entry.name
                if entry.is_dir(follow_symlinks=False):
                    if not name.startswith(".") and name not in _SKIP_DIRS:
                        stack.append(f"{rel}/{name}" if rel else name)
                elif os.path.splitext(name)[1] in LANGUAGES and entry.is_file(follow_symlinks=False):
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    yield (f"{rel}/{name}" if rel else name), st.st_mtime_ns, st.st_size, st.st_ino


def read_facts(root: str, rel: str) -> FileFacts:
    """Parse one file of the tree (an unreadable file has no facts)."""
    try:
        with open(os.path.join(root, rel), "rb") as fh:
            data = fh.read()
    except OSError:
        return FileFacts()
    return parse_source(rel, data)


def _parse_chunk(args: tuple[str, list[str]]) -> list[tuple[str, Facts]]:
    root, rels = args
    out: list[tuple[str, Facts]] = []
    for rel in rels:
        f = read_facts(root, rel)
        out.append((rel, (f.symbols, f.kinds, f.private, f.includes, f.calls)))
    return out


def _parse_all(root: str, rels: list[str], workers: int | None,
               progress: Callable[[int, int], None] | None) -> Iterable[tuple[str, Facts]]:
    chunks = [rels[i:i + 200] for i in range(0, len(rels), 200)]
    n = workers if workers is not None else min(4, os.cpu_count() or 1)
    done = 0
    if len(rels) < _PARALLEL_FROM or n <= 1:
        for chunk in chunks:
            yield from _parse_chunk((root, chunk))
            done += len(chunk)
            if progress:
                progress(done, len(rels))
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(n) as pool:
        for result in pool.map(_parse_chunk, [(root, c) for c in chunks]):
            yield from result
            done += len(result)
            if progress:
                progress(done, len(rels))


def update_index(root: pathlib.Path, store: pathlib.Path | None = None, *,
                 workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> tuple[CodeIndex, UpdateStats]:
    """Bring the index of the tree at *root* up to date and return it.

    Args:
        root: the working tree.
        store: where the index lives (default ``.muse/state/code/index``).
        workers: parser processes for a large batch (default: up to 4 cores).
        progress: called with (files parsed, files to parse).
    """
    t0 = time.perf_counter()
    store = store or default_store(root)
    old = load_index(root, store)
    entries: dict[str, Entry] = dict(old.entries) if old is not None else {}
    seen: set[str] = set()
    stale: list[tuple[str, int, int, int]] = []
    for rel, mtime, size, ino in _walk(str(root)):
        seen.add(rel)
        e = entries.get(rel)
        if e is None or e[0] != mtime or e[1] != size or e[2] != ino:
            stale.append((rel, mtime, size, ino))
    removed = [rel for rel in entries if rel not in seen]
    for rel in removed:
        del entries[rel]
    t_walk = time.perf_counter()
    stat_of = {rel: (mtime, size, ino) for rel, mtime, size, ino in stale}
    intern = _Interner()
    for rel, facts in _parse_all(str(root), [s[0] for s in stale], workers, progress):
        mtime, size, ino = stat_of[rel]
        symbols, kinds, private, includes, calls = facts
        entries[rel] = (mtime, size, ino, intern.names(symbols), kinds, private,
                        intern.names(includes), intern.calls(calls))
    if stale or removed or old is None:
        _save(store, entries)
    index = CodeIndex(pathlib.Path(root), entries)
    return index, UpdateStats(len(entries), len(stale), len(removed), time.perf_counter() - t0,
                              t_walk - t0)


class _Interner:
    """Share one string object per name, so the stored index repeats none (marshal refs)."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def names(self, names: tuple[str, ...]) -> tuple[str, ...]:
        s = self.seen
        return tuple(s.setdefault(n, n) for n in names)

    def calls(self, calls: Calls) -> Calls:
        s = self.seen
        return tuple((s.setdefault(f, f), self.names(c)) for f, c in calls)
