"""The local fencing sequence: one counter per repository that only grows.

Every reservation and claim the local engine writes carries the next value
(``token``), as the hub's live sequence does for live leases, so a record
shows the token its holder presents. The counter is a small file,
``.muse/state/fence``, updated under an exclusive ``flock`` and flushed (``fdatasync``)
before the token is handed out (a token is never handed out twice, even
across a crash). Exclusive create of the record stays the arbiter of who wins
a claim; the counter only numbers the grants.

If the file is missing or unreadable the sequence restarts above the highest
token found in the records (*seed*), so deleting ``.muse/state`` never makes
tokens go back.
"""

from __future__ import annotations

import fcntl
import os
import pathlib

from muse.core.paths import state_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["next_token"]

_WIDTH = 20  # fixed-width record: every write replaces the same bytes in place


def next_token(root: pathlib.Path, *, at_least: int = 1, seed: Callable[[], int] | None = None) -> int:
    """Advance the repository's fencing sequence and return the new value (≥ *at_least*)."""
    folder = state_dir(pathlib.Path(root))
    path = os.path.join(folder, "fence")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        raw = os.pread(fd, _WIDTH + 1, 0).strip()
        current = int(raw) if raw.isdigit() else (seed() if seed is not None else 0)
        token = max(current + 1, at_least)
        os.pwrite(fd, b"%0*d\n" % (_WIDTH, token), 0)
        os.fdatasync(fd)  # the size never changes: the data is all there is to flush
        return token
    finally:
        os.close(fd)  # also releases the lock
