"""The vendored slice of Linux 6.1 (``tests/data/kernel-slice``), copied where tests may change it."""

from __future__ import annotations

import pathlib
import shutil

SLICE = pathlib.Path(__file__).parent / "data" / "kernel-slice"
E1000 = "drivers/net/ethernet/intel/e1000"


def copy_slice(dest: pathlib.Path, *, maintainers: bool = True, repo: bool = True) -> pathlib.Path:
    """A copy of the slice at *dest* (a Muse repository unless *repo* is False)."""
    shutil.copytree(SLICE, dest)
    if not maintainers:
        (dest / "MAINTAINERS").unlink()
    if repo:
        from muse.cli.commands.init import init_repo

        init_repo(dest)
    return dest
