"""The symbol index of a working tree: built once, then updated by what changed.

Every C (``.c``, ``.h``) and Python file under the root is parsed with
:mod:`muse.core.source.parse`. An update walks the tree once (``scandir``:
names, then one ``lstat`` per indexed file, as the record index does),
re-parses only files whose ``(mtime_ns, size, inode)`` changed, drops files
that are gone, and rewrites only what changed. A large batch of files is
parsed in worker processes.

Layout, in ``.muse/state/code/`` (safe to delete):

* ``meta`` — every indexed path with its ``(mtime_ns, size, inode)``: what an
  update compares with (4 MB for the Linux tree);
* ``shard-<hash>`` — the stat and parsed facts of the files of one folder
  (``kernel/sched``), read only when a fact of one of its files is asked
  for, rewritten only when one of its files changed. A single file's symbols
  can be looked up from its folder's shard alone (:func:`stored_symbols`).

Each file is ``magic + crc32 + zlib(marshal(payload))``: a missing, foreign
or corrupt one is rebuilt, never believed. A file's lists are packed in one
string apiece (names joined by newlines) and split only when asked for:
loading the facts of the whole Linux tree then creates ~300,000 objects, not
8 million.
"""

from __future__ import annotations

import marshal
import os
import pathlib
import time
import zlib

from muse.core.source.parse import LANGUAGES, PARSER_VERSION, FileFacts, parse_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["CodeIndex", "UpdateStats", "default_store", "load_index", "read_facts",
           "stored_symbols", "update_index"]

_FORMAT = 3
_MAGIC = b"MUSECODE%d.%d" % (_FORMAT, PARSER_VERSION)
_SKIP_DIRS = frozenset({"__pycache__", "node_modules"})
_PARALLEL_FROM = 2000  # files to parse before worker processes pay off

Calls = tuple[tuple[str, tuple[str, ...]], ...]
Stat = tuple[int, int, int]  # mtime_ns, size, inode
# One file's parsed facts, packed: (symbols, kinds, private, includes, calls) where
# symbols and includes are newline-joined and calls are "function\tcallee callee" lines;
# a shard keeps (mtime_ns, size, inode, *facts) per file.
Facts = tuple[str, str, str, str, str]
Entry = tuple[int, int, int, str, str, str, str, str]
_EMPTY: Facts = ("", "", "", "", "")


def _pack(f: FileFacts) -> Facts:
    return ("\n".join(f.symbols), f.kinds, f.private, "\n".join(f.includes),
            "\n".join(f"{fn}\t{' '.join(callees)}" for fn, callees in f.calls))


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def _shard_of(path: str) -> str:
    """Files are stored by folder (``kernel/sched``; ``.`` at the root)."""
    return path.rpartition("/")[0] or "."


def _shard_file(store: pathlib.Path, shard: str) -> pathlib.Path:
    return store / f"shard-{zlib.crc32(shard.encode()):08x}"


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


def _read(path: pathlib.Path) -> object:
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
        return marshal.loads(zlib.decompress(body))
    except (ValueError, EOFError, TypeError, zlib.error):
        return None


def _write(path: pathlib.Path, payload: dict[str, Entry] | dict[str, Stat]) -> None:
    from muse.core.files.fileio import write_file

    body = zlib.compress(marshal.dumps(payload), 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path.parent, path.name, _MAGIC + zlib.crc32(body).to_bytes(4, "big") + body,
               exclusive=False, fsync=False)


