"""Hub retention removes exactly what local GC removes, for any set of records.

The same records are written as a repository's files (``muse coord gc``) and
stored in a hub database (``muse.hub.retention``); both dry runs must count
the same per kind, and a real pass must leave the hub with what local GC
would keep.
"""

from __future__ import annotations

import pathlib
import tempfile
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muse.core.vocab.clock import format_ts

NOW = 1_800_000_000.0
GRACE = 600.0

# Times around the horizon (NOW - GRACE) and around now, where the rules turn.
times = st.sampled_from([NOW - 5000, NOW - GRACE - 1, NOW - GRACE, NOW - GRACE + 1, NOW - 1,
                         NOW + 1, NOW + 900])


@st.composite
def worlds(draw: Any) -> list[dict[str, Any]]:
    runs = [f"run-{i}" for i in range(draw(st.integers(1, 3)))]
    records: list[dict[str, Any]] = []

    def add(kind: str, rid: str, run: str | None, payload: dict[str, Any]) -> None:
        records.append({"kind": kind, "record_id": rid, "run_id": run, "payload": payload,
                        "expires_at": payload.get("expires_at")})

    for i in range(draw(st.integers(0, 6))):
        run, rid = draw(st.sampled_from(runs)), f"res{i:03d}"
        add("reservation", rid, run, {"reservation_id": rid, "run_id": run,
                                      "symbols": [f"a.py::f{i}"],
                                      "created_at": format_ts(NOW - 6000),
                                      "expires_at": format_ts(draw(times))})
        if draw(st.booleans()):
            add("release", f"rel{i:03d}", run, {"release_id": f"rel{i:03d}", "reservation_id": rid,
                                                "run_id": run, "released_at": format_ts(draw(times))})
        if draw(st.booleans()):
            add("intent", f"int{i:03d}", run, {"intent_id": f"int{i:03d}", "run_id": run,
                                               "reservation_id": rid, "operation": "modify",
                                               "target": f"a.py::f{i}",
                                               "created_at": format_ts(NOW - 6000)})
    for j in range(draw(st.integers(0, 4))):
        run, at = draw(st.sampled_from(runs)), draw(times)
        add("heartbeat", f"hb{j:03d}", run, {"heartbeat_id": f"hb{j:03d}", "run_id": run,
                                             "at": format_ts(at - 900),
                                             "extended_expires_at": format_ts(at)})
    for k in range(draw(st.integers(0, 2))):
        for slot in range(1, draw(st.integers(1, 3)) + 1):
            run, at = draw(st.sampled_from(runs)), draw(times)
            add("claim", f"t{k}+{slot}", run, {
                "claim_id": f"t{k}+{slot}", "task_id": f"t{k}", "slot": slot,
                "claimer_run_id": run, "status": draw(st.sampled_from(["claimed", "completed"])),
                "at": format_ts(at - 900), "expires_at": format_ts(at)})
    return records


def local_gc(records: list[dict[str, Any]], root: pathlib.Path, dry_run: bool) -> dict[str, int]:
    import orjson

    from muse.cli.commands.init import init_repo
    from muse.core.coord.gc import run_coord_gc
    from muse.core.types import KIND_DIRS

    init_repo(root)
    for rec in records:
        folder = root / ".muse" / "coordination" / KIND_DIRS[rec["kind"]]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{rec['record_id']}.json").write_bytes(orjson.dumps(rec["payload"]))
    out = run_coord_gc(root, dry_run=dry_run, grace_period_seconds=GRACE, now=NOW).to_json()
    return {"reservation": out["reservations_removed"], "intent": out["intents_removed"],
            "release": out["releases_removed"], "heartbeat": out["heartbeats_removed"],
            "dependency": out["dependencies_removed"], "claim": out["claims_removed"]}


def hub_prune(records: list[dict[str, Any]], db: pathlib.Path,
              dry_run: bool) -> tuple[dict[str, int], set[str]]:
    import msgspec

    from muse.hub.retention import prune
    from muse.storage.base import RecordRow
    from muse.storage.sqlite import SqliteStore

    store = SqliteStore(db)
    try:
        store.create_repo("o", "r", "o", False, NOW)
        repo = store.get_repo("o", "r")
        assert repo is not None
        store.insert_records(repo.id, [RecordRow(r["kind"], r["record_id"],
                                                 msgspec.msgpack.encode(r)) for r in records])
        result = prune(store, NOW, GRACE, batch=3, dry_run=dry_run)
        page = store.fetch_records(repo.id, 0, None, 5000)
        left = {msgspec.msgpack.decode(b)["record_id"] for b in page.bodies}
    finally:
        store.close()
    return result.records, left


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_hub_retention_removes_what_local_gc_removes(records: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = pathlib.Path(tmp)
        local = local_gc(records, base / "repo", dry_run=False)
        kept_locally = {p.stem for p in (base / "repo" / ".muse" / "coordination").rglob("*.json")}
        dry, before = hub_prune(records, base / "dry.sqlite3", dry_run=True)
        assert dry == local
        assert before == {r["record_id"] for r in records}  # a dry run deletes nothing
        real, left = hub_prune(records, base / "hub.sqlite3", dry_run=False)
        assert real == local
        assert left == {r["record_id"] for r in records} & kept_locally
