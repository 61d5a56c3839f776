"""Persistent index of typed records, one per kind folder.

Records are write-once files, so a folder's content is known from its
listing: an entry seen before (same name, same inode) holds the record
decoded before. The index keeps every decoded record of a folder in
``.muse/state/index/`` and a query then costs:

* **one ``stat`` of the folder** when its mtime is unchanged and was already
  old when the index was taken (then no entry can have changed since: a later
  create or unlink would have moved the mtime — the "racy git" rule), or
* **one listing** when the folder was touched but holds the same entries: the
  listing's names and inodes hash to the digest kept with the index, or
* **one listing plus reading the new files** when files were only added: the
  last listing's inodes, kept in directory order, are aligned with the new
  ones by ``memcmp`` runs, and what is left must hash to the old digest, or
* **one listing, a diff by inode, and reading the new files** otherwise.

It is only an accelerator: a missing, stale, foreign, crafted or corrupt
index file is ignored and rebuilt, never believed. An index file is trusted
only with a valid *seal* (see "blobs" below, and docs/faults.md): proof that
this repository's index wrote it and nobody changed it since.
Writers replace index files atomically, so two processes updating at once
each leave a valid snapshot; the listing check corrects whichever lost.

A file replaced under the same name (``os.replace``) gets a new inode and is
read again; one rewritten in place keeps its inode and is not — records are
write-once, and a half-written file is re-read on every call until usable.

Storage: a *base* snapshot plus a cumulative *delta* (records added and
names removed since the base), so a busy folder rewrites a small delta, not
the whole base; the base is rewritten when the delta grows past 1/8 of it.
The base keeps records column by column (a column that repeats one value, or
another column, is stored once): unmarshalling 150,000 records then creates
no per-row tuple besides the record itself.
"""

from __future__ import annotations

import _thread
import atexit
import marshal
import os
import stat
import time
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import compress, repeat
from operator import eq, is_, ne, not_

from muse.core.files.fileio import TEMP_PREFIX, UnusableFile, read_path, sweep_temps, write_file
from muse.core.files.store import Problem, read_folder
from muse.core.vocab.errors import InvalidRecord
from muse.core.vocab.records import DECODERS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:  # the C module itself: ``hashlib`` would load OpenSSL (+2.5 ms per command)
    from _blake2 import blake2b  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - interpreters without it
    from hashlib import blake2b

__all__ = ["FORMAT", "LIVE", "flush", "forget", "index_enabled", "load_folder", "records_of"]

FORMAT = 6  # 5: records carry canonical addresses, claim tokens, release reasons; 6: sealed blobs
_MAGIC = b"MUSEIDX%d" % FORMAT
_RACY_NS = 2_000_000_000  # mtime granularity margin
_new_tuple = tuple.__new__
_TEMP_RAW = TEMP_PREFIX.encode()


def index_enabled() -> bool:
    return os.environ.get("MUSE_INDEX", "1") not in ("0", "off", "false", "no")


# ── blobs ────────────────────────────────────────────────────────────────────
# A blob is believed only when a *seal* next to it says this repository wrote
# it: a keyed hash of the blob file's identity (device, inode, size, mtime and
# ctime, which no unprivileged process can set back) under a per-repository
# secret. Writing the seal costs one re-read of the blob; checking it costs one
# small read and a 100-byte hash, not a hash of the whole snapshot. A crafted,
# edited, copied or shipped index fails the seal and is rebuilt from the files.
_KEY_FILE = "key"
_KEY_RECHECK = 1.0  # seconds a process trusts the key file it read without looking again
_keys: dict[str, tuple[bytes, bytes | None, float]] = {}


