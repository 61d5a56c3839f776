"""Persistent index of typed records, one per kind folder.

Records are write-once files, so a folder's content is known from its
listing: a name seen before (with the same inode) holds the record decoded
before. The index keeps every decoded record of a folder in
``.muse/state/index/`` and a query then costs:

* **one ``stat`` of the folder** when its mtime is unchanged and was already
  old when the index was taken (then no entry can have changed since: a later
  create or unlink would have moved the mtime — the "racy git" rule), or
* **one listing plus reading the new files** otherwise.

It is only an accelerator: a missing, stale, foreign or corrupt index file
(checked by CRC before it is trusted) is ignored and rebuilt, never believed.
Writers replace index files atomically, so two processes updating at once
each leave a valid snapshot; the listing check corrects whichever lost.

Storage: a *base* snapshot plus a cumulative *delta* (records added and
names removed since the base), so a busy folder rewrites a small delta, not
the whole base; the base is rewritten when the delta grows past 1/8 of it.
"""

from __future__ import annotations

import marshal
import os
import time
import zlib
from collections.abc import Callable
from functools import partial

from muse.core.errors import InvalidRecord
from muse.core.fileio import write_file
from muse.core.records import DECODERS
from muse.core.store import Problem, read_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FORMAT", "index_enabled", "load_folder"]

FORMAT = 3
_MAGIC = b"MUSEIDX%d" % FORMAT
_RACY_NS = 2_000_000_000  # mtime granularity margin


def index_enabled() -> bool:
    return os.environ.get("MUSE_INDEX", "1") not in ("0", "off", "false", "no")


def _read_blob(path: str) -> Any:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    head = len(_MAGIC) + 4
    if len(data) < head or not data.startswith(_MAGIC):
        return None
    payload = memoryview(data)[head:]
    if zlib.crc32(payload) != int.from_bytes(data[len(_MAGIC):head], "little"):
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def _write_blob(folder: str, name: str, obj: Any) -> None:
    payload = marshal.dumps(obj)
    blob = _MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload
    try:
        write_file(folder, name, blob, exclusive=False)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        write_file(folder, name, blob, exclusive=False)
    except OSError:
        pass  # read-only repository: run without a cache


class _Delta:
    """Changes since the base: entries added (or replaced) and base names removed."""

    __slots__ = ("dir_mtime", "inodes", "listed_at", "names", "problems", "removed", "rows")

    def __init__(self, blob: dict[str, Any] | None = None) -> None:
        self.dir_mtime: int = blob["dir_mtime"] if blob else -1
        self.listed_at: int = blob["listed_at"] if blob else -1
        self.names: list[str] = list(blob["names"]) if blob else []
        self.inodes: list[int] = list(blob["inodes"]) if blob else []
        self.rows: list[Any] = list(blob["rows"]) if blob else []
        self.problems: list[str | None] = list(blob["problems"]) if blob else []
        self.removed: set[str] = set(blob["removed"]) if blob else set()

    def __len__(self) -> int:
        return len(self.names) + len(self.removed)

    def drop(self, gone: set[str]) -> None:
        """Forget entries named in *gone* and hide those names in the base."""
        self.removed |= gone
        if gone.intersection(self.names):
            keep = [i for i, n in enumerate(self.names) if n not in gone]
            self.names = [self.names[i] for i in keep]
            self.inodes = [self.inodes[i] for i in keep]
            self.rows = [self.rows[i] for i in keep]
            self.problems = [self.problems[i] for i in keep]

    def blob(self, base_id: str) -> dict[str, Any]:
        return {"base": base_id, "dir_mtime": self.dir_mtime, "listed_at": self.listed_at,
                "removed": sorted(self.removed), "names": self.names, "inodes": self.inodes,
                "rows": self.rows, "problems": self.problems}


def _is_record_name(name: str) -> bool:
    return name.endswith(".json") and name[0] != "."


def _load_blobs(cache_dir: str, key: str, kind: str) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """The base snapshot and the delta that applies to it (if any)."""
    base = _read_blob(os.path.join(cache_dir, key + ".base"))
    if not (isinstance(base, dict) and base.get("kind") == kind and "id" in base):
        return None
    delta = _read_blob(os.path.join(cache_dir, key + ".delta"))
    if not (isinstance(delta, dict) and delta.get("base") == base["id"]):
        delta = None
    return base, delta


