"""What the summary says about live work on a real hub: the fencing token the holder presents.

A hub numbers every lease and claim from one sequence per repository, so a
task's claim token is not its slot in the claim log once anything else took
a number first. The dashboard must show the token the holder was given (and
presents to complete), not the slot.
"""

from __future__ import annotations

import pathlib
from typing import Any

import orjson

from tests.hub.conftest import Agent, HubProcess, create_repo, make_agent


def _live(hub: HubProcess, agent: Agent, owner: str, slug: str, verb: str,
          body: dict[str, Any]) -> Any:
    from muse.core.coord_bus import hub_request

    return hub_request("POST", f"{hub.url}/api/v1/repos/{owner}/{slug}/live/{verb}",
                       orjson.dumps(body), signing=agent.identity, content_type="application/json")


def _summary(hub: HubProcess, agent: Agent, owner: str, slug: str, query: str) -> Any:
    from muse.core.coord_bus import hub_request

    return hub_request("GET", f"{hub.url}/api/v1/repos/{owner}/{slug}/dashboard?{query}",
                       signing=agent.identity, content_type="application/json")


def test_claimed_tasks_show_the_hub_token_not_the_slot(real_hub: HubProcess,
                                                       tmp_path: pathlib.Path) -> None:
    alice = make_agent(real_hub, tmp_path, "alice")
    slug = create_repo(real_hub, alice)
    owner = alice.handle
    # Two leases take tokens 1 and 2 from the repository's sequence first.
    leases = [_live(real_hub, alice, owner, slug, "reserve",
                    {"run_id": f"run-{i}", "symbols": [f"src/m{i}.py::f"], "ttl": 600})
              for i in range(2)]
    _live(real_hub, alice, owner, slug, "tasks",
          {"tasks": [{"task_id": "build", "description": "build it", "priority": 5}]})
    claimed = _live(real_hub, alice, owner, slug, "claim", {"run_id": "worker", "ttl": 600})
    assert claimed["task"]["task_id"] == "build"
    token = claimed["token"]
    assert token == 3 != 1  # slot 1 of the task's claim log, token 3 of the repository

    data = _summary(real_hub, alice, owner, slug, "task_status=claimed")
    [task] = data["tasks"]["items"]
    assert (task["task_id"], task["holder"], task["token"]) == ("build", "worker", token)
    shown = {r["reservation_id"]: r["token"] for r in data["reservations"]["items"]}
    assert shown == {lease["reservation_id"]: lease["token"] for lease in leases}

    # The token presented to complete is the one shown: the hub accepts it.
    _live(real_hub, alice, owner, slug, "complete",
          {"task_id": "build", "run_id": "worker", "token": task["token"]})
