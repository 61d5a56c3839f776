"""``muse coord heartbeat``: keep every lease of your run alive."""

from __future__ import annotations

import argparse

from muse.cli.args import add_run, default_run_id, duration, make_parser, parse_with_live, repo_root
from muse.cli.output import emit
from muse.core.live import LiveClient

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "heartbeat") -> int:
    p = make_parser(prog, "Extend all reservations and claims of a run to now + TTL.",
                    "Send one every TTL/3 while you work; a run that stops heart-beating loses\n"
                    "its reservations and claimed tasks when they expire.\n\n"
                    "example:\n  MUSE_RUN_ID=agent-7 muse coord heartbeat --ttl 15m\n"
                    "  muse coord heartbeat --live --ttl 5m   # on the hub's clock; expired leases stay dead")
    p.add_argument("--ttl", type=duration, default=900.0, help="extension from now (default 15m)")
    add_run(p)
    args, client = parse_with_live(p, argv)
    if client is not None:
        return _live(client, args)
    from muse.core.coordination import heartbeat

    record = heartbeat(repo_root(), args.run_id or default_run_id(), ttl=args.ttl)
    emit(record, args.json_out, f"run {record['run_id']} alive until {record['extended_expires_at']}")
    return 0


def _live(client: LiveClient, args: argparse.Namespace) -> int:
    result = client.heartbeat(args.run_id or default_run_id(), ttl=args.ttl)
    lost = result["expired"]["reservations"] + result["expired"]["claims"]
    emit(result, args.json_out,
         f"run {result['run_id']} alive until {result['expires_at']} (hub time): "
         f"{result['reservations']} reservation(s), {result['claims']} claim(s)"
         + (f"; {lost} lease(s) had already expired" if lost else ""))
    return 0
