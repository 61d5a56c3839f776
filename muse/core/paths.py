"""On-disk layout: where a repository, its coordination store and each record live."""

from __future__ import annotations

import os
import pathlib

from muse.core.types import KIND_DIRS, check_id
from muse.core.vocab.errors import NotARepository

__all__ = [
    "MUSE_DIRNAME",
    "config_path",
    "coordination_dir",
    "find_root",
    "kind_dir",
    "muse_dir",
    "quarantine_dir",
    "record_path",
    "remote_dir",
    "require_repo",
    "state_dir",
]

MUSE_DIRNAME = ".muse"


def muse_dir(root: pathlib.Path) -> pathlib.Path:
    """``root/.muse``: repository metadata."""
    return pathlib.Path(root) / MUSE_DIRNAME


def coordination_dir(root: pathlib.Path) -> pathlib.Path:
    """``root/.muse/coordination``: the record store."""
    return muse_dir(root) / "coordination"


def remote_dir(root: pathlib.Path) -> pathlib.Path:
    """``…/coordination/remote``: records pulled from a hub, kept apart from local ones."""
    return coordination_dir(root) / "remote"


def quarantine_dir(root: pathlib.Path) -> pathlib.Path:
    """``…/coordination/quarantine``: pulled records refused as hostile, kept for inspection only."""
    return coordination_dir(root) / "quarantine"


def state_dir(root: pathlib.Path) -> pathlib.Path:
    """``.muse/state``: caches and cursors, never records (safe to delete)."""
    return muse_dir(root) / "state"


def config_path(root: pathlib.Path) -> pathlib.Path:
    return muse_dir(root) / "config.toml"


def kind_dir(root: pathlib.Path, kind: str, *, remote: bool = False) -> pathlib.Path:
    base = remote_dir(root) if remote else coordination_dir(root)
    return base / KIND_DIRS[kind]


def record_path(root: pathlib.Path, kind: str, record_id: str, *, remote: bool = False) -> pathlib.Path:
    """Path of one record; *record_id* is validated so it can never leave its folder."""
    return kind_dir(root, kind, remote=remote) / f"{check_id(record_id, 'record_id')}.json"


def find_root(start: pathlib.Path) -> pathlib.Path | None:
    """Walk up from *start* to the first folder holding ``.muse/``, like git does."""
    here = pathlib.Path(os.path.abspath(start))
    for candidate in (here, *here.parents):
        if os.path.isdir(os.path.join(candidate, MUSE_DIRNAME)):
            return candidate
    return None


def require_repo(start: pathlib.Path | None = None) -> pathlib.Path:
    """Return the repository root above *start* (default: the working directory).

    Raises:
        NotARepository: no ``.muse/`` folder in *start* or any parent.
    """
    origin = pathlib.Path.cwd() if start is None else pathlib.Path(start)
    root = find_root(origin)
    if root is None:
        raise NotARepository(
            f"not a muse repository (or any parent up to /): {origin} — run `muse init` first"
        )
    return root
