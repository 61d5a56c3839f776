"""A worker process: many agents as coroutines on one event loop.

    python -m muse.swarm.worker SPEC.json INDEX

``SPEC.json`` (written by the runner) names the hubs, the repository, the
agents' settings and where to write results. The worker runs agents
``INDEX, INDEX + workers, …`` against hub ``INDEX mod len(hub_urls)`` (several
hubs on one database share the load by worker) and talks to the runner over
pipes:

* stdout: one JSON line every ``progress_every`` seconds with its counters,
  then ``{"t": "done"}`` once the results file is written;
* stdin: a ``stop`` line (or end of file) ends the run: agents are cancelled
  where they are, and the results (latencies, logs, peak memory) are written
  to ``<results>/worker-INDEX.msgpack``.

**Identities.** With a signing identity (``--hub URL --handle …``) every
agent signs as it. Against the ``--insecure-dev`` hubs the swarm starts
(``"agent_identities": true`` in the spec), each agent names itself as the
caller — its run id as handle, in a well-formed ``MSign`` header that such a
hub takes on trust without checking a signature (:class:`AgentNames`) — as
agents with an identity each would. The hub's per-identity bounds and
bookkeeping (runs, answers kept for retries) then see one agent's share,
not the whole swarm's under one name.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import sys
import time
from dataclasses import replace
from typing import Any

from muse.swarm.agent import AgentSettings, WorkerState, run_agent
from muse.swarm.client import AsyncHub
from muse.swarm.metrics import Recorder

__all__ = ["AgentNames", "agent_ids", "main", "run_worker"]

_AGENT: contextvars.ContextVar[str] = contextvars.ContextVar("swarm_agent", default="swarm")


class AgentNames:
    """Stands where a signing identity would in :class:`~muse.swarm.client.AsyncHub`:
    names the agent whose coroutine is sending (a context variable each agent's task
    sets) in an ``MSign`` header with an empty signature. Only for ``--insecure-dev``
    hubs, which take a well-formed header's handle on trust; any other hub refuses it."""

    handle = "swarm"

    def sign_request(self, request: Any) -> Any:
        from muse.core.client.signing import format_authorization

        header = format_authorization(_AGENT.get(), int(time.time()), b"")
        return replace(request, headers={**request.headers, "Authorization": header})


async def _as_agent(run_id: str, st: WorkerState) -> None:
    _AGENT.set(run_id)  # this task's own context: its requests name it
    await run_agent(run_id, st)


def agent_ids(total: int, workers: int, index: int) -> list[str]:
    """Run ids of the agents worker *index* of *workers* simulates."""
    width = max(4, len(str(total - 1)))
    return [f"agent-{i:0{width}d}" for i in range(index, total, workers)]


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


async def _watch_stdin(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line or line.strip() == b"stop":
            stop.set()
            return


async def _report(rec: Recorder, every: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        _emit({"t": "progress", **rec.progress()})
        try:
            await asyncio.wait_for(stop.wait(), every)
        except TimeoutError:
            pass


async def run_worker(spec: dict[str, Any], index: int) -> dict[str, Any]:
    """Run this worker's agents until stopped; return its results."""
    signing: Any = None
    if spec.get("signing"):
        from muse.core.transport import SigningIdentity

        signing = SigningIdentity.load(spec["signing"]["handle"], spec["signing"]["key"])
    elif spec.get("agent_identities"):
        signing = AgentNames()
    rec = Recorder()
    urls = spec.get("hub_urls") or [spec["hub_url"]]
    hub = AsyncHub(urls[index % len(urls)], spec["owner"], spec["slug"],
                   connections=int(spec["connections"]), signing=signing,
                   timeout=float(spec.get("timeout", 60.0)), sink=rec.sink)
    a = spec["agent"]
    defaults = AgentSettings()
    settings = AgentSettings(
        ttl=float(a.get("ttl", defaults.ttl)),
        think=(float(a["think"][0]), float(a["think"][1])) if "think" in a else defaults.think,
        poll=(float(a["poll"][0]), float(a["poll"][1])) if "poll" in a else defaults.poll,
        idle_timeout=float(a.get("idle_timeout", defaults.idle_timeout)),
        fail_fraction=float(a.get("fail_fraction", defaults.fail_fraction)),
        rename_fraction=float(a.get("rename_fraction", defaults.rename_fraction)),
        ramp=float(a.get("ramp", defaults.ramp)),
        batch=bool(a.get("batch", defaults.batch)))
    st = WorkerState(hub=hub, rec=rec, settings=settings, seed=int(spec.get("seed", 0)))
    ids = agent_ids(int(spec["agents"]), int(spec["workers"]), index)
    watcher = asyncio.create_task(_watch_stdin(st.stop))
    reporter = asyncio.create_task(_report(rec, float(spec.get("progress_every", 0.5)), st.stop))
    agents = [asyncio.create_task(_as_agent(run_id, st)) for run_id in ids]
    await st.stop.wait()
    for t in agents:
        t.cancel()
    await asyncio.gather(*agents, return_exceptions=True)
    watcher.cancel()
    await asyncio.gather(watcher, reporter, return_exceptions=True)
    await hub.close()
    return rec.to_result(index, len(ids))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python -m muse.swarm.worker SPEC.json INDEX\n")
        return 2
    with open(args[0], "rb") as fh:
        spec = json.load(fh)
    index = int(args[1])
    result = asyncio.run(run_worker(spec, index))
    import msgspec

    path = f"{spec['results']}/worker-{index}.msgpack"
    with open(path, "wb") as fh:
        fh.write(msgspec.msgpack.encode(result))
    _emit({"t": "done", "path": path})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
