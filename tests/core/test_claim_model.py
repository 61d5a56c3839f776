"""Random interleavings of queue operations keep the queue's invariants."""

from __future__ import annotations

import pathlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muse.core import coordination as co
from muse.core.coord.state import CoordState
from muse.core.vocab.errors import MuseError

T0 = 2_000_000_000.0
RUNS = ["r1", "r2", "r3"]
TASKS = ["a", "b", "c"]

_op = st.one_of(
    st.tuples(st.just("claim"), st.sampled_from(RUNS), st.sampled_from([None, *TASKS])),
    st.tuples(st.just("complete"), st.sampled_from(RUNS), st.sampled_from(TASKS)),
    st.tuples(st.just("fail"), st.sampled_from(RUNS), st.sampled_from(TASKS)),
    st.tuples(st.just("requeue"), st.sampled_from(RUNS), st.sampled_from(TASKS)),
    st.tuples(st.just("heartbeat"), st.sampled_from(RUNS), st.none()),
    st.tuples(st.just("wait"), st.integers(1, 120), st.none()),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_op, max_size=25))
def test_queue_invariants(tmp_path_factory, ops) -> None:  # type: ignore[no-untyped-def]
    from muse.cli.commands.init import init_repo

    root: pathlib.Path = tmp_path_factory.mktemp("q")
    init_repo(root)
    co.enqueue(root, "a", task_id="a", now=T0)
    co.enqueue(root, "b", task_id="b", depends_on=["a"], now=T0)
    co.enqueue(root, "c", task_id="c", priority=5, now=T0)
    now = T0
    finished: dict[str, str] = {}  # task → terminal status
    last_token: dict[str, int] = {}
    for op, who, arg in ops:
        now += 1
        before = CoordState(root, now).task_states()
        try:
            if op == "claim":
                got = co.claim(root, who, ttl=60, task_id=arg, now=now)
                if got is not None:
                    t = got.task.task_id
                    assert before[t].ready, "only a ready task can be claimed"
                    assert got.token > last_token.get(t, 0), "tokens only grow"
                    last_token[t] = got.token
            elif op == "complete":
                done = co.complete(root, arg, who, now=now)
                if done["already"]:  # a repeat by the same run is harmless (as on the hub)
                    assert finished.get(arg) == "completed"
                    continue
                assert before[arg].status == "claimed" and arg not in finished
                finished[arg] = "completed"
            elif op in ("fail", "requeue"):
                done = co.fail(root, arg, who, requeue=op == "requeue", now=now)
                if done["already"]:
                    assert finished.get(arg) == "failed"
                    continue
                assert before[arg].status == "claimed" and arg not in finished
                if op == "fail":
                    finished[arg] = "failed"
            elif op == "heartbeat":
                co.heartbeat(root, who, ttl=60, now=now)
            else:
                now += who  # type: ignore[operator]
        except MuseError:
            pass
        after = CoordState(root, now).task_states()
        for t, terminal in finished.items():
            assert after[t].status == terminal, "a finished task stays finished"
        if after["b"].status == "claimed":
            assert after["a"].status == "completed" or finished.get("a") == "completed"
        for t, s in after.items():
            if s.status == "claimed":
                assert s.holder in RUNS and s.token == last_token.get(t)
