"""Record file I/O: writes complete or absent, reads that never block or follow links.

Writes: a record is written to a hidden temp file in its own folder and then
published in one step: ``os.link`` for an exclusive create (fails if the name
exists, so exactly one writer wins) or ``os.replace`` when overwriting is
allowed. Readers skip hidden and non-``.json`` names, so they never see a
half-written file. A writer killed mid-write leaves its temp file behind;
:func:`sweep_temps` removes those once their writer is gone, and a writer
whose temp file was swept anyway (a stalled process) just writes it again.

Reads: record folders may hold anything another tool or user put there. A
read opens with ``O_NOFOLLOW | O_NONBLOCK`` (a symlink is refused, a FIFO
cannot block), accepts only regular files, and stops at
:data:`MAX_RECORD_BYTES`; anything else raises :class:`UnusableFile`, which
callers report as a problem.
"""

from __future__ import annotations

import errno
import os
import stat
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "DEAD_WRITER_GRACE",
    "MAX_RECORD_BYTES",
    "TEMP_PREFIX",
    "TEMP_STALE_SECONDS",
    "UnusableFile",
    "describe_mode",
    "read_path",
    "read_regular",
    "sweep_temps",
    "write_file",
]

TEMP_PREFIX = ".tmp-"
MAX_RECORD_BYTES = 1 << 20  # 1 MiB: the hub's default per-record limit; real records are < 1 KiB
DEAD_WRITER_GRACE = 1.0  # a temp file whose writer process is gone, older than this, is debris
TEMP_STALE_SECONDS = 3600.0  # any temp file this old is debris (writer on another host, pid reused)

_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
_CHUNK = 65536
_counter = 0


