"""``muse coord release``: give back a reservation you are done with."""

from __future__ import annotations

import argparse

from muse.cli.args import add_run, make_parser, parse_with_live, repo_root
from muse.cli.output import emit
from muse.core.live import LiveClient

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "release") -> int:
    p = make_parser(prog, "Release reservations (writes a tombstone; GC removes both later).",
                    "example:\n  muse coord release sha256:3f2a…   # id printed by `muse coord reserve`\n"
                    "  muse coord release sha256:3f2a… --live --token 41")
    p.add_argument("reservation_ids", nargs="+", metavar="RESERVATION_ID")
    add_run(p)
    p.add_argument("--force", action="store_true", help="release even if another run holds it")
    p.add_argument("--token", type=int, default=None,
                   help="with --live (required): the reservation's fencing token")
    args, client = parse_with_live(p, argv)
    if client is not None:
        return _live(client, args, p)
    from muse.cli.args import default_run_id
    from muse.core.coordination import release

    root = repo_root()
    run = None if args.force else (args.run_id or default_run_id())
    records = [release(root, rid, run) for rid in args.reservation_ids]
    emit(records if len(records) > 1 else records[0], args.json_out,
         "\n".join(f"released {r['reservation_id']}" + (" (already released)" if r.get("already_released") else "")
                   for r in records))
    return 0


def _live(client: LiveClient, args: argparse.Namespace, p: argparse.ArgumentParser) -> int:
    from muse.cli.args import default_run_id

    if args.token is None or len(args.reservation_ids) != 1:
        p.error("--live releases one reservation and needs its --token")
    result = client.release(args.reservation_ids[0], args.run_id or default_run_id(), args.token)
    emit(result, args.json_out, f"released {result['reservation_id']}"
         + (" (already released)" if result.get("already_released") else ""))
    return 0
