"""What every hub store must do; mixed into one test class per backend.

A backend test class provides a ``store`` fixture (a fresh, empty store) and
inherits these tests, as huey's ``StorageTests`` are mixed into each backend.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from muse.storage.base import HubStore, InvalidText, RecordRow

__all__ = ["StoreContract"]


def rows(n: int, kind: str = "task", prefix: str = "r", start: int = 0) -> list[RecordRow]:
    return [RecordRow(kind, f"{prefix}{i:06d}", f"{kind}:{prefix}{i}".encode())
            for i in range(start, start + n)]


def race(n_threads: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(i) in n threads released together; return the results by i."""
    barrier = threading.Barrier(n_threads)
    results: list[Any] = [None] * n_threads
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = fn(i)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


class StoreContract:
    """Mixed into ``Test<Backend>Store``; needs a ``store`` fixture."""

    def _repo(self, store: HubStore, slug: str = "linux") -> int:
        assert store.create_repo("alice", slug, "alice", False, time.time())
        repo = store.get_repo("alice", slug)
        assert repo is not None
        return repo.id

    # ── identities ──
    def test_identity_created_once(self, store: HubStore) -> None:
        assert store.create_identity("alice", "k" * 43, 1.0) is True
        assert store.create_identity("alice", "x" * 43, 2.0) is False
        ident = store.get_identity("alice")
        assert ident is not None and ident.public_key == "k" * 43
        assert store.get_identity("bob") is None

    def test_identity_race_has_one_winner(self, store: HubStore) -> None:
        won = race(8, lambda i: store.create_identity("racer", f"{i:043d}", 1.0))
        assert sum(won) == 1
        ident = store.get_identity("racer")
        assert ident is not None and ident.public_key == f"{won.index(True):043d}"

    # ── repositories and members ──
    def test_repo_creator_is_admin(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        repo = store.get_repo("alice", "linux")
        assert repo is not None and repo.created_by == "alice" and repo.public is False
        assert repo.last_seq == 0
        assert store.get_permission(repo_id, "alice") == "admin"
        assert store.create_repo("alice", "linux", "bob", True, 2.0) is False
        assert store.get_repo("alice", "nope") is None

    def test_repo_race_has_one_winner(self, store: HubStore) -> None:
        won = race(8, lambda i: store.create_repo("alice", "raced", f"h{i}", False, 1.0))
        assert sum(won) == 1
        repo = store.get_repo("alice", "raced")
        assert repo is not None
        assert store.list_members(repo.id) == [(f"h{won.index(True)}", "admin")]

    def test_permissions_grant_change_revoke(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        store.set_permission(repo_id, "bob", "pull")
        assert store.get_permission(repo_id, "bob") == "pull"
        store.set_permission(repo_id, "bob", "push")
        assert store.get_permission(repo_id, "bob") == "push"
        assert store.list_members(repo_id) == [("alice", "admin"), ("bob", "push")]
        store.set_permission(repo_id, "bob", None)
        assert store.get_permission(repo_id, "bob") is None
        with pytest.raises(ValueError):
            store.set_permission(repo_id, "bob", "owner")

    # ── text: one rule on every backend ──
    @pytest.mark.parametrize("where", ["handle", "key", "owner", "slug", "creator", "member"])
    def test_nul_text_is_refused_alike(self, store: HubStore, where: str) -> None:
        bad = "a\x00b"
        with pytest.raises(InvalidText):
            if where in ("handle", "key"):
                store.create_identity(bad if where == "handle" else "ann",
                                      bad if where == "key" else "k" * 43, 1.0)
            elif where == "member":
                store.set_permission(self._repo(store), bad, "push")
            else:
                store.create_repo(bad if where == "owner" else "ann", bad if where == "slug" else "s",
                                  bad if where == "creator" else "ann", False, 1.0)
        assert store.get_identity("ann") is None and store.get_repo("ann", "s") is None

    def test_nul_lookups_find_nothing(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        assert store.get_identity("alice\x00") is None
        assert store.get_repo("alice\x00", "linux") is None
        assert store.get_repo("alice", "linux\x00") is None
        assert store.get_permission(repo_id, "alice\x00") is None

    def test_nul_in_a_live_statement_rolls_back(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        with pytest.raises(InvalidText), store.live_transaction(repo_id) as tx:
            tx.execute("INSERT INTO live_repos (repo_id, mode) VALUES (?, ?)", (repo_id, "x"))
            tx.execute("UPDATE live_repos SET mode=? WHERE repo_id=?", ("a\x00", repo_id))
        with store.live_transaction(repo_id, write=False) as tx:
            assert tx.execute("SELECT mode FROM live_repos WHERE repo_id=?",
                              (repo_id,)).fetchone() is None

    # ── records ──
    def test_insert_dedups_and_numbers_without_gaps(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        first = store.insert_records(repo_id, rows(10))
        assert (first.inserted, first.skipped, first.last_seq) == (10, 0, 10)
        again = store.insert_records(repo_id, rows(10))
        assert (again.inserted, again.skipped, again.last_seq) == (0, 10, 10)
        mixed = store.insert_records(repo_id, rows(5, start=8) + rows(1, start=12))
        # 8, 9 are known; 10, 11, 12 are new; the second 12 repeats one of this batch.
        assert (mixed.inserted, mixed.skipped, mixed.last_seq) == (3, 3, 13)
        page = store.fetch_records(repo_id, 0, None, 100)
        assert len(page.bodies) == 13 and len(set(page.bodies)) == 13
        assert page.cursor == 13 and page.has_more is False

    def test_same_id_in_other_kind_or_repo_is_distinct(self, store: HubStore) -> None:
        a, b = self._repo(store, "a"), self._repo(store, "b")
        assert store.insert_records(a, rows(3, "task")).inserted == 3
        assert store.insert_records(a, rows(3, "claim")).inserted == 3
        assert store.insert_records(b, rows(3, "task")).inserted == 3
        assert store.fetch_records(b, 0, None, 10).cursor == 3

    def test_duplicates_inside_one_batch_count_once(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        batch = rows(3) + rows(3)
        result = store.insert_records(repo_id, batch)
        assert (result.inserted, result.skipped) == (3, 3)
        assert len(store.fetch_records(repo_id, 0, None, 100).bodies) == 3

    def test_empty_batch(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        result = store.insert_records(repo_id, [])
        assert (result.inserted, result.skipped, result.last_seq) == (0, 0, 0)

    def test_batch_is_all_or_nothing(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        store.insert_records(repo_id, rows(2))
        bad = rows(3, start=10) + [RecordRow("task", "broken", None)]  # type: ignore[arg-type]
        with pytest.raises(Exception):
            store.insert_records(repo_id, bad)
        page = store.fetch_records(repo_id, 0, None, 100)
        assert len(page.bodies) == 2 and page.cursor == 2
        assert store.insert_records(repo_id, rows(3, start=10)).inserted == 3

    def test_paging_resumes_from_cursor(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        store.insert_records(repo_id, rows(25))
        seen: list[bytes] = []
        cursor, pages = 0, 0
        while True:
            page = store.fetch_records(repo_id, cursor, None, 10)
            seen.extend(page.bodies)
            cursor, pages = page.cursor, pages + 1
            if not page.has_more:
                break
        assert pages == 3 and cursor == 25
        assert seen == [r.body for r in rows(25)]
        assert store.fetch_records(repo_id, cursor, None, 10).bodies == []
        store.insert_records(repo_id, rows(2, start=100))
        later = store.fetch_records(repo_id, cursor, None, 10)
        assert later.bodies == [r.body for r in rows(2, start=100)] and later.cursor == 27

    def test_exact_page_boundary_reports_no_more(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        store.insert_records(repo_id, rows(10))
        page = store.fetch_records(repo_id, 0, None, 10)
        assert len(page.bodies) == 10 and page.has_more is False and page.cursor == 10

    def test_kinds_filter_skips_past_other_kinds(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        store.insert_records(repo_id, rows(5, "task") + rows(5, "claim") + rows(5, "task", "s"))
        page = store.fetch_records(repo_id, 0, ["claim"], 100)
        assert page.bodies == [r.body for r in rows(5, "claim")]
        assert page.cursor == 15 and page.has_more is False
        first = store.fetch_records(repo_id, 0, ["task", "release"], 3)
        assert len(first.bodies) == 3 and first.has_more and first.cursor == 3
        rest = store.fetch_records(repo_id, first.cursor, ["task"], 100)
        assert len(rest.bodies) == 7 and rest.cursor == 15

    def test_sparse_kinds_across_a_long_log(self, store: HubStore) -> None:
        """Rare matches far apart: every one is found, in order, page by page."""
        repo_id = self._repo(store)
        batch = rows(3000)
        for i in (0, 1499, 2998):
            batch[i] = RecordRow("claim", f"c{i}", f"claim:{i}".encode())
        for start in range(0, 3000, 500):
            store.insert_records(repo_id, batch[start:start + 500])
        got, cursor = [], 0
        while True:
            page = store.fetch_records(repo_id, cursor, ["claim"], 1)
            got.extend(page.bodies)
            assert page.cursor >= cursor
            cursor = page.cursor
            if not page.has_more:
                break
        assert got == [b"claim:0", b"claim:1499", b"claim:2998"] and cursor == 3000
        full = store.fetch_records(repo_id, 1000, None, 5000)
        assert len(full.bodies) == 2000 and full.cursor == 3000 and not full.has_more

    def test_unknown_repo_id(self, store: HubStore) -> None:
        with pytest.raises(LookupError):
            store.insert_records(999_999, rows(1))
        with pytest.raises(LookupError):
            store.fetch_records(999_999, 0, None, 10)

    def test_insert_race_stores_each_record_once(self, store: HubStore) -> None:
        repo_id = self._repo(store)
        batch = rows(200)
        results = race(6, lambda i: store.insert_records(repo_id, batch))
        assert sum(r.inserted for r in results) == 200
        assert all(r.inserted + r.skipped == 200 for r in results)
        page = store.fetch_records(repo_id, 0, None, 1000)
        assert sorted(page.bodies) == sorted(r.body for r in batch) and page.cursor == 200

    def test_concurrent_writers_and_a_paging_reader_miss_nothing(self, store: HubStore) -> None:
        """The cursor property: a reader resuming from its cursor while writers
        commit never skips a row and never sees one twice."""
        repo_id = self._repo(store)
        writers, batches, size = 4, 15, 20
        done = threading.Event()
        seen: list[bytes] = []
        reader_errors: list[BaseException] = []

        def reader() -> None:
            cursor = 0
            try:
                while True:
                    finished = done.is_set()
                    page = store.fetch_records(repo_id, cursor, None, 7)
                    seen.extend(page.bodies)
                    assert page.cursor >= cursor
                    cursor = page.cursor
                    if finished and not page.has_more:
                        return
            except BaseException as exc:
                reader_errors.append(exc)

        t = threading.Thread(target=reader)
        t.start()
        race(writers, lambda w: [store.insert_records(
            repo_id, rows(size, prefix=f"w{w}b{b}-")) for b in range(batches)])
        done.set()
        t.join(timeout=120)
        assert not reader_errors, reader_errors
        expected = {r.body for w in range(writers) for b in range(batches)
                    for r in rows(size, prefix=f"w{w}b{b}-")}
        assert len(seen) == len(expected) and set(seen) == expected

    # ── the hub itself ──
    def test_meta_keeps_the_first_value(self, store: HubStore) -> None:
        assert store.meta("hub_id", "hub-1") == "hub-1"
        assert store.meta("hub_id", "hub-2") == "hub-1"
        assert store.meta("other", "x") == "x"

    def test_meta_race_agrees_on_one_value(self, store: HubStore) -> None:
        got = race(8, lambda i: store.meta("raced", f"v{i}"))
        assert len(set(got)) == 1 and got[0] in {f"v{i}" for i in range(8)}

    # ── invitations ──
    def test_invite_is_used_once_and_expires(self, store: HubStore) -> None:
        store.create_invite("h1", 10.0, 100.0)
        store.create_invite("h2", 10.0, 20.0)
        assert store.use_invite("nope", "ann", 11.0) is False
        assert store.use_invite("h2", "ann", 21.0) is False  # expired
        assert store.use_invite("h1", "ann", 11.0) is True
        assert store.use_invite("h1", "bob", 12.0) is False  # spent

    def test_invite_race_has_one_winner(self, store: HubStore) -> None:
        store.create_invite("raced", 1.0, time.time() + 60)
        won = race(8, lambda i: store.use_invite("raced", f"h{i}", time.time()))
        assert sum(won) == 1

    # ── replay protection ──
    def test_signature_remembered_once(self, store: HubStore) -> None:
        now = time.time()
        assert store.remember_signature(b"sig-1", now + 31, now) is True
        assert store.remember_signature(b"sig-1", now + 31, now) is False
        assert store.remember_signature(b"sig-2", now + 31, now) is True

    def test_signature_race_has_one_winner(self, store: HubStore) -> None:
        now = time.time()
        won = race(8, lambda i: store.remember_signature(b"raced", now + 31, now))
        assert sum(won) == 1

    def test_expired_signatures_are_pruned_without_harm(self, store: HubStore) -> None:
        now = time.time()
        assert store.remember_signature(b"old", now - 100, now - 130)
        for i in range(600):  # crosses the prune interval at least once
            assert store.remember_signature(f"s{i}".encode(), now + 31, now)
        assert store.remember_signature(b"s5", now + 31, now) is False

    def test_ping_and_close(self, store: HubStore) -> None:
        store.ping()
        store.close()
        store.close()  # idempotent
