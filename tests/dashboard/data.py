"""Kernel-shaped coordination records for dashboard tests, screenshots and benchmarks.

:func:`swarm_records` returns bus records (``{"kind", "record_id", "run_id",
"payload", "expires_at"}``) for a swarm of runs working on Linux-like
subsystems at time *now*: live reservations (some overlapping, so conflicts
exist), heartbeats (some runs gone quiet), intents (a few clashing), a task
queue in every state with dependencies, and optionally a backlog of released
reservations to reach a target record count.
"""

from __future__ import annotations

import random
from typing import Any

from muse.core.vocab.clock import format_ts

__all__ = ["SUBSYSTEMS", "bus", "swarm_records"]

SUBSYSTEMS: dict[str, list[str]] = {
    "kernel/sched": ["core.c", "fair.c", "rt.c", "deadline.c", "topology.c", "idle.c"],
    "kernel/locking": ["mutex.c", "rwsem.c", "spinlock.c", "lockdep.c"],
    "kernel/rcu": ["tree.c", "srcutree.c", "update.c"],
    "kernel": ["fork.c", "exit.c", "signal.c", "sys.c", "workqueue.c"],
    "mm": ["page_alloc.c", "slub.c", "vmscan.c", "memory.c", "mmap.c", "huge_memory.c"],
    "fs/ext4": ["inode.c", "extents.c", "super.c", "namei.c", "balloc.c"],
    "fs/btrfs": ["inode.c", "extent-tree.c", "disk-io.c", "volumes.c"],
    "fs": ["namei.c", "dcache.c", "read_write.c", "open.c"],
    "net/ipv4": ["tcp.c", "tcp_input.c", "tcp_output.c", "udp.c", "route.c"],
    "net/core": ["dev.c", "skbuff.c", "sock.c", "filter.c"],
    "drivers/net/ethernet": ["intel/e1000e/netdev.c", "intel/igb/igb_main.c",
                             "mellanox/mlx5/core/en_main.c", "realtek/r8169_main.c"],
    "drivers/gpu/drm": ["drm_atomic.c", "drm_gem.c", "i915/i915_gem.c", "amd/amdgpu/amdgpu_vm.c"],
    "drivers/usb/core": ["hub.c", "hcd.c", "message.c"],
    "arch/x86/kernel": ["setup.c", "traps.c", "process.c", "smpboot.c", "apic/apic.c"],
    "block": ["blk-mq.c", "blk-core.c", "bio.c", "elevator.c"],
    "security/selinux": ["hooks.c", "avc.c", "ss/services.c"],
    "crypto": ["api.c", "aead.c", "skcipher.c"],
    "ipc": ["msg.c", "sem.c", "shm.c"],
}
_VERBS = ["init", "alloc", "free", "update", "lookup", "commit", "flush", "queue", "submit",
          "handle", "setup", "release", "enable", "disable", "probe", "wait"]
_NOUNS = ["entity", "page", "inode", "buffer", "request", "lock", "task", "queue", "node",
          "irq", "skb", "ctx", "map", "range", "state", "timer"]


def bus(kind: str, record_id: str, payload: dict[str, Any], run_id: str | None = None,
        expires_at: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "record_id": record_id, "run_id": run_id, "payload": payload,
            "expires_at": expires_at}


def _files(spread: int) -> list[str]:
    out = [f"{sub}/{name}" for sub, names in SUBSYSTEMS.items() for name in names]
    for sub in SUBSYSTEMS:  # a kernel has ~150,000 files: *spread* more per subsystem
        out.extend(f"{sub}/{sub.rsplit('/', 1)[-1]}_{k:04d}.c" for k in range(spread))
    return out


def _symbol(rng: random.Random, path: str) -> str:
    stem = path.rsplit("/", 1)[-1].split(".")[0].replace("-", "_")
    return f"{path}::{stem}_{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}"


