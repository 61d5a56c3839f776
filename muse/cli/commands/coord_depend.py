"""``muse coord depend``: record that work waits for other work (a DAG)."""

from __future__ import annotations

from muse.cli.args import add_json, add_run, default_run_id, make_parser, repo_root
from muse.cli.output import emit

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "depend") -> int:
    p = make_parser(prog, "Record that a reservation (or, with --task, a task) waits for others.",
                    "examples:\n  muse coord depend <reservation-id> --on <other-reservation-id>\n"
                    "  muse coord depend --task port-sched --on port-locking --on port-rcu\n\n"
                    "A dependency that would close a cycle is refused (exit 1) and the cycle is printed.")
    p.add_argument("node", metavar="ID", help="the reservation (or task) that waits")
    p.add_argument("--on", dest="depends_on", action="append", required=True, metavar="ID",
                   help="prerequisite (repeatable)")
    p.add_argument("--task", action="store_true", help="ID and prerequisites are task ids")
    add_run(p)
    add_json(p)
    args = p.parse_args(argv)
    from muse.core.coordination import depend

    record = depend(repo_root(), args.node, args.depends_on, on_tasks=args.task,
                    run_id=args.run_id or default_run_id())
    emit(record, args.json_out, f"{args.node} now waits for {', '.join(record['depends_on'])}")
    return 0
