"""``muse coord gc``: remove released and expired records."""

from __future__ import annotations

from muse.cli.args import add_json, grace, make_parser, repo_root
from muse.cli.output import emit, print_problems
from muse.core.vocab.rules import DEFAULT_GRACE

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "gc") -> int:
    p = make_parser(prog, "Remove reservations released or expired longer ago than the grace period,\n"
                    "with the intents, tombstones, heartbeats, dependency edges and claim slots\n"
                    "that only served them. Removed ids are remembered so a pull never restores them.",
                    "examples:\n  muse coord gc --dry-run\n  muse coord gc --grace 1h --json")
    p.add_argument("--dry-run", action="store_true", help="count what would go; delete nothing")
    p.add_argument("--grace", type=grace, default=DEFAULT_GRACE, help="keep dead records this long (default 10m)")
    add_json(p)
    args = p.parse_args(argv)
    from muse.core.coord.gc import run_coord_gc
    from muse.core.files.store import Problem

    result = run_coord_gc(repo_root(), dry_run=args.dry_run, grace_period_seconds=args.grace)
    if result.problems:
        print_problems([Problem(x["path"], x["message"]) for x in result.problems])

    def text() -> str:
        verb_ = "would remove" if result.dry_run else "removed"
        return (f"gc {verb_} {result.total_removed} records: {result.reservations_removed} reservations, "
                f"{result.intents_removed} intents, {result.releases_removed} releases, "
                f"{result.heartbeats_removed} heartbeats, {result.dependencies_removed} dependencies, "
                f"{result.claims_removed} claim slots")

    emit(result.to_json(), args.json_out, text)
    return 0

