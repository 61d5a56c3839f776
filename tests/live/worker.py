"""A client process for live tests: ``python tests/live/worker.py '<json job>'``.

The job names the hub(s), repository, identity, run id and a ``role``; the
worker prints one JSON line with what it got (last line of stdout). Roles:

``reserve``     wait for the ``go`` file, then strict-reserve each symbol in turn
``drain``       claim and complete tasks until the queue is empty (some fail+requeue)
``steal``       (skewed clock) try to take a symbol and a task held by a live run
``claim_wait``  claim ``task_id``, print the token, wait for a stdin line, complete
``write_loop``  until ``seconds`` pass and ``min_grants`` were granted: advisory reserve +
                release of symbols of its own
``pull_loop``   pull from a cursor continuously until the ``stop`` file, then once more
``overlap``     until ``seconds`` pass and it has ``min_holds`` holds and ``min_refused``
                refusals: strict-reserve a random one of ``symbols``, hold, release

The loops run past ``seconds`` until they have enough evidence (a loaded
machine slows them; a race with too few events proves nothing), but never
past ``max_seconds`` (default 120).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from muse.core.client.live import LiveClient
from muse.core.transport import SigningIdentity
from muse.core.vocab.errors import ConflictError, MuseError, StaleToken


def _client(job: dict[str, Any], url: str) -> LiveClient:
    ident = SigningIdentity.load(job["handle"], job["key"])
    return LiveClient(url, job["owner"], job["slug"], ident)


def _wait_go(job: dict[str, Any]) -> None:
    deadline = time.monotonic() + 120
    while not os.path.exists(job["go"]) and time.monotonic() < deadline:
        time.sleep(0.005)


def reserve(job: dict[str, Any]) -> Any:
    hub = _client(job, job["urls"][0])
    hub.status(limit=0)  # connect (and learn the hub clock) before the race
    _wait_go(job)
    got: dict[str, Any] = {}
    for sym in job["symbols"]:
        try:
            r = hub.reserve(job["run_id"], [sym], ttl=600, strict=True)
            got[sym] = {"reservation_id": r["reservation_id"], "token": r["token"]}
        except ConflictError as exc:
            got[sym] = None
            assert exc.details["holder"] != job["run_id"]
    return got


def drain(job: dict[str, Any]) -> Any:
    hubs = [_client(job, u) for u in job["urls"]]
    for h in hubs:
        h.status(limit=0)
    _wait_go(job)
    done: list[dict[str, Any]] = []
    failed_once = False
    deadline = time.monotonic() + 240
    i = 0
    while time.monotonic() < deadline:
        hub = hubs[i % len(hubs)]  # alternate hub processes
        i += 1
        got = hub.claim(job["run_id"], ttl=600)
        task = got["task"]
        if task is None:
            counts = hub.status(limit=0)["tasks"]
            if counts["pending"] == 0 and counts["claimed"] == 0:
                break
            time.sleep(0.02)  # prerequisites still held by others
            continue
        if job.get("fail_first") and not failed_once:
            failed_once = True
            hub.fail(task["task_id"], job["run_id"], got["token"], detail="flaky", requeue=True)
            continue
        hubs[i % len(hubs)].complete(task["task_id"], job["run_id"], got["token"])
        done.append({"task_id": task["task_id"], "token": got["token"]})
    return done


def steal(job: dict[str, Any]) -> Any:
    from muse.core.client import signing

    hub = _client(job, job["urls"][0])
    out: dict[str, Any] = {"local_time": time.time()}
    try:
        hub.reserve(job["run_id"], [job["symbol"]], ttl=60, strict=True)
        out["reserve"] = "granted"
    except ConflictError as exc:
        out["reserve"] = "refused"
        out["holder"] = exc.details["holder"]
    try:
        hub.claim(job["run_id"], ttl=60, task_id=job["task_id"])
        out["claim_named"] = "granted"
    except ConflictError as exc:
        out["claim_named"] = exc.details.get("status")
    out["claim_next"] = hub.claim(job["run_id"], ttl=60)["task"]
    try:
        hub.complete(job["task_id"], job["run_id"], job["holder_token"])
        out["complete"] = "accepted"
    except StaleToken as exc:
        out["complete"] = exc.details["reason"]
    fence = hub.fence(job["holder_token"], task_id=job["task_id"])
    out["fence_valid"] = fence["valid"]
    mine = hub.reserve(job["run_id"], [job["own_symbol"]], ttl=60)
    out["own_expires_in"] = mine["expires_in"]
    out["own_expires_at"] = mine["expires_at"]
    out["hub_now"] = mine["now"]
    netloc = job["urls"][0].split("://", 1)[1]
    out["offset"] = signing.hub_offset(netloc)
    return out


def claim_wait(job: dict[str, Any]) -> Any:
    hub = _client(job, job["urls"][0])
    got = hub.claim(job["run_id"], ttl=job["ttl"], task_id=job["task_id"])
    print(json.dumps({"token": got["token"]}), flush=True)
    sys.stdin.readline()
    try:
        hub.complete(job["task_id"], job["run_id"], got["token"])
        return {"complete": "accepted"}
    except StaleToken as exc:
        return {"complete": "stale_token", "reason": exc.details["reason"],
                "holder": exc.details.get("holder"), "exit_code": exc.exit_code}


class _Until:
    """At least ``seconds``, then until *enough* says so, at most ``max_seconds``."""

    def __init__(self, job: dict[str, Any], enough: Any) -> None:
        start = time.monotonic()
        self.least = start + job["seconds"]
        self.most = start + job.get("max_seconds", 120.0)
        self.enough = enough

    def done(self) -> bool:
        now = time.monotonic()
        return now >= self.most or (now >= self.least and self.enough())


def write_loop(job: dict[str, Any]) -> Any:
    hub = _client(job, job["urls"][0])
    hub.status(limit=0)
    _wait_go(job)
    granted: list[str] = []
    until = _Until(job, lambda: len(granted) >= job.get("min_grants", 0))
    k = 0
    while not until.done():
        r = hub.reserve(job["run_id"], [f"src/{job['run_id']}/m{k}.py"], ttl=600)
        hub.release(r["reservation_id"], job["run_id"], r["token"])
        granted.append(r["reservation_id"])
        k += 1
    return granted


def pull_loop(job: dict[str, Any]) -> Any:
    """Every record id, in the order this cursor met them (page after page)."""
    hub = _client(job, job["urls"][0])
    hub.status(limit=0)
    _wait_go(job)
    seen: list[str] = []
    cursor = 0
    pages = 0

    def drain() -> None:
        nonlocal cursor, pages
        while True:
            page = hub.pull(since_id=cursor, limit=job.get("limit", 7))
            seen.extend(r["record_id"] for r in page["records"])
            cursor = page["cursor"]
            pages += 1
            if not page["has_more"]:
                return

    while not os.path.exists(job["stop"]):
        drain()
    drain()  # everything committed before the writers stopped
    return {"seen": seen, "pages": pages}


def overlap(job: dict[str, Any]) -> Any:
    """Holds as (address, token, granted: answer received, released: request sent)."""
    import random

    hub = _client(job, job["urls"][0])
    hub.status(limit=0)
    _wait_go(job)
    rnd = random.Random(job["run_id"])
    holds: list[dict[str, Any]] = []
    refused = 0
    until = _Until(job, lambda: len(holds) >= job.get("min_holds", 0)
                   and refused >= job.get("min_refused", 0))
    while not until.done():
        sym = rnd.choice(job["symbols"])
        try:
            r = hub.reserve(job["run_id"], [sym], ttl=600, strict=True)
        except ConflictError:
            refused += 1
            continue
        granted = time.time()
        time.sleep(rnd.uniform(0, 0.01))
        released = time.time()
        hub.release(r["reservation_id"], job["run_id"], r["token"])
        holds.append({"symbol": sym, "token": r["token"], "granted": granted,
                      "released": released})
        time.sleep(rnd.uniform(0, 0.02))  # leave gaps, or the directory is never free
    return {"holds": holds, "refused": refused}


def main() -> None:
    job = json.loads(sys.argv[1])
    try:
        result = {"ok": True, "result": globals()[job["role"]](job)}
    except MuseError as exc:
        result = {"ok": False, "error": exc.to_json()}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
