"""``muse coord shard``: split files or tasks into N groups with few cross-group includes."""

from __future__ import annotations

from muse.cli.args import add_json, make_parser, repo_root
from muse.cli.output import emit

__all__ = ["main"]

_EPILOG = """examples:
  muse coord shard 8                              # every indexed file of the working tree
  muse coord shard 4 drivers/net kernel/sched     # the files under these folders
  muse coord shard 16 --tasks --json              # the queued tasks, by the files they reserve

Groups are balanced by file count (by task with --tasks; --slack sets the
allowed excess, default 0.1) and refined to cut as few include/import edges
as possible. The report compares the cut with a naive split: the same files
in path order cut into N equal runs (folders kept together).
The symbol index (.muse/state/code/) is built on first use, then updated.
"""


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str], prog: str, verb: str = "shard") -> int:
    p = make_parser(prog, "Split files or tasks into N groups that minimise cross-group "
                          "include/import edges.", _EPILOG)
    p.add_argument("parts", type=_positive, metavar="N", help="number of groups")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders of the working tree (default: all indexed files)")
    p.add_argument("--tasks", action="store_true", help="shard the queued tasks instead of files")
    p.add_argument("--slack", type=float, default=0.1, help="allowed excess over the mean group size")
    add_json(p)
    args = p.parse_args(argv)
    if args.tasks and args.paths:
        p.error("--tasks and PATH exclude each other")
    if not 0.0 <= args.slack <= 10.0:
        p.error("--slack must be between 0 and 10")
    import time

    from muse.core.source.graph import Graph
    from muse.core.source.index import update_index
    from muse.core.source.shard import shard
    from muse.core.vocab.errors import UserError

    root = repo_root()
    t0 = time.perf_counter()
    index = update_index(root)[0]
    items: dict[str, list[str]]
    if args.tasks:
        from muse.core.coord.state import CoordState

        items = {}
        for t in CoordState(root).tasks:
            files = sorted({s.partition("::")[0] for s in t.symbols} & index.entries.keys())
            items[t.task_id] = files
    else:
        prefixes = [x.strip("/") for x in args.paths]
        missing = [x for x in prefixes if x not in index.entries
                   and not any(f.startswith(x + "/") for f in index.entries)]
        if missing:
            raise UserError(f"no indexed file at or under: {', '.join(missing)}")
        items = {f: [f] for f in index.entries
                 if not prefixes or any(f == x or f.startswith(x + "/") for x in prefixes)}
    if not items:
        raise UserError("nothing to shard: no indexed files (or no tasks)")
    files = sorted({f for fs in items.values() for f in fs})
    result = shard(items, Graph(index).edges(files), args.parts, slack=args.slack)
    body = {"parts": args.parts, "items": len(items), "seconds": round(time.perf_counter() - t0, 3),
            **result.to_json()}

    def text() -> str:
        kind = "tasks" if args.tasks else "files"
        ratio = f"{result.cut / result.naive_cut:.0%} of naive" if result.naive_cut else "naive cut 0"
        lines = [f"{len(items)} {kind} in {args.parts} groups: {result.cut} of {result.edges} "
                 f"include/import edges cut (naive split by folder: {result.naive_cut}; {ratio})"]
        for i, (g, w) in enumerate(zip(result.groups, result.weights, strict=True)):
            shown = ", ".join(g[:3]) + (f", … {len(g) - 3} more" if len(g) > 3 else "")
            lines.append(f"  group {i + 1}: {w} {kind}: {shown}")
        return "\n".join(lines)

    emit(body, args.json_out, text)
    return 0
