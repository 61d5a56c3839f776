"""Many OS processes racing on one store: one winner per task, one strict holder per symbol."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from muse.core import coordination as co
from muse.core.coord.state import CoordState
from tests.conftest import subprocess_env

_CLAIMER = """
import json, sys, pathlib
from muse.core.coordination import claim
root, run = pathlib.Path(sys.argv[1]), sys.argv[2]
won = []
while True:
    r = claim(root, run, ttl=3600)
    if r is None:
        break
    won.append(r.task.task_id)
print(json.dumps(won))
"""

_STRICT = """
import json, sys, pathlib
from muse.core.coordination import reserve
from muse.core.vocab.errors import ConflictError
root, run = pathlib.Path(sys.argv[1]), sys.argv[2]
got = []
for i in range(int(sys.argv[3])):
    try:
        reserve(root, run, [f"kernel/f{i}.c::sym"], strict=True, ttl=3600)
        got.append(i)
    except ConflictError:
        pass
print(json.dumps(got))
"""


def _spawn(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            text=True, env=subprocess_env())


def test_processes_racing_for_tasks_each_task_has_one_winner(repo: pathlib.Path) -> None:
    n_tasks, n_procs = 120, 8
    for i in range(n_tasks):
        co.enqueue(repo, f"task {i}", task_id=f"t{i:03d}", priority=i % 5)
    procs = [_spawn(_CLAIMER, str(repo), f"run-{p}") for p in range(n_procs)]
    results = [json.loads(p.communicate(timeout=240)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    claimed = [t for won in results for t in won]
    assert len(claimed) == n_tasks, "every task claimed exactly once"
    assert len(set(claimed)) == n_tasks, "no task claimed twice"
    states = CoordState(repo).task_states()
    assert all(s.status == "claimed" for s in states.values())
    holders = {s.task.task_id: s.holder for s in states.values()}
    for p, won in enumerate(results):
        assert all(holders[t] == f"run-{p}" for t in won)


def test_strict_reservations_racing_leave_one_holder_per_symbol(repo: pathlib.Path) -> None:
    n_symbols, n_procs = 40, 6
    procs = [_spawn(_STRICT, str(repo), f"run-{p}", str(n_symbols)) for p in range(n_procs)]
    results = [json.loads(p.communicate(timeout=240)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    winners: dict[int, list[int]] = {}
    for p, got in enumerate(results):
        for i in got:
            winners.setdefault(i, []).append(p)
    assert all(len(w) == 1 for w in winners.values()), winners
    active = co.active_reservations(repo)
    by_symbol: dict[str, set[str]] = {}
    for r in active:
        for s in r.symbols:
            by_symbol.setdefault(s, set()).add(r.run_id)
    assert all(len(runs) == 1 for runs in by_symbol.values())
    assert len(by_symbol) == len(winners)


_STRICT_THREADS = """
import json, sys, pathlib
from concurrent.futures import ThreadPoolExecutor
from muse.core.coordination import reserve
from muse.core.vocab.errors import ConflictError
root, me, n = pathlib.Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def one(job):
    t, i = job
    try:
        reserve(root, f"{me}-t{t}", [f"kernel/f{i}.c::sym"], strict=True, ttl=3600)
        return [t, i]
    except ConflictError:
        return None
with ThreadPoolExecutor(4) as pool:
    got = [g for g in pool.map(one, [(t, i) for i in range(n) for t in range(4)]) if g]
print(json.dumps(got))
"""


def test_threads_of_several_processes_leave_one_strict_holder_per_symbol(repo: pathlib.Path) -> None:
    """Threads share their process's live copy of the records and its strict turn;
    processes still settle by writing and re-checking."""
    n_symbols, n_procs = 20, 3
    procs = [_spawn(_STRICT_THREADS, str(repo), f"run-{p}", str(n_symbols)) for p in range(n_procs)]
    results = [json.loads(p.communicate(timeout=240)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    winners: dict[int, list[str]] = {}
    for p, got in enumerate(results):
        for t, i in got:
            winners.setdefault(i, []).append(f"run-{p}-t{t}")
    assert all(len(w) == 1 for w in winners.values()), winners
    by_symbol: dict[str, set[str]] = {}
    for r in co.active_reservations(repo):
        for s in r.symbols:
            by_symbol.setdefault(s, set()).add(r.run_id)
    assert all(len(runs) == 1 for runs in by_symbol.values())
    assert len(by_symbol) == len(winners)


def test_threads_of_one_process_take_turns_instead_of_withdrawing(repo: pathlib.Path) -> None:
    """Within a process a refused strict reservation is never written (and withdrawn):
    the threads wait for each other's turn, then see the holder."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from muse.core.vocab.errors import ConflictError

    start = threading.Barrier(8)

    def one(n: int, sym: str) -> bool:
        start.wait()
        try:
            co.reserve(repo, f"run-{n}", [sym], strict=True, ttl=3600)
            return True
        except ConflictError:
            return False

    # The same symbol, a symbol and its file, a file and its directory.
    for syms in (["a.c::f"] * 8, ["b.c::f", "b.c"] * 4, ["d/e.c", "d"] * 4):
        with ThreadPoolExecutor(8) as pool:
            won = list(pool.map(one, range(8), syms))
        assert sum(won) == 1, (syms, won)
    assert len(co.load_reservations(repo)) == 3  # refused ones never reached the disk
    assert co.load_released_ids(repo) == set()
