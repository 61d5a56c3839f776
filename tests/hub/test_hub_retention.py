"""Hub retention against real hub processes on SQLite and PostgreSQL.

Reserve/release cycles followed by pruning leave the tables bounded; nothing
live, nothing within the grace and no pull cursor is disturbed; a pruned
record re-pushed stays pruned; two pruners on one database do not collide;
the bounds on what a client can make the hub remember answer 4xx.
"""

from __future__ import annotations

import contextlib
import pathlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from muse.core.vocab.errors import MuseError
from muse.hub.lessor import symbol_marks
from muse.storage.base import HubStore
from tests.hub.conftest import (
    Agent,
    HubProcess,
    create_repo,
    grant,
    make_agent,
    run_cli,
)
from tests.storage.pg import drop_schema, new_schema, pg_dsn

GRACE = 2.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextlib.contextmanager
def hubs_on_one_db(workdir: pathlib.Path, backend: str, n: int,
                   *extra: str) -> Iterator[tuple[list[HubProcess], list[str]]]:
    """*n* hubs on one database; also the ``--db``/``--pg-schema`` arguments naming it."""
    schema = None
    hubs: list[HubProcess] = []
    try:
        if backend == "postgres":
            dsn, schema = pg_dsn(), new_schema()
            db_args = ["--db", dsn, "--pg-schema", schema]
            for i in range(n):
                hubs.append(HubProcess(workdir / f"hub{i}", dsn, "--pg-schema", schema,
                                       "--pg-pool-size", "4", *extra))
        else:
            db = str(workdir / "hub.sqlite3")
            db_args = ["--db", db]
            for i in range(n):
                hubs.append(HubProcess(workdir / f"hub{i}", db, *extra))
        yield hubs, db_args
    finally:
        for h in hubs:
            h.stop()
        if schema is not None:
            drop_schema(pg_dsn(), schema)


def open_db(db_args: list[str]) -> HubStore:
    from muse.storage import open_store

    if len(db_args) > 2:
        return open_store(db_args[1], schema=db_args[3], max_size=2)
    return open_store(db_args[1])


def sizes(db_args: list[str]) -> dict[str, int]:
    from muse.hub.retention import table_sizes

    store = open_db(db_args)
    try:
        return table_sizes(store)
    finally:
        store.close()


def client(hub: HubProcess, owner: Agent, slug: str, agent: Agent | None = None) -> Any:
    from muse.core.client.live import LiveClient

    return LiveClient(hub.url, owner.handle, slug, (agent or owner).identity)


def pull_all(hub: HubProcess, owner: Agent, slug: str, since: int = 0) -> tuple[list[Any], int]:
    from muse.core.coord_bus import hub_request

    records: list[Any] = []
    while True:
        page = hub_request("GET", f"{hub.url}/api/v1/repos/{owner.handle}/{slug}/coord/records"
                           f"?since={since}&limit=1000", signing=owner.identity)
        records += page["records"]
        since = page["cursor"]
        if not page["has_more"]:
            return records, since


def cycles(c: Any, run_id: str, n: int) -> None:
    for i in range(n):
        lease = c.reserve(run_id, [f"src/m{i % 7}.py::f{i}"], ttl=60)
        c.release(lease["reservation_id"], run_id, lease["token"])


def prune_cli(tmp: pathlib.Path, db_args: list[str], *extra: str) -> Any:
    out = run_cli(tmp, "hub", "prune", *db_args, "--json", *extra)
    assert out.code == 0, out.err
    return out.json


