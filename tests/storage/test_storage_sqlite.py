"""The store contract on SQLite, plus SQLite specifics."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import pytest

from muse.storage import open_store
from muse.storage.sqlite import SqliteStore
from tests.storage.contract import StoreContract, rows
from tests.storage.live_contract import LiveContract


@pytest.fixture
def store(tmp_path: pathlib.Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "hub.sqlite3")
    yield s
    s.close()


class TestSqliteStore(StoreContract, LiveContract):
    def test_data_survives_reopen(self, tmp_path: pathlib.Path) -> None:
        path = tmp_path / "again.sqlite3"
        s = SqliteStore(path)
        s.create_repo("alice", "linux", "alice", False, 1.0)
        repo = s.get_repo("alice", "linux")
        assert repo is not None
        s.insert_records(repo.id, rows(3))
        s.close()
        s2 = SqliteStore(path)
        try:
            repo2 = s2.get_repo("alice", "linux")
            assert repo2 is not None and repo2.last_seq == 3
            assert s2.insert_records(repo2.id, rows(4)).inserted == 1
        finally:
            s2.close()


def test_open_store_picks_sqlite_for_paths(tmp_path: pathlib.Path) -> None:
    for url in (str(tmp_path / "a.db"), f"sqlite:///{tmp_path}/b.db", f"sqlite://{tmp_path}/c.db"):
        s = open_store(url)
        try:
            assert isinstance(s, SqliteStore)
        finally:
            s.close()
    assert (tmp_path / "a.db").exists() and (tmp_path / "b.db").exists()


def test_open_store_refuses_unknown_schemes() -> None:
    with pytest.raises(ValueError):
        open_store("mysql://x/y")
    with pytest.raises(ValueError):
        open_store("")