def _records(base: dict[str, Any], delta: _Delta | None, make: Callable[[Any], Any]) -> tuple[list[Any], list[str]]:
    """Records of base + delta, and the names of unusable files (no per-entry maps built)."""
    rows: list[Any] = base["rows"]
    bad = [b[0] for b in base["bad"]]
    if delta is None or not delta:
        return list(map(make, rows)), bad
    gone_ids = {n[:-5] for n in delta.removed.union(delta.names)}
    out = [make(row) for row in rows if row[0] not in gone_ids] if gone_ids else list(map(make, rows))
    out.extend(map(make, filter(None, delta.rows)))
    gone = delta.removed.union(delta.names)
    bad = [n for n in bad if n not in gone]
    bad.extend(n for n, row in zip(delta.names, delta.rows) if row is None)
    return out, bad


def _base_columns(base: dict[str, Any]) -> tuple[list[str], list[int], list[Any], list[str | None]]:
    """The base as parallel columns (name, inode, row, problem): for re-listing and compaction.

    A usable record's file name is its record id + ``.json`` (rows start with
    the record id), so only unusable files store their name.
    """
    rows: list[Any] = base["rows"]
    names = [row[0] + ".json" for row in rows]
    inodes: list[int] = list(base["inodes"])
    all_rows: list[Any] = list(rows)
    problems: list[str | None] = [None] * len(rows)
    for name, inode, problem in base["bad"]:
        names.append(name)
        inodes.append(inode)
        all_rows.append(None)
        problems.append(problem)
    return names, inodes, all_rows, problems


def _decode(folder: str, kind: str, remote: bool, names: list[str]) -> list[tuple[Any, str | None]]:
    """(row, problem) for each of *names*; a vanished file gives (None, None)."""
    decode: Callable[[str, Any, bool], Any] = DECODERS[kind]
    sink: list[Problem] = []
    got: dict[str, tuple[Any, str | None]] = {}
    for rid, data in read_folder(folder, sink, names):
        if type(data) is not dict:
            got[rid] = (None, "not a JSON object")
            continue
        try:
            got[rid] = (tuple(decode(rid, data, remote)), None)
        except InvalidRecord as exc:
            got[rid] = (None, exc.message)
    for p in sink:  # unreadable or not JSON
        got[os.path.basename(p.path)[:-5]] = (None, p.message)
    return [got.get(n[:-5], (None, None)) for n in names]


def _write_base(cache_dir: str, key: str, kind: str, mtime: int, listed_at: int,
                names: list[str], inodes: list[int], rows: list[Any], problems: list[str | None]) -> None:
    # Compact: usable rows and their inodes only (names derive from record ids);
    # the few unusable files are listed apart. The settled path unmarshals
    # just this, about a quarter less than full columns.
    good = [i for i, row in enumerate(rows) if row is not None]
    _write_blob(cache_dir, key + ".base", {
        "kind": kind, "id": os.urandom(8).hex(), "dir_mtime": mtime, "listed_at": listed_at,
        "rows": [rows[i] for i in good], "inodes": [inodes[i] for i in good],
        "bad": [(names[i], inodes[i], problems[i]) for i, row in enumerate(rows) if row is None],
    })
    try:
        os.unlink(os.path.join(cache_dir, key + ".delta"))
    except OSError:
        pass


