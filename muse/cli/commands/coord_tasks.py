"""``muse coord tasks``: the task queue and where each task stands."""

from __future__ import annotations

from muse.cli.args import add_json, make_parser, repo_root
from muse.cli.output import emit, print_problems

__all__ = ["main"]

_STATUSES = ("pending", "ready", "blocked", "claimed", "completed", "failed")


def main(argv: list[str], prog: str, verb: str = "tasks") -> int:
    p = make_parser(prog, "List tasks: pending (ready or blocked), claimed, completed, failed.")
    p.add_argument("--status", choices=_STATUSES, default=None, help="only tasks in this state")
    p.add_argument("--limit", type=int, default=50, help="rows to show (default 50; 0 = all)")
    add_json(p)
    args = p.parse_args(argv)
    from muse.core.state import CoordState

    state = CoordState(repo_root())
    rows = sorted(state.task_states().values(),
                  key=lambda s: (-s.task.priority, s.task.created_at or 0.0, s.task.task_id))
    counts = {s: 0 for s in _STATUSES}
    for st in rows:
        counts[st.status] += 1
        if st.status == "pending":
            counts["ready" if st.ready else "blocked"] += 1
    if args.status == "ready":
        rows = [r for r in rows if r.ready]
    elif args.status == "blocked":
        rows = [r for r in rows if r.status == "pending" and not r.ready]
    elif args.status:
        rows = [r for r in rows if r.status == args.status]
    shown = rows if args.limit == 0 else rows[: args.limit]
    print_problems(state.problems)

    def text() -> str:
        head = ", ".join(f"{n} {s}" for s, n in counts.items())
        lines = [f"{len(state.task_states())} tasks: {head}"]
        for st in shown:
            extra = f" by {st.holder}" if st.holder else ""
            if st.blocked_by:
                extra = f" waiting on {', '.join(st.blocked_by[:3])}" + ("…" if len(st.blocked_by) > 3 else "")
            label = "ready" if st.ready else st.status
            lines.append(f"  {st.task.task_id:<24} {label:<9} p{st.task.priority:<3} {st.task.description[:60]}{extra}")
        if len(rows) > len(shown):
            lines.append(f"  … {len(rows) - len(shown)} more (--limit 0 shows all)")
        return "\n".join(lines)

    emit({"counts": counts, "tasks": [s.to_json() for s in shown], "total": len(rows),
          "problems": [x.to_json() for x in state.problems]}, args.json_out, text)
    return 0