def _load_key(path: str) -> bytes | None:
    """The MAC key from the secret at *path*: ours (owner, 0600), bound to its inode."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not (stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077 == 0
                and st.st_size == 32):
            return None
        secret = os.read(fd, 64)
    finally:
        os.close(fd)
    if len(secret) != 32:
        return None
    where = b"%d:%d" % (st.st_dev, st.st_ino)  # a copied key file is a different repository
    return blake2b(where, key=secret, digest_size=32).digest()


def _index_key(cache_dir: str) -> bytes | None:
    """This repository's index key, created on first use; None if it cannot be had."""
    cached = _keys.get(cache_dir)
    now = time.monotonic()
    if cached is not None and now - cached[2] < _KEY_RECHECK:
        return cached[1]
    path = os.path.join(cache_dir, _KEY_FILE)
    stamp = _file_stamp(path)
    if cached is not None and stamp and cached[0] == stamp:
        _keys[cache_dir] = (stamp, cached[1], now)
        return cached[1]  # the same key file as last time (long-running processes re-check)
    key = _load_key(path)
    if key is None:
        # Missing, or not one we can trust (another owner, readable by others):
        # a fresh secret replaces it, which also voids every seal made with it.
        try:
            os.makedirs(cache_dir, exist_ok=True)
            # Exclusive first: of two first users, one secret wins and both use it.
            if not write_file(cache_dir, _KEY_FILE, os.urandom(32), fsync=True, mode=0o600) \
                    and _load_key(path) is None:
                write_file(cache_dir, _KEY_FILE, os.urandom(32), exclusive=False, fsync=True, mode=0o600)
        except OSError:
            pass  # read-only repository: no index
        key = _load_key(path)
        stamp = _file_stamp(path)
    _keys[cache_dir] = (stamp, key, now)
    return key


def _identity(st: os.stat_result) -> bytes:
    """What changes whenever a file is replaced or written: device, inode, size, mtime, ctime."""
    return b"%d:%d:%d:%d:%d" % (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _file_stamp(path: str) -> bytes:
    try:
        return _identity(os.stat(path, follow_symlinks=False))
    except OSError:
        return b""


def _seal_of(key: bytes, name: str, st: os.stat_result) -> bytes:
    return blake2b(name.encode() + b":" + _identity(st), key=key, digest_size=16).digest()


def _read_blob(path: str) -> Any:
    folder, name = os.path.split(path)
    key = _index_key(folder)
    if key is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        try:
            seal = read_path(path + ".seal", limit=64)
        except (OSError, UnusableFile):
            return None
        if seal != _seal_of(key, name, st):
            return None  # not written (or since changed) by this repository's index
        data = _read_fd(fd, st.st_size)
    finally:
        os.close(fd)
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


def _read_fd(fd: int, size: int) -> bytes:
    parts: list[bytes] = []
    while True:
        chunk = os.read(fd, max(size + 1, 65536))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)


def _write_blob(folder: str, name: str, obj: Any) -> None:
    payload = marshal.dumps(obj)
    blob = _MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload
    try:
        key = _index_key(folder)
        if key is None:
            return  # no key, no index
        write_file(folder, name, blob, exclusive=False, mode=0o600)
        _seal(folder, name, blob, key)
    except OSError:
        pass  # read-only repository: run without a cache


def _seal(folder: str, name: str, blob: bytes, key: bytes) -> None:
    """Seal the blob now at *name*, if it is the one just written (another
    process may have replaced it since: then it is left unsealed, and rebuilt)."""
    path = os.path.join(folder, name)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(blob) or _read_fd(fd, st.st_size) != blob:
            return
    finally:
        os.close(fd)
    write_file(folder, name + ".seal", _seal_of(key, name, st), exclusive=False, mode=0o600)


# ── listings ─────────────────────────────────────────────────────────────────
def _scan(folder: str, odd: list[bytes] | None = None) -> tuple[list[bytes], list[int]]:
    """Every entry's name (as bytes: no decoding) and inode, in directory order.

    One ``readdir`` pass and no stat: the cheapest complete view of a folder.
    With *odd*, the names of entries that are not regular files (symlinks,
    FIFOs, …: the entry type comes with the listing) are appended to it.
    """
    names: list[bytes] = []
    keep = names.append
    with os.scandir(os.fsencode(folder)) as it:
        if odd is None:
            inodes = [e.inode() for e in it if not keep(e.name)]  # keep() returns None
        else:
            note = odd.append
            inodes = [e.inode() for e in it
                      if not keep(e.name) and (e.is_file(follow_symlinks=False) or not note(e.name))]
    return names, inodes


def _sweep(folder: str, names: Iterable[bytes]) -> bool:
    """Remove stale temp files among listed *names* (crashed writers' debris);
    True if some are debris but still too young to remove. The caller then
    stamps the listing so the next call lists the folder again and sees them
    as new entries (a settled stamp would never look at them again)."""
    temps = [_text(n) for n in names if n.startswith(_TEMP_RAW)]
    if not temps:
        return False
    pending: list[str] = []
    sweep_temps(folder, temps, pending=pending)
    return bool(pending)


