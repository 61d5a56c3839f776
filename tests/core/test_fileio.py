from __future__ import annotations

import os
import pathlib
import threading

from muse.core.fileio import write_file


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
