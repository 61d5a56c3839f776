"""Hub ids learnt by one command are remembered for the next (no refused first request)."""

from __future__ import annotations

import os
import pathlib

import pytest

from muse.core.client import signing
from muse.core.files.config import muse_home


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Module state as a new command starts with it."""
    monkeypatch.setattr(signing, "_hub_ids", {})
    monkeypatch.setattr(signing, "_remembered_loaded", False)


def _new_process() -> None:
    signing._hub_ids.clear()
    signing._remembered_loaded = False


def test_an_id_learnt_once_is_known_to_the_next_command(fresh_process: None) -> None:
    assert signing.hub_id("Hub.example:8765") == ""
    assert signing.note_hub_id("hub.example:8765", {signing.HUB_ID_HEADER: "hub-1"})
    _new_process()
    assert signing.hub_id("hub.example:8765") == "hub-1"
    # A hub that changed its id is learnt again, and the change is remembered.
    assert signing.note_hub_id("hub.example:8765", {signing.HUB_ID_HEADER: "hub-2"})
    _new_process()
    assert signing.hub_id("hub.example:8765") == "hub-2"


@pytest.mark.parametrize("odd", ["fifo", "symlink", "garbage", "wrong-types"])
def test_an_odd_remembered_file_is_ignored(fresh_process: None, tmp_path: pathlib.Path, odd: str) -> None:
    path = muse_home() / "hub-ids.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    if odd == "fifo":
        os.mkfifo(path)  # must not block the command
    elif odd == "symlink":
        target = tmp_path / "elsewhere.json"
        target.write_text('{"h:1": "planted"}')
        path.symlink_to(target)
    elif odd == "garbage":
        path.write_bytes(b"\x00{not json")
    else:
        path.write_text('{"h:1": 7, "h:2": ["x"], "3": "ok"}')
    assert signing.hub_id("h:1") == ""
    assert signing.hub_id("h:2") == ""
