"""``muse coord depend``: record that work waits for other work (a DAG)."""

from __future__ import annotations

from muse.cli.args import add_run, make_parser, parse_coordinator, run_of
from muse.cli.output import emit

__all__ = ["main"]

_EPILOG = """examples:
  muse coord depend <reservation-id> --on <other-reservation-id>
  muse coord depend --task port-sched --on port-locking --on port-rcu

  muse coord depend --task port-sched --on port-rcu --live   # on the hub's queue

A dependency that would close a cycle is refused (exit 1) and the cycle is
printed; an unknown ID is not found (exit 4). A task waits until every
prerequisite completed (one not enqueued yet waits too). Reservation
dependencies are notes for readers: nothing is refused because of them.
--json: {dependency_id, node, kind, depends_on, run_id, backend}
"""


def main(argv: list[str], prog: str, verb: str = "depend") -> int:
    p = make_parser(prog, "Record that a reservation (or, with --task, a task) waits for others.",
                    _EPILOG)
    p.add_argument("node", metavar="ID", help="the reservation (or task) that waits")
    p.add_argument("--on", dest="depends_on", action="append", required=True, metavar="ID",
                   help="prerequisite (repeatable)")
    p.add_argument("--task", action="store_true", help="ID and prerequisites are task ids")
    add_run(p)
    args, coord = parse_coordinator(p, argv)
    got = coord.depend(args.node, args.depends_on, on_tasks=args.task, run_id=run_of(args))
    emit(got.to_json(), args.json_out, f"{args.node} now waits for {', '.join(got['depends_on'])}")
    return 0
