"""``muse coord forecast``: predicted conflicts, ranked, before anyone edits."""

from __future__ import annotations

from muse.cli.args import make_parser, parse_coordinator

__all__ = ["main"]

_EPILOG = """high:   incompatible intents (delete vs modify, two different renames)
medium: one symbol reserved by several runs; structural edit vs modify
low:    a file or class reserved while another run holds a member;
        several runs editing different symbols of one file;
        with --code, after those: a header (module) and the runs whose
        files include (import) it, one row per header and run with the
        fan-in; a function and its callers (docs/code-index.md)

Exit 0 always (conflicts are information); use --fail-on to gate a script.
--live forecasts over the hub's record log.
--json: {generated_at, counts: {high, medium, low}, total, conflicts: [...], problems, backend}
"""


def main(argv: list[str], prog: str, verb: str = "forecast") -> int:
    from muse.cli.output import emit, print_problems

    p = make_parser(prog, "Rank the conflicts that current reservations and intents predict.",
                    _EPILOG)
    p.add_argument("--min-severity", choices=("high", "medium", "low"), default="low")
    p.add_argument("--fail-on", choices=("high", "medium", "low"), default=None,
                   help="exit 1 if any conflict at this severity or above")
    p.add_argument("--limit", type=int, default=50, help="rows to show (default 50; 0 = all)")
    p.add_argument("--code", action="store_true",
                   help="add the code pass: include/import and call relations from the "
                        "working tree's symbol index (built on first use, then updated)")
    args, coord = parse_coordinator(p, argv)
    index = None
    if args.code:
        from muse.cli.args import repo_root
        from muse.core.source.index import update_index

        index = update_index(repo_root())[0]
    got = coord.forecast(min_severity=args.min_severity,
                         limit=None if args.limit == 0 else args.limit, code=index)
    print_problems(got["problems"])

    def text() -> str:
        c = got["counts"]
        lines = [f"{got['total']} predicted conflicts: {c['high']} high, {c['medium']} medium, {c['low']} low"]
        lines += [f"  {x['severity']:<6} {x['target']}  [{', '.join(x['runs'])}]  {x['reason']}"
                  for x in got["conflicts"]]
        if len(got["conflicts"]) < got["total"]:
            lines.append(f"  … {got['total'] - len(got['conflicts'])} more (--limit 0 shows all)")
        return "\n".join(lines)

    emit(got.to_json(), args.json_out, text)
    if args.fail_on:
        order = ("high", "medium", "low")
        gate = order[: order.index(args.fail_on) + 1]
        if any(got["counts"][s] for s in gate):
            return 1
    return 0
