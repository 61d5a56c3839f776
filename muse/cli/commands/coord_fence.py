"""``muse coord fence``: is a fencing token still the live lease?"""

from __future__ import annotations

from muse.cli.args import make_parser, parse_coordinator
from muse.cli.output import emit

__all__ = ["main"]

_EPILOG = """Ask before an irreversible step (a push, a merge) that your lease is still
yours. Exit 0 when valid, 1 when not (the reason says why: superseded,
expired, released, mismatch, not_claimed, not_covered, not_found).

examples:
  muse coord fence 41 --reservation sha256:3f2a… --symbol mm/slab.c::kmalloc --live
  muse coord fence 7 --task port-sched

--json: {valid, token, holder, expires_at, expires_in, reason, backend}
"""


def main(argv: list[str], prog: str, verb: str = "fence") -> int:
    p = make_parser(prog, "Check a fencing token against a reservation or a task's claim.", _EPILOG)
    p.add_argument("token", type=int, help="the token you hold")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--reservation", dest="reservation_id", default=None, metavar="ID")
    which.add_argument("--task", dest="task_id", default=None, metavar="TASK_ID")
    p.add_argument("--symbol", default=None, help="with --reservation: must cover this address")
    args, coord = parse_coordinator(p, argv)
    got = coord.fence(args.token, reservation_id=args.reservation_id, task_id=args.task_id,
                      symbol=args.symbol)
    emit(got.to_json(), args.json_out,
         f"token {args.token} is valid (holder {got['holder']}, until {got['expires_at']})"
         if got["valid"] else f"token {args.token} is not valid: {got['reason']}")
    return 0 if got["valid"] else 1