def swarm_records(now: float, runs: int = 300, tasks: int = 120, conflict_rate: float = 0.04,
                  quiet_rate: float = 0.05, backlog: int = 0, seed: int = 7,
                  prefix: str = "", spread: int = 0,
                  clashes: int | None = None) -> list[dict[str, Any]]:
    """Bus records for *runs* agents at time *now* (see the module docstring)."""
    rng = random.Random(seed)
    files = _files(spread)
    out: list[dict[str, Any]] = []
    held: list[tuple[str, str]] = []  # (run, symbol) already reserved, for deliberate overlaps
    for i in range(runs):
        run = f"{prefix}agent-{i:04d}"
        quiet = rng.random() < quiet_rate
        beat = now - (rng.uniform(400, 1500) if quiet else rng.uniform(1, 240))
        until = beat + 300 if quiet else now + rng.uniform(300, 900)
        out.append(bus("heartbeat", f"{run}-hb", {
            "run_id": run, "at": format_ts(beat), "extended_expires_at": format_ts(until),
            "expires_at": format_ts(until)}, run, format_ts(until)))
        home = rng.choice(files)
        for j in range(rng.choice((1, 1, 2, 3))):
            if held and rng.random() < conflict_rate:
                symbols = [rng.choice(held)[1]]
            else:
                path = home if rng.random() < 0.7 else rng.choice(files)
                symbols = [_symbol(rng, path) for _ in range(rng.choice((1, 1, 2, 4)))]
                if rng.random() < 0.02:
                    symbols.append(path)  # a whole file: encloses others' members
            rid = f"{run}-res-{j}"
            created = now - rng.uniform(10, 3300)
            exp = now + rng.uniform(120, 900) if not quiet else created + 600
            out.append(bus("reservation", rid, {
                "reservation_id": rid, "run_id": run, "symbols": symbols,
                "created_at": format_ts(created), "expires_at": format_ts(exp), "token": j + 1},
                run, format_ts(exp)))
            held.extend((run, s) for s in symbols)
            if rng.random() < 0.15:
                op = rng.choice(("modify", "modify", "rename", "delete"))
                target = symbols[0]
                intent = {"intent_id": f"{rid}-intent", "run_id": run, "reservation_id": rid,
                          "operation": op, "target": target, "created_at": format_ts(created)}
                if op == "rename":
                    intent["new_name"] = target.rsplit("::", 1)[-1] + "_v2"
                out.append(bus("intent", f"{rid}-intent", intent, run))
    # Incompatible intents (delete vs modify) on symbols two live runs share.
    by_symbol: dict[str, set[str]] = {}
    for run, sym in held:
        by_symbol.setdefault(sym, set()).add(run)
    shared = sorted((sym, sorted(runs_)) for sym, runs_ in by_symbol.items() if len(runs_) > 1)
    for n, (sym, pair) in enumerate(shared[:max(1, runs // 100) if clashes is None else clashes]):
        for run, op in ((pair[0], "modify"), (pair[1], "delete")):
            iid = f"{run}-clash-{n}"
            out.append(bus("intent", iid, {"intent_id": iid, "run_id": run, "operation": op,
                                           "target": sym, "created_at": format_ts(now - 60)}, run))
    # Tasks: a dependency chain per subsystem, claimed / completed / failed / pending.
    subs = list(SUBSYSTEMS)
    for t in range(tasks):
        sub = subs[t % len(subs)]
        tid = f"{prefix}port-{sub.replace('/', '-')}-{t // len(subs):02d}"
        deps = [f"{prefix}port-{sub.replace('/', '-')}-{t // len(subs) - 1:02d}"] \
            if t >= len(subs) and rng.random() < 0.6 else []
        created = now - rng.uniform(600, 3500)
        out.append(bus("task", tid, {
            "task_id": tid, "run_id": "planner", "description": f"port {sub} part {t // len(subs)}",
            "priority": rng.choice((0, 0, 1, 5, 10)), "depends_on": deps,
            "created_at": format_ts(created)}, "planner"))
        roll = rng.random()
        claimer = f"{prefix}agent-{rng.randrange(max(runs, 1)):04d}"
        if roll < 0.55:
            continue  # pending (ready or blocked by its dependency)
        at = created + rng.uniform(30, 500)
        out.append(bus("claim", f"{tid}+1", {
            "task_id": tid, "claimer_run_id": claimer, "slot": 1, "status": "claimed",
            "expires_at": format_ts(now + 600), "at": format_ts(at)}, claimer))
        if roll < 0.75:
            continue  # claimed
        status = "completed" if roll < 0.93 else "failed"
        out.append(bus("claim", f"{tid}+2", {
            "task_id": tid, "claimer_run_id": claimer, "slot": 2, "status": status,
            "detail": "" if status == "completed" else "build failed: undefined reference",
            "at": format_ts(min(now - 5, at + rng.uniform(60, 900)))}, claimer))
    # Backlog: released reservations from earlier work (history the hub still holds).
    for b in range(backlog):
        run = f"{prefix}agent-{b % max(runs, 1):04d}"
        rid = f"{run}-old-{b}"
        created = now - rng.uniform(60, 3500)
        exp = created + 900
        out.append(bus("reservation", rid, {
            "reservation_id": rid, "run_id": run, "symbols": [_symbol(rng, rng.choice(files))],
            "created_at": format_ts(created), "expires_at": format_ts(exp)}, run, format_ts(exp)))
        out.append(bus("release", f"{rid}-rel", {
            "release_id": f"{rid}-rel", "reservation_id": rid, "run_id": run,
            "released_at": format_ts(min(now, created + rng.uniform(30, 600)))}, run))
    return out