def wait_for(check: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


def test_background_pruning_bounds_tables_and_spares_the_living(
        backend: str, tmp_path: pathlib.Path) -> None:
    with hubs_on_one_db(tmp_path, backend, 1, "--prune-every", "0") as (hubs, db_args):
        hub = hubs[0]
        owner = make_agent(hub, tmp_path, "owner")
        slug = create_repo(hub, owner)
        c = client(hub, owner, slug)
        keep = c.reserve("run-keep", ["src/keep.py::kept"], ttl=600)
        c.enqueue([{"task_id": "t-keep", "description": "stays claimed"}])
        claimed = c.claim("run-keep", ttl=600)
        cycles(c, "run-churn", 60)
        before = sizes(db_args)
        records_before, cursor = pull_all(hub, owner, slug)
        assert before["live_reservations"] == 61 and before["hub_records"] == len(records_before)
        # A second hub on the database, pruning in the background.
        pruner = HubProcess(tmp_path / "pruner", db_args[1], *db_args[2:], "--retention-grace",
                            str(GRACE), "--prune-every", "0.5")
        try:
            after = wait_for(lambda: (s := sizes(db_args))["hub_records"] <= 3
                             and s["live_reservations"] == 1 and s)
        finally:
            pruner.stop()
        assert after, sizes(db_args)
        assert "retention pass failed" not in pruner.stderr_path.read_text()
        # Only the living remain: the kept lease (its reservation record and the
        # symbol rows of it and its enclosing scopes), its run, the task and its claim.
        assert after["live_reservations"] == 1 and after["live_runs"] == 1, after
        assert after["live_symbols"] == len(symbol_marks(["src/keep.py::kept"])), after
        assert after["live_tasks"] == 1 and after["hub_records"] == 3, after
        assert after["hub_pruned"] == before["hub_records"] - after["hub_records"]
        assert c.fence(keep["token"], reservation_id=keep["reservation_id"])["valid"]
        assert c.fence(claimed["token"], task_id="t-keep")["valid"]
        # Cursors: never renumbered; an old one simply gets fewer records.
        left, end = pull_all(hub, owner, slug)
        assert end == cursor and len(left) == after["hub_records"] < len(records_before)
        assert {r["record_id"] for r in left} <= {r["record_id"] for r in records_before}
        assert pull_all(hub, owner, slug, cursor) == ([], cursor)
        fresh = c.reserve("run-churn", ["src/new.py::g"], ttl=60)
        newer, _ = pull_all(hub, owner, slug, cursor)
        assert [r["record_id"] for r in newer] == [fresh["reservation_id"]]
        # Within the grace: a lease released just now is kept by a pass run now.
        c.release(fresh["reservation_id"], "run-churn", fresh["token"])
        report = prune_cli(tmp_path, db_args)
        assert report["removed"]["live_reservations"] == 0
        assert sizes(db_args)["live_reservations"] == 2


def push(hub: HubProcess, owner: Agent, slug: str, records: list[dict[str, Any]]) -> Any:
    import orjson

    from muse.core.coord_bus import hub_request

    return hub_request("POST", f"{hub.url}/api/v1/repos/{owner.handle}/{slug}/coord/records",
                       orjson.dumps({"records": records}), signing=owner.identity,
                       content_type="application/json")


def old_lease_records(run_id: str) -> list[dict[str, Any]]:
    res = {"reservation_id": f"res-{run_id}", "run_id": run_id, "symbols": ["a.py::f"],
           "created_at": "2020-01-01T00:00:00+00:00", "expires_at": "2020-01-01T00:15:00+00:00"}
    rel = {"release_id": f"rel-{run_id}", "reservation_id": f"res-{run_id}", "run_id": run_id,
           "released_at": "2020-01-01T00:01:00+00:00"}
    return [{"kind": "reservation", "record_id": res["reservation_id"], "run_id": run_id,
             "payload": res, "expires_at": res["expires_at"]},
            {"kind": "release", "record_id": rel["release_id"], "run_id": run_id,
             "payload": rel, "expires_at": None}]


def test_pruned_record_repushed_does_not_come_back(backend: str, tmp_path: pathlib.Path) -> None:
    with hubs_on_one_db(tmp_path, backend, 1, "--prune-every", "0") as (hubs, db_args):
        hub = hubs[0]
        owner = make_agent(hub, tmp_path, "owner")
        slug = create_repo(hub, owner)
        batch = old_lease_records("run-old")
        assert push(hub, owner, slug, batch)["inserted"] == 2
        dry = prune_cli(tmp_path, db_args, "--dry-run")
        assert dry["records_removed"]["reservation"] == 1 and dry["records_removed"]["release"] == 1
        assert len(pull_all(hub, owner, slug)[0]) == 2  # a dry run deletes nothing
        report = prune_cli(tmp_path, db_args)
        assert report["removed"]["records"] == 2 and report["tables"]["hub_records"] == 0
        again = push(hub, owner, slug, batch)
        assert (again["inserted"], again["skipped"]) == (0, 2)
        assert pull_all(hub, owner, slug)[0] == []


def test_two_pruners_on_one_database_do_not_collide(backend: str, tmp_path: pathlib.Path) -> None:
    with hubs_on_one_db(tmp_path, backend, 2, "--retention-grace", "1",
                        "--prune-every", "0.2") as (hubs, db_args):
        owner = make_agent(hubs[0], tmp_path, "owner")
        slug = create_repo(hubs[0], owner)
        errors: list[BaseException] = []

        def churn(i: int) -> None:
            try:
                cycles(client(hubs[i], owner, slug), f"run-{i}", 40)
            except BaseException as exc:  # reported below
                errors.append(exc)

        workers = [threading.Thread(target=churn, args=(i,)) for i in range(2)]
        for w in workers:
            w.start()
        # Explicit passes too, racing the two hubs' background pruners.
        reports = [prune_cli(tmp_path, db_args, "--grace", "1") for _ in range(4)]
        for w in workers:
            w.join()
        assert not errors, errors
        assert all(not r["skipped"] or r["total_removed"] == 0 for r in reports)
        assert wait_for(lambda: sizes(db_args)["live_reservations"] == 0), sizes(db_args)
        assert wait_for(lambda: sizes(db_args)["hub_records"] == 0), sizes(db_args)
        for h in hubs:
            assert h.alive()
            assert "retention pass failed" not in h.stderr_path.read_text()


def test_bounds_answer_4xx(backend: str, tmp_path: pathlib.Path) -> None:
    limits = ["--limit", "runs_per_identity=3", "--limit", "tasks_per_repository=5",
              "--limit", "answers_per_identity=4", "--limit", "members_per_repository=2"]
    with hubs_on_one_db(tmp_path, backend, 1, "--prune-every", "0", *limits) as (hubs, _):
        hub = hubs[0]
        owner = make_agent(hub, tmp_path, "owner")

        def refused(call: Any, bound: str) -> None:
            with pytest.raises(MuseError) as caught:
                call()
            assert caught.value.details.get("status") == 429, caught.value.details
            assert bound in caught.value.message or caught.value.details.get("bound") == bound

        runs = client(hub, owner, create_repo(hub, owner))
        for i in range(3):
            runs.heartbeat(f"run-{i}")
        refused(lambda: runs.heartbeat("run-3"), "runs")
        runs.heartbeat("run-0")  # a known run is no new memory

        answers = client(hub, owner, create_repo(hub, owner))
        for i in range(4):
            answers.reserve("run-a", [f"a.py::f{i}"], ttl=60)
        refused(lambda: answers.reserve("run-a", ["a.py::g"], ttl=60), "answers")

        tasks = client(hub, owner, create_repo(hub, owner))
        tasks.enqueue([{"task_id": f"t{i}", "description": "x"} for i in range(5)])
        refused(lambda: tasks.enqueue([{"task_id": "t9", "description": "x"}]), "tasks")

        slug = create_repo(hub, owner)
        first, second = make_agent(hub, tmp_path), make_agent(hub, tmp_path)
        grant(hub, owner, owner.handle, slug, first.handle, "push")
        refused(lambda: grant(hub, owner, owner.handle, slug, second.handle, "push"), "members")
        grant(hub, owner, owner.handle, slug, first.handle, "pull")  # a change is no new member


def test_prune_verb_refuses_what_it_cannot_use(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "nope.sqlite3"
    out = run_cli(tmp_path, "hub", "prune", "--db", str(missing), "--json")
    assert out.code == 1 and "no hub database" in out.err and not missing.exists()
    out = run_cli(tmp_path, "hub", "prune", "--db", str(missing), "--grace", "-1")
    assert out.code == 2
    out = run_cli(tmp_path, "hub", "serve", "--limit", "bogus=1")
    assert out.code == 2 and "runs_per_identity" in out.err
