"""A model of the task queue, checked against every backend by hypothesis.

The machine enqueues tasks (priorities, prerequisites among earlier tasks),
claims, completes and fails them (with or without requeue) through a real
Coordinator, and keeps a plain model beside it. It fails when:

* a claim comes back empty while the model has a ready task;
* a claim returns a task that is not the model's best ready one (priority,
  then age), or one another run holds (two winners);
* a task's tokens do not grow from claim to claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.contract.conftest import Engine


@dataclass
class ModelTask:
    task_id: str
    priority: int
    deps: list[str]
    status: str = "pending"  # pending | claimed | completed | failed
    holder: str | None = None
    token: int | None = None
    tokens: list[int] = field(default_factory=list)


def _machine(engine: Engine) -> type[RuleBasedStateMachine]:
    class QueueModel(RuleBasedStateMachine):
        @initialize()
        def fresh(self) -> None:
            self.coord = engine()
            self.tasks: dict[str, ModelTask] = {}

        def ready(self) -> list[ModelTask]:
            done = {t.task_id for t in self.tasks.values() if t.status == "completed"}
            return [t for t in self.tasks.values()
                    if t.status == "pending" and all(d in done for d in t.deps)]

        @rule(priority=st.integers(0, 3), data=st.data())
        def enqueue(self, priority: int, data: st.DataObject) -> None:
            # Ids sort in enqueue order, so "oldest first" and "id order" agree.
            tid = f"t{len(self.tasks):03d}"
            earlier = sorted(self.tasks)
            deps = data.draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)
                             if earlier else st.just([]))
            self.coord.enqueue(tid, task_id=tid, priority=priority, depends_on=deps)
            self.tasks[tid] = ModelTask(tid, priority, deps)

        @rule(run=st.sampled_from(["run-a", "run-b", "run-c"]))
        def claim(self, run: str) -> None:
            ready = self.ready()
            got = self.coord.claim(run, ttl=600)
            if not got.won:
                assert not ready, f"claim refused while {[t.task_id for t in ready]} are ready"
                return
            best = min(ready, key=lambda t: (-t.priority, t.task_id))
            assert got["task_id"] == best.task_id
            task = self.tasks[best.task_id]
            assert task.holder is None  # one winner
            assert not task.tokens or got["token"] > task.tokens[-1]
            task.status, task.holder, task.token = "claimed", run, got["token"]
            task.tokens.append(got["token"])

        def held(self) -> list[ModelTask]:
            return sorted((t for t in self.tasks.values() if t.status == "claimed"),
                          key=lambda t: t.task_id)

        @precondition(lambda self: bool(self.held()))
        @rule(data=st.data())
        def complete(self, data: st.DataObject) -> None:
            task = data.draw(st.sampled_from(self.held()))
            assert task.holder is not None
            got = self.coord.complete(task.task_id, task.holder, token=task.token)
            assert got["status"] == "completed"
            task.status, task.holder = "completed", None

        @precondition(lambda self: bool(self.held()))
        @rule(data=st.data(), requeue=st.booleans())
        def fail(self, data: st.DataObject, requeue: bool) -> None:
            task = data.draw(st.sampled_from(self.held()))
            assert task.holder is not None
            got = self.coord.fail(task.task_id, task.holder, token=task.token, requeue=requeue)
            task.status = "pending" if requeue else "failed"
            assert got["status"] == task.status
            task.holder = None

        @invariant()
        def counts_agree(self) -> None:
            if not getattr(self, "tasks", None) or len(self.tasks) % 4:
                return  # a full read every few tasks keeps the machine quick
            counts = self.coord.tasks(limit=0)["counts"]
            for status in ("claimed", "completed", "failed"):
                assert counts[status] == sum(t.status == status for t in self.tasks.values())
            assert counts["ready"] == len(self.ready())

        def teardown(self) -> None:
            coord = getattr(self, "coord", None)
            if coord is not None:
                coord.close()

    return QueueModel


@pytest.mark.slow
def test_queue_model(engine: Engine, backend: str) -> None:
    examples = 25 if backend == "local" else 10
    run_state_machine_as_test(_machine(engine), settings=settings(
        max_examples=examples, stateful_step_count=25, deadline=None,
        suppress_health_check=list(HealthCheck)))
