"""``muse coord status``: who holds what, and where runs collide."""

from __future__ import annotations

from collections import Counter

from muse.cli.args import add_json, make_parser, repo_root
from muse.cli.output import emit, print_problems
from muse.core import clock

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

    state = CoordState(repo_root())
    active = state.active_reservations()
    if args.run_filter:
        active = [r for r in active if r.run_id == args.run_filter]
    if args.path_prefix:
        active = [r for r in active if any(s.startswith(args.path_prefix) for s in r.symbols)]
    conflicts = state.conflicts(active)
    by_file: Counter[str] = Counter()
    runs: Counter[str] = Counter()
    for r in active:
        runs[r.run_id] += 1
        for s in r.symbols:
            by_file[s.partition("::")[0]] += 1
    limit = None if args.limit == 0 else args.limit
    print_problems(state.problems)
    hb = state.heartbeat_map()
    data = {
        "now": clock.format_ts(state.now),
        "active_reservations": len(active),
        "runs": len(runs),
        "conflict_count": len(conflicts),
        "reservations": [
            {"reservation_id": r.reservation_id, "run_id": r.run_id, "symbols": list(r.symbols),
             "expires_at": clock.format_ts(max(r.expires_at, hb.get(r.run_id, 0.0))),
             "remote": r.remote}
            for r in active[:limit]
        ],
        "conflicts": [c.to_json() for c in conflicts[:limit]],
        "problems": [x.to_json() for x in state.problems],
    }

    def text() -> str:
        lines = [f"{len(active)} active reservations by {len(runs)} runs; {len(conflicts)} conflicts"]
        if by_file:
            lines.append("busiest files:")
            lines += [f"  {n:>5}  {path}" for path, n in by_file.most_common(limit)]
        if conflicts:
            lines.append("conflicts:")
            for c in conflicts[:limit]:
                who = ", ".join(sorted({h[0] for h in c.holders}))
                lines.append(f"  {c.symbol}  ({c.overlap})  held by {who}")
            if limit and len(conflicts) > limit:
                lines.append(f"  … {len(conflicts) - limit} more")
        return "\n".join(lines)

    emit(data, args.json_out, text)
    return 0
