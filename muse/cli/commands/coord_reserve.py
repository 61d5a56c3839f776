"""``muse coord reserve``: announce the symbols you are about to edit."""

from __future__ import annotations

from muse.cli.args import add_run, duration, make_parser, parse_coordinator, run_of
from muse.cli.codecheck import add_check, check_or_refuse
from muse.cli.output import emit, print_problems
from muse.core.vocab.rules import DEFAULT_TTL

__all__ = ["main"]

_EPILOG = """examples:
  muse coord reserve kernel/sched/core.c::schedule --ttl 15m
  muse coord reserve fs/ext4/inode.c --strict --json     # whole file, refuse if held
  muse coord reserve kernel/sched/core.c::schedule --live --strict --json

Advisory (default): always granted; overlaps with other runs are reported and
the exit code stays 0. Strict: refused (exit 1) when another live run holds an
overlapping address; the error names the holder and when to retry
(details.retry_after, seconds).

--live asks the hub, which decides on its own clock; without --strict or
--advisory the hub repository's mode applies. Keep the printed token: release,
intent and fence take it (--token).

--json prints one document, the same in both modes (docs/verbs.md):
  {reservation_id, run_id, symbols, mode, token, granted_at, expires_at,
   expires_in, conflicts: [{symbol, overlap, holders: [...]}], problems, backend}
"""


def main(argv: list[str], prog: str, verb: str = "reserve") -> int:
    p = make_parser(prog, "Reserve symbol addresses (path::qualified.name, or a whole path).", _EPILOG)
    p.add_argument("symbols", nargs="+", metavar="SYMBOL", help="address to reserve")
    p.add_argument("--ttl", type=duration, default=DEFAULT_TTL, help="lease length (default 15m); heartbeats extend it")
    p.add_argument("--strict", action="store_true", help="refuse if another live run holds an overlapping address")
    p.add_argument("--advisory", action="store_true",
                   help="grant and report overlaps even if the hub repository is strict")
    add_run(p)
    add_check(p)
    args, coord = parse_coordinator(p, argv)
    check_or_refuse(args.symbols, args.check, args.json_out)
    if args.strict and args.advisory:
        p.error("--strict and --advisory exclude each other")
    strict = True if args.strict else (False if args.advisory else None)
    got = coord.reserve(run_of(args), args.symbols, ttl=args.ttl, strict=strict)
    print_problems(got["problems"])

    def text() -> str:
        token = "" if got["token"] is None else f" (token {got['token']})"
        lines = [f"reserved {len(got['symbols'])} symbol(s) as {got['reservation_id']}{token}"
                 f" until {got['expires_at']}"]
        for c in got["conflicts"]:
            who = ", ".join(sorted({h["run_id"] for h in c["holders"]}))
            lines.append(f"  conflict: {c['symbol']} also reserved by {who}")
        return "\n".join(lines)

    emit(got.to_json(), args.json_out, text)
    return 0
