"""``muse coord release``: give back a reservation you are done with."""

from __future__ import annotations

from muse.cli.args import add_json, add_run, make_parser, repo_root
from muse.cli.output import emit

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "release") -> int:
    p = make_parser(prog, "Release reservations (writes a tombstone; GC removes both later).",
                    "example:\n  muse coord release sha256:3f2a…   # id printed by `muse coord reserve`")
    p.add_argument("reservation_ids", nargs="+", metavar="RESERVATION_ID")
    add_run(p)
    p.add_argument("--force", action="store_true", help="release even if another run holds it")
    add_json(p)
    args = p.parse_args(argv)
    from muse.cli.args import default_run_id
    from muse.core.coordination import release

    root = repo_root()
    run = None if args.force else (args.run_id or default_run_id())
    records = [release(root, rid, run) for rid in args.reservation_ids]
    emit(records if len(records) > 1 else records[0], args.json_out,
         "\n".join(f"released {r['reservation_id']}" + (" (already released)" if r.get("already_released") else "")
                   for r in records))
    return 0