def load_folder(
    folder: str, kind: str, remote: bool, cache_dir: str | None, problems: list[Problem]
) -> list[Any]:
    """Typed records of one kind folder, through the index when *cache_dir* is given."""
    cls = DECODERS[kind].__self__  # type: ignore[attr-defined]
    make = partial(tuple.__new__, cls)
    try:
        st = os.stat(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    key = ("remote-" if remote else "local-") + os.path.basename(folder)
    base: dict[str, Any] | None = None
    delta: _Delta | None = None
    if cache_dir:
        try:
            blobs = _load_blobs(cache_dir, key, kind)
            if blobs is not None:
                base, delta = blobs[0], _Delta(blobs[1]) if blobs[1] else None
        except (KeyError, TypeError, ValueError):
            base = delta = None
    try:
        if base is not None:
            return _load_indexed(folder, kind, remote, cache_dir, key, st.st_mtime_ns, base, delta,
                                 make, problems)
    except (KeyError, TypeError, ValueError):
        pass  # a foreign or damaged index: rebuild below
    # No usable index: read everything, then write a base.
    listed_at = time.time_ns()
    with os.scandir(folder) as it:
        listing = {e.name: e.inode() for e in it if e.name.endswith(".json") and e.name[0] != "."}
    names = list(listing)
    decoded = _decode(folder, kind, remote, names)
    keep = [i for i, (row, problem) in enumerate(decoded) if row is not None or problem is not None]
    names = [names[i] for i in keep]
    inodes = [listing[n] for n in names]
    rows = [decoded[i][0] for i in keep]
    probs = [decoded[i][1] for i in keep]
    if cache_dir:
        _write_base(cache_dir, key, kind, st.st_mtime_ns, listed_at, names, inodes, rows, probs)
    for n, row, problem in zip(names, rows, probs):
        if row is None:
            problems.append(Problem(os.path.join(folder, n), problem or "unusable"))
    return list(map(make, filter(None, rows)))


def _finish(
    folder: str, kind: str, remote: bool, base: dict[str, Any], delta: _Delta | None,
    make: Callable[[Any], Any], problems: list[Problem],
) -> list[Any]:
    out, bad = _records(base, delta, make)
    if bad:
        # Unusable files are read again every time: another tool may have been
        # half-way through writing one in place (same inode, same folder mtime).
        for name, (row, problem) in zip(bad, _decode(folder, kind, remote, bad)):
            if row is not None:
                out.append(make(row))
            elif problem is not None:
                problems.append(Problem(os.path.join(folder, name), problem))
    return out


def _load_indexed(
    folder: str, kind: str, remote: bool, cache_dir: str | None, key: str, mtime: int,
    base: dict[str, Any], delta: _Delta | None, make: Callable[[Any], Any], problems: list[Problem],
) -> list[Any]:
    stamp = delta if delta is not None else None
    seen_mtime = stamp.dir_mtime if stamp else base["dir_mtime"]
    seen_at = stamp.listed_at if stamp else base["listed_at"]
    if seen_mtime == mtime and seen_at - seen_mtime > _RACY_NS:
        # Settled and unchanged: no file was added or removed since the snapshot.
        return _finish(folder, kind, remote, base, delta, make, problems)

    listed_at = time.time_ns()
    with os.scandir(folder) as it:
        listing = {e.name: e.inode() for e in it}  # filtered below, only where it differs
    base_names, base_inodes, base_rows, base_problems = _base_columns(base)
    known = dict(zip(base_names, base_inodes))
    if delta is not None:
        for name in delta.removed:
            known.pop(name, None)
        known.update(zip(delta.names, delta.inodes))
    new = delta if delta is not None else _Delta()
    if listing == known:
        settled_now = listed_at - mtime > _RACY_NS and not seen_at - seen_mtime > _RACY_NS
        if cache_dir and (settled_now or seen_mtime != mtime):
            new.dir_mtime, new.listed_at = mtime, listed_at
            _write_blob(cache_dir, key + ".delta", new.blob(base["id"]))
        return _finish(folder, kind, remote, base, delta, make, problems)

    added = [name for name, _ino in listing.items() - known.items() if _is_record_name(name)]
    gone = set(known.keys() - listing.keys())
    gone.update(name for name in added if name in known)  # replaced under the same name
    if gone:
        new.drop(gone)
    if added:
        new.names.extend(added)
        new.inodes.extend(listing[n] for n in added)
        for row, problem in _decode(folder, kind, remote, added):
            new.rows.append(row)
            new.problems.append(problem if row is not None or problem is not None else "vanished")
    new.dir_mtime, new.listed_at = mtime, listed_at
    if cache_dir:
        if len(new) <= max(256, len(base_names) // 8):
            _write_blob(cache_dir, key + ".delta", new.blob(base["id"]))
        else:  # compact: the delta grew too large to re-read on every call
            gone_all = new.removed.union(new.names)
            keep = [i for i, n in enumerate(base_names) if n not in gone_all]
            _write_base(
                cache_dir, key, kind, mtime, listed_at,
                [base_names[i] for i in keep] + new.names,
                [base_inodes[i] for i in keep] + new.inodes,
                [base_rows[i] for i in keep] + new.rows,
                [base_problems[i] for i in keep] + new.problems,
            )
    return _finish(folder, kind, remote, base, new, make, problems)
