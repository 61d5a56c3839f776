"""``muse coord enqueue``: add a task to the queue."""

from __future__ import annotations

from muse.cli.args import add_run, make_parser, parse_coordinator, run_of
from muse.cli.output import emit

__all__ = ["main"]

_EPILOG = """example:
  muse coord enqueue 'port the CFS scheduler' --id port-sched \\
      --priority 10 --after port-locking --symbol kernel/sched/fair.c

A task id is enqueued once: a second enqueue of it is refused (exit 1).
--json: {task_id, description, priority, depends_on, symbols, backend}
"""


def main(argv: list[str], prog: str, verb: str = "enqueue") -> int:
    p = make_parser(prog, "Add a task; agents take it with `muse coord claim`.", _EPILOG)
    p.add_argument("description", help="what needs doing")
    p.add_argument("--id", dest="task_id", default=None, help="task id (default: generated)")
    p.add_argument("--priority", type=int, default=0, help="higher is taken first (default 0)")
    p.add_argument("--after", dest="depends_on", action="append", default=[], metavar="TASK_ID",
                   help="claimable only once this task completed (repeatable)")
    p.add_argument("--symbol", dest="symbols", action="append", default=[], metavar="ADDR",
                   help="symbols the task will touch (repeatable)")
    add_run(p)
    args, coord = parse_coordinator(p, argv)
    got = coord.enqueue(args.description, task_id=args.task_id, priority=args.priority,
                        depends_on=args.depends_on, symbols=args.symbols, run_id=run_of(args))
    emit(got.to_json(), args.json_out, f"enqueued {got['task_id']} (priority {got['priority']})")
    return 0
