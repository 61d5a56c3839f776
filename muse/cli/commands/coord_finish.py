"""``muse coord complete`` / ``muse coord fail``: close the task you claimed."""

from __future__ import annotations

from muse.cli.args import add_run, make_parser, parse_coordinator, run_of
from muse.cli.output import emit

__all__ = ["main"]

_EPILOG = """Only the current claimer may do this. Pass --token (printed by `claim`;
required with --live) to be sure your claim was not taken over after it
expired: a stale token is refused (exit 1, details.reason says why).

--release RID:TOKEN (repeatable) releases reservations of your run in the
same request, each under its own token (printed by `reserve`; locally the
token may be left out: --release RID). If the claim's token is stale nothing
is released and the refusal is the same as without --release. A reservation
that cannot be released (it lapsed, or is not yours) does not undo the
completion: its entry in `released` says why (exit 0). A repeat is harmless.

  muse coord complete port-sched --token 7 --release sha256:ab12…:41 --json

--json: {task_id, run_id, status, token, detail, already, released, backend}
(status: completed, failed, or pending when failed with --requeue;
released: [{reservation_id, released, already_released, reason}], [] when
no --release.)
"""


def _lease(text: str) -> tuple[str, int | None]:
    """``RID:TOKEN``, or ``RID`` alone (the id itself contains ':', ``sha256:…``)."""
    rid, sep, tok = text.rpartition(":")
    if sep and rid and tok.isdigit():
        return rid, int(tok)
    return text, None


def main(argv: list[str], prog: str, verb: str = "complete") -> int:
    failing = verb == "fail"
    p = make_parser(prog, f"Mark a task you hold {'failed' if failing else 'completed'}"
                    " (and release its reservations with --release).", _EPILOG)
    p.add_argument("task_id")
    p.add_argument("--token", type=int, default=None, help="fencing token from `muse coord claim`")
    p.add_argument("-m", "--message", dest="detail", default="", help="note stored with the outcome")
    p.add_argument("--release", dest="leases", action="append", type=_lease, default=[],
                   metavar="RID:TOKEN",
                   help="also release this reservation of your run (repeatable)")
    if failing:
        p.add_argument("--requeue", action="store_true", help="put the task back in the queue")
    add_run(p)
    args, coord = parse_coordinator(p, argv)
    if failing:
        got = coord.fail(args.task_id, run_of(args), token=args.token, detail=args.detail,
                         requeue=args.requeue, release=args.leases)
        text = f"task {args.task_id} failed" + (" and requeued" if args.requeue else "")
    else:
        got = coord.complete(args.task_id, run_of(args), token=args.token, detail=args.detail,
                             release=args.leases)
        text = f"task {args.task_id} completed"
    for r in got["released"]:
        text += (f"\nreservation {r['reservation_id']} released" if r["released"]
                 else f"\nreservation {r['reservation_id']} not released: {r['reason']}")
    emit(got.to_json(), args.json_out, text)
    return 0