class CodeIndex:
    """Facts per file path (POSIX, relative to the root); *entries* maps each to its stat."""

    __slots__ = ("_shards", "entries", "root", "store")

    def __init__(self, root: pathlib.Path, store: pathlib.Path, entries: dict[str, Stat],
                 shards: dict[str, dict[str, Entry]] | None = None) -> None:
        self.root, self.store, self.entries = root, store, entries
        self._shards: dict[str, dict[str, Entry]] = shards if shards is not None else {}

    def __contains__(self, path: str) -> bool:
        return path in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def _facts(self, path: str) -> Facts:
        if path not in self.entries:
            return _EMPTY
        key = _shard_of(path)
        shard = self._shards.get(key)
        if shard is None:
            got = _read(_shard_file(self.store, key))
            shard = got if isinstance(got, dict) else {}
            self._shards[key] = shard
        entry = shard.get(path)
        if entry is None:  # its shard was lost or damaged: parse the file now
            entry = shard[path] = (*self.entries[path], *_pack(read_facts(str(self.root), path)))
        return entry[3:]

    def facts(self, path: str) -> FileFacts | None:
        if path not in self.entries:
            return None
        f = self._facts(path)
        return FileFacts(_split(f[0]), f[1], f[2], _split(f[3]), self.calls(path))

    def symbols(self, path: str) -> tuple[str, ...]:
        """The file's symbol names (empty when not indexed)."""
        return _split(self._facts(path)[0])

    def kinds(self, path: str) -> tuple[str, str]:
        """(kinds, private): one letter / one ``0``/``1`` per symbol."""
        f = self._facts(path)
        return f[1], f[2]

    def includes(self, path: str) -> tuple[str, ...]:
        """Includes as written, or imported module names."""
        return _split(self._facts(path)[3])

    def calls(self, path: str, functions: set[str] | None = None) -> Calls:
        """(function, callee names) pairs of the file (of *functions* only, if given)."""
        text = self._facts(path)[4]
        if not text:
            return ()
        out = []
        for line in text.split("\n"):
            fn, _, callees = line.partition("\t")
            if functions is None or fn in functions:
                out.append((fn, tuple(callees.split(" ")) if callees else ()))
        return tuple(out)

    def symbol_total(self) -> int:
        return sum(len(self._facts(p)[1]) for p in self.entries)


def default_store(root: pathlib.Path) -> pathlib.Path:
    """``.muse/state/code`` of the repository at *root*."""
    from muse.core.paths import state_dir

    return state_dir(root) / "code"


def load_index(root: pathlib.Path, store: pathlib.Path | None = None) -> CodeIndex | None:
    """The stored index as it is (possibly stale), or None when absent or unusable."""
    store = store or default_store(root)
    meta = _read(store / "meta")
    if not isinstance(meta, dict):
        return None
    return CodeIndex(pathlib.Path(root), store, meta)


def stored_symbols(root: pathlib.Path, path: str, store: pathlib.Path | None = None
                   ) -> tuple[str, ...] | None:
    """The symbols of one file from its folder's shard, if stored for the file as it is
    now (same mtime, size, inode); None otherwise. Reads one small shard, not the index."""
    try:
        st = os.stat(os.path.join(root, path))
    except OSError:
        return None
    shard = _read(_shard_file(store or default_store(root), _shard_of(path)))
    entry = shard.get(path) if isinstance(shard, dict) else None
    if not isinstance(entry, tuple) or entry[:3] != (st.st_mtime_ns, st.st_size, st.st_ino):
        return None
    return _split(entry[3])


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
    return [(rel, _pack(read_facts(root, rel))) for rel in rels]


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
        store: the index folder (default ``.muse/state/code``).
        workers: parser processes for a large batch (default: up to 4 cores).
        progress: called with (files parsed, files to parse).
    """
    t0 = time.perf_counter()
    store = store or default_store(root)
    old = load_index(root, store)
    entries: dict[str, Stat] = dict(old.entries) if old is not None else {}
    seen: set[str] = set()
    stale: list[str] = []
    for rel, mtime, size, ino in _walk(str(root)):
        seen.add(rel)
        stat = (mtime, size, ino)
        if entries.get(rel) != stat:
            entries[rel] = stat
            stale.append(rel)
    removed = [rel for rel in entries if rel not in seen]
    for rel in removed:
        del entries[rel]
    t_walk = time.perf_counter()
    index = CodeIndex(pathlib.Path(root), store, entries)
    if not stale and not removed and old is not None:
        return index, UpdateStats(len(entries), 0, 0, time.perf_counter() - t0, t_walk - t0)
    touched: dict[str, dict[str, Entry]] = {}
    first_build = old is None
    for rel in removed:
        key = _shard_of(rel)
        if key not in touched:
            got = None if first_build else _read(_shard_file(store, key))
            touched[key] = got if isinstance(got, dict) else {}
        touched[key].pop(rel, None)
    for rel, facts in _parse_all(str(root), stale, workers, progress):
        key = _shard_of(rel)
        if key not in touched:
            got = None if first_build else _read(_shard_file(store, key))
            touched[key] = got if isinstance(got, dict) else {}
        touched[key][rel] = (*entries[rel], *facts)
    for key, shard in touched.items():
        _write(_shard_file(store, key), shard)
    _write(store / "meta", entries)
    index = CodeIndex(pathlib.Path(root), store, entries, touched if first_build else None)
    return index, UpdateStats(len(entries), len(stale), len(removed), time.perf_counter() - t0,
                              t_walk - t0)
