"""``muse coord tasks``: the task queue and where each task stands."""

from __future__ import annotations

from muse.cli.args import add_json, make_parser, repo_root
from muse.cli.output import emit, print_problems

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "tasks") -> int:
    from muse.core.views import TASK_STATUSES

    p = make_parser(prog, "List tasks: pending (ready or blocked), claimed, completed, failed.")
    p.add_argument("--status", choices=TASK_STATUSES, default=None, help="only tasks in this state")
    p.add_argument("--limit", type=int, default=50, help="rows to show (default 50; 0 = all)")
    add_json(p)
    args = p.parse_args(argv)
    from muse.core.state import CoordState
    from muse.core.views import tasks_view

    state = CoordState(repo_root())
    data = tasks_view(state, args.status, None if args.limit == 0 else args.limit)
    print_problems(state.problems)

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

    emit(data, args.json_out, text)
    return 0
