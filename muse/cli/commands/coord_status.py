"""``muse coord status``: who holds what, and where runs collide."""

from __future__ import annotations

from muse.cli.args import add_json, make_parser, repo_root
from muse.cli.output import emit, print_problems

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "status") -> int:
    p = make_parser(prog, "Active reservations grouped by file, live runs, and conflicts.",
                    "At thousands of runs the text view aggregates; use --run/--path to zoom in\n"
                    "and --json (with --limit 0 for everything) for machines.")
    p.add_argument("--run", dest="run_filter", default=None, help="only this run's reservations")
    p.add_argument("--path", dest="path_prefix", default=None, help="only symbols under this path prefix")
    p.add_argument("--limit", type=int, default=20, help="rows per section (default 20; 0 = all)")
    add_json(p)
    args = p.parse_args(argv)
    from muse.core.state import CoordState
    from muse.core.views import status_view

    state = CoordState(repo_root())
    limit = None if args.limit == 0 else args.limit
    data = status_view(state, args.run_filter, args.path_prefix, limit)
    print_problems(state.problems)

    def text() -> str:
        lines = [f"{data['active_reservations']} active reservations by {data['runs']} runs; "
                 f"{data['conflict_count']} conflicts"]
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
