"""``muse coord reserve``: announce the symbols you are about to edit."""

from __future__ import annotations

import argparse

from muse.cli.args import add_json, add_run, default_run_id, duration, make_parser, repo_root
from muse.cli.codecheck import add_check, check_or_refuse
from muse.cli.output import emit
from muse.core.live import LiveClient, add_live_options, live_client_from_args

__all__ = ["main"]

_EPILOG = """examples:
  muse coord reserve kernel/sched/core.c::schedule --ttl 15m
  muse coord reserve fs/ext4/inode.c --strict --json     # whole file, refuse if held

Advisory (default): always granted; overlaps with other runs are reported and
the exit code stays 0. Strict: refused (exit 1) when another live run holds an
overlapping address; the error names the holder and when to retry.

--live asks the hub, which decides on its own clock and returns a fencing
token (pass it to `release --live --token`). Without --strict/--advisory the
hub repository's mode applies:
  muse coord reserve kernel/sched/core.c::schedule --live --strict --json
"""


def main(argv: list[str], prog: str, verb: str = "reserve") -> int:
    p = make_parser(prog, "Reserve symbol addresses (path::qualified.name, or a whole path).", _EPILOG)
    p.add_argument("symbols", nargs="+", metavar="SYMBOL", help="address to reserve")
    p.add_argument("--ttl", type=duration, default=900.0, help="lease length (default 15m); heartbeats extend it")
    p.add_argument("--strict", action="store_true", help="refuse if another live run holds an overlapping address")
    p.add_argument("--advisory", action="store_true",
                   help="with --live: grant and report overlaps even if the hub repository is strict")
    add_run(p)
    add_json(p)
    add_live_options(p)
    add_check(p)
    args = p.parse_args(argv)
    if args.strict and args.advisory:
        p.error("--strict and --advisory exclude each other")
    check_or_refuse(args.symbols, args.check, args.json_out)
    client = live_client_from_args(args)
    if client is not None:
        return _live(client, args)
    from muse.core.coordination import reserve

    root = repo_root()
    result = reserve(root, args.run_id or default_run_id(), args.symbols, ttl=args.ttl, strict=args.strict)

    def text() -> str:
        lines = [(f"reserved {len(result.reservation.symbols)} symbol(s) as "
                  f"{result.reservation.reservation_id} until {result.record['expires_at']}")]
        for sym, holders in sorted(result.conflicts.items()):
            who = ", ".join(sorted({h.run_id for h in holders}))
            lines.append(f"  conflict: {sym} also reserved by {who}")
        return "\n".join(lines)

    emit(result.to_json(), args.json_out, text)
    return 0


def _live(client: LiveClient, args: argparse.Namespace) -> int:
    strict = True if args.strict else (False if args.advisory else None)
    result = client.reserve(args.run_id or default_run_id(), args.symbols, ttl=args.ttl,
                            strict=strict)

    def text() -> str:
        lines = [(f"reserved {len(result['symbols'])} symbol(s) as {result['reservation_id']}"
                  f" (token {result['token']}, {result['mode']}) until {result['expires_at']}")]
        for c in result["conflicts"]:
            who = ", ".join(sorted({h["run_id"] for h in c["holders"]}))
            lines.append(f"  conflict: {c['symbol']} also reserved by {who}")
        return "\n".join(lines)

    emit(result, args.json_out, text)
    return 0
