"""The persistent index never changes an answer, whatever happens behind its back."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muse.core.coord.state import CoordState
from muse.core.coordination import active_reservations
from muse.core.files import index as idx
from muse.core.paths import coordination_dir, state_dir
from tests.conftest import subprocess_env

FUT = "2099-12-31T23:59:59+00:00"


def _write(root: pathlib.Path, rid: str, run: str = "r", sym: str = "a.c::f") -> None:
    d = coordination_dir(root) / "reservations"
    (d / f"{rid}.json").write_text(json.dumps(
        {"reservation_id": rid, "run_id": run, "expires_at": FUT, "symbols": [sym]}))


def _ids(root: pathlib.Path) -> list[str]:
    return sorted(r.reservation_id for r in active_reservations(root))


def _truth(root: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    with monkeypatch.context() as m:
        m.setenv("MUSE_INDEX", "0")
        return _ids(root)


def _index_files(root: pathlib.Path) -> list[pathlib.Path]:
    d = state_dir(root) / "index"
    return sorted(d.iterdir()) if d.exists() else []


@pytest.fixture(autouse=True, params=["live", "files"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test twice: with this process's live copy of each folder, and
    starting every query from the index files (as each fresh process does)."""
    idx.forget()
    monkeypatch.setattr(idx, "LIVE", request.param == "live")
    yield request.param
    idx.forget()


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat every folder mtime as settled, so the stat-only fast path is exercised."""
    monkeypatch.setattr(idx, "_RACY_NS", -1)


def test_index_is_written_and_reused(repo: pathlib.Path) -> None:
    for i in range(50):
        _write(repo, f"res-{i:03d}")
    assert len(_ids(repo)) == 50
    assert any(p.name == "local-reservations.base" for p in _index_files(repo))
    assert len(_ids(repo)) == 50


def test_files_added_and_deleted_behind_its_back(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(20):
        _write(repo, f"res-{i:03d}")
    _ids(repo)
    d = coordination_dir(repo) / "reservations"
    os.unlink(d / "res-003.json")
    _write(repo, "res-100")
    assert _ids(repo) == _truth(repo, monkeypatch)
    assert "res-003" not in _ids(repo) and "res-100" in _ids(repo)


def test_fast_path_still_sees_changes(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch, trusting: None) -> None:
    for i in range(10):
        _write(repo, f"res-{i:03d}")
    _ids(repo)
    _write(repo, "res-new")  # moves the folder mtime
    assert "res-new" in _ids(repo)
    os.unlink(coordination_dir(repo) / "reservations" / "res-000.json")
    assert _ids(repo) == _truth(repo, monkeypatch)


def test_replaced_file_with_same_name_is_reread(repo: pathlib.Path) -> None:
    _write(repo, "res-1", run="first")
    assert [r.run_id for r in active_reservations(repo)] == ["first"]
    d = coordination_dir(repo) / "reservations"
    tmp = d / ".tmp-x"
    tmp.write_text(json.dumps({"reservation_id": "res-1", "run_id": "second", "expires_at": FUT, "symbols": []}))
    os.replace(tmp, d / "res-1.json")  # new inode under the same name
    assert [r.run_id for r in active_reservations(repo)] == ["second"]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "empty", "delete"])
def test_corrupt_or_missing_index_is_rebuilt(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    for i in range(30):
        _write(repo, f"res-{i:03d}")
    _ids(repo)
    for p in _index_files(repo):
        data = p.read_bytes()
        if damage == "truncate":
            p.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            p.write_bytes(os.urandom(len(data)))
        elif damage == "flip":
            p.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
        elif damage == "empty":
            p.write_bytes(b"")
        else:
            p.unlink()
    _write(repo, "res-999")
    assert _ids(repo) == _truth(repo, monkeypatch)
    assert len(_ids(repo)) == 31


def test_bad_files_are_reported_on_every_call(repo: pathlib.Path, trusting: None) -> None:
    _write(repo, "good")
    (coordination_dir(repo) / "reservations" / "bad.json").write_text("{")
    for _ in range(3):
        state = CoordState(repo)
        assert [r.reservation_id for r in state.active_reservations()] == ["good"]
        assert [pathlib.Path(p.path).name for p in state.problems] == ["bad.json"]


def test_delta_then_compaction(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(400):
        _write(repo, f"res-{i:04d}")
    _ids(repo)
    _write(repo, "res-extra")
    _ids(repo)
    idx.flush()  # a live process writes its delta at most every FLUSH_EVERY seconds
    # Only this folder's delta: an empty folder read alongside (releases,
    # heartbeats) may get a re-stamp delta of its own once it has settled.
    delta = "local-reservations.delta"
    assert any(p.name == delta for p in _index_files(repo))
    for i in range(400, 900):  # more than 1/8 of the base: the base is rewritten
        _write(repo, f"res-{i:04d}")
    assert len(_ids(repo)) == 901
    idx.flush()
    assert not any(p.name == delta for p in _index_files(repo))
    assert _ids(repo) == _truth(repo, monkeypatch)


_CHURN = """
import json, os, pathlib, sys
from muse.core.coordination import active_reservations
root = pathlib.Path(sys.argv[1]); me = sys.argv[2]
d = root / ".muse/coordination/reservations"
for i in range(60):
    p = d / f"{me}-{i}.json"
    p.write_text(json.dumps({"reservation_id": f"{me}-{i}", "run_id": me,
                             "expires_at": "2099-12-31T23:59:59+00:00", "symbols": ["x.c"]}))
    if i % 3 == 0:
        os.unlink(p)
    active_reservations(root)
