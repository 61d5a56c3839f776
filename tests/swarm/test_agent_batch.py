"""A swarm agent with ``AgentSettings.batch``: release and complete in one request,
against a real hub: every task completed, no lease left, the release times logged."""

from __future__ import annotations

import asyncio
import pathlib

from muse.core.client.hub_client import HubClient
from muse.swarm.agent import AgentSettings, WorkerState, run_agent
from muse.swarm.client import AsyncHub
from muse.swarm.metrics import Recorder
from tests.hub.conftest import create_repo, make_agent, running_hub


def test_batched_agents_complete_every_task_and_leave_no_lease(tmp_path: pathlib.Path) -> None:
    n = 12
    with running_hub(tmp_path, "sqlite") as hub:
        owner = make_agent(hub, tmp_path, "owner")
        slug = create_repo(hub, owner)
        client = HubClient(hub.url, owner.handle, slug, owner.identity)
        client.enqueue([{"task_id": f"t{i}", "symbols": [f"src/m{i}.py::f", f"src/m{i}.py::g"]}
                        for i in range(n)])

        async def swarm() -> Recorder:
            rec = Recorder()
            conn = AsyncHub(hub.url, owner.handle, slug, connections=4, signing=owner.identity,
                            sink=rec.sink)
            st = WorkerState(hub=conn, rec=rec, settings=AgentSettings(
                think=(0.0, 0.01), ramp=0.05, fail_fraction=0.0, batch=True))
            agents = [asyncio.create_task(run_agent(f"run-{i}", st)) for i in range(3)]
            while rec.completed < n:
                await asyncio.sleep(0.05)
            st.stop.set()
            for a in agents:
                a.cancel()
            await asyncio.gather(*agents, return_exceptions=True)
            await conn.close()
            return rec

        rec = asyncio.run(asyncio.wait_for(swarm(), 120))
        status = client.status()
    assert rec.completed == n and dict(rec.errors) == {}
    assert status["tasks"]["completed"] == n and status["reservations"]["active"] == 0
    assert len(rec.reservations) == n
    assert all(e[4] and e[5] >= e[4] and e[8] > 0 for e in rec.reservations)
    assert "release" not in rec.latencies and len(rec.latencies["complete"]) == n
