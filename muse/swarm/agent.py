"""One simulated agent: a coroutine that works the live task queue until told to stop.

Each turn an agent:

1. **claims** the highest-priority ready task (``live/claim``); nothing ready →
   it waits until another agent of its worker wakes it, while one agent per
   worker polls with back-off (see :class:`WorkerState`);
2. **reserves** the task's symbols (advisory: always granted; overlaps with
   other agents come back as ``conflicts``);
3. declares an **intent** on the reservation, with its fencing token
   (mostly ``modify``, sometimes ``rename``);
4. "works" for a short think time, sending a **heartbeat** halfway (and every
   ``ttl/3`` if the work is long) so its leases stay alive on the hub's clock;
5. **releases** the reservation with its token;
6. **completes** the task with the claim's token — or, for a small fraction
   of tasks, **fails** it with ``requeue`` so another agent takes it again.

With ``AgentSettings.batch``, steps 5 and 6 are one request: ``complete`` /
``fail`` with ``release`` naming the reservation (one decision on the hub).

Every step's answer is logged in the worker's :class:`~muse.swarm.metrics.Recorder`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from muse.core.client.hub_client import (
    claim_call,
    finish_call,
    heartbeat_call,
    intent_call,
    release_call,
    reserve_call,
)
from muse.core.vocab.errors import RemoteError
from muse.swarm.client import AsyncHub
from muse.swarm.metrics import Recorder

__all__ = ["AgentSettings", "WorkerState", "run_agent"]


@dataclass(frozen=True)
class AgentSettings:
    """How agents behave (all times in seconds).

    Attributes:
        ttl: lease asked for on claim, reserve and heartbeat.
        think: (min, max) simulated work per task.
        poll: (first, max) back-off of a worker's scout when no task is ready.
        idle_timeout: longest wait of an idle agent nobody wakes (a safety net).
        rename_fraction: share of intents that are renames.
        fail_fraction: share of tasks failed with requeue (then redone).
        ramp: agents start spread over this many seconds.
        batch: release the reservation with the complete / fail request
            (one request instead of two).
    """

    ttl: float = 60.0
    think: tuple[float, float] = (0.02, 0.1)
    poll: tuple[float, float] = (0.05, 1.0)
    idle_timeout: float = 30.0
    rename_fraction: float = 0.1
    fail_fraction: float = 0.02
    ramp: float = 1.0
    batch: bool = False


@dataclass
class WorkerState:
    """What the agents of one worker process share.

    Idle agents of a worker share what they learnt about the queue, as agents
    sharing one client library would: once a claim comes back empty, one
    agent (the *scout*) keeps polling with back-off while the others wait to
    be woken. A successful claim wakes one more waiter (so a burst of ready
    tasks is taken up geometrically), and so does a completion or a re-queue
    (either may have made a task ready). Without this, thousands of idle
    agents polling on timers spend most of the hub's time on empty claims.
    """

    hub: AsyncHub
    rec: Recorder
    settings: AgentSettings
    seed: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    scout: str | None = None
    _idle: deque[asyncio.Future[None]] = field(default_factory=deque)

    async def wait_for_work(self, timeout: float) -> None:
        """Sleep up to *timeout* (a safety net), or until another agent wakes this one."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._idle.append(fut)
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            pass

    def wake(self, n: int = 1) -> None:
        """Wake up to *n* waiting agents."""
        while n and self._idle:
            fut = self._idle.popleft()
            if not fut.done():
                fut.set_result(None)
                n -= 1


def _ok(st: WorkerState, verb: str, status: int, answer: Any) -> bool:
    if status == 200 and isinstance(answer, dict):
        return True
    st.rec.error(verb, status, answer)
    return False


async def run_agent(run_id: str, st: WorkerState) -> None:
    """Work tasks as *run_id* until ``st.stop`` is set (the caller may also cancel)."""
    cfg = st.settings
    rng = random.Random(f"{st.seed}:{run_id}")
    await asyncio.sleep(rng.uniform(0, cfg.ramp))
    backoff = cfg.poll[0]
    while not st.stop.is_set():
        sent = time.monotonic()
        try:
            status, ans = await st.hub.send(claim_call(run_id, cfg.ttl))
        except RemoteError as exc:
            st.rec.error("claim", 0, {"error": exc.code, "message": exc.message})
            await asyncio.sleep(backoff)
            backoff = min(cfg.poll[1], backoff * 2)
            continue
        if not _ok(st, "claim", status, ans):
            await asyncio.sleep(backoff * rng.uniform(0.5, 1.5))
            backoff = min(cfg.poll[1], backoff * 2)
            continue
        task = ans.get("task")
        if not isinstance(task, dict):
            st.rec.null_claims += 1
            if st.scout in (None, run_id):
                st.scout = run_id  # poll on a timer for the whole worker
                await asyncio.sleep(backoff * rng.uniform(0.5, 1.5))
                backoff = min(cfg.poll[1], backoff * 2)
            else:
                await st.wait_for_work(cfg.idle_timeout * rng.uniform(0.5, 1.5))
            continue
        if st.scout == run_id:
            st.scout = None
        st.wake(1)  # there was work: maybe more
        backoff = cfg.poll[0]
        try:
            await _work(run_id, task, ans, (sent, time.monotonic()), st, rng)
        except RemoteError as exc:
            # The lease will expire on the hub and the task go back to the queue.
            st.rec.error("task", 0, {"error": exc.code, "message": exc.message})
        except (KeyError, TypeError, ValueError) as exc:  # an answer not shaped as documented
            st.rec.error("task", 0, {"error": type(exc).__name__, "message": str(exc)})


