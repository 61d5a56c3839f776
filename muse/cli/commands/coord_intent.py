"""``muse coord intent``: declare the operation you will apply to a symbol."""

from __future__ import annotations

import argparse

from muse.cli.args import add_run, default_run_id, make_parser, parse_with_live, repo_root
from muse.cli.codecheck import add_check, check_or_refuse
from muse.cli.output import emit
from muse.core.live import LiveClient
from muse.core.types import OPERATIONS

__all__ = ["main"]

_EPILOG = """examples:
  muse coord intent modify kernel/sched/core.c::schedule
  muse coord intent rename mm/slab.c::kmem_cache_alloc --to kmem_cache_alloc_node -r <reservation-id>
  muse coord intent delete drivers/ide/ide.c

Intents feed `muse coord forecast`: delete vs modify, or two different renames
of one symbol, are ranked as high-severity conflicts.
"""


def main(argv: list[str], prog: str, verb: str = "intent") -> int:
    p = make_parser(prog, "Declare what you will do to a symbol.", _EPILOG)
    p.add_argument("operation", choices=OPERATIONS, help="what you will do")
    p.add_argument("target", help="symbol address (path::qualified.name)")
    p.add_argument("--to", dest="new_name", default=None, help="new name or destination (rename/move)")
    p.add_argument("-r", "--reservation", dest="reservation_id", default=None,
                   help="the reservation this intent belongs to")
    add_run(p)
    p.add_argument("--token", type=int, default=None,
                   help="with --live and --reservation: that reservation's fencing token")
    add_check(p)
    args, client = parse_with_live(p, argv)
    check_or_refuse([args.target], args.check, args.json_out)
    if client is not None:
        return _live(client, args)
    from muse.core.coordination import intend

    record = intend(repo_root(), args.run_id or default_run_id(), args.operation, args.target,
                    reservation_id=args.reservation_id, new_name=args.new_name)
    emit(record, args.json_out, f"intent {record['intent_id']}: {args.operation} {args.target}"
         + (f" -> {args.new_name}" if args.new_name else ""))
    return 0


def _live(client: LiveClient, args: argparse.Namespace) -> int:
    record = client.intent(args.run_id or default_run_id(), args.operation, args.target,
                           reservation_id=args.reservation_id, token=args.token,
                           new_name=args.new_name)
    emit(record, args.json_out, f"intent {record['intent_id']}: {args.operation} {args.target}"
         + (f" -> {args.new_name}" if args.new_name else ""))
    return 0
