"""``muse coord complete`` / ``muse coord fail``: close the task you claimed."""

from __future__ import annotations

from muse.cli.args import add_run, make_parser, parse_coordinator, run_of
from muse.cli.output import emit

__all__ = ["main"]

_EPILOG = """Only the current claimer may do this. Pass --token (printed by `claim`;
required with --live) to be sure your claim was not taken over after it
expired: a stale token is refused (exit 1, details.reason says why).

--json: {task_id, run_id, status, token, detail, already, backend}
(status: completed, failed, or pending when failed with --requeue.)
"""


def main(argv: list[str], prog: str, verb: str = "complete") -> int:
    failing = verb == "fail"
    p = make_parser(prog, f"Mark a task you hold {'failed' if failing else 'completed'}.", _EPILOG)
    p.add_argument("task_id")
    p.add_argument("--token", type=int, default=None, help="fencing token from `muse coord claim`")
    p.add_argument("-m", "--message", dest="detail", default="", help="note stored with the outcome")
    if failing:
        p.add_argument("--requeue", action="store_true", help="put the task back in the queue")
    add_run(p)
    args, coord = parse_coordinator(p, argv)
    if failing:
        got = coord.fail(args.task_id, run_of(args), token=args.token, detail=args.detail,
                         requeue=args.requeue)
        text = f"task {args.task_id} failed" + (" and requeued" if args.requeue else "")
    else:
        got = coord.complete(args.task_id, run_of(args), token=args.token, detail=args.detail)
        text = f"task {args.task_id} completed"
    emit(got.to_json(), args.json_out, text)
    return 0
