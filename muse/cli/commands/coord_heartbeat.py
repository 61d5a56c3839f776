"""``muse coord heartbeat``: keep every lease of your run alive."""

from __future__ import annotations

from muse.cli.args import add_run, duration, make_parser, parse_coordinator, run_of
from muse.cli.output import emit
from muse.core.vocab.rules import DEFAULT_TTL

__all__ = ["main"]

_EPILOG = """Send one every TTL/3 while you work; a run that stops heart-beating loses
its reservations and claimed tasks when they expire.

examples:
  MUSE_RUN_ID=agent-7 muse coord heartbeat --ttl 15m
  muse coord heartbeat --live --ttl 5m    # on the hub's clock

--json: {run_id, expires_at, expires_in, reservations, claims,
         expired: {reservations, claims}, backend}
(reservations/claims: your leases alive now; expired: leases that had already
run out before this heartbeat.)
"""


def main(argv: list[str], prog: str, verb: str = "heartbeat") -> int:
    p = make_parser(prog, "Extend all reservations and claims of a run to now + TTL.", _EPILOG)
    p.add_argument("--ttl", type=duration, default=DEFAULT_TTL, help="extension from now (default 15m)")
    add_run(p)
    args, coord = parse_coordinator(p, argv)
    got = coord.heartbeat(run_of(args), ttl=args.ttl)
    lost = got["expired"]["reservations"] + got["expired"]["claims"]
    emit(got.to_json(), args.json_out,
         f"run {got['run_id']} alive until {got['expires_at']}: "
         f"{got['reservations']} reservation(s), {got['claims']} claim(s)"
         + (f"; {lost} lease(s) had already expired" if lost else ""))
    return 0
