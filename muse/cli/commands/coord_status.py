"""``muse coord status``: who holds what, and where runs collide."""

from __future__ import annotations

from muse.cli.args import make_parser, parse_coordinator
from muse.cli.output import emit_stream, print_problems

__all__ = ["main"]

_EPILOG = """At thousands of runs the text view aggregates; zoom in with --run, --path
or --symbol, and page with --limit/--cursor:

  muse coord status --path drivers/net/ethernet/intel/e1000   # whole path components
  muse coord status --symbol kernel/sched/core.c::schedule    # who holds it
  muse coord status --json --limit 1000                       # first page
  muse coord status --json --limit 1000 --cursor <next_cursor> # next page
  muse coord status --json --limit 0                          # everything, streamed

--json: {now, backend, mode, fence, active_reservations, runs, conflict_count,
         conflicts, busiest_files, tasks, holders, reservations, next_cursor,
         problems} — the same document in both modes (docs/verbs.md). Live, the
hub's tables answer counts, conflicts, --run and --symbol at once; --path and
--cursor ('' for the first page) page through the hub's record log.
"""


def main(argv: list[str], prog: str, verb: str = "status") -> int:
    p = make_parser(prog, "Active reservations grouped by file, live runs, and conflicts.", _EPILOG)
    p.add_argument("--run", dest="run_filter", default=None, help="only this run's reservations")
    p.add_argument("--path", dest="path_prefix", default=None, metavar="PATH",
                   help="only symbols under this path (whole components: e1000 is not e1000e)")
    p.add_argument("--symbol", default=None, help="also list who holds this address")
    p.add_argument("--limit", type=int, default=20,
                   help="rows per section and reservations per page (default 20; 0 = all)")
    p.add_argument("--cursor", default=None, help="continue after this reservation id (next_cursor)")
    args, coord = parse_coordinator(p, argv)
    if args.limit < 0:
        p.error("--limit must be 0 (all) or more")
    data = coord.status(run_id=args.run_filter, path=args.path_prefix, symbol=args.symbol,
                        limit=None if args.limit == 0 else args.limit, cursor=args.cursor)
    print_problems(data["problems"])

    def text() -> str:
        t = data["tasks"]
        lines = [(f"{data['active_reservations']} active reservations by {data['runs']} runs; "
                  f"{data['conflict_count']} conflicts"
                  + (f" ({data['mode']}, last token {data['fence']})" if data["fence"] else "")),
                 (f"tasks: {t['ready']} ready, {t['blocked']} blocked, {t['claimed']} claimed, "
                  f"{t['completed']} completed, {t['failed']} failed")]
        if data["busiest_files"]:
            lines.append("busiest files:")
            lines += [f"  {f['symbols']:>5}  {f['path']}" for f in data["busiest_files"]]
        if data["conflicts"]:
            lines.append("conflicts:")
            for c in data["conflicts"]:
                who = ", ".join(sorted({h["run_id"] for h in c["holders"]}))
                lines.append(f"  {c['symbol']}  ({c['overlap']})  held by {who}")
            if len(data["conflicts"]) < data["conflict_count"]:
                lines.append(f"  … {data['conflict_count'] - len(data['conflicts'])} more")
        for h in data["holders"] or ():
            lines.append(f"  {args.symbol} held by {h['run_id']} (token {h['token']}) "
                         f"until {h['expires_at']}")
        return "\n".join(lines)

    emit_stream(data.data, args.json_out, text)
    return 0
