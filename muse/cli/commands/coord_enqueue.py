"""``muse coord enqueue``: add a task to the queue."""

from __future__ import annotations

import argparse

from muse.cli.args import add_run, default_run_id, make_parser, parse_with_live, repo_root
from muse.cli.output import emit
from muse.core.live import LiveClient

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "enqueue") -> int:
    p = make_parser(prog, "Add a task; agents take it with `muse coord claim`.",
                    "example:\n  muse coord enqueue 'port the CFS scheduler' --id port-sched \\\n"
                    "      --priority 10 --after port-locking --symbol kernel/sched/fair.c")
    p.add_argument("description", help="what needs doing")
    p.add_argument("--id", dest="task_id", default=None, help="task id (default: generated)")
    p.add_argument("--priority", type=int, default=0, help="higher is taken first (default 0)")
    p.add_argument("--after", dest="depends_on", action="append", default=[], metavar="TASK_ID",
                   help="claimable only once this task completed (repeatable)")
    p.add_argument("--symbol", dest="symbols", action="append", default=[], metavar="ADDR",
                   help="symbols the task will touch (repeatable)")
    add_run(p)
    args, client = parse_with_live(p, argv)
    if client is not None:
        return _live(client, args)
    from muse.core.coordination import enqueue

    record = enqueue(repo_root(), args.description, task_id=args.task_id, priority=args.priority,
                     depends_on=args.depends_on, symbols=args.symbols,
                     run_id=args.run_id or default_run_id())
    emit(record, args.json_out, f"enqueued {record['task_id']} (priority {record['priority']})")
    return 0


def _live(client: LiveClient, args: argparse.Namespace) -> int:
    import os

    task_id = args.task_id or f"task-{os.urandom(8).hex()}"
    result = client.enqueue([{"task_id": task_id, "description": args.description,
                              "priority": args.priority, "depends_on": args.depends_on,
                              "symbols": args.symbols}])
    result = {"task_id": task_id, **result}
    emit(result, args.json_out, f"enqueued {task_id} (priority {args.priority}) on the hub"
         if result["inserted"] else f"task {task_id} was already on the hub")
    return 0
