"""``muse coord enqueue``: add a task to the queue."""

from __future__ import annotations

from muse.cli.args import add_json, add_run, default_run_id, make_parser, repo_root
from muse.cli.output import emit

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
    add_json(p)
    args = p.parse_args(argv)
    from muse.core.coordination import enqueue

    record = enqueue(repo_root(), args.description, task_id=args.task_id, priority=args.priority,
                     depends_on=args.depends_on, symbols=args.symbols,
                     run_id=args.run_id or default_run_id())
    emit(record, args.json_out, f"enqueued {record['task_id']} (priority {record['priority']})")
    return 0
