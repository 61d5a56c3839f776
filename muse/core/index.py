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
from typing import Any

from muse.core.errors import InvalidRecord
from muse.core.fileio import write_file
from muse.core.records import DECODERS
from muse.core.store import Problem, read_folder

__all__ = ["load_folder", "index_enabled", "FORMAT"]

FORMAT = 2
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


class _Snapshot:
    """What the index believes a folder holds: id → (inode, row | problem)."""

    __slots__ = ("base_id", "dir_mtime", "listed_at", "entries", "base_inodes")

    def __init__(self) -> None:
        self.base_id = ""
        self.dir_mtime = -1
        self.listed_at = -1
        self.base_inodes: dict[str, int] = {}
        # record_id → (inode, row tuple or None, problem message or None)
        self.entries: dict[str, tuple[int, Any, str | None]] = {}


def _load_snapshot(cache_dir: str, key: str, kind: str) -> _Snapshot | None:
    base = _read_blob(os.path.join(cache_dir, key + ".base"))
    if not (isinstance(base, dict) and base.get("kind") == kind):
        return None
    snap = _Snapshot()
    try:
        snap.base_id = base["id"]
        snap.dir_mtime, snap.listed_at = base["dir_mtime"], base["listed_at"]
        entries = dict(zip(base["ids"], zip(base["inodes"], base["rows"], base["problems"])))
        snap.base_inodes = dict(zip(base["ids"], base["inodes"]))
        delta = _read_blob(os.path.join(cache_dir, key + ".delta"))
        if isinstance(delta, dict) and delta.get("base") == snap.base_id:
            for rid in delta["removed"]:
                entries.pop(rid, None)
            entries.update(zip(delta["ids"], zip(delta["inodes"], delta["rows"], delta["problems"])))
            snap.dir_mtime, snap.listed_at = delta["dir_mtime"], delta["listed_at"]
        snap.entries = entries
    except (KeyError, TypeError, ValueError):
        return None
    return snap


def _save(cache_dir: str, key: str, kind: str, snap: _Snapshot, old: _Snapshot | None) -> None:
    entries = snap.entries
    if old is not None and old.base_id:
        # Cumulative delta against the current base, while it stays small.
        base_inodes = old.base_inodes
        removed = [rid for rid, ino in base_inodes.items()
                   if rid not in entries or entries[rid][0] != ino]
        added = [rid for rid, e in entries.items() if base_inodes.get(rid) != e[0]]
        if len(removed) + len(added) <= max(256, len(base_inodes) // 8):
            _write_blob(cache_dir, key + ".delta", {
                "base": old.base_id, "dir_mtime": snap.dir_mtime, "listed_at": snap.listed_at,
                "removed": removed, "ids": added,
                "inodes": [entries[r][0] for r in added],
                "rows": [entries[r][1] for r in added],
                "problems": [entries[r][2] for r in added],
            })
            return
    ids = list(entries)
    values = list(entries.values())
    _write_blob(cache_dir, key + ".base", {
        "kind": kind, "id": os.urandom(8).hex(), "dir_mtime": snap.dir_mtime,
        "listed_at": snap.listed_at, "ids": ids,
        "inodes": [v[0] for v in values], "rows": [v[1] for v in values],
        "problems": [v[2] for v in values],
    })
    try:
        os.unlink(os.path.join(cache_dir, key + ".delta"))
    except OSError:
        pass


def _decode_into(
    folder: str, kind: str, remote: bool, names: list[str], inodes: dict[str, int],
    entries: dict[str, tuple[int, Any, str | None]],
) -> None:
    decode: Callable[[str, Any, bool], Any] = DECODERS[kind]
    sink: list[Problem] = []
    for rid, data in read_folder(folder, sink, names):
        ino = inodes[rid + ".json"]
        if type(data) is not dict:
            entries[rid] = (ino, None, "not a JSON object")
            continue
        try:
            entries[rid] = (ino, tuple(decode(rid, data, remote)), None)
        except InvalidRecord as exc:
            entries[rid] = (ino, None, exc.message)
    for p in sink:  # unreadable or not JSON: remembered until the file changes
        name = os.path.basename(p.path)
        entries[name[:-5]] = (inodes[name], None, p.message)


def load_folder(
    folder: str, kind: str, remote: bool, cache_dir: str | None, problems: list[Problem]
) -> list[Any]:
    """Typed records of one kind folder, through the index when *cache_dir* is given."""
    make = DECODERS[kind].__self__._make  # type: ignore[attr-defined]
    try:
        st = os.stat(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    key = ("remote-" if remote else "local-") + os.path.basename(folder)
    old = _load_snapshot(cache_dir, key, kind) if cache_dir else None
    if (old is not None and old.dir_mtime == st.st_mtime_ns
            and old.listed_at - old.dir_mtime > _RACY_NS):
        snap = old  # no file was added or removed since the snapshot
        retry = {rid + ".json": e[0] for rid, e in snap.entries.items() if e[1] is None}
        if retry:
            before = sum(1 for e in snap.entries.values() if e[1] is None)
            _decode_into(folder, kind, remote, list(retry), retry, snap.entries)
            if cache_dir and sum(1 for e in snap.entries.values() if e[1] is None) < before:
                _save(cache_dir, key, kind, snap, old)
    else:
        listed_at = time.time_ns()
        with os.scandir(folder) as it:
            inodes = {e.name: e.inode() for e in it if e.name.endswith(".json") and e.name[0] != "."}
        snap = _Snapshot()
        snap.dir_mtime, snap.listed_at = st.st_mtime_ns, listed_at
        if old is not None:
            snap.base_id, snap.base_inodes = old.base_id, old.base_inodes
        known = old.entries if old is not None else {}
        entries = snap.entries
        fresh: list[str] = []
        for name, ino in inodes.items():
            hit = known.get(name[:-5])
            if hit is not None and hit[0] == ino:
                entries[name[:-5]] = hit
            else:
                fresh.append(name)
        changed = bool(fresh) or old is None or len(entries) != len(known) or (
            old.listed_at - old.dir_mtime <= _RACY_NS and listed_at - st.st_mtime_ns > _RACY_NS)
        # Files that were unusable are read again every time: another tool may
        # have been half-way through writing one in place.
        fresh.extend(rid + ".json" for rid, e in entries.items() if e[1] is None and rid + ".json" in inodes)
        if fresh:
            _decode_into(folder, kind, remote, fresh, inodes, entries)
        if changed and cache_dir:
            _save(cache_dir, key, kind, snap, old)
    out: list[Any] = []
    append = out.append
    for rid, (_ino, row, problem) in snap.entries.items():
        if row is not None:
            append(make(row))
        else:
            problems.append(Problem(os.path.join(folder, rid + ".json"), problem or "unusable"))
    return out
