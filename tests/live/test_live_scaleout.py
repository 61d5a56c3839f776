"""Hubs that scale out on one PostgreSQL (``docs/live.md``, "Scaling out"):
decisions no longer queue on a repository lock, so these race real client
processes through two hub processes and check what that lock used to give for
free — pull cursors that never skip a record, and one strict holder among
overlapping addresses (directory, file, class, member)."""

from __future__ import annotations

import pathlib
import time
from collections import Counter

import pytest

from muse.core.vocab.address import ancestors
from tests.live.conftest import finish, hubs_for, make_team, run_workers, spawn_worker

pytestmark = pytest.mark.postgres

WRITERS = 4
SECONDS = 4.0


def test_continuous_pulls_through_two_hubs_never_skip_a_record(tmp_path: pathlib.Path) -> None:
    with hubs_for(tmp_path / "hubs", "postgres", 2) as hubs:
        team = make_team(hubs, tmp_path, WRITERS + 2)
        stop = tmp_path / "stop"
        jobs = [{**team.job(i, "write_loop", seconds=SECONDS, min_grants=15),
                 "urls": [team.hub_urls[i % 2]]} for i in range(WRITERS)]
        # One puller per hub, small pages: many cursors resumed while writers commit.
        jobs += [{**team.job(WRITERS + j, "pull_loop", stop=str(stop)),
                  "urls": [team.hub_urls[j]]} for j in range(2)]
        go = tmp_path / "go"
        procs = [spawn_worker({**job, "go": str(go)}) for job in jobs]
        time.sleep(1.0)
        go.write_text("go")
        granted = [finish(p) for p in procs[:WRITERS]]
        stop.write_text("stop")
        pulled = [finish(p) for p in procs[WRITERS:]]
        everything = [r["record_id"] for r in team.client().pull_all(limit=5000)]
        n_grants = sum(len(g) for g in granted)
        assert n_grants > 40, "the writers hardly wrote: the race proves nothing"
        # Each grant is a reservation record and a release record.
        assert len(everything) == len(set(everything)) == 2 * n_grants
        assert {rid for g in granted for rid in g} <= set(everything)
        for p in pulled:
            assert p["pages"] > 10
            # Page after page, each cursor met every record once, in log order.
            assert p["seen"] == everything


def _overlaps(a: str, b: str) -> bool:
    return a == b or a in ancestors(b) or b in ancestors(a)


SYMBOLS = ["src/pkg", "src/pkg/a.py", "src/pkg/a.py::C", "src/pkg/a.py::C.m",
           "src/pkg/a.py::C.n", "src/pkg/b.py::f", "src/other.py::g"]


def test_strict_reservers_on_overlapping_addresses_across_two_hubs(tmp_path: pathlib.Path) -> None:
    clients = 6
    with hubs_for(tmp_path / "hubs", "postgres", 2) as hubs:
        team = make_team(hubs, tmp_path, clients)
        jobs = [{**team.job(i, "overlap", symbols=SYMBOLS, seconds=SECONDS,
                                 min_holds=8, min_refused=8),
                 "urls": [team.hub_urls[i % 2]]} for i in range(clients)]
        results = run_workers(jobs, tmp_path / "go")
    holds = [(i, h) for i, r in enumerate(results) for h in r["holds"]]
    assert len(holds) > 30 and sum(r["refused"] for r in results) > 30, "no real contention"
    held = Counter(h["symbol"] for _, h in holds)
    assert held["src/pkg"] and held["src/pkg/a.py"] and held["src/pkg/a.py::C.m"], held
    # No two runs held overlapping addresses at once. Each hold counts from its
    # grant's answer to its release's sending, inside the hub's own interval:
    # an intersection here is a real double holder.
    for x, (i, a) in enumerate(holds):
        for j, b in holds[x + 1:]:
            if i != j and _overlaps(a["symbol"], b["symbol"]):
                assert a["released"] <= b["granted"] or b["released"] <= a["granted"], (a, b)
    # Fencing tokens only grow: successive holders of one address draw larger tokens.
    for sym in SYMBOLS:
        same = sorted((h for _, h in holds if h["symbol"] == sym), key=lambda h: h["granted"])
        tokens = [h["token"] for h in same]
        assert tokens == sorted(tokens) and len(set(tokens)) == len(tokens)