async def _work(run_id: str, task: dict[str, Any], granted: dict[str, Any],
                claim_times: tuple[float, float], st: WorkerState, rng: random.Random) -> None:
    cfg, rec, hub = st.settings, st.rec, st.hub
    task_id = task["task_id"]
    token = granted["token"]
    # The hub started the lease after we sent the claim: sent + expires_in is a
    # lower bound of its end on our monotonic clock (see metrics.double_claims).
    grant = [task_id, token, run_id, claim_times[0] + float(granted["expires_in"]),
             claim_times[0], claim_times[1], 0.0]
    rec.grants.append(grant)
    symbols = [s for s in task.get("symbols") or [] if isinstance(s, str)]

    reservation: dict[str, Any] | None = None
    entry: list[Any] = []
    if symbols:
        sent = time.monotonic()
        status, ans = await hub.send(reserve_call(run_id, symbols, cfg.ttl, strict=False))
        acked = time.monotonic()
        if _ok(st, "reserve", status, ans):
            reservation = ans
            conflicts = [[c.get("symbol"), [h.get("run_id") for h in c.get("holders") or []]]
                         for c in ans.get("conflicts") or []]
            rec.conflicts += len(conflicts)
            entry = [task_id, run_id, sent, acked, 0.0, 0.0, conflicts,
                     int(ans.get("token") or 0), 0.0]
            rec.reservations.append(entry)

    if reservation is not None:
        rename = rng.random() < cfg.rename_fraction
        status, ans = await hub.send(intent_call(
            run_id, "rename" if rename else "modify", symbols[0],
            reservation["reservation_id"], reservation["token"],
            symbols[0].rpartition("::")[2] + "_ported" if rename else None))
        _ok(st, "intent", status, ans)

    # Work, heartbeating halfway and then every ttl/3.
    think = rng.uniform(*cfg.think)
    step = min(think / 2, cfg.ttl / 3)
    while True:
        await asyncio.sleep(step)
        think -= step
        if think <= 1e-6:
            break
        sent = time.monotonic()
        status, ans = await hub.send(heartbeat_call(run_id, cfg.ttl))
        if _ok(st, "heartbeat", status, ans):
            grant[3] = max(grant[3], sent + float(ans["expires_in"]))
        step = min(think, cfg.ttl / 3)

    leases = None
    if reservation is not None and cfg.batch:
        leases = [(reservation["reservation_id"], reservation["token"])]
    elif reservation is not None:
        entry[4] = time.monotonic()
        status, ans = await hub.send(release_call(reservation["reservation_id"], run_id,
                                                  reservation["token"]))
        entry[5] = time.monotonic()
        if _ok(st, "release", status, ans):
            entry[8] = float(ans.get("now") or 0.0)

    verb = "fail" if rng.random() < cfg.fail_fraction else "complete"
    failing = verb == "fail"
    grant[6] = time.monotonic()
    if leases:
        entry[4] = grant[6]
    status, ans = await hub.send(finish_call(
        verb, task_id, run_id, token, "simulated build failure" if failing else "", failing,
        release=leases))
    if leases:
        entry[5] = time.monotonic()
        if status == 200 and isinstance(ans, dict):
            gone = ans.get("released") or [{}]
            if gone[0].get("released"):
                entry[8] = float(ans.get("now") or 0.0)
            else:
                rec.error("release", 409, {"error": "stale_token", "details": gone[0]})
    if status == 200 and isinstance(ans, dict):
        if verb == "complete":
            rec.completed += 1
            rec.completions.append([task_id, token, run_id, True, ""])
        st.wake(1)
        return
    reason = ""
    if isinstance(ans, dict):
        details = ans.get("details")
        reason = str(details.get("reason", "")) if isinstance(details, dict) else ""
        if ans.get("error") == "stale_token":
            rec.stale += 1
    rec.error(verb, status, ans)
    if verb == "complete":
        rec.completions.append([task_id, token, run_id, False, reason])
