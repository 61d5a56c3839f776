"""Client processes race through real hub processes: one holder per symbol, one
winner per task, no task lost — on SQLite (one hub, and two hubs on one file)
and on two hub processes sharing one PostgreSQL."""

from __future__ import annotations

import pathlib
import random
from collections import Counter

import msgspec
import pytest

from muse.core.coord_bus import pull_from_hub
from tests.live.conftest import hubs_for, make_team, run_workers

N_CLIENTS = 6
N_SYMBOLS = 12
N_TASKS = 40

SETUPS = [
    pytest.param("sqlite", 1, id="sqlite-1hub"),
    pytest.param("sqlite", 2, id="sqlite-2hubs-1file"),
    pytest.param("postgres", 2, id="postgres-2hubs", marks=pytest.mark.postgres),
]


def _pull_all(team: object, url: str, owner: str, slug: str, signing: object) -> list[dict]:
    out: list[dict] = []
    cursor = 0
    for _ in range(100):
        page = pull_from_hub(url, owner, slug, since_id=cursor, limit=5000, signing=signing)
        out += page["records"]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    return out


@pytest.mark.parametrize(("backend", "n_hubs"), SETUPS)
def test_strict_reservations_have_exactly_one_holder(backend: str, n_hubs: int,
                                                     tmp_path: pathlib.Path) -> None:
    with hubs_for(tmp_path / "hubs", backend, n_hubs) as hubs:
        team = make_team(hubs, tmp_path, N_CLIENTS)
        symbols = [f"kernel/sched/core.c::fn_{i}" for i in range(N_SYMBOLS)]
        jobs = []
        for i in range(N_CLIENTS):
            order = symbols[:]
            random.Random(i).shuffle(order)
            job = team.job(i, "reserve", symbols=order)
            job["urls"] = [team.hub_urls[i % len(team.hub_urls)]]  # spread over hub processes
            jobs.append(job)
        results = run_workers(jobs, tmp_path / "go")
        holders: dict[str, list[int]] = {s: [] for s in symbols}
        tokens = []
        for i, got in enumerate(results):
            for sym, grant in got.items():
                if grant is not None:
                    holders[sym].append(i)
                    tokens.append(grant["token"])
        assert all(len(h) == 1 for h in holders.values()), holders
        assert len(set(tokens)) == len(tokens) == N_SYMBOLS  # tokens never repeat
        # The hub agrees, through either process.
        for idx, sym in enumerate(symbols):
            st = team.client(url=team.hub_urls[idx % len(team.hub_urls)]).status(symbol=sym)
            assert [h["run_id"] for h in st["holders"]] == [f"run-{holders[sym][0]}"]
        assert team.client().status()["conflicts"] == []


@pytest.mark.parametrize(("backend", "n_hubs"), SETUPS)
def test_claims_have_one_winner_and_lose_no_task(backend: str, n_hubs: int,
                                                 tmp_path: pathlib.Path) -> None:
    with hubs_for(tmp_path / "hubs", backend, n_hubs) as hubs:
        team = make_team(hubs, tmp_path, N_CLIENTS)
        ids = [f"task-{i:03d}" for i in range(N_TASKS)]
        tasks = [{"task_id": t, "description": f"work {t}", "priority": i % 3,
                  # every fifth task waits for the one before it
                  "depends_on": [ids[i - 1]] if i % 5 == 4 else []}
                 for i, t in enumerate(ids)]
        assert team.client().enqueue(tasks)["inserted"] == N_TASKS
        jobs = [team.job(i, "drain", fail_first=(i % 2 == 1)) for i in range(N_CLIENTS)]
        results = run_workers(jobs, tmp_path / "go")
        completed = [d["task_id"] for done in results for d in done]
        assert Counter(completed) == Counter(ids), "each task completed exactly once"
        st = team.client(url=team.hub_urls[-1]).status()["tasks"]
        assert st == {"pending": 0, "ready": 0, "blocked": 0, "claimed": 0,
                      "completed": N_TASKS, "failed": 0}
        # Pulled records tell the same story: one completed slot per task, slots gap-free.
        recs = _pull_all(team, team.hub_urls[0], team.owner.handle, team.slug,
                         team.owner.identity)
        claims = [r["payload"] for r in recs if r["kind"] == "claim"]
        done = Counter(c["task_id"] for c in claims if c["status"] == "completed")
        assert done == Counter(ids)
        for t in ids:
            slots = sorted(c["slot"] for c in claims if c["task_id"] == t)
            assert slots == list(range(1, len(slots) + 1))
        # Prerequisites completed before their dependents were claimed (pull order = commit order).
        pos = {}
        for n, r in enumerate(recs):
            if r["kind"] == "claim":
                pos.setdefault((r["payload"]["task_id"], r["payload"]["status"]), n)
        for i, t in enumerate(ids):
            if i % 5 == 4:
                assert pos[(ids[i - 1], "completed")] < pos[(t, "claimed")]
        assert msgspec.msgpack.encode(recs)  # records stay msgpack-clean
