"""``muse coord status``: who holds what, and where runs collide."""

from __future__ import annotations

import argparse

from muse.cli.args import make_parser, parse_with_live, repo_root
from muse.cli.output import emit, print_problems
from muse.core.live import LiveClient

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "status") -> int:
    p = make_parser(prog, "Active reservations grouped by file, live runs, and conflicts.",
                    "At thousands of runs the text view aggregates; use --run/--path to zoom in\n"
                    "and --json (with --limit 0 for everything) for machines.")
    p.add_argument("--run", dest="run_filter", default=None, help="only this run's reservations")
    p.add_argument("--path", dest="path_prefix", default=None, help="only symbols under this path prefix")
    p.add_argument("--limit", type=int, default=20, help="rows per section (default 20; 0 = all)")
    p.add_argument("--symbol", default=None, help="with --live: who holds this address")
    args, client = parse_with_live(p, argv)
    if client is not None:
        return _live(client, args)
    from muse.core.state import CoordState
    from muse.core.views import status_view

    state = CoordState(repo_root())
    limit = None if args.limit == 0 else args.limit
    data = status_view(state, args.run_filter, args.path_prefix, limit)
    print_problems(state.problems)

    def text() -> str:
        lines = [(f"{data['active_reservations']} active reservations by {data['runs']} runs; "
                  f"{data['conflict_count']} conflicts")]
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
        return "\n".join(lines)

    emit(data, args.json_out, text)
    return 0


def _live(client: LiveClient, args: argparse.Namespace) -> int:
    data = client.status(limit=max(0, min(args.limit or 1000, 1000)), run_id=args.run_filter,
                         symbol=args.symbol)

    def text() -> str:
        t = data["tasks"]
        lines = [(f"{data['reservations']['active']} live reservations by "
                  f"{data['reservations']['runs']} runs ({data['mode']}); "
                  f"{len(data['conflicts'])} conflicts shown; last token {data['fence']}"),
                 (f"tasks: {t['ready']} ready, {t['blocked']} blocked, {t['claimed']} claimed, "
                  f"{t['completed']} completed, {t['failed']} failed")]
        for c in data["conflicts"]:
            who = ", ".join(sorted({h["run_id"] for h in c["holders"]}))
            lines.append(f"  {c['symbol']}  ({c['overlap']})  held by {who}")
        for h in data.get("holders", []):
            lines.append(f"  {args.symbol} held by {h['run_id']} (token {h['token']}) "
                         f"until {h['expires_at']}")
        return "\n".join(lines)

    emit(data, args.json_out, text)
    return 0