class UnusableFile(Exception):
    """A file that was refused without reading it: a symlink, not a regular file, or too large."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def describe_mode(mode: int) -> str:
    """What kind of file system entry *mode* is, in words."""
    for test, word in ((stat.S_ISLNK, "symbolic link"), (stat.S_ISFIFO, "FIFO"),
                       (stat.S_ISDIR, "directory"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return word
    return "special file"


def _size_words(n: int) -> str:
    return f"{n >> 20} MiB" if n % (1 << 20) == 0 else f"{n} bytes"


def _too_large(limit: int, size: int) -> UnusableFile:
    return UnusableFile(f"larger than the {_size_words(limit)} record limit ({size} bytes): not read")


def _require_regular(fd: int, limit: int | None) -> None:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise UnusableFile(f"not a regular file ({describe_mode(st.st_mode)}): not read")
    if limit is not None and st.st_size > limit:
        raise _too_large(limit, st.st_size)


def _open(name: str, dir_fd: int | None) -> int:
    try:
        return os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW on a symlink
            raise UnusableFile("symbolic link: not followed") from None
        raise


def read_regular(name: str, dir_fd: int | None = None, *, limit: int | None = MAX_RECORD_BYTES,
                 listed_regular: bool = False) -> bytes:
    """The content of the regular file *name* (relative to *dir_fd*), at most *limit* bytes.

    Args:
        name: file name (or a path when *dir_fd* is None).
        dir_fd: directory the name is relative to.
        limit: refuse larger files (None: no bound).
        listed_regular: the caller's directory listing already showed a
            regular file (``scandir``'s entry type, free): the ``fstat`` is then
            only paid when something looks off (an empty or long read), which
            keeps bulk reads at their speed. An entry swapped for a FIFO after
            the listing still cannot block (``O_NONBLOCK``).

    Raises:
        UnusableFile: a symlink, not a regular file, or larger than *limit*.
        OSError: the file could not be opened or read (FileNotFoundError if gone).
    """
    fd = _open(name, dir_fd)
    try:
        if not listed_regular:
            _require_regular(fd, limit)
        try:
            chunk = os.read(fd, _CHUNK)
        except BlockingIOError:  # only a FIFO or socket says "try again"
            _require_regular(fd, limit)
            raise
        if len(chunk) < _CHUNK:
            if not chunk and listed_regular:
                _require_regular(fd, limit)  # empty, or a FIFO with no writer
            return chunk
        if listed_regular:
            _require_regular(fd, limit)  # a long read: check the size before reading on
        parts = [chunk]
        total = len(chunk)
        while chunk:
            chunk = os.read(fd, 1 << 20)
            total += len(chunk)
            if limit is not None and total > limit:  # grew while read
                raise _too_large(limit, total)
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def read_path(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The content of the regular file at *path* (never a symlink, FIFO or device).

    Raises:
        UnusableFile, OSError: as :func:`read_regular`.
    """
    return read_regular(os.fspath(path), None, limit=limit)


def _temp_name(name: str) -> str:
    global _counter
    _counter += 1
    return f"{TEMP_PREFIX}{os.getpid()}-{_counter}-{name}"


class _TempVanished(Exception):
    """The temp file was removed before it was published (swept as stale)."""


def write_file(
    folder: str | os.PathLike[str],
    name: str,
    data: bytes,
    *,
    exclusive: bool = True,
    fsync: bool = False,
    mode: int = 0o644,
) -> bool:
    """Atomically publish *data* as ``folder/name``.

    Args:
        folder: existing directory.
        name: final file name (already validated by the caller).
        data: full file content.
        exclusive: refuse to replace an existing file (compare-and-swap on absence).
        fsync: flush the file before publishing it (durability across power loss).
        mode: permission bits of a new file.

    Returns:
        True if the file was published; False if *exclusive* and the name existed.
    """
    folder = os.fspath(folder)
    try:
        return _publish(folder, name, data, exclusive, fsync, mode)
    except _TempVanished:
        # A sweeper took our temp file for debris (we were stalled past the
        # grace period): nothing was published, so writing again is exact.
        try:
            return _publish(folder, name, data, exclusive, fsync, mode)
        except _TempVanished:
            raise FileNotFoundError(errno.ENOENT, "temp file removed twice while writing",
                                    os.path.join(folder, name)) from None


def _publish(folder: str, name: str, data: bytes, exclusive: bool, fsync: bool, mode: int) -> bool:
    tmp = os.path.join(folder, _temp_name(name))
    final = os.path.join(folder, name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    consumed = False
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        try:
            if exclusive:
                try:
                    os.link(tmp, final)
                except FileExistsError:
                    return False
            else:
                os.replace(tmp, final)
                consumed = True
        except FileNotFoundError:
            if os.path.isdir(folder):
                raise _TempVanished() from None
            raise
        return True
    finally:
        if not consumed:
            try:
                os.unlink(tmp)  # after a link, or a failure
            except FileNotFoundError:
                pass


def _writer_gone(name: str) -> bool:
    """True when the pid in a temp file's name is not a live process here."""
    pid_text = name[len(TEMP_PREFIX):].partition("-")[0]
    if not pid_text.isdigit():
        return False  # not our naming: judged by age alone
    pid = int(pid_text)
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists, owned by someone else
    return False


def sweep_temps(folder: str, names: Iterable[str] | None = None, now: float | None = None,
                pending: list[str] | None = None) -> int:
    """Remove temp files that crashed writers left in *folder*; return how many went.

    A temp file is debris once its writer process is gone (and it is older
    than :data:`DEAD_WRITER_GRACE`), or once it is older than
    :data:`TEMP_STALE_SECONDS` whoever wrote it. Only names starting with
    :data:`TEMP_PREFIX` are ever touched.

    Args:
        folder: the folder to clean.
        names: entries already listed there (default: list the folder).
        now: the current time (epoch seconds).
        pending: collects temp files whose writer is gone but that are still
            too young to remove (debris soon: the caller should look again).
    """
    if names is None:
        try:
            with os.scandir(folder) as it:
                names = [e.name for e in it if e.name.startswith(TEMP_PREFIX)]
        except OSError:
            return 0
    t = time.time() if now is None else now
    removed = 0
    for name in names:
        if not name.startswith(TEMP_PREFIX):
            continue
        path = os.path.join(folder, name)
        try:
            age = t - os.lstat(path).st_mtime
        except OSError:
            continue
        gone = age > TEMP_STALE_SECONDS or _writer_gone(name)
        if gone and (age > DEAD_WRITER_GRACE or age > TEMP_STALE_SECONDS):
            try:
                os.unlink(path)
                removed += 1
            except OSError:
                pass  # gone already, or a read-only repository
        elif gone and pending is not None:
            pending.append(name)
    return removed