"""


def test_processes_updating_the_index_at_once(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", _CHURN, str(repo), f"p{n}"], env=subprocess_env())
             for n in range(4)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    assert _ids(repo) == _truth(repo, monkeypatch)
    assert len(_ids(repo)) == 4 * 40


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["add", "del", "query", "corrupt"]), st.integers(0, 15)), max_size=30))
def test_any_sequence_of_changes_matches_a_full_reread(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, ops: list[tuple[str, int]]
) -> None:
    from muse.cli.commands.init import init_repo

    root = tmp_path_factory.mktemp("prop")
    init_repo(root)
    monkeypatch.setattr(idx, "_RACY_NS", -1)  # hardest case: trust mtimes
    d = coordination_dir(root) / "reservations"
    for op, n in ops:
        if op == "add":
            _write(root, f"r{n}")
        elif op == "del" and (d / f"r{n}.json").exists():
            os.unlink(d / f"r{n}.json")
        elif op == "corrupt":
            for p in _index_files(root):
                p.write_bytes(p.read_bytes()[: n])
        assert _ids(root) == _truth(root, monkeypatch)


@pytest.mark.parametrize("trust", [False, True])
def test_file_seen_half_written_is_read_again(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch, trust: bool) -> None:
    if trust:
        monkeypatch.setattr(idx, "_RACY_NS", -1)
    d = coordination_dir(repo) / "reservations"
    path = d / "slow.json"
    path.write_text('{"reservation_id": "slow", "run_')  # another tool, mid-write
    assert _ids(repo) == []
    assert _ids(repo) == []  # the snapshot now remembers it as unusable
    with open(path, "w") as fh:  # completed in place: same inode, folder mtime unchanged
        fh.write(json.dumps({"reservation_id": "slow", "run_id": "r", "expires_at": FUT, "symbols": []}))
    assert _ids(repo) == ["slow"]


_entries = st.lists(st.tuples(st.sampled_from([b"a.json", b"b.json", b"c.json", b"d", b".tmp-e"]),
                              st.integers(1, 6)), max_size=6, unique_by=lambda e: e[0])


@given(_entries, _entries)
def test_listing_diff_matches_pairwise_comparison(
    known: list[tuple[bytes, int]], now: list[tuple[bytes, int]]
) -> None:
    """New/renamed/replaced entries and vanished names, whatever inodes repeat (hard links)."""
    fresh, gone = idx._diff([n for n, _ in known], [i for _, i in known], [n for n, _ in now], [i for _, i in now])
    assert sorted(fresh) == sorted(e for e in now if e not in known)
    assert gone == {n for n, i in known if (n, i) not in now}


def test_a_relisted_unchanged_folder_is_trusted_next_time(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        _write(repo, f"res-{i}")
    assert len(_ids(repo)) == 5  # index taken while the folder is fresh: not yet trusted
    folder = coordination_dir(repo) / "reservations"
    old = os.stat(folder).st_mtime_ns - 10 * 10**9
    os.utime(folder, ns=(old, old))  # the folder settles (and its mtime moved)
    scans: list[str] = []
    real_scan = idx._scan

    def counting_scan(path: str) -> tuple[list[bytes], list[int]]:
        if path == str(folder):
            scans.append(path)
        return real_scan(path)

    monkeypatch.setattr(idx, "_scan", counting_scan)
    assert len(_ids(repo)) == 5
    assert scans == [str(folder)]  # re-listed once, found unchanged, stamp kept
    assert len(_ids(repo)) == 5
    assert scans == [str(folder)]  # then trusted: a stat, no listing


@given(_entries, _entries)
def test_additions_are_only_taken_as_such_when_proved(
    last: list[tuple[bytes, int]], now: list[tuple[bytes, int]]
) -> None:
    """The shortcut for a folder that only gained files never hides a removal or rename."""
    got = idx._only_added(idx._inode_order([i for _, i in last]), [n for n, _ in now], [i for _, i in now],
                          idx._digest([n for n, _ in last], [i for _, i in last]))
    if got is not None:
        assert [e for e in now if e not in got] == last
        assert sorted(got) == sorted(e for e in now if e not in last)


@given(_entries, st.data())
def test_entries_inserted_anywhere_are_found(last: list[tuple[bytes, int]], data: st.DataObject) -> None:
    now = list(last)
    fresh = [(b"new-%d.json" % k, 100 + k) for k in range(data.draw(st.integers(1, 4)))]
    for entry in fresh:
        now.insert(data.draw(st.integers(0, len(now))), entry)
    got = idx._only_added(idx._inode_order([i for _, i in last]), [n for n, _ in now], [i for _, i in now],
                          idx._digest([n for n, _ in last], [i for _, i in last]))
    assert got is not None and sorted(got) == sorted(fresh)


def test_new_files_among_old_ones_are_found_without_a_full_diff(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = coordination_dir(repo) / "reservations"
    for i in range(40):
        _write(repo, f"res-{i:03d}")
    _ids(repo)
    before = os.listdir(folder)
    monkeypatch.setattr(idx, "_diff", None)  # the full diff must not be needed
    for i in range(40, 45):
        _write(repo, f"res-{i:03d}")
    if [n for n in os.listdir(folder) if n in before] != before:
        pytest.skip("this filesystem reorders old entries when new ones arrive")
    assert len(_ids(repo)) == 45
    monkeypatch.undo()
    assert _ids(repo) == _truth(repo, monkeypatch)


@given(st.lists(st.integers(0, 3), max_size=40), st.lists(st.integers(0, 3), max_size=40), st.data())
def test_common_run_counts_matching_entries(a: list[int], b: list[int], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(a)))
    j = data.draw(st.integers(0, len(b)))
    limit = min(len(a) - i, len(b) - j)
    expected = 0
    while expected < limit and a[i + expected] == b[j + expected]:
        expected += 1
    if limit:
        assert idx._common_run(idx._inode_order(a), i, idx._inode_order(b), j, limit) == expected


def test_crafted_index_with_a_valid_checksum_is_not_believed(repo: pathlib.Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import marshal
    import zlib

    for i in range(5):
        _write(repo, f"res-{i}")
    assert len(_ids(repo)) == 5
    base = state_dir(repo) / "index" / "local-reservations.base"
    head = len(idx._MAGIC) + 4
    blob = marshal.loads(base.read_bytes()[head:])
    blob.update(n=0, cols=[], inodes=b"")  # "this folder holds no usable record", listing stamps kept
    payload = marshal.dumps(blob)
    base.write_bytes(idx._MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload)
    assert _ids(repo) == _truth(repo, monkeypatch)
    assert len(_ids(repo)) == 5


def test_index_copied_from_another_repository_is_not_believed(tmp_path: pathlib.Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from muse.cli.commands.init import init_repo

    a, b = tmp_path / "a", tmp_path / "b"
    for root, runs in ((a, "ra"), (b, "rb")):
        init_repo(root)
        for i in range(5):
            _write(root, f"res-{i}", run=runs)
        _ids(root)
    shutil.rmtree(state_dir(b) / "index")
    shutil.copytree(state_dir(a) / "index", state_dir(b) / "index")  # a's answers, key and seals
    assert {r.run_id for r in active_reservations(b)} == {"rb"}


def test_a_key_others_can_read_is_replaced(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(repo, "res-1")
    _ids(repo)
    key = state_dir(repo) / "index" / "key"
    assert key.stat().st_mode & 0o777 == 0o600
    key.chmod(0o644)
    monkeypatch.setattr(idx, "_keys", {})  # a new process (one re-checks its key each second)
    idx.forget()
    assert _ids(repo) == ["res-1"]
    assert key.stat().st_mode & 0o777 == 0o600


def test_a_list_once_returned_never_changes(repo: pathlib.Path, mode: str) -> None:
    """The live copy is shared by every caller of the process: later changes make new lists."""
    for i in range(5):
        _write(repo, f"res-{i}")
    folder = str(coordination_dir(repo) / "reservations")
    cache = str(state_dir(repo) / "index")
    held = idx.records_of(folder, "reservation", False, cache, [])
    before = list(held)
    _write(repo, "res-new")
    os.unlink(coordination_dir(repo) / "reservations" / "res-0.json")
    now = idx.records_of(folder, "reservation", False, cache, [])
    assert held == before
    assert sorted(r.reservation_id for r in now) == [f"res-{i}" for i in range(1, 5)] + ["res-new"]


def test_threads_reading_while_others_write_and_remove(repo: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                                                      mode: str) -> None:
    """Threads sharing one live copy, a writer thread, and another process adding and
    removing files (as GC does): every later answer is the folder's content."""
    import threading

    stop = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                _ids(repo)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for t in readers:
        t.start()
    other = subprocess.Popen([sys.executable, "-c", _CHURN, str(repo), "other"], env=subprocess_env())
    for i in range(60):
        _write(repo, f"mine-{i}")
        if i % 4 == 0:
            os.unlink(coordination_dir(repo) / "reservations" / f"mine-{i}.json")
    assert other.wait(timeout=120) == 0
    stop.set()
    for t in readers:
        t.join()
    assert not errors
    assert _ids(repo) == _truth(repo, monkeypatch)
    assert len(_ids(repo)) == 45 + 40