def _stamp_for(pending: bool, mtime: int, listed_at: int, digest: bytes) -> tuple[int, bytes]:
    """(listing time, digest) to keep for a listing: with debris pending, one
    that is never settled and matches no listing, so the next call lists again."""
    return (mtime, b"") if pending else (listed_at, digest)


def _decode_names(names: list[bytes]) -> list[str]:
    """File names as ``os.listdir`` gives them, decoded in one pass."""
    if not names:
        return []
    return b"\0".join(names).decode("utf-8", "surrogateescape").split("\0")


def _digest(names: list[bytes], inodes: list[int]) -> bytes:
    """What a listing holds, in 16 bytes: equal digests mean the same entries."""
    h = blake2b(len(names).to_bytes(8, "little"), digest_size=16)  # the count fixes where names end
    h.update(b"\0".join(names))
    h.update(array("Q", inodes).tobytes())
    return h.digest()


def _is_record_name(name: str) -> bool:
    return name.endswith(".json") and name[0] != "."


def _is_record_raw(name: bytes) -> bool:
    return name.endswith(b".json") and name[:1] != b"."


def _raw(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def _text(name: bytes) -> str:
    return name.decode("utf-8", "surrogateescape")


def _inode_order(inodes: list[int]) -> bytes:
    """A listing's inodes in directory order, as packed 64-bit integers."""
    return array("Q", inodes).tobytes()


def _common_run(old: bytes, i: int, new: bytes, j: int, limit: int) -> int:
    """How many 8-byte entries match from entry *i* of *old* and *j* of *new*
    (at most *limit*): galloping then bisecting, comparing by ``memcmp``."""
    lo, step = 0, 1
    while True:
        hi = min(lo + step, limit)
        if old[8 * (i + lo):8 * (i + hi)] != new[8 * (j + lo):8 * (j + hi)]:
            break  # the first difference is in [lo, hi)
        if hi == limit:
            return limit
        lo, step = hi, min(step * 2, 4096)  # small slices: no large copies
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if old[8 * (i + lo):8 * (i + mid)] == new[8 * (j + lo):8 * (j + mid)]:
            lo = mid
        else:
            hi = mid
    return lo


def _only_added(
    last_order: bytes, names: list[bytes], inodes: list[int], last_digest: bytes
) -> list[tuple[bytes, int]] | None:
    """The entries added since the last listing, when nothing else changed.

    A busy folder mostly just gains files, and a directory keeps the order of
    the entries it already had. The last listing's inodes are aligned with
    this one's (runs compared with ``memcmp``, a few Python steps per new
    entry); if what is left once the new entries are set aside hashes to the
    last listing's digest, names included, the folder is exactly that listing
    plus them. Anything else (a file removed, renamed or replaced, entries
    reordered) gives None: the caller diffs in full.
    """
    order = _inode_order(inodes)
    n_old, n_new = len(last_order) // 8, len(inodes)
    extra = n_new - n_old
    if extra <= 0:
        return None
    added: list[int] = []
    i = j = 0
    while i < n_old:
        run = _common_run(last_order, i, order, j, min(n_old - i, n_new - j))
        i += run
        j += run
        if i == n_old:
            break
        if len(added) == extra:
            return None  # more differences than new entries: not only additions
        added.append(j)
        j += 1
    added.extend(range(j, n_new))
    if len(added) != extra:
        return None
    kept = [True] * n_new
    for p in added:
        kept[p] = False
    if _digest(list(compress(names, kept)), list(compress(inodes, kept))) != last_digest:
        return None
    return [(names[p], inodes[p]) for p in added]


def _diff(
    known_names: list[bytes], known_inodes: list[int], names: list[bytes], inodes: list[int]
) -> tuple[list[tuple[bytes, int]], set[bytes]]:
    """Listed entries not known as they are (new, renamed, replaced under the
    same name), and known names no longer listed with their inode."""
    name_of = dict(zip(known_inodes, known_names))
    if len(name_of) == len(known_inodes):
        # Match entries by inode in C-level passes; only the few that differ
        # cost a Python step. (A hard link caught mid-write is just one more
        # name for a known inode: new, and it does not hide the known one.)
        expected = list(map(name_of.get, inodes))
        moved = list(compress(range(len(names)), map(ne, expected, names)))
        fresh = [(names[p], inodes[p]) for p in moved]
        if len(names) - len(moved) == len(known_names):
            return fresh, set()  # every known entry is still listed as it was
        exact = set(compress(inodes, map(eq, expected, names)))
        return fresh, {name for inode, name in name_of.items() if inode not in exact}
    # Two known names share an inode: match (name, inode) pairs instead.
    known = dict(zip(known_names, known_inodes))
    inode_of = known.get
    fresh = [(n, i) for n, i in zip(names, inodes) if inode_of(n) != i]
    listed = set(zip(names, inodes))
    return fresh, {n for n, i in known.items() if (n, i) not in listed}


# ── column storage ───────────────────────────────────────────────────────────
def _pack(rows: list[Any]) -> list[tuple[str, Any]]:
    """Rows as columns: ``("=", v)`` one value throughout, ``("^", k)`` the same
    objects as column *k*, ``("*", values)`` otherwise. Exact: identity, not equality."""
    if not rows:
        return []
    cols = list(zip(*rows))
    out: list[tuple[str, Any]] = []
    for j, col in enumerate(cols):
        first = col[0]
        if all(map(is_, col, repeat(first))):
            out.append(("=", first))
            continue
        same = next((k for k in range(j) if all(map(is_, col, cols[k]))), None)
        out.append(("^", same) if same is not None else ("*", col))
    return out


def _unpack(cols: list[tuple[str, Any]], n: int) -> Iterator[tuple[Any, ...]]:
    its: list[Iterable[Any]] = []
    for tag, value in cols:
        its.append(value if tag == "*" else repeat(value, n) if tag == "=" else its[value])
    return zip(*its) if its else iter(())


def _id_column(cols: list[tuple[str, Any]], n: int) -> list[str]:
    """Record ids (every row starts with its record id)."""
    if not cols:
        return []
    tag, value = cols[0]
    return list(value) if tag == "*" else [value] * n


class _Base:
    """The snapshot: usable records as columns, plus the few unusable files apart."""

    __slots__ = ("blob", "n")

    def __init__(self, blob: dict[str, Any]) -> None:
        self.blob = blob
        self.n: int = blob["n"]
        if not (isinstance(blob["cols"], list) and isinstance(blob["inodes"], bytes)
                and isinstance(blob["digest"], bytes) and len(blob["inodes"]) == 8 * self.n
                and isinstance(blob["order"], bytes) and len(blob["order"]) % 8 == 0):
            raise ValueError("malformed index base")

    def stamp(self) -> tuple[int, int, bytes, bytes]:
        """(folder mtime, listing time, listing digest, listing inode order) of the snapshot."""
        return self.blob["dir_mtime"], self.blob["listed_at"], self.blob["digest"], self.blob["order"]

    def rows(self) -> Iterator[tuple[Any, ...]]:
        return _unpack(self.blob["cols"], self.n)

    @property
    def size(self) -> int:
        """Entries in the snapshot, usable or not."""
        return self.n + len(self.blob["bad"])

    def listing(self, delta: _Delta | None = None) -> tuple[list[bytes], list[int]]:
        """Raw file name and inode of every entry, usable or not (after *delta*)."""
        ids = _id_column(self.blob["cols"], self.n)
        # Names derive from record ids: built and encoded in three C-level passes.
        names = (".json\0".join(ids) + ".json").encode("utf-8", "surrogateescape").split(b"\0") if ids else []
        inodes = array("Q", self.blob["inodes"]).tolist()
        for name, inode, _problem in self.blob["bad"]:
            names.append(_raw(name))
            inodes.append(inode)
        if delta is not None:
            if delta.removed:
                removed = {_raw(n) for n in delta.removed}
                kept = list(compress(range(len(names)), map(not_, map(removed.__contains__, names))))
                names = [names[i] for i in kept]
                inodes = [inodes[i] for i in kept]
            names += [_raw(n) for n in delta.names]
            inodes += delta.inodes
        return names, inodes

    def entries(self) -> tuple[list[Any], list[str | None]]:
        """Row and problem of every entry, aligned with :meth:`listing` (for compaction)."""
        rows: list[Any] = list(self.rows())
        problems: list[str | None] = [None] * self.n
        for _name, _inode, problem in self.blob["bad"]:
            rows.append(None)
            problems.append(problem)
        return rows, problems


class _Delta:
    """Changes since the base: entries added (or replaced) and base names removed."""

    __slots__ = ("digest", "dir_mtime", "inodes", "listed_at", "names", "order", "problems", "removed", "rows")

    def __init__(self, blob: dict[str, Any] | None = None) -> None:
        self.dir_mtime: int = blob["dir_mtime"] if blob else -1
        self.listed_at: int = blob["listed_at"] if blob else -1
        self.digest: bytes = blob["digest"] if blob else b""
        self.order: bytes = blob["order"] if blob else b""
        self.names: list[str] = list(blob["names"]) if blob else []
        self.inodes: list[int] = list(blob["inodes"]) if blob else []
        self.rows: list[Any] = list(blob["rows"]) if blob else []
        self.problems: list[str | None] = list(blob["problems"]) if blob else []
        self.removed: set[str] = set(blob["removed"]) if blob else set()

    @property
    def changes(self) -> int:
        """Entries added plus names removed (no ``__len__``: an empty delta still
        carries a stamp, and must not read as false)."""
        return len(self.names) + len(self.removed)

    def stamp(self) -> tuple[int, int, bytes, bytes]:
        """(folder mtime, listing time, listing digest, listing inode order) of the last listing."""
        return self.dir_mtime, self.listed_at, self.digest, self.order

    def restamp(self, mtime: int, listed_at: int, digest: bytes, order: bytes) -> None:
        self.dir_mtime, self.listed_at, self.digest, self.order = mtime, listed_at, digest, order

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
                "digest": self.digest, "order": self.order, "removed": sorted(self.removed), "names": self.names,
                "inodes": self.inodes, "rows": self.rows, "problems": self.problems}


