"""The agent benchmark's own logic: the workload, the ledger's checks, and that
its etcd transactions enforce Muse's strict overlap rule (against a real etcd)."""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench"))

import bench_agents as ba


def test_one_task_in_five_shares_a_symbol_with_its_neighbour() -> None:
    n = 1000
    shared = [i for i in range(n) if ba.symbols_of(i, n)[1] == ba.symbols_of(i + 1, n)[0]]
    assert len(shared) == 199  # every fifth but the last task
    assert all(i % 5 == 4 for i in shared)
    assert ba.symbols_of(n - 1, n) == [f"src/m{n - 1:06d}.py::f", f"src/m{n - 1:06d}.py::g"]


def test_ledger_counts_overlapping_holds_of_different_runs_only() -> None:
    led = ba.Ledger()
    led.holds["a"] += [(0.0, 1.0, "r1"), (1.0, 2.0, "r2")]  # back to back: fine
    led.holds["b"] += [(0.0, 5.0, "r1"), (1.0, 2.0, "r2"), (3.0, 4.0, "r3")]  # two inside r1's
    led.holds["c"] += [(0.0, 2.0, "r1"), (1.0, 3.0, "r1")]  # one run twice: not a double holder
    assert led.double_holders() == 2


def test_ledger_counts_overlapping_claims_as_double_and_later_ones_as_takeovers() -> None:
    led = ba.Ledger()
    led.claims["t1"] += [(0.0, 1.0, "r1")]
    led.claims["t2"] += [(0.0, 5.0, "r1"), (1.0, 2.0, "r2"), (6.0, 7.0, "r3")]
    assert led.double_claims() == 1  # r2 inside r1's hold; r3 took it over after
    assert led.takeovers() == 2


def _with_two_etcd_agents(scenario: Callable[[Any, Any], Awaitable[None]]) -> None:
    """A real etcd with two tasks queued, two started agents for *scenario*, then cleanup."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="test-bench-etcd-"))
    etcd = ba.Etcd(argparse.Namespace(conns=4, etcd_window=8), work)
    etcd.start()

    async def run() -> None:
        await etcd.load(["t000000", "t000001"], 2)
        a, b = etcd.agent(0, "run-a"), etcd.agent(1, "run-b")
        await a.start()
        await b.start()
        await scenario(a, b)
        await a.stop()
        await b.stop()
        await etcd.close()

    try:
        asyncio.run(run())
    finally:
        etcd.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.skipif(shutil.which("etcd") is None, reason="etcd not installed (etcd-server)")
def test_etcd_transactions_follow_the_strict_overlap_rule() -> None:
    async def scenario(a: Any, b: Any) -> None:
        held = await a.reserve(["src/m.py::C.f"])
        for overlapping in (["src/m.py::C.f"], ["src/m.py::C"], ["src/m.py"],
                            ["src/other.py::x", "src/m.py::C.f.inner"]):
            with pytest.raises(ba.Refused):
                await b.reserve(overlapping)
        sibling = await b.reserve(["src/m.py::C.g"])  # a different member: no overlap
        await b.release(sibling)
        await a.release(held)
        whole = await b.reserve(["src/m.py"])
        with pytest.raises(ba.Refused):
            await a.reserve(["src/m.py::C.f"])  # now the file is held whole
        await b.release(whole)
        got = await a.claim()
        assert got is not None
        assert not await a.complete(got, got.token - 1)  # stale token refused
        assert await a.complete(got, got.token)

    _with_two_etcd_agents(scenario)


@pytest.mark.skipif(shutil.which("etcd") is None, reason="etcd not installed (etcd-server)")
def test_etcd_batched_finish_completes_and_releases_in_one_transaction() -> None:
    """--batch's etcd side: a stale claim revision changes nothing; a stale lease
    revision keeps the completion (the nested release alone is refused)."""
    async def scenario(a: Any, b: Any) -> None:
        first = await a.claim()
        assert first is not None
        held = await a.reserve(["src/m.py::f"])
        assert await a.finish(first, first.token - 1, held) == (False, False)
        with pytest.raises(ba.Refused):
            await b.reserve(["src/m.py::f"])  # the stale attempt released nothing
        assert await a.finish(first, first.token, held) == (True, True)
        freed = await b.reserve(["src/m.py::f"])
        second = await a.claim()
        assert second is not None and second.task_id != first.task_id
        mine = await a.reserve(["src/m.py::g"])
        stale = ba.Lease(mine.handle, mine.token - 1, mine.symbols)
        assert await a.finish(second, second.token, stale) == (True, False)
        assert await a.claim() is None  # both tasks completed
        await b.release(freed)

    _with_two_etcd_agents(scenario)


@pytest.mark.parametrize("batch", [False, True])
def test_a_small_run_on_local_files_is_correct(batch: bool) -> None:
    args = argparse.Namespace(batch=batch, local_threads=4)
    got = ba.run_once("local", 4, args)
    assert got["lost"] == 0 and got["double_claims"] == 0 and got["double_holders"] == 0
    assert got["stale_refused"] == got["stale_sent"] > 0
    assert ("finish" in got["latency"]) == batch and ("release" in got["latency"]) != batch
