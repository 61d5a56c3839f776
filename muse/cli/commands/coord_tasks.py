"""``muse coord tasks``: the task queue and where each task stands."""

from __future__ import annotations

from muse.cli.args import make_parser, parse_coordinator
from muse.cli.output import emit, print_problems

__all__ = ["main"]

_EPILOG = """examples:
  muse coord tasks --status ready
  muse coord tasks --live --json --limit 0      # the hub's queue, from its record log

--json: {counts: {pending, ready, blocked, claimed, completed, failed},
         total, tasks: [{task_id, status, ready, priority, holder?, token?, …}],
         problems, backend}
"""


def main(argv: list[str], prog: str, verb: str = "tasks") -> int:
    from muse.core.coord.views import TASK_STATUSES

    p = make_parser(prog, "List tasks: pending (ready or blocked), claimed, completed, failed.",
                    _EPILOG)
    p.add_argument("--status", choices=TASK_STATUSES, default=None, help="only tasks in this state")
    p.add_argument("--limit", type=int, default=50, help="rows to show (default 50; 0 = all)")
    args, coord = parse_coordinator(p, argv)
    data = coord.tasks(status=args.status, limit=None if args.limit == 0 else args.limit)
    print_problems(data["problems"])

    def text() -> str:
        counts = data["counts"]
        lines = [f"{sum(counts[s] for s in ('pending', 'claimed', 'completed', 'failed'))} tasks: "
                 + ", ".join(f"{n} {s}" for s, n in counts.items())]
        for t in data["tasks"]:
            extra = f" by {t['holder']}" if t.get("holder") else ""
            if t["blocked_by"]:
                waits = t["blocked_by"]
                extra = f" waiting on {', '.join(waits[:3])}" + ("…" if len(waits) > 3 else "")
            label = "ready" if t["ready"] else t["status"]
            lines.append(f"  {t['task_id']:<24} {label:<9} p{t['priority']:<3} {t['description'][:60]}{extra}")
        if len(data["tasks"]) < data["total"]:
            lines.append(f"  … {data['total'] - len(data['tasks'])} more (--limit 0 shows all)")
        return "\n".join(lines)

    emit(data.to_json(), args.json_out, text)
    return 0