def _load_blobs(cache_dir: str, key: str, kind: str) -> tuple[_Base, _Delta | None] | None:
    """The base snapshot and the delta that applies to it (if any)."""
    blob = _read_blob(os.path.join(cache_dir, key + ".base"))
    if not (isinstance(blob, dict) and blob.get("kind") == kind and "id" in blob):
        return None
    base = _Base(blob)
    delta = _read_blob(os.path.join(cache_dir, key + ".delta"))
    if not (isinstance(delta, dict) and delta.get("base") == blob["id"]):
        return base, None
    return base, _Delta(delta)


def _write_base(cache_dir: str, key: str, kind: str, mtime: int, listed_at: int, digest: bytes, order: bytes,
                names: list[str], inodes: list[int], rows: list[Any], problems: list[str | None]) -> _Base:
    """Write (and return) a new snapshot; the delta of the old one goes."""
    # Usable rows as columns with their inodes (names derive from record ids);
    # the few unusable files are listed apart.
    good = [i for i, row in enumerate(rows) if row is not None]
    blob = {
        "kind": kind, "id": os.urandom(8).hex(), "dir_mtime": mtime, "listed_at": listed_at,
        "digest": digest, "order": order, "n": len(good), "cols": _pack([rows[i] for i in good]),
        "inodes": array("Q", [inodes[i] for i in good]).tobytes(),
        "bad": [(names[i], inodes[i], problems[i]) for i, row in enumerate(rows) if row is None],
    }
    _write_blob(cache_dir, key + ".base", blob)
    try:
        os.unlink(os.path.join(cache_dir, key + ".delta"))
    except OSError:
        pass
    return _Base(blob)


