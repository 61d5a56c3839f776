"""``muse coord intent``: declare the operation you will apply to a symbol."""

from __future__ import annotations

from muse.cli.args import add_run, make_parser, parse_coordinator, run_of
from muse.cli.codecheck import add_check, check_or_refuse
from muse.cli.output import emit
from muse.core.types import OPERATIONS

__all__ = ["main"]

_EPILOG = """examples:
  muse coord intent modify kernel/sched/core.c::schedule
  muse coord intent rename mm/slab.c::kmem_cache_alloc --to kmem_cache_alloc_node -r <reservation-id>
  muse coord intent delete drivers/ide/ide.c
  muse coord intent modify mm/slab.c::kmalloc -r <reservation-id> --token 41 --live

Intents feed `muse coord forecast`: delete vs modify, or two different renames
of one symbol, are ranked as high-severity conflicts. An intent on a live
reservation presents that reservation's token (a stale one is refused).
"""


def main(argv: list[str], prog: str, verb: str = "intent") -> int:
    p = make_parser(prog, "Declare what you will do to a symbol.", _EPILOG)
    p.add_argument("operation", choices=OPERATIONS, help="what you will do")
    p.add_argument("target", help="symbol address (path::qualified.name)")
    p.add_argument("--to", dest="new_name", default=None, help="new name or destination (rename/move)")
    p.add_argument("-r", "--reservation", dest="reservation_id", default=None,
                   help="the reservation this intent belongs to")
    p.add_argument("--token", type=int, default=None,
                   help="with --reservation: that reservation's fencing token (required live)")
    add_run(p)
    add_check(p)
    args, coord = parse_coordinator(p, argv)
    check_or_refuse([args.target], args.check, args.json_out)
    got = coord.intent(run_of(args), args.operation, args.target,
                       reservation_id=args.reservation_id, token=args.token,
                       new_name=args.new_name)
    emit(got.to_json(), args.json_out, f"intent {got['intent_id']}: {args.operation} {args.target}"
         + (f" -> {args.new_name}" if args.new_name else ""))
    return 0
