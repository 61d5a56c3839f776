"""Repository configuration (``.muse/config.toml``) and environment overrides.

Keys::

    [hub]
    url = "http://127.0.0.1:8765"
    owner = "torvalds"
    slug = "linux"
    handle = "agent-7"            # identity used to sign requests
    key = "~/.muse/keys/agent-7.key"

Environment variables win over the file: ``MUSE_HUB_URL``, ``MUSE_HUB_OWNER``,
``MUSE_HUB_SLUG``, ``MUSE_HANDLE``, ``MUSE_KEY``.
"""

from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from typing import Any

from muse.core.paths import config_path
from muse.core.vocab.errors import UserError

__all__ = ["HubConfig", "hub_config", "load_config", "muse_home", "set_config_value"]


def muse_home() -> pathlib.Path:
    """Per-user folder for keys: ``$MUSE_HOME`` or ``~/.muse``."""
    env = os.environ.get("MUSE_HOME")
    return pathlib.Path(env) if env else pathlib.Path.home() / ".muse"


@dataclass(frozen=True)
class HubConfig:
    url: str | None = None
    owner: str | None = None
    slug: str | None = None
    handle: str | None = None
    key: str | None = None


_MAX_CONFIG_BYTES = 1 << 20


def _read_config(path: pathlib.Path) -> bytes | None:
    """The config file's bytes (None when absent); a FIFO, symlink, device or
    oversized file is refused with the reason instead of blocking or being followed."""
    from muse.core.files.fileio import UnusableFile, read_path

    try:
        return read_path(path, limit=_MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return None
    except UnusableFile as exc:
        raise UserError(f"{path}: {exc}") from None


def load_config(root: pathlib.Path) -> dict[str, Any]:
    import tomllib

    data = _read_config(config_path(root))
    if data is None:
        return {}
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{config_path(root)}: invalid TOML ({exc})") from None


def hub_config(root: pathlib.Path | None) -> HubConfig:
    section: dict[str, Any] = {}
    if root is not None:
        raw = load_config(root).get("hub", {})
        section = raw if isinstance(raw, dict) else {}

    def pick(env: str, key: str) -> str | None:
        value = os.environ.get(env) or section.get(key)
        return str(value) if value else None

    return HubConfig(
        url=pick("MUSE_HUB_URL", "url"),
        owner=pick("MUSE_HUB_OWNER", "owner"),
        slug=pick("MUSE_HUB_SLUG", "slug"),
        handle=pick("MUSE_HANDLE", "handle"),
        key=pick("MUSE_KEY", "key"),
    )


def _toml_value(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def set_config_value(root: pathlib.Path, section: str, key: str, value: str) -> None:
    """Set ``[section] key = "value"`` keeping the rest of the file (atomic rewrite)."""
    from muse.core.files.fileio import write_file

    path = config_path(root)
    data = _read_config(path)
    lines = data.decode("utf-8", "replace").splitlines() if data is not None else []
    header = f"[{section}]"
    out: list[str] = []
    in_section = False
    done = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            if in_section and not done:
                out.append(f"{key} = {_toml_value(value)}")
                done = True
            in_section = stripped == header
        elif in_section and stripped.split("=", 1)[0].strip() == key and "=" in stripped:
            if not done:
                out.append(f"{key} = {_toml_value(value)}")
                done = True
            continue
        out.append(line)
    if not done:
        if not in_section:
            out.append(header)
        out.append(f"{key} = {_toml_value(value)}")
    write_file(path.parent, path.name, ("\n".join(out) + "\n").encode(), exclusive=False, fsync=True)
