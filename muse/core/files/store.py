"""The file-backed record store under ``.muse/coordination``.

One JSON file per record, write-once. Reads are a tight ``scandir`` +
``os.read`` (through a directory fd) + JSON decode loop; a file that is
unreadable, not a JSON object, not a regular file (a symlink, a FIFO …) or
larger than :data:`~muse.core.files.fileio.MAX_RECORD_BYTES` becomes a
:class:`Problem`, is never read, and never hides the good records next to it.
"""

from __future__ import annotations

import json
import os
import pathlib
import stat
import sys
from collections.abc import Iterable, Iterator

from muse.core.files.fileio import TEMP_PREFIX, UnusableFile, describe_mode, read_regular, sweep_temps, write_file
from muse.core.paths import coordination_dir, remote_dir, state_dir
from muse.core.types import KIND_DIRS, JsonDict, check_id

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
    from typing import NamedTuple as RecordTuple
else:
    from muse.core.vocab.recordbase import Record as RecordTuple

__all__ = ["CoordStore", "Problem", "encode_record", "read_folder", "record_names"]

_BULK = 512  # from this many files on, orjson's faster decode pays for its ~7 ms import


def json_loads(expected: int) -> Any:
    """The JSON decoder for reading about *expected* files.

    A command that reads a handful of files (most agent verbs, once the index
    is warm) should not pay for importing orjson; a bulk read should not pay
    json's slower decode. Both raise ValueError subclasses on bad input.
    """
    if expected >= _BULK or "orjson" in sys.modules:
        import orjson

        return orjson.loads
    return json.loads


class Problem(RecordTuple):
    """A record file that could not be used, and why."""

    path: str
    message: str

    def to_json(self) -> JsonDict:
        return {"path": self.path, "message": self.message}


def _list_records(dir_fd: int, folder: str, problems: list[Problem]) -> list[str]:
    """Record file names in the folder; other entries named like records are
    reported (never opened), and temp files of crashed writers are swept."""
    temps: list[str] = []

    def other(e: os.DirEntry[str]) -> bool:  # every entry that is not a regular record file
        name = e.name
        if name.endswith(".json") and name[0] != ".":
            problems.append(Problem(os.path.join(folder, name), _irregular(e)))
        elif name.startswith(TEMP_PREFIX):
            temps.append(name)
        return False

    with os.scandir(dir_fd) as it:  # one C-level pass; the entry type comes with the listing
        names = [e.name for e in it
                 if (e.name.endswith(".json") and e.name[0] != "." and e.is_file(follow_symlinks=False))
                 or other(e)]
    if temps:
        sweep_temps(folder, temps)
    return names


def _irregular(entry: os.DirEntry[str]) -> str:
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return "unreadable entry: not read"
    if stat.S_ISLNK(mode):
        return "symbolic link: not followed"
    return f"not a regular file ({describe_mode(mode)}): not read"


def record_names(folder: str) -> list[str]:
    """Names of the record files in *folder* (hidden temp files and others skipped)."""
    try:
        with os.scandir(folder) as it:
            return [e.name for e in it if e.name.endswith(".json") and e.name[0] != "."]
    except (FileNotFoundError, NotADirectoryError):
        return []


def read_folder(
    folder: str, problems: list[Problem], names: Iterable[str] | None = None, *,
    listed_regular: bool = False,
) -> Iterator[tuple[str, Any]]:
    """Yield ``(record_id, decoded JSON)`` for each record file in *folder*.

    Args:
        folder: a kind folder.
        problems: where unusable files are reported.
        names: read these files (default: list the folder, which also reports
            entries that are not regular files and sweeps stale temp files).
        listed_regular: *names* come from a listing that showed regular files.
    """
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return
    try:
        if names is None:
            names = _list_records(dir_fd, folder, problems)
            listed_regular = True
        elif not isinstance(names, list):
            names = list(names)
        loads = json_loads(len(names))
        for name in names:
            try:
                raw = read_regular(name, dir_fd, listed_regular=listed_regular)
            except FileNotFoundError:
                continue  # deleted by a concurrent GC between listing and reading
            except UnusableFile as exc:
                problems.append(Problem(os.path.join(folder, name), exc.message))
                continue
            except OSError as exc:
                problems.append(Problem(os.path.join(folder, name), f"unreadable: {exc.strerror}"))
                continue
            try:
                yield name[:-5], loads(raw)
            except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
                problems.append(Problem(os.path.join(folder, name), f"not valid JSON ({exc})"))
            except RecursionError:  # json's decoder on absurd nesting
                problems.append(Problem(os.path.join(folder, name), "not valid JSON (nested too deeply)"))
    finally:
        os.close(dir_fd)


def encode_record(data: JsonDict) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


_bases: dict[str, tuple[str, str, str]] = {}  # root → its folders (a verb builds several stores)


class CoordStore:
    """Record files of one repository: create write-once, delete (GC only); reads go through the index."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = pathlib.Path(root)
        where = os.fspath(root)
        bases = _bases.get(where)
        if bases is None:
            bases = (os.fspath(coordination_dir(self.root)), os.fspath(remote_dir(self.root)),
                     os.path.join(state_dir(self.root), "index"))
            if len(_bases) < 1024:
                _bases[where] = bases
        self.local_base, self.remote_base, self.index_dir = bases
        self.problems: list[Problem] = []

    def folder(self, kind: str, *, remote: bool = False) -> str:
        return os.path.join(self.remote_base if remote else self.local_base, KIND_DIRS[kind])

    def create(
        self, kind: str, record_id: str, data: JsonDict, *, exclusive: bool = True, fsync: bool = True
    ) -> bool:
        """Publish a new local record; False if *exclusive* and it already exists."""
        check_id(record_id, f"{kind} id")
        folder = self.folder(kind)
        payload = encode_record(data)
        try:
            return write_file(folder, record_id + ".json", payload, exclusive=exclusive, fsync=fsync)
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
            return write_file(folder, record_id + ".json", payload, exclusive=exclusive, fsync=fsync)

    def exists(self, kind: str, record_id: str) -> bool:
        """Whether a local record file of that id is there now (a hint: creating it decides)."""
        return os.path.lexists(os.path.join(self.folder(kind), record_id + ".json"))

    def delete(self, kind: str, record_id: str, *, remote: bool = False) -> bool:
        try:
            os.unlink(os.path.join(self.folder(kind, remote=remote), record_id + ".json"))
            return True
        except FileNotFoundError:
            return False
