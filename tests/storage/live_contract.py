"""What every hub store must do for live coordination: the lessor's decisions
(``muse.hub.lessor``) over each backend's tables (``muse.storage.live``).

Mixed into each backend's test class next to :class:`StoreContract`; the
live logic is shared, so what differs per backend — and what these tests
exercise — is the locked transaction each backend provides: racing threads
must see exactly one winner, and a failed decision must leave nothing behind.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import msgspec
import pytest

from muse.core.vocab.errors import ConflictError, NotFound, StaleToken
from muse.core.vocab.records import decode
from muse.hub import lessor as live
from muse.storage import live as tables
from muse.storage.base import HubStore, RecordRow
from tests.storage.contract import race

__all__ = ["LiveContract"]

T0 = 1_800_000_000.0


def _w(store: HubStore, repo_id: int, fn: Any, now: float, *args: Any) -> Any:
    with store.live_transaction(repo_id) as tx:
        return fn(tx, now, *args)


def _r(store: HubStore, repo_id: int, fn: Any, now: float, *args: Any) -> Any:
    with store.live_transaction(repo_id, write=False) as tx:
        return fn(tx, now, *args)


def _records(store: HubStore, repo_id: int) -> list[dict[str, Any]]:
    page = store.fetch_records(repo_id, 0, None, 5000)
    return [msgspec.msgpack.decode(b) for b in page.bodies]


class LiveContract:
    """Needs the ``store`` fixture of the backend's test class."""

    def _live_repo(self, store: HubStore, slug: str = "live") -> int:
        assert store.create_repo("alice", slug, "alice", False, time.time())
        repo = store.get_repo("alice", slug)
        assert repo is not None
        return repo.id

    def test_advisory_grants_and_reports_overlaps(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        a = _w(store, rid, live.reserve, T0, "h", "run-a", ["f.c::S.m"], 60.0, None)
        b = _w(store, rid, live.reserve, T0, "h", "run-b", ["f.c"], 60.0, None)
        c = _w(store, rid, live.reserve, T0, "h", "run-c", ["f.c::S.m", "g.c"], 60.0, "advisory")
        assert a["conflicts"] == [] and a["mode"] == "advisory"
        assert b["conflicts"][0]["symbol"] == "f.c" and b["conflicts"][0]["overlap"] == "contains"
        assert {h["run_id"] for h in c["conflicts"][0]["holders"]} == {"run-a", "run-b"}
        assert a["token"] < b["token"] < c["token"]
        assert a["expires_in"] == 60.0 and a["granted_at"] == "2027-01-15T08:00:00+00:00"
        # The same run never conflicts with itself.
        assert _w(store, rid, live.reserve, T0, "h", "run-a", ["f.c::S.m"], 60.0, None)[
            "conflicts"][0]["holders"][0]["run_id"] != "run-a"
        st = _r(store, rid, live.status, T0, 10)
        assert st["reservations"] == {"active": 4, "runs": 3}
        assert {c["symbol"] for c in st["conflicts"]} == {"f.c", "f.c::S.m"}

    def test_strict_refuses_with_holder_and_writes_nothing(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        a = _w(store, rid, live.reserve, T0, "h", "run-a", ["f.c::x"], 60.0, "strict")
        # A pull numbers what committed (PostgreSQL numbers after commit, also in
        # the background: last_seq alone may still move for the grant above).
        before = store.fetch_records(rid, 0, None, 1000).bodies
        for sym in ("f.c::x", "f.c", "f.c::x.inner"):
            with pytest.raises(ConflictError) as err:
                _w(store, rid, live.reserve, T0 + 10, "h", "run-b", [sym], 60.0, "strict")
            d = err.value.details
            assert d["holder"] == "run-a" and d["reservation_id"] == a["reservation_id"]
            assert d["retry_after"] == 50 and d["expires_at"] == "2027-01-15T08:01:00+00:00"
        assert store.fetch_records(rid, 0, None, 1000).bodies == before
        # After expiry (hub time), strict is granted and the token keeps growing.
        b = _w(store, rid, live.reserve, T0 + 61, "h", "run-b", ["f.c"], 60.0, "strict")
        assert b["token"] == a["token"] + 1

    def test_repository_mode_is_the_default(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        _w(store, rid, lambda tx, now: live.set_mode(tx, "strict"), T0)
        _w(store, rid, live.reserve, T0, "h", "run-a", ["f.c"], 60.0, None)
        with pytest.raises(ConflictError):
            _w(store, rid, live.reserve, T0, "h", "run-b", ["f.c"], 60.0, None)
        got = _w(store, rid, live.reserve, T0, "h", "run-b", ["f.c"], 60.0, "advisory")
        assert got["mode"] == "advisory" and got["conflicts"]
        assert _r(store, rid, live.status, T0, 10)["mode"] == "strict"

    def test_strict_race_has_one_holder(self, store: HubStore) -> None:
        rid = self._live_repo(store)

        def attempt(i: int) -> str | None:
            try:
                return str(_w(store, rid, live.reserve, T0, "h", f"run-{i}", ["k/s.c::schedule"],
                              300.0, "strict")["reservation_id"])
            except ConflictError:
                return None

        won = race(8, attempt)
        assert sum(w is not None for w in won) == 1
        st = _r(store, rid, live.status, T0, 10, None, "k/s.c::schedule")
        assert [h["reservation_id"] for h in st["holders"]] == [w for w in won if w]

    def test_release_needs_the_live_token(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        a = _w(store, rid, live.reserve, T0, "h", "run-a", ["f.c"], 60.0, None)
        res_id, tok = a["reservation_id"], a["token"]
        with pytest.raises(StaleToken) as err:
            _w(store, rid, live.release, T0, "h", res_id, "run-a", tok + 1)
        assert err.value.details["reason"] == "mismatch"
        with pytest.raises(StaleToken) as err:
            _w(store, rid, live.release, T0, "h", res_id, "run-b", tok)
        assert err.value.details["reason"] == "not_holder"
        with pytest.raises(NotFound):
            _w(store, rid, live.release, T0, "h", "sha256:nope", "run-a", tok)
        done = _w(store, rid, live.release, T0 + 1, "h", res_id, "run-a", tok)
        again = _w(store, rid, live.release, T0 + 2, "h", res_id, "run-a", tok)
        assert done["already_released"] is False and again["already_released"] is True
        assert _r(store, rid, live.fence, T0 + 2, tok, res_id)["reason"] == "released"
        b = _w(store, rid, live.reserve, T0, "h", "run-b", ["f.c"], 60.0, None)
        with pytest.raises(StaleToken) as err:
            _w(store, rid, live.release, T0 + 61, "h", b["reservation_id"], "run-b", b["token"])
        assert err.value.details["reason"] == "expired"

    def test_heartbeat_extends_live_leases_and_buries_dead_ones(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        old = _w(store, rid, live.reserve, T0, "h", "run-a", ["old.c"], 10.0, None)
        new = _w(store, rid, live.reserve, T0 + 5, "h", "run-a", ["new.c"], 10.0, None)
        _w(store, rid, live.enqueue, T0, "h", [live.TaskSpec("t1")])
        c = _w(store, rid, live.claim, T0 + 5, "h", "run-a", 10.0, None)
        hb = _w(store, rid, live.heartbeat, T0 + 12, "h", "run-a", 100.0)
        assert hb["reservations"] == 1 and hb["claims"] == 1
        assert hb["expired"] == {"reservations": 1, "claims": 0}
        assert _r(store, rid, live.fence, T0 + 50, new["token"], new["reservation_id"])["valid"]
        assert _r(store, rid, live.fence, T0 + 50, c["token"], None, "t1")["valid"]
        dead = _r(store, rid, live.fence, T0 + 50, old["token"], old["reservation_id"])
        assert dead["valid"] is False and dead["reason"] == "expired"
        # A later lease of a run that heartbeated lives at least as long as the run.
        late = _w(store, rid, live.reserve, T0 + 20, "h", "run-a", ["late.c"], 5.0, None)
        assert late["expires_in"] == pytest.approx(92.0)
        kinds = [r["kind"] for r in _records(store, rid)]
        assert kinds.count("release") == 1 and kinds.count("heartbeat") == 1

    def test_ended_leases_leave_no_symbol_rows(self, store: HubStore) -> None:
        """Released and buried leases take their address rows (and their scopes') with them."""
        rid = self._live_repo(store)
        gone = _w(store, rid, live.reserve, T0, "h", "run-a", ["f.c::S.m", "g.c::k"], 60.0, None)
        old = _w(store, rid, live.reserve, T0, "h", "run-b", ["f.c::S.n"], 10.0, None)
        keep = _w(store, rid, live.reserve, T0, "h", "run-c", ["f.c::S.m"], 600.0, None)
        _w(store, rid, live.release, T0 + 1, "h", gone["reservation_id"], "run-a", gone["token"])
        hb = _w(store, rid, live.heartbeat, T0 + 20, "h", "run-b", 60.0)
        assert hb["expired"]["reservations"] == 1 and old["expires_in"] == pytest.approx(10.0)
        with store.live_transaction(rid, write=False) as tx:
            rows = tx.execute("SELECT symbol, reservation_id FROM live_symbols WHERE repo_id=?"
                              " ORDER BY symbol", (rid,)).fetchall()
        assert [tuple(r) for r in rows] == [(sym, keep["reservation_id"]) for sym in ("f.c", "f.c::S", "f.c::S.m")]

    def test_heartbeat_requeues_a_lapsed_claim(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        _w(store, rid, live.enqueue, T0, "h", [live.TaskSpec("t1")])
        c = _w(store, rid, live.claim, T0, "h", "run-a", 10.0, None)
        hb = _w(store, rid, live.heartbeat, T0 + 11, "h", "run-a", 100.0)
        assert hb["expired"] == {"reservations": 0, "claims": 1} and hb["claims"] == 0
        with pytest.raises(StaleToken) as err:
            _w(store, rid, live.finish, T0 + 12, "h", "t1", "run-a", c["token"], "completed", "")
        assert err.value.details["reason"] == "expired"
        assert _w(store, rid, live.claim, T0 + 12, "h", "run-b", 10.0, None)["task"]["task_id"] == "t1"

    def test_claim_order_dependencies_and_outcomes(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        specs = [live.TaskSpec("low", priority=0), live.TaskSpec("high", priority=5),
                 live.TaskSpec("after", priority=9, depends_on=("high", "low"))]
        assert _w(store, rid, live.enqueue, T0, "h", specs) == {"inserted": 3, "skipped": 0}
        assert _w(store, rid, live.enqueue, T0, "h", specs[:1]) == {"inserted": 0, "skipped": 1}
        got = [_w(store, rid, live.claim, T0, "h", "run-a", 60.0, None) for _ in range(3)]
        assert [g["task"] and g["task"]["task_id"] for g in got] == ["high", "low", None]
        with pytest.raises(ConflictError) as err:
            _w(store, rid, live.claim, T0, "h", "run-b", 60.0, "after")
        assert err.value.details["blocked_by"] == ["high", "low"]
        with pytest.raises(NotFound):
            _w(store, rid, live.claim, T0, "h", "run-b", 60.0, "nope")
        _w(store, rid, live.finish, T0, "h", "high", "run-a", got[0]["token"], "completed", "ok")
        again = _w(store, rid, live.finish, T0, "h", "high", "run-a", got[0]["token"], "completed", "")
        assert again["already"] is True
        failed = _w(store, rid, live.finish, T0, "h", "low", "run-a", got[1]["token"], "failed",
                    "flaky", True)
        assert failed["status"] == "pending"
        st = _r(store, rid, live.status, T0, 10)["tasks"]
        assert st == {"pending": 2, "ready": 1, "blocked": 1, "claimed": 0, "completed": 1,
                      "failed": 0}
        low = _w(store, rid, live.claim, T0, "h", "run-b", 60.0, None)
        assert low["task"]["task_id"] == "low" and low["token"] > got[1]["token"]
        _w(store, rid, live.finish, T0, "h", "low", "run-b", low["token"], "completed", "")
        assert _w(store, rid, live.claim, T0, "h", "run-b", 60.0, None)["task"]["task_id"] == "after"

    def test_stale_claim_cannot_complete_after_takeover(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        _w(store, rid, live.enqueue, T0, "h", [live.TaskSpec("t1")])
        first = _w(store, rid, live.claim, T0, "h", "run-a", 10.0, None)
        second = _w(store, rid, live.claim, T0 + 11, "h", "run-b", 10.0, None)
        assert second["task"]["task_id"] == "t1" and second["token"] > first["token"]
        with pytest.raises(StaleToken) as err:
            _w(store, rid, live.finish, T0 + 12, "h", "t1", "run-a", first["token"], "completed", "")
        assert err.value.details["reason"] == "superseded" and err.value.details["holder"] == "run-b"
        assert _r(store, rid, live.fence, T0 + 12, first["token"], None, "t1")["reason"] == "superseded"
        _w(store, rid, live.finish, T0 + 12, "h", "t1", "run-b", second["token"], "completed", "")

    def test_claim_race_has_one_winner_per_task_and_loses_none(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        n_tasks = 30
        _w(store, rid, live.enqueue, T0, "h", [live.TaskSpec(f"t{i:02d}") for i in range(n_tasks)])

        def worker(i: int) -> list[str]:
            mine = []
            for _ in range(n_tasks + 1):
                got = _w(store, rid, live.claim, T0, "h", f"run-{i}", 300.0, None)
                if got["task"] is None:
                    break
                mine.append(got["task"]["task_id"])
            return mine

        won = race(6, worker)
        flat = [t for ts in won for t in ts]
        assert sorted(flat) == [f"t{i:02d}" for i in range(n_tasks)]
        claims = [r for r in _records(store, rid) if r["kind"] == "claim"]
        assert len(claims) == n_tasks and len({c["record_id"] for c in claims}) == n_tasks

    def test_runs_belong_to_their_handle(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        _w(store, rid, live.heartbeat, T0, "alice", "run-a", 60.0)
        with pytest.raises(live.RunOwnedElsewhere):
            _w(store, rid, live.reserve, T0, "mallory", "run-a", ["f.c"], 60.0, None)

    def test_intent_on_a_reservation_needs_its_token(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        a = _w(store, rid, live.reserve, T0, "h", "run-a", ["f.c::x"], 60.0, None)
        with pytest.raises(StaleToken):
            _w(store, rid, live.intent, T0, "h", "run-a", "modify", "f.c::x", a["reservation_id"],
               a["token"] + 1, None)
        rec = _w(store, rid, live.intent, T0, "h", "run-a", "rename", "f.c::x", a["reservation_id"],
                 a["token"], "f.c::y")
        assert rec["new_name"] == "f.c::y"

    def test_fence_checks_the_symbol(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        a = _w(store, rid, live.reserve, T0, "h", "run-a", ["f.c::S"], 60.0, None)
        check = _r(store, rid, live.fence, T0, a["token"], a["reservation_id"], None, "f.c::S.m")
        assert check["valid"] and check["holder"] == "run-a"
        other = _r(store, rid, live.fence, T0, a["token"], a["reservation_id"], None, "f.c::T")
        assert other["reason"] == "not_covered"
        assert _r(store, rid, live.fence, T0, 1, "sha256:none")["reason"] == "not_found"

    def test_grants_become_records_in_core_shapes(self, store: HubStore) -> None:
        rid = self._live_repo(store)
        a = _w(store, rid, live.reserve, T0, "h", "run-a", ["f.c"], 60.0, None)
        _w(store, rid, live.heartbeat, T0, "h", "run-a", 120.0)
        _w(store, rid, live.enqueue, T0, "h", [live.TaskSpec("t1", "do", 3, (), ("f.c",))])
        c = _w(store, rid, live.claim, T0, "h", "run-a", 60.0, None)
        _w(store, rid, live.finish, T0, "h", "t1", "run-a", c["token"], "completed", "done")
        _w(store, rid, live.release, T0, "h", a["reservation_id"], "run-a", a["token"])
        recs = _records(store, rid)
        assert [r["kind"] for r in recs] == ["reservation", "heartbeat", "task", "claim", "claim",
                                             "release"]
        typed = [decode(r["kind"], r["record_id"], r["payload"]) for r in recs]
        assert typed[0].token == a["token"] and typed[0].symbols == ("f.c",)
        assert typed[3].slot == 1 and typed[3].status == "claimed"
        assert typed[4].slot == 2 and typed[4].status == "completed"
        assert recs[3]["payload"]["token"] == c["token"] and recs[3]["record_id"] == "t1+1"
        assert typed[5].reservation_id == a["reservation_id"]

    # ── pull cursors under concurrent commits ──
    def test_a_record_committed_late_under_a_pull_is_not_skipped(self, store: HubStore) -> None:
        """A transaction that started first but commits after a later one's
        record was pulled: the next pull from the cursor still returns it."""
        rid = self._live_repo(store)
        first_in = threading.Event()
        let_go = threading.Event()

        def slow() -> None:
            with store.live_transaction(rid) as tx:
                tx.append_records([_row("slow")])
                first_in.set()
                assert let_go.wait(30)

        def quick() -> None:
            with store.live_transaction(rid) as tx:
                tx.append_records([_row("quick")])

        a = threading.Thread(target=slow)
        a.start()
        assert first_in.wait(30)
        b = threading.Thread(target=quick)  # commits first where writers may overlap
        b.start()
        b.join(0.5)
        seen: list[str] = []
        cursor = _pull_into(store, rid, 0, seen)
        let_go.set()
        a.join(30)
        b.join(30)
        _pull_into(store, rid, cursor, seen)
        assert sorted(seen) == ["quick", "slow"]

    def test_concurrent_writers_never_make_a_puller_skip(self, store: HubStore) -> None:
        """Writers commit in random order while a reader pulls continuously:
        the reader's pages, joined, are exactly the repository's records."""
        rid = self._live_repo(store)
        stop = threading.Event()
        seen: list[str] = []

        def write(i: int) -> int:
            rnd = random.Random(i)
            k = 0
            while not stop.is_set():
                with store.live_transaction(rid) as tx:
                    tx.append_records([_row(f"w{i}-{k}")])
                    time.sleep(rnd.uniform(0, 0.004))  # commit out of numbering order
                k += 1
            return k

        def read() -> None:
            cursor = 0
            while not stop.is_set():
                cursor = _pull_into(store, rid, cursor, seen)
            time.sleep(0.05)
            _pull_into(store, rid, cursor, seen)

        reader = threading.Thread(target=read)
        reader.start()
        pool = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        for t in pool:
            t.start()
        time.sleep(1.5)
        stop.set()
        for t in pool:
            t.join(30)
        reader.join(30)
        everything = [msgspec.msgpack.decode(b)["record_id"]
                      for b in store.fetch_records(rid, 0, None, 5000).bodies]
        assert len(everything) > 20
        assert seen == everything  # nothing skipped, nothing twice, same order


    def test_a_reserve_reads_no_marker_rows_of_enclosing_directories(
            self, store: HubStore, monkeypatch: pytest.MonkeyPatch) -> None:
        """Every lease under ``src`` has a marker row at ``src``; a reserve of
        another file there must not fetch them (it did: CPU grew per lease)."""
        assert store.create_repo("alice", "scopes", "alice", False, time.time())
        repo = store.get_repo("alice", "scopes")
        assert repo is not None
        for i in range(60):
            _w(store, repo.id, live.reserve, T0, "h", f"run-{i}", [f"src/m{i}.py::f"], 60.0,
               "strict")
        fetched: list[int] = []
        real = tables.symbol_rows

        def counting(tx: Any, *args: Any) -> list[Any]:
            got = real(tx, *args)
            fetched.append(len(got))
            return got

        monkeypatch.setattr(tables, "symbol_rows", counting)
        _w(store, repo.id, live.reserve, T0, "h", "run-x", ["src/new.py::f"], 60.0, "strict")
        assert fetched == [0]
        with pytest.raises(ConflictError):  # the directory still overlaps all of them
            _w(store, repo.id, live.reserve, T0, "h", "run-y", ["src"], 60.0, "strict")

def _row(record_id: str) -> RecordRow:
    body = msgspec.msgpack.encode({"kind": "intent", "record_id": record_id, "run_id": "w",
                                   "payload": {}, "expires_at": None})
    return RecordRow("intent", record_id, body)


def _pull_into(store: HubStore, repo_id: int, cursor: int, seen: list[str]) -> int:
    """Pull every page after *cursor* into *seen*; the new cursor."""
    while True:
        page = store.fetch_records(repo_id, cursor, None, 50)
        seen += [msgspec.msgpack.decode(b)["record_id"] for b in page.bodies]
        cursor = page.cursor
        if not page.has_more:
            return cursor
