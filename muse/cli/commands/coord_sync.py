"""``muse coord push`` / ``muse coord pull``: share records through a hub.

Push sends every local record in batches of at most ``MAX_PUSH_BATCH``
(retries are idempotent: the hub skips what it has). Pull pages from the
saved cursor (or ``--since-id``) until a short page and writes into
``remote/`` only, never resurrecting what local GC removed.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

from muse.cli.args import add_json, make_parser
from muse.cli.output import emit, print_problems, warn
from muse.core.client.sync import (
    HubTarget,
    gather_local_records,
    pull_into,
    push_records,
    resolve_hub_url,
    resolve_repo,
    resolve_signing,
    write_remote_records,
)
from muse.core.coord_bus import pull_from_hub, push_to_hub
from muse.core.files.store import Problem
from muse.core.paths import require_repo
from muse.core.transport import SigningIdentity
from muse.core.types import KINDS, JsonDict

__all__ = [
    "_gather_local_records",
    "_resolve_hub_and_signing",
    "_write_remote_records",
    "main",
    "pull_from_hub",
    "push_to_hub",
    "require_repo",
    "run_pull",
    "run_push",
]

def _gather_local_records(root: pathlib.Path, kinds: list[str] | None) -> list[JsonDict]:
    """Local records of *kinds* as bus records."""
    problems: list[Problem] = []
    records = gather_local_records(root, kinds, problems)
    if problems:
        print_problems(problems)
    return records


def _write_remote_records(root: pathlib.Path, records: list[JsonDict]) -> None:
    """Store pulled records under ``remote/`` (hostile ids are refused)."""
    result = write_remote_records(root, records)
    if result.rejected:
        print(f"muse: warning: refused {len(result.rejected)} malformed records from the hub "
              f"(first: {result.rejected[0]})", file=sys.stderr)


def _resolve_hub_and_signing(
    args: argparse.Namespace, root: pathlib.Path
) -> tuple[str, SigningIdentity | None]:
    """Hub URL (``--hub`` or config) and the identity that signs requests."""
    return resolve_hub_url(root, getattr(args, "hub_url", None)), resolve_signing(root)


def _target(args: argparse.Namespace, root: pathlib.Path) -> HubTarget:
    owner, slug = resolve_repo(root, getattr(args, "owner", None), getattr(args, "slug", None))
    url, signing = _resolve_hub_and_signing(args, root)
    return HubTarget(url, owner, slug, signing)


class _Progress:
    """A one-line progress counter on stderr when it is a terminal."""

    def __init__(self, label: str, total: int | None, enabled: bool) -> None:
        self.label, self.total = label, total
        self.enabled = enabled and sys.stderr.isatty()

    def update(self, done: int) -> None:
        if self.enabled:
            tail = f"/{self.total}" if self.total else ""
            sys.stderr.write(f"\r{self.label}: {done}{tail} records")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def run_push(args: argparse.Namespace) -> int:
    root = require_repo()
    target = _target(args, root)
    records = _gather_local_records(root, list(getattr(args, "kinds", None) or KINDS))
    json_out = bool(getattr(args, "json_out", False))
    progress = _Progress("push", len(records), not json_out)
    # push_to_hub is looked up here, at call time, so it can be replaced in this module.
    summary = push_records(records, target, send=push_to_hub, on_batch=progress.update)
    progress.close()
    for why in summary.get("refusals", [])[:5]:
        warn(f"the hub refused {why}")
    emit(summary, json_out,
         f"pushed {summary['records']} records to {summary['repo']} in {summary['batches']} batches: "
         f"{summary['inserted']} new, {summary['skipped']} already on the hub")
    return 0


def run_pull(args: argparse.Namespace) -> int:
    root = require_repo()
    target = _target(args, root)
    json_out = bool(getattr(args, "json_out", False))
    progress = _Progress("pull", None, not json_out)
    summary = pull_into(root, target, kinds=getattr(args, "kinds", None),
                        limit=int(getattr(args, "limit", None) or 500),
                        since_id=getattr(args, "since_id", None), fetch=pull_from_hub,
                        on_page=progress.update)
    progress.close()
    for why in summary.get("problems", [])[:5]:
        warn(f"refused or quarantined {why}")
    emit(summary, json_out,
         f"pulled {summary['received']} records from {summary['repo']} ({summary['pages']} pages): "
         f"{summary['written']} new, {summary['existing']} already here, "
         f"{summary['gc_skipped']} skipped (removed by gc), {summary['rejected']} refused, "
         f"{summary['quarantined']} quarantined; "
         f"cursor {summary['cursor']}")
    return 0


def _parser(prog: str, verb: str) -> argparse.ArgumentParser:
    if verb == "push":
        p = make_parser(prog, "Send every local coordination record to a hub (idempotent).")
    else:
        p = make_parser(prog, "Fetch records from a hub into .muse/coordination/remote/.\n"
                        "Resumes from the saved cursor unless --since-id is given.")
    p.add_argument("--hub", dest="hub_url", default=None, help="hub URL (default: [hub] url in config)")
    p.add_argument("--owner", default=None, help="hub repository owner (default: config)")
    p.add_argument("--slug", default=None, help="hub repository name (default: config)")
    p.add_argument("--kind", dest="kinds", action="append", choices=KINDS, default=None,
                   help="only this kind (repeatable; default: all)")
    p.add_argument("--token", default=None, help=argparse.SUPPRESS)
    if verb == "pull":
        p.add_argument("--since-id", type=int, default=None, help="start after this hub sequence id")
        p.add_argument("--limit", type=int, default=500, help="records per page (default 500)")
    add_json(p)
    return p


def main(argv: list[str], prog: str, verb: str) -> int:
    args = _parser(prog, verb).parse_args(argv)
    return run_push(args) if verb == "push" else run_pull(args)
