"""Record file writes: complete or absent, never torn.

A record is written to a hidden temp file in its own folder and then
published in one step: ``os.link`` for an exclusive create (fails if the name
exists, so exactly one writer wins) or ``os.replace`` when overwriting is
allowed. Readers skip hidden and non-``.json`` names, so they never see a
half-written file.
"""

from __future__ import annotations

import os

__all__ = ["TEMP_PREFIX", "write_file"]

TEMP_PREFIX = ".tmp-"
_counter = 0


def _temp_name(name: str) -> str:
    global _counter
    _counter += 1
    return f"{TEMP_PREFIX}{os.getpid()}-{_counter}-{name}"


def write_file(
    folder: str | os.PathLike[str],
    name: str,
    data: bytes,
    *,
    exclusive: bool = True,
    fsync: bool = False,
) -> bool:
    """Atomically publish *data* as ``folder/name``.

    Args:
        folder: existing directory.
        name: final file name (already validated by the caller).
        data: full file content.
        exclusive: refuse to replace an existing file (compare-and-swap on absence).
        fsync: flush the file before publishing it (durability across power loss).

    Returns:
        True if the file was published; False if *exclusive* and the name existed.
    """
    folder = os.fspath(folder)
    tmp = os.path.join(folder, _temp_name(name))
    final = os.path.join(folder, name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        if exclusive:
            try:
                os.link(tmp, final)
            except FileExistsError:
                return False
            finally:
                os.unlink(tmp)
        else:
            os.replace(tmp, final)
        return True
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
