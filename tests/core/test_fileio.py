from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import threading
import time

import pytest

from muse.core.files.fileio import (
    DEAD_WRITER_GRACE,
    MAX_RECORD_BYTES,
    TEMP_PREFIX,
    TEMP_STALE_SECONDS,
    UnusableFile,
    read_regular,
    sweep_temps,
    write_file,
)


def test_exclusive_create_refuses_existing(tmp_path: pathlib.Path) -> None:
    assert write_file(tmp_path, "a.json", b"1")
    assert not write_file(tmp_path, "a.json", b"2")
    assert (tmp_path / "a.json").read_bytes() == b"1"
    assert os.listdir(tmp_path) == ["a.json"]  # no temp file left behind


def test_replace_overwrites_atomically(tmp_path: pathlib.Path) -> None:
    write_file(tmp_path, "a.json", b"1")
    assert write_file(tmp_path, "a.json", b"22", exclusive=False, fsync=True)
    assert (tmp_path / "a.json").read_bytes() == b"22"


def test_threads_racing_one_name_have_one_winner(tmp_path: pathlib.Path) -> None:
    wins: list[int] = []
    barrier = threading.Barrier(16)

    def race(i: int) -> None:
        barrier.wait()
        if write_file(tmp_path, "slot.json", str(i).encode()):
            wins.append(i)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert (tmp_path / "slot.json").read_bytes() == str(wins[0]).encode()
    assert os.listdir(tmp_path) == ["slot.json"]


def test_failed_write_leaves_nothing(tmp_path: pathlib.Path) -> None:
    class Boom(bytes):
        pass

    missing = tmp_path / "nope"
    try:
        write_file(missing, "a.json", b"x")
    except FileNotFoundError:
        pass
    assert not missing.exists()


# ── reads that never block, follow links or swallow huge files ────────────────


@pytest.mark.parametrize("listed_regular", [False, True])
def test_a_fifo_is_refused_without_blocking(tmp_path: pathlib.Path, listed_regular: bool) -> None:
    os.mkfifo(tmp_path / "x.json")
    with pytest.raises(UnusableFile, match="FIFO"):
        read_regular(str(tmp_path / "x.json"), listed_regular=listed_regular)


def test_symlinks_are_not_followed(tmp_path: pathlib.Path) -> None:
    (tmp_path / "real.json").write_text("{}")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    for name in ("link.json", "zero.json"):
        with pytest.raises(UnusableFile, match="symbolic link"):
            read_regular(str(tmp_path / name), listed_regular=True)


@pytest.mark.parametrize("listed_regular", [False, True])
def test_files_over_the_bound_are_refused(tmp_path: pathlib.Path, listed_regular: bool) -> None:
    (tmp_path / "big.json").write_bytes(b" " * (MAX_RECORD_BYTES + 1))
    (tmp_path / "edge.json").write_bytes(b" " * MAX_RECORD_BYTES)
    with pytest.raises(UnusableFile, match="1 MiB"):
        read_regular(str(tmp_path / "big.json"), listed_regular=listed_regular)
    assert len(read_regular(str(tmp_path / "edge.json"), listed_regular=listed_regular)) == MAX_RECORD_BYTES


def test_a_directory_is_refused(tmp_path: pathlib.Path) -> None:
    (tmp_path / "d.json").mkdir()
    with pytest.raises(UnusableFile, match="directory"):
        read_regular(str(tmp_path / "d.json"))


# ── temp files of crashed writers ─────────────────────────────────────────────
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _temp(folder: pathlib.Path, pid: int, age: float, n: int = 1) -> pathlib.Path:
    path = folder / f"{TEMP_PREFIX}{pid}-{n}-r.json"
    path.write_text("{")
    t = time.time() - age
    os.utime(path, (t, t))
    return path


def test_sweep_removes_only_debris(tmp_path: pathlib.Path) -> None:
    dead = _dead_pid()
    crashed = _temp(tmp_path, dead, DEAD_WRITER_GRACE + 5)
    just_now = _temp(tmp_path, dead + 1_000_000, 0.0)  # no such pid, but too young to judge
    alive = _temp(tmp_path, os.getppid(), 600)  # a live writer (stalled, but alive)
    ancient = _temp(tmp_path, os.getppid(), TEMP_STALE_SECONDS + 5, n=2)  # whoever it was, long gone
    record = tmp_path / "r.json"
    record.write_text("{}")
    os.utime(record, (0, 0))
    assert sweep_temps(str(tmp_path)) == 2
    assert not crashed.exists() and not ancient.exists()
    assert just_now.exists() and alive.exists() and record.exists()


def test_a_writer_whose_temp_file_was_swept_writes_again(tmp_path: pathlib.Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real_link = os.link
    swept: list[str] = []

    def link_after_sweep(src: str, dst: str) -> None:
        if not swept:
            swept.append(src)
            os.unlink(src)  # a sweeper judged it debris just before we published
        real_link(src, dst)

    monkeypatch.setattr(os, "link", link_after_sweep)
    assert write_file(tmp_path, "a.json", b"1")
    assert swept and (tmp_path / "a.json").read_bytes() == b"1"
    assert os.listdir(tmp_path) == ["a.json"]


def test_a_temp_swept_after_publishing_does_not_undo_the_win(tmp_path: pathlib.Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    real_link = os.link

    def link_then_sweep(src: str, dst: str) -> None:
        real_link(src, dst)
        os.unlink(src)  # swept between our link and our own unlink

    monkeypatch.setattr(os, "link", link_then_sweep)
    assert write_file(tmp_path, "a.json", b"1") is True
