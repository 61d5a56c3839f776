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
from typing import Any

from muse.cli.args import add_json, make_parser
from muse.cli.output import emit, print_problems
from muse.core.coord_bus import MAX_PUSH_BATCH, pull_from_hub, push_to_hub
from muse.core.errors import UsageError
from muse.core.paths import require_repo
from muse.core.store import Problem
from muse.core.sync import gather_local_records, load_cursor, save_cursor, write_remote_records
from muse.core.transport import SigningIdentity
from muse.core.types import KINDS, JsonDict

__all__ = [
    "main",
    "run_push",
    "run_pull",
    "push_to_hub",
    "pull_from_hub",
    "require_repo",
    "_gather_local_records",
    "_write_remote_records",
    "_resolve_hub_and_signing",
]

_MAX_PAGES = 1_000_000  # a hub that never ends a listing still cannot trap us


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


def _resolve_repo(args: argparse.Namespace, root: pathlib.Path) -> tuple[str, str]:
    from muse.core.config import hub_config

    owner, slug = getattr(args, "owner", None), getattr(args, "slug", None)
    if not owner or not slug:
        cfg = hub_config(root)
        owner, slug = owner or cfg.owner, slug or cfg.slug
    if not owner or not slug:
        raise UsageError("no hub repository: pass --owner and --slug or set [hub] owner/slug in .muse/config.toml")
    return owner, slug


def _resolve_hub_and_signing(
    args: argparse.Namespace, root: pathlib.Path
) -> tuple[str, SigningIdentity | None]:
    """Hub URL (``--hub`` or config) and the identity that signs requests."""
    from muse.core.config import hub_config

    cfg = hub_config(root)
    url = getattr(args, "hub_url", None) or cfg.url
    if not url:
        raise UsageError("no hub: pass --hub URL or set [hub] url in .muse/config.toml")
    signing = None
    if cfg.handle:
        # No key configured: the one `muse auth keygen --handle H` wrote.
        from muse.core.config import muse_home

        key = cfg.key or str(muse_home() / "keys" / f"{cfg.handle}.key")
        signing = SigningIdentity.load(cfg.handle, key)
    return url, signing


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
    owner, slug = _resolve_repo(args, root)
    hub_url, signing = _resolve_hub_and_signing(args, root)
    kinds = list(getattr(args, "kinds", None) or KINDS)
    records = _gather_local_records(root, kinds)
    json_out = bool(getattr(args, "json_out", False))
    inserted = skipped = batches = 0
    progress = _Progress("push", len(records), not json_out)
    for start in range(0, len(records), MAX_PUSH_BATCH):
        batch = records[start:start + MAX_PUSH_BATCH]
        answer = push_to_hub(hub_url, owner, slug, batch, signing=signing)
        inserted += int(answer.get("inserted", 0))
        skipped += int(answer.get("skipped", 0))
        batches += 1
        progress.update(start + len(batch))
    progress.close()
    summary = {"hub": hub_url, "repo": f"{owner}/{slug}", "records": len(records),
               "batches": batches, "inserted": inserted, "skipped": skipped}
    emit(summary, json_out,
         f"pushed {len(records)} records to {owner}/{slug} in {batches} batches: "
         f"{inserted} new, {skipped} already on the hub")
    return 0


def run_pull(args: argparse.Namespace) -> int:
    root = require_repo()
    owner, slug = _resolve_repo(args, root)
    hub_url, signing = _resolve_hub_and_signing(args, root)
    kinds = list(getattr(args, "kinds", None) or KINDS)
    limit = int(getattr(args, "limit", None) or 500)
    since = getattr(args, "since_id", None)
    cursor = load_cursor(root, hub_url, owner, slug) if since is None else int(since)
    json_out = bool(getattr(args, "json_out", False))
    from muse.core.gc import load_graveyard

    graveyard = load_graveyard(root)
    totals: dict[str, Any] = {"received": 0, "written": 0, "existing": 0, "gc_skipped": 0, "rejected": 0}
    progress = _Progress("pull", None, not json_out)
    pages = 0
    while pages < _MAX_PAGES:
        page = pull_from_hub(hub_url, owner, slug, since_id=cursor, kinds=kinds, limit=limit,
                             signing=signing)
        records = page.get("records") or []
        pages += 1
        result = write_remote_records(root, records, graveyard)
        totals["received"] += len(records)
        totals["written"] += result.written
        totals["existing"] += result.existing
        totals["gc_skipped"] += result.buried
        totals["rejected"] += len(result.rejected)
        new_cursor = page.get("cursor", cursor)
        if not isinstance(new_cursor, int) or new_cursor < 0:
            from muse.core.errors import HubResponseError

            raise HubResponseError(f"hub sent an invalid cursor {new_cursor!r}")
        advanced = new_cursor > cursor
        cursor = max(cursor, new_cursor)
        progress.update(totals["received"])
        more = page.get("has_more")
        if more is None:
            more = len(records) >= limit
        if not more or not advanced or not records:
            break
    progress.close()
    save_cursor(root, hub_url, owner, slug, cursor)
    summary = {"hub": hub_url, "repo": f"{owner}/{slug}", "pages": pages, "cursor": cursor, **totals}
    emit(summary, json_out,
         f"pulled {totals['received']} records from {owner}/{slug} ({pages} pages): "
         f"{totals['written']} new, {totals['existing']} already here, "
         f"{totals['gc_skipped']} skipped (removed by gc), {totals['rejected']} refused; cursor {cursor}")
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
