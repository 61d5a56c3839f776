"""The repository config is read like a record: never followed, never blocked on."""

from __future__ import annotations

import os
import pathlib

import pytest

from muse.core.files.config import hub_config, load_config, set_config_value
from muse.core.paths import config_path
from muse.core.vocab.errors import UserError


def test_a_fifo_config_is_refused_not_waited_for(repo: pathlib.Path) -> None:
    path = config_path(repo)
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    with pytest.raises(UserError, match="not a regular file"):
        load_config(repo)
    with pytest.raises(UserError):
        set_config_value(repo, "hub", "url", "http://127.0.0.1:1")


def test_a_symlinked_config_is_not_followed(repo: pathlib.Path, tmp_path: pathlib.Path) -> None:
    elsewhere = tmp_path / "other.toml"
    elsewhere.write_text('[hub]\nurl = "http://attacker.invalid"\n')
    path = config_path(repo)
    path.unlink(missing_ok=True)
    path.symlink_to(elsewhere)
    with pytest.raises(UserError, match="symbolic link"):
        hub_config(repo)


def test_an_oversized_config_is_refused(repo: pathlib.Path) -> None:
    config_path(repo).write_bytes(b"#" * (2 << 20))
    with pytest.raises(UserError, match="larger than"):
        load_config(repo)


def test_set_config_value_keeps_other_sections(repo: pathlib.Path) -> None:
    config_path(repo).write_text('[coord]\ncheck_addresses = true\n')
    set_config_value(repo, "hub", "url", "http://127.0.0.1:8765")
    loaded = load_config(repo)
    assert loaded["coord"] == {"check_addresses": True}
    assert loaded["hub"]["url"] == "http://127.0.0.1:8765"