# ── queries ──────────────────────────────────────────────────────────────────
def _decode(folder: str, kind: str, remote: bool, names: list[str],
            irregular: set[str] | None = None) -> list[tuple[Any, str | None]]:
    """(row, problem) for each of *names*; a vanished file gives (None, None).

    *irregular*: None when the names' file types are unknown (each file is
    then checked when opened); else the listing showed every name as a regular
    file except these.
    """
    decode: Callable[[str, Any, bool], Any] = DECODERS[kind]
    sink: list[Problem] = []
    got: dict[str, tuple[Any, str | None]] = {}
    if irregular is None:
        batches = [(names, False)]
    elif irregular:
        batches = [([n for n in names if n not in irregular], True), ([n for n in names if n in irregular], False)]
    else:
        batches = [(names, True)]
    for batch, listed_regular in batches:
        for rid, data in read_folder(folder, sink, batch, listed_regular=listed_regular):
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


def _records(base: _Base, delta: _Delta | None, cls: type) -> tuple[list[Any], list[str]]:
    """Records of base + delta, and the names of unusable files."""
    out: list[Any] = list(map(_new_tuple, repeat(cls), base.rows()))
    bad = [b[0] for b in base.blob["bad"]]
    if delta is None or not delta.changes:
        return out, bad
    gone = delta.removed.union(delta.names)
    # Only removed names can be in the base (a name replaced there is both
    # removed and re-added): the 150,000-row filter runs only after deletions.
    gone_ids = {n[:-5] for n in delta.removed}
    if gone_ids:
        out = [r for r in out if r[0] not in gone_ids]
    out.extend(map(_new_tuple, repeat(cls), filter(None, delta.rows)))
    bad = [n for n in bad if n not in gone]
    bad.extend(n for n, row in zip(delta.names, delta.rows) if row is None)
    return out, bad




