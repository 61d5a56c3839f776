"""Pulled records with a hostile payload are quarantined, reported, and never block work."""

from __future__ import annotations

import os
import pathlib

import orjson
import pytest

from muse.core import coordination as co
from muse.core.client.sync import HubTarget, push_records, write_remote_records
from muse.core.files.store import Problem
from muse.core.paths import coordination_dir, quarantine_dir
from muse.core.vocab.errors import HubResponseError

FUT = "2099-12-31T23:59:59+00:00"


def _bus(kind: str, rid: str, payload: dict[str, object]) -> dict[str, object]:
    return {"kind": kind, "record_id": rid, "run_id": "far", "payload": payload, "expires_at": FUT}


HOSTILE = {
    "task id that climbs out": ("task", {"task_id": "../../../etc/evil", "description": "x", "priority": 10**9}),
    "task id with a slash": ("task", {"task_id": "a/b", "priority": 10**9}),
    "priority of the wrong type": ("task", {"task_id": "t-typed", "priority": "top"}),
    "symbols of the wrong type": ("reservation", {"run_id": "far", "expires_at": FUT, "symbols": "a.c::f"}),
    "a timestamp that is not one": ("reservation", {"run_id": "far", "expires_at": "soon", "symbols": []}),
    "an unknown claim status": ("claim", {"task_id": "t", "claimer_run_id": "r", "status": "mine"}),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_payload_is_quarantined_and_claim_still_works(repo: pathlib.Path, case: str) -> None:
    kind, payload = HOSTILE[case]
    co.enqueue(repo, "the good task", task_id="good")
    result = write_remote_records(repo, [_bus(kind, "hostile-1", payload)])
    assert result.written == 0 and len(result.quarantined) == 1
    assert result.quarantined[0].startswith(f"{kind}/hostile-1: ")
    remote = coordination_dir(repo) / "remote"
    assert not any(files for _d, _s, files in os.walk(remote))  # nothing where commands read
    kept = quarantine_dir(repo) / {"task": "tasks", "reservation": "reservations", "claim": "claims"}[kind]
    assert orjson.loads((kept / "hostile-1.json").read_bytes())["record"]["payload"] == payload
    won = co.claim(repo, "me")
    assert won is not None and won.task.task_id == "good"


def test_a_hostile_task_already_on_disk_does_not_block_claim(repo: pathlib.Path) -> None:
    """Pulled by an older version: the reader refuses the unsafe id, claim goes on."""
    folder = coordination_dir(repo) / "remote" / "tasks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evil.json").write_bytes(orjson.dumps({"task_id": "../../x", "priority": 10**9}))
    co.enqueue(repo, "the good task", task_id="good")
    problems: list[Problem] = []
    won = co.claim(repo, "me", problems=problems)
    assert won is not None and won.task.task_id == "good"
    assert [pathlib.Path(p.path).name for p in problems] == ["evil.json"]


def test_incomplete_records_are_stored_not_quarantined(repo: pathlib.Path) -> None:
    """Other tools write minimal records: a missing field is not hostile."""
    result = write_remote_records(repo, [_bus("intent", "i-1", {"idx": 1}), _bus("task", "t-1", {"idx": 2})])
    assert result.written == 2 and result.quarantined == []


def _recording_hub(bad: set[str], calls: list[int]) -> object:
    def send(url: str, owner: str, slug: str, batch: list[dict[str, object]], signing: object = None) -> dict[str, int]:
        calls.append(len(batch))
        for i, rec in enumerate(batch):
            if rec["record_id"] in bad:
                raise HubResponseError(f"hub rejected push: record {i}: no (HTTP 422)", status=422)
        return {"inserted": len(batch), "skipped": 0}
    return send


def test_records_the_hub_refuses_are_isolated_and_the_rest_delivered() -> None:
    records = [_bus("task", f"t-{i}", {"task_id": f"t-{i}"}) for i in range(1200)]
    calls: list[int] = []
    out = push_records(records, HubTarget("http://hub", "o", "s", None),
                       send=_recording_hub({"t-7", "t-900"}, calls))  # type: ignore[arg-type]
    assert out["inserted"] == 1198 and out["refused"] == 2
    assert [r.split(":")[0] for r in out["refusals"]] == ["task/t-7", "task/t-900"]
    assert len(calls) < 3 + 2 * 2 * 10  # three batches, then halving down to each bad record


def test_a_hub_that_refuses_everything_stops_the_push() -> None:
    records = [_bus("task", f"t-{i}", {"task_id": f"t-{i}"}) for i in range(100)]
    with pytest.raises(HubResponseError):
        push_records(records, HubTarget("http://hub", "o", "s", None),
                     send=_recording_hub({f"t-{i}" for i in range(100)}, []))  # type: ignore[arg-type]


def test_other_hub_failures_are_not_retried() -> None:
    def send(*args: object, **kwargs: object) -> dict[str, int]:
        raise HubResponseError("hub failed (HTTP 500)", status=500)
    with pytest.raises(HubResponseError):
        push_records([_bus("task", "t", {})], HubTarget("http://hub", "o", "s", None), send=send)
