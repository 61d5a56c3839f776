"""``muse coord forecast``: predicted conflicts, ranked, before anyone edits."""

from __future__ import annotations

from muse.cli.args import add_json, make_parser, repo_root
from muse.cli.output import emit, print_problems

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "forecast") -> int:
    p = make_parser(prog, "Rank the conflicts that current reservations and intents predict.",
                    "high:   incompatible intents (delete vs modify, two different renames)\n"
                    "medium: one symbol reserved by several runs; structural edit vs modify\n"
                    "low:    a file or class reserved while another run holds a member;\n"
                    "        several runs editing different symbols of one file;\n"
                    "        with --code, after those: a header (module) and the runs\n"
                    "        whose files include (import) it, one row per header and\n"
                    "        run with the fan-in; a function and its callers\n\n"
                    "Exit 0 always (conflicts are information); use --fail-on to gate a script.")
    p.add_argument("--min-severity", choices=("high", "medium", "low"), default="low")
    p.add_argument("--fail-on", choices=("high", "medium", "low"), default=None,
                   help="exit 1 if any conflict at this severity or above")
    p.add_argument("--limit", type=int, default=50, help="rows to show (default 50; 0 = all)")
    p.add_argument("--code", action="store_true",
                   help="add the code pass: include/import and call relations from the "
                        "working tree's symbol index (built on first use, then updated)")
    add_json(p)
    args = p.parse_args(argv)
    from muse.core.forecast import SEVERITIES, forecast
    from muse.core.state import CoordState

    state = CoordState(repo_root())
    index = None
    if args.code:
        from muse.core.codeindex import update_index

        index = update_index(state.root)[0]
    fc = forecast(state.root, state=state, code=index)
    keep = SEVERITIES[: SEVERITIES.index(args.min_severity) + 1]
    fc.predictions = [x for x in fc.predictions if x.severity in keep]
    print_problems(state.problems)
    rows = fc.predictions if args.limit == 0 else fc.predictions[: args.limit]

    def text() -> str:
        c = fc.counts()
        lines = [f"{len(fc.predictions)} predicted conflicts: {c['high']} high, {c['medium']} medium, {c['low']} low"]
        lines += [f"  {x.severity:<6} {x.target}  [{', '.join(x.runs)}]  {x.reason}" for x in rows]
        if len(rows) < len(fc.predictions):
            lines.append(f"  … {len(fc.predictions) - len(rows)} more (--limit 0 shows all)")
        return "\n".join(lines)

    body = fc.to_json()
    body["conflicts"] = [x.to_json() for x in rows]
    emit(body, args.json_out, text)
    if args.fail_on:
        gate = SEVERITIES[: SEVERITIES.index(args.fail_on) + 1]
        if any(x.severity in gate for x in fc.predictions):
            return 1
    return 0