# ── live folders ─────────────────────────────────────────────────────────────
# A process keeps what it learnt of each folder: the snapshot, the changes
# since (the delta) and the typed records. A query checks the folder exactly
# as it would check the index files (a stat, a listing, the new files) but
# against this memory, so a long-lived process (the MCP server, an agent
# pool, the swarm) neither re-reads the index files nor re-creates every
# record per query, and threads share one copy. Published record lists are
# never changed in place: a change makes new lists, so a reader holding the
# old one keeps a consistent snapshot. A one-shot command pays what it paid
# before: one read of the index files, then a listing per query.
LIVE = True  # False: every query starts from the index files (as a fresh process does)
FLUSH_EVERY = 0.25  # seconds: a folder's delta file is rewritten at most this often
_LIVE_MAX = 512  # folders remembered per process (oldest forgotten first)
_live: dict[tuple[str, str], _Live] = {}
_dirty: dict[_Live, None] = {}
_guard = _thread.allocate_lock()


class _Live:
    """One folder as this process last saw it (guarded by ``lock``)."""

    __slots__ = ("bad", "base", "cache_dir", "cls", "delta", "dirty", "every", "folder", "key",
                 "kind", "listed", "lock", "records", "remote", "written")

    def __init__(self, folder: str, kind: str, remote: bool, cache_dir: str, key: str,
                 base: _Base, delta: _Delta | None, cls: type, every: float) -> None:
        self.folder, self.kind, self.remote, self.cache_dir, self.key = folder, kind, remote, cache_dir, key
        self.base, self.delta, self.cls, self.every = base, delta, cls, every
        self.records, self.bad = _records(base, delta, cls)
        self.lock = _thread.allocate_lock()
        self.dirty = False
        self.written = -1e18  # monotonic time of the last delta write: the first is not held back
        self.listed = -1  # monotonic_ns when the last listing began

    def refresh(self, mtime: int, asked: int) -> tuple[list[Any], list[str]]:
        """(records, names of unusable files) as the folder is now; call under ``lock``.

        *asked* (``time.monotonic_ns()`` taken before waiting for the lock): a
        listing begun since then saw every file written before the caller
        asked, so its answer serves this caller too (threads queued on one
        folder share one listing).
        """
        if self.listed >= asked:
            return self.records, self.bad
        delta = self.delta
        # The latest stamp: the delta's when there is one, even an empty one (a
        # delta may record only that the folder was re-listed and found unchanged).
        seen_mtime, seen_at, seen_digest, seen_order = delta.stamp() if delta is not None else self.base.stamp()
        if seen_mtime == mtime and seen_at - seen_mtime > _RACY_NS:
            # Settled and unchanged: no file was added or removed since the snapshot.
            self._flush_due()
            return self.records, self.bad
        listed_at = time.time_ns()
        self.listed = time.monotonic_ns()
        now_names, now_inodes = _scan(self.folder)
        digest = _digest(now_names, now_inodes)
        new = delta if delta is not None else _Delta()
        if digest == seen_digest:
            # Touched (a temp file came and went, or too recent to trust) but the
            # same entries: remember the new stamp so the next call can skip the listing.
            settled_now = listed_at - mtime > _RACY_NS and not seen_at - seen_mtime > _RACY_NS
            if settled_now or seen_mtime != mtime:
                new.restamp(mtime, listed_at, digest, seen_order)  # same entries, same order
                self.delta = new
                self._save()
            else:
                self._flush_due()
            return self.records, self.bad

        fresh = _only_added(seen_order, now_names, now_inodes, seen_digest)
        gone: set[str] = set()
        if fresh is None:  # something went away, was renamed or replaced: a full diff
            known_names, known_inodes = self.base.listing(delta)
            fresh, gone_raw = _diff(known_names, known_inodes, now_names, now_inodes)
            gone = {_text(n) for n in gone_raw}
        pending = _sweep(self.folder, [n for n, _i in fresh])
        fresh = [(n, i) for n, i in fresh if _is_record_raw(n)]
        records, bad = self.records, self.bad
        if gone:
            new.drop(gone)
            gone_ids = {n[:-5] for n in gone}
            records = [r for r in records if r[0] not in gone_ids]
            bad = [n for n in bad if n not in gone]
        if fresh:
            added = [_text(n) for n, _i in fresh]
            new.names.extend(added)
            new.inodes.extend(i for _n, i in fresh)
            rows: list[Any] = []
            bad = list(bad)
            for name, (row, problem) in zip(added, _decode(self.folder, self.kind, self.remote, added)):
                new.rows.append(row)
                new.problems.append(problem if row is not None or problem is not None else "vanished")
                if row is None:
                    bad.append(name)
                else:
                    rows.append(row)
            records = records + list(map(_new_tuple, repeat(self.cls), rows))
        order = _inode_order(now_inodes)
        stamp = _stamp_for(pending, mtime, listed_at, digest)
        new.restamp(mtime, *stamp, order)
        if new.changes <= max(256, self.base.size // 8):
            self.delta = new
            self._save()
        else:  # compact: the delta grew too large to re-read on every call
            gone_all = {_raw(n) for n in new.removed.union(new.names)}
            base_names, base_inodes = self.base.listing()
            keep = [i for i, n in enumerate(base_names) if n not in gone_all]
            base_rows, base_problems = self.base.entries()
            self.base = _write_base(
                self.cache_dir, self.key, self.kind, mtime, *stamp, order,
                _decode_names([base_names[i] for i in keep]) + new.names,
                [base_inodes[i] for i in keep] + new.inodes,
                [base_rows[i] for i in keep] + new.rows,
                [base_problems[i] for i in keep] + new.problems,
            )
            self.delta = None
            self._clean()
        self.records, self.bad = records, bad
        return records, bad

    def _save(self) -> None:
        """Write the delta now, or mark it for a later write (at most every ``every`` s)."""
        if time.monotonic() - self.written >= self.every:
            self.flush()
        elif not self.dirty:
            self.dirty = True
            with _guard:
                _dirty[self] = None

    def _flush_due(self) -> None:
        if self.dirty and time.monotonic() - self.written >= self.every:
            self.flush()

    def flush(self) -> None:
        """Write the delta file (call under ``lock``)."""
        if self.delta is not None:
            _write_blob(self.cache_dir, self.key + ".delta", self.delta.blob(self.base.blob["id"]))
        self.written = time.monotonic()
        self._clean()

    def _clean(self) -> None:
        if self.dirty:
            self.dirty = False
            with _guard:
                _dirty.pop(self, None)


def flush() -> None:
    """Write every delta held back by the rate limit (also run at exit)."""
    with _guard:
        pending = list(_dirty)
    for live in pending:
        with live.lock:
            if live.dirty:
                live.flush()


def forget() -> None:
    """Drop what this process remembers of every folder (after writing it)."""
    flush()
    with _guard:
        _live.clear()


def _forget_in_child() -> None:  # a forked child starts afresh: its locks may be mid-use
    global _guard
    _guard = _thread.allocate_lock()
    _live.clear()
    _dirty.clear()


atexit.register(flush)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def _open_live(folder: str, kind: str, remote: bool, cache_dir: str, key: str, mtime: int,
               cls: type, problems: list[Problem], every: float) -> _Live:
    """The folder as its index files (or, if unusable, its files) show it."""
    try:
        blobs = _load_blobs(cache_dir, key, kind)
        if blobs is not None:
            return _Live(folder, kind, remote, cache_dir, key, blobs[0], blobs[1], cls, every)
    except (KeyError, TypeError, ValueError, IndexError, OverflowError):
        pass  # a foreign or damaged index: rebuild below
    base, _rows = _read_all(folder, kind, remote, cache_dir, key, mtime, problems)
    assert base is not None
    live = _Live(folder, kind, remote, cache_dir, key, base, None, cls, every)
    live.written = time.monotonic()  # the base was just written
    return live


def _read_all(folder: str, kind: str, remote: bool, cache_dir: str | None, key: str, mtime: int,
              problems: list[Problem]) -> tuple[_Base | None, list[Any]]:
    """Read every file of the folder: (the snapshot written when *cache_dir* is given,
    the usable rows). Unusable files are reported in *problems*."""
    listed_at = time.time_ns()
    odd: list[bytes] = []
    raw_names, all_inodes = _scan(folder, odd)
    listing = [(n, i) for n, i in zip(_decode_names(raw_names), all_inodes) if _is_record_name(n)]
    pending = len(listing) < len(raw_names) and _sweep(folder, raw_names)
    names = [n for n, _ in listing]
    decoded = _decode(folder, kind, remote, names, {_text(n) for n in odd})
    keep = [i for i, (row, problem) in enumerate(decoded) if row is not None or problem is not None]
    names = [names[i] for i in keep]
    inodes = [listing[i][1] for i in keep]
    rows = [decoded[i][0] for i in keep]
    probs = [decoded[i][1] for i in keep]
    for n, row, problem in zip(names, rows, probs):
        if row is None:
            problems.append(Problem(os.path.join(folder, n), problem or "unusable"))
    if cache_dir is None:
        return None, rows
    # A file that vanished mid-read is in the digest but not the index:
    # the next call sees a different listing and looks again.
    stamp = _stamp_for(pending, mtime, listed_at, _digest(raw_names, all_inodes))
    return _write_base(cache_dir, key, kind, mtime, *stamp, _inode_order(all_inodes),
                       names, inodes, rows, probs), rows


def records_of(
    folder: str, kind: str, remote: bool, cache_dir: str | None, problems: list[Problem]
) -> list[Any]:
    """Typed records of one kind folder, through the index when *cache_dir* is given.

    The list may be shared with other callers of this process: never change it.
    """
    cls = DECODERS[kind].__self__  # type: ignore[attr-defined]
    try:
        st = os.stat(folder)
    except (FileNotFoundError, NotADirectoryError):
        if cache_dir:
            _live.pop((folder, cache_dir), None)
        return []
    key = ("remote-" if remote else "local-") + os.path.basename(folder)
    if not cache_dir:
        return list(map(_new_tuple, repeat(cls), filter(None, _read_all(folder, kind, remote, None, key,
                                                                        st.st_mtime_ns, problems)[1])))
    mtime = st.st_mtime_ns
    where = (folder, cache_dir)
    live = _live.get(where) if LIVE else None
    if live is None:
        fresh_problems: list[Problem] = []
        live = _open_live(folder, kind, remote, cache_dir, key, mtime, cls, fresh_problems,
                          FLUSH_EVERY if LIVE else 0.0)
        if LIVE:
            with _guard:
                if len(_live) >= _LIVE_MAX:
                    del _live[next(iter(_live))]
                live = _live.setdefault(where, live)
    asked = time.monotonic_ns()
    with live.lock:
        out, bad = live.refresh(mtime, asked)
    if bad:
        # Unusable files are read again every time: another tool may have been
        # half-way through writing one in place (same inode, same folder mtime).
        out = list(out)
        make = partial(_new_tuple, cls)
        for name, (row, problem) in zip(bad, _decode(folder, kind, remote, bad)):
            if row is not None:
                out.append(make(row))
            elif problem is not None:
                problems.append(Problem(os.path.join(folder, name), problem))
    return out


def load_folder(
    folder: str, kind: str, remote: bool, cache_dir: str | None, problems: list[Problem]
) -> list[Any]:
    """Typed records of one kind folder (a list of the caller's own)."""
    out = records_of(folder, kind, remote, cache_dir, problems)
    return list(out)
