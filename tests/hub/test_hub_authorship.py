"""Records are bound to who may write them: a member cannot release, heartbeat or
declare intents for another identity's run, nor forge claims on the hub's live tasks."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import msgspec
import orjson
import pytest

from muse.core.transport import HTTPTransport, Request
from tests.hub.conftest import Agent, HubProcess, create_repo, grant, make_agent

AT = "2026-01-01T00:00:00+00:00"
LATER = "2099-01-01T00:00:00+00:00"


@pytest.fixture
def tx() -> Iterator[HTTPTransport]:
    t = HTTPTransport()
    yield t
    t.close()


class Team:
    def __init__(self, hub: HubProcess, tx: HTTPTransport, tmp: pathlib.Path) -> None:
        self.hub, self.tx = hub, tx
        self.alice = make_agent(hub, tmp, "alice")
        self.bob = make_agent(hub, tmp, "bob")
        self.slug = create_repo(hub, self.alice)
        grant(hub, self.alice, self.alice.handle, self.slug, self.bob.handle, "push")
        self.base = f"{hub.url}/api/v1/repos/{self.alice.handle}/{self.slug}"

    def send(self, agent: Agent, method: str, path: str, body: object = None) -> tuple[int, Any]:
        data = b"" if body is None else msgspec.msgpack.encode(body)
        req = agent.identity.sign_request(Request(
            method, self.base + path, {"Content-Type": "application/msgpack",
                                       "Accept": "application/json"}, data, 30.0))
        resp = self.tx.handle_request(req)
        return resp.status, orjson.loads(resp.body)

    def push(self, agent: Agent, *records: dict[str, Any]) -> dict[str, Any]:
        status, answer = self.send(agent, "POST", "/coord/records", {"records": list(records)})
        assert status == 200, answer
        return dict(answer)

    def pulled_ids(self) -> set[tuple[str, str]]:
        status, page = self.send(self.alice, "GET", "/coord/records?limit=5000")
        assert status == 200
        return {(r["kind"], r["record_id"]) for r in page["records"]}


@pytest.fixture
def team(hub: HubProcess, tx: HTTPTransport, tmp_path: pathlib.Path) -> Team:
    return Team(hub, tx, tmp_path)


def _release(rid: str, reservation_id: str, run_id: str) -> dict[str, Any]:
    return {"kind": "release", "record_id": rid, "run_id": run_id, "expires_at": None,
            "payload": {"release_id": rid, "reservation_id": reservation_id, "run_id": run_id,
                        "released_at": AT}}


def _reservation(rid: str, run_id: str) -> dict[str, Any]:
    return {"kind": "reservation", "record_id": rid, "run_id": run_id, "expires_at": LATER,
            "payload": {"reservation_id": rid, "run_id": run_id, "symbols": ["a.py::f"],
                        "created_at": AT, "expires_at": LATER}}


def _heartbeat(rid: str, run_id: str) -> dict[str, Any]:
    return {"kind": "heartbeat", "record_id": rid, "run_id": run_id, "expires_at": LATER,
            "payload": {"heartbeat_id": rid, "run_id": run_id, "heartbeat_at": AT,
                        "expires_at": LATER}}


def _intent(rid: str, run_id: str, reservation_id: str | None) -> dict[str, Any]:
    return {"kind": "intent", "record_id": rid, "run_id": run_id, "expires_at": LATER,
            "payload": {"intent_id": rid, "run_id": run_id, "reservation_id": reservation_id,
                        "operation": "delete", "target": "a.py::f", "created_at": AT}}


def _claim(task_id: str, slot: int, run_id: str) -> dict[str, Any]:
    cid = f"{task_id}+{slot}"
    return {"kind": "claim", "record_id": cid, "run_id": run_id, "expires_at": LATER,
            "payload": {"claim_id": cid, "task_id": task_id, "slot": slot,
                        "claimer_run_id": run_id, "status": "claimed", "at": AT,
                        "expires_at": LATER}}


def test_release_of_another_runs_live_reservation_is_refused(team: Team) -> None:
    status, res = team.send(team.alice, "POST", "/live/reserve",
                            {"run_id": "run-alice", "symbols": ["kernel/sched.c::schedule"],
                             "mode": "strict"})
    assert status == 200, res
    forged = _release("rel-forged", res["reservation_id"], "run-bob")
    answer = team.push(team.bob, forged)
    assert answer["inserted"] == 0
    assert [r["record_id"] for r in answer["refused"]] == ["rel-forged"]
    assert ("release", "rel-forged") not in team.pulled_ids()
    # the strict lease still holds: bob cannot take the symbol
    status, _ = team.send(team.bob, "POST", "/live/reserve",
                          {"run_id": "run-bob", "symbols": ["kernel/sched.c::schedule"],
                           "mode": "strict"})
    assert status == 409


def test_records_in_another_identitys_run_are_refused(team: Team) -> None:
    mine = team.push(team.alice, _reservation("res-a", "run-a"))
    assert mine["inserted"] == 1 and mine["refused"] == []
    answer = team.push(team.bob, _heartbeat("hb-forged", "run-a"),
                       _intent("in-forged", "run-a", None),
                       _release("rel-forged", "res-a", "run-b"),
                       _intent("in-forged2", "run-b", "res-a"),
                       _reservation("res-b", "run-b"))
    assert sorted(r["record_id"] for r in answer["refused"]) == [
        "hb-forged", "in-forged", "in-forged2", "rel-forged"]
    assert answer["inserted"] == 1  # bob's own reservation
    ids = team.pulled_ids()
    assert ("reservation", "res-b") in ids and ("heartbeat", "hb-forged") not in ids


def test_forged_claim_on_a_live_task_is_refused(team: Team) -> None:
    status, _ = team.send(team.alice, "POST", "/live/tasks", {"tasks": [{"task_id": "t-1"}]})
    assert status == 200
    status, claimed = team.send(team.alice, "POST", "/live/claim",
                                {"run_id": "run-a", "task_id": "t-1"})
    assert status == 200 and claimed["task"]["task_id"] == "t-1"
    answer = team.push(team.bob, _claim("t-1", 2, "run-b"), _claim("t-1", 1, "run-b"))
    assert answer["inserted"] == 0 and len(answer["refused"]) + answer["skipped"] == 2
    assert ("claim", "t-1+2") not in team.pulled_ids()
    # a slot the hub already holds, under another record id
    held = {**_claim("t-1", 1, "run-b"), "record_id": "t-1+1b"}
    held["payload"] = {**held["payload"], "claim_id": "t-1+1b"}
    assert [r["record_id"] for r in team.push(team.bob, held)["refused"]] == ["t-1+1b"]


def test_claim_of_a_free_live_task_by_ones_own_run_is_kept(team: Team) -> None:
    """Pushed and live are one world: claiming a pending live task by push is not a forgery."""
    status, _ = team.send(team.alice, "POST", "/live/tasks", {"tasks": [{"task_id": "t-2"}]})
    assert status == 200
    answer = team.push(team.bob, _claim("t-2", 1, "run-b"))
    assert answer["inserted"] == 1 and answer["refused"] == []


def test_re_pushing_pulled_records_of_others_is_not_refused(team: Team) -> None:
    """Clients push what they pulled: records already on the hub are skipped, never refused."""
    team.push(team.bob, _reservation("res-b", "run-b"), _heartbeat("hb-b", "run-b"))
    again = team.push(team.alice, _reservation("res-b", "run-b"), _heartbeat("hb-b", "run-b"))
    assert again == {**again, "inserted": 0, "skipped": 2, "refused": []}
