"""``muse coord release``: give back a reservation you are done with."""

from __future__ import annotations

from muse.cli.args import add_run, make_parser, parse_coordinator, run_of
from muse.cli.output import emit

__all__ = ["main"]

_EPILOG = """examples:
  muse coord release sha256:3f2a…              # id printed by `muse coord reserve`
  muse coord release sha256:3f2a… --token 41   # refused if your lease was taken over
  muse coord release sha256:3f2a… --token 41 --live

A release by the run that holds it is final; releasing twice answers
already_released: true. --token is required live (one reservation per call).
--json: one document per reservation (a list when several are given).
"""


def main(argv: list[str], prog: str, verb: str = "release") -> int:
    p = make_parser(prog, "Release reservations (writes a tombstone; GC removes both later).",
                    _EPILOG)
    p.add_argument("reservation_ids", nargs="+", metavar="RESERVATION_ID")
    add_run(p)
    p.add_argument("--force", action="store_true",
                   help="local only: release even if another run holds it")
    p.add_argument("--token", type=int, default=None,
                   help="the reservation's fencing token (required with --live)")
    args, coord = parse_coordinator(p, argv)
    if args.token is not None and len(args.reservation_ids) != 1:
        p.error("--token fences one reservation: release them one at a time")
    run = None if args.force else run_of(args)
    got = [coord.release(rid, run, token=args.token).to_json() for rid in args.reservation_ids]
    emit(got if len(got) > 1 else got[0], args.json_out,
         "\n".join(f"released {r['reservation_id']}"
                   + (" (already released)" if r["already_released"] else "") for r in got))
    return 0
