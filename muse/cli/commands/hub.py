"""``muse hub``: run a hub server; create repositories and manage access.

    muse hub serve [--db PATH|postgresql://…] [--host H] [--port P] [--insecure-dev]
    muse hub create-repo OWNER/SLUG [--public]
    muse hub grant OWNER/SLUG HANDLE --permission pull|push|admin
    muse hub revoke OWNER/SLUG HANDLE
    muse hub info OWNER/SLUG
    muse hub prune [--db PATH|postgresql://…] [--grace S] [--dry-run] [--json]

Client verbs sign with your identity (see ``muse auth``) and take --hub,
--handle and --key, defaulting to ``[hub]`` in .muse/config.toml.
"""

from __future__ import annotations

import argparse
from typing import Any

from muse.cli.args import add_json, dispatch, make_parser, repo_arg
from muse.cli.commands import hub_dashboard
from muse.cli.output import emit
from muse.core.errors import UsageError

__all__ = ["main"]

_HELP = """usage: {prog} <verb> [args]

Run the hub that agents on many machines share, and manage its repositories.

verbs:
  serve        run a hub (SQLite file by default, PostgreSQL with --db postgresql://…)
  create-repo  create OWNER/SLUG (OWNER must be your handle; you become its admin)
  grant        give HANDLE pull, push or admin access to OWNER/SLUG
  revoke       remove HANDLE's access to OWNER/SLUG
  info         show OWNER/SLUG (admins also see its members)
  dashboard-link  print a browser sign-in link to OWNER/SLUG's live dashboard
  prune        forget dead leases, runs and records now (the hub also does it in the background)

Start a local hub and share records:
  muse hub serve --port 8765 &
  muse auth keygen --handle alice && muse auth register --hub http://127.0.0.1:8765 --handle alice --save
  muse hub create-repo alice/linux
  muse coord push --owner alice --slug linux
"""


def _serve(argv: list[str], prog: str) -> int:
    from muse.hub.config import DEFAULT_DB, DEFAULT_PORT

    p = make_parser(prog, "Run a hub server until interrupted (Ctrl-C).\n"
                    "Prints `muse hub listening on http://HOST:PORT` once it accepts connections.\n"
                    "Settings may also come from MUSE_HUB_DB, MUSE_HUB_HOST, MUSE_HUB_PORT, …",
                    epilog="examples:\n"
                    "  muse hub serve                                  # ./muse-hub.sqlite3, port 8765\n"
                    "  muse hub serve --port 0                         # any free port\n"
                    "  muse hub serve --db postgresql://hub@db/muse --host 0.0.0.0\n"
                    "  muse hub serve --insecure-dev                   # unsigned requests, loopback only")
    p.add_argument("--db", default=None,
                   help=f"SQLite file or postgresql:// DSN (default: {DEFAULT_DB})")
    p.add_argument("--host", default=None, help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=None,
                   help=f"port (default: {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--insecure-dev", action="store_true", default=None,
                   help="accept unsigned requests and let anyone do anything (loopback only)")
    p.add_argument("--pg-schema", default=None,
                   help="PostgreSQL schema for the hub tables (created if missing)")
    p.add_argument("--pg-pool-size", type=int, default=None,
                   help="PostgreSQL connections per hub process (default 10)")
    p.add_argument("--max-body", type=int, default=None, help="request body cap in bytes")
    p.add_argument("--public-host", dest="public_hosts", action="append", default=None,
                   help="HOST[:PORT] clients reach this hub as; signatures naming another "
                        "host are refused (repeatable; default: accept any)")
    p.add_argument("--realm", default=None, help="WWW-Authenticate realm (default: muse-hub)")
    p.add_argument("--retention-grace", type=float, default=None, metavar="SECONDS",
                   help="keep dead leases, idle runs and dead records this long before the "
                        "background pruner forgets them (default: 600, local GC's grace; 0: never)")
    p.add_argument("--prune-every", type=float, default=None, metavar="SECONDS",
                   help="seconds between background retention passes (default: 60; 0: never)")
    p.add_argument("--limit", dest="limits", action="append", default=None, type=_limit,
                   metavar="NAME=N", help="change a bound on what clients can make the hub "
                   "remember (repeatable): runs_per_identity, tasks_per_repository, "
                   "answers_per_identity, members_per_repository")
    args = p.parse_args(argv)
    from muse.hub.config import HubSettings
    from muse.hub.server import serve

    try:
        settings = HubSettings.from_env(
            db=args.db, host=args.host, port=args.port, insecure_dev=args.insecure_dev,
            pg_schema=args.pg_schema, pg_pool_size=args.pg_pool_size, max_body=args.max_body,
            public_hosts=tuple(args.public_hosts) if args.public_hosts else None,
            realm=args.realm, retention_grace=args.retention_grace,
            prune_every=args.prune_every, limits=tuple(args.limits) if args.limits else None)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not 0 <= settings.port <= 65535:
        raise UsageError(f"invalid port {settings.port}")
    if settings.retention_grace < 0 or settings.prune_every < 0:
        raise UsageError("--retention-grace and --prune-every take seconds ≥ 0 (0 disables)")
    try:
        serve(settings)
    except KeyboardInterrupt:
        pass
    return 0


def _limit(text: str) -> tuple[str, int]:
    from muse.hub.bounds import limits

    name, _, value = text.partition("=")
    if name not in limits() or not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: use NAME=N with N ≥ 1 and NAME one of "
                                         f"{', '.join(limits())}")
    return name, int(value)


def _prune(argv: list[str], prog: str) -> int:
    from muse.hub.config import DEFAULT_DB

    p = make_parser(prog, "Run one retention pass on a hub database now: forget leases that\n"
                    "ended, idle runs, spent answers and signatures, and pushed records that\n"
                    "only served dead reservations, under local GC's grace rules. Safe while\n"
                    "hubs serve the database (only one pruner runs at a time).",
                    epilog="examples:\n"
                    "  muse hub prune --dry-run --json              # count, delete nothing\n"
                    "  muse hub prune --db postgresql://hub@db/muse --grace 3600")
    p.add_argument("--db", default=None,
                   help=f"SQLite file or postgresql:// DSN (default: {DEFAULT_DB} or MUSE_HUB_DB)")
    p.add_argument("--pg-schema", default=None, help="PostgreSQL schema of the hub tables")
    p.add_argument("--grace", type=float, default=None, metavar="SECONDS",
                   help="keep what died less than this long ago (default: 600, local GC's grace)")
    p.add_argument("--batch", type=int, default=None, metavar="ROWS",
                   help="rows per transaction (default 500)")
    p.add_argument("--dry-run", action="store_true", help="count what would go; delete nothing")
    add_json(p)
    args = p.parse_args(argv)
    import time

    from muse.core.errors import UserError
    from muse.hub.config import HubSettings
    from muse.hub.retention import DEFAULT_BATCH, prune, table_sizes
    from muse.storage import describe_url, open_store

    try:
        settings = HubSettings.from_env(db=args.db, pg_schema=args.pg_schema)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    grace = settings.retention_grace if args.grace is None else args.grace
    batch = DEFAULT_BATCH if args.batch is None else args.batch
    if grace < 0 or batch < 1:
        raise UsageError("--grace takes seconds ≥ 0 and --batch rows ≥ 1")
    options: dict[str, object] = {}
    if settings.db.startswith(("postgresql://", "postgres://")):
        options = {"schema": settings.pg_schema, "max_size": 2}
    else:
        import os

        path = settings.db.removeprefix("sqlite://")
        path = path[1:] if path.startswith("//") else path
        if not os.path.isfile(path):  # opening would create an empty hub database
            raise UserError(f"no hub database at {path}: give --db (or set MUSE_HUB_DB)")
    try:
        store = open_store(settings.db, **options)
    except Exception as exc:
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise UserError(f"cannot open hub database {describe_url(settings.db)}: {reason}") from exc
    try:
        result = prune(store, time.time(), grace, batch, dry_run=args.dry_run)
        out = {**result.to_json(), "tables": table_sizes(store)}
    finally:
        store.close()

    def text() -> str:
        if result.skipped:
            return "another hub is pruning this database now; nothing done"
        verb = "would remove" if result.dry_run else "removed"
        parts = [f"{n} {name}" for name, n in result.removed.items() if n]
        return (f"{verb} {', '.join(parts) or 'nothing'} in {result.repositories} repositories "
                f"(grace {grace:g}s)")

    emit(out, args.json_out, text)
    return 0


def _name(text: str) -> str:
    from muse.core.coord_bus import check_repo_name

    try:
        return check_repo_name(text, "handle")
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _client_parser(prog: str, description: str) -> argparse.ArgumentParser:
    from muse.cli.commands.auth import add_client_args

    p = make_parser(prog, description)
    p.add_argument("repo", type=repo_arg, metavar="OWNER/SLUG", help="hub repository")
    add_client_args(p)
    add_json(p)
    return p


def _call(args: argparse.Namespace, method: str, path: str, body: dict[str, Any] | None,
          what: str) -> Any:
    from muse.cli.commands.auth import resolve_client
    from muse.core.hub_client import HubClient

    url, ident = resolve_client(args, need_identity=False)
    assert url is not None
    return HubClient(url, signing=ident).request(method, path, body, what=what,
                                                 user_errors=False)


def _create_repo(argv: list[str], prog: str) -> int:
    p = _client_parser(prog, "Create OWNER/SLUG on the hub. OWNER must be your handle;\n"
                       "you become the repository's admin.")
    p.add_argument("--public", action="store_true",
                   help="any registered identity may pull (default: members only)")
    args = p.parse_args(argv)
    owner, slug = args.repo
    answer = _call(args, "POST", "/api/v1/repos", {"owner": owner, "slug": slug,
                                                   "public": args.public},
                   f"creation of {owner}/{slug}")
    emit(answer, args.json_out, f"created {owner}/{slug}" + (" (public)" if args.public else ""))
    return 0


def _grant(argv: list[str], prog: str) -> int:
    p = _client_parser(prog, "Give HANDLE access to OWNER/SLUG (you need admin on it).\n"
                       "pull: read records; push: read and write; admin: also manage members.")
    p.add_argument("member", metavar="HANDLE", type=_name, help="registered handle to grant")
    p.add_argument("--permission", choices=("pull", "push", "admin"), default="push",
                   help="access to give (default: push)")
    args = p.parse_args(argv)
    owner, slug = args.repo
    answer = _call(args, "PUT", f"/api/v1/repos/{owner}/{slug}/members/{args.member}",
                   {"permission": args.permission}, f"grant on {owner}/{slug}")
    emit(answer, args.json_out, f"{args.member} now has {args.permission} on {owner}/{slug}")
    return 0


def _revoke(argv: list[str], prog: str) -> int:
    p = _client_parser(prog, "Remove HANDLE's access to OWNER/SLUG (you need admin on it).")
    p.add_argument("member", metavar="HANDLE", type=_name, help="handle to remove")
    args = p.parse_args(argv)
    owner, slug = args.repo
    answer = _call(args, "DELETE", f"/api/v1/repos/{owner}/{slug}/members/{args.member}",
                   None, f"revoke on {owner}/{slug}")
    emit(answer, args.json_out, f"{args.member} has no access to {owner}/{slug} now")
    return 0


def _info(argv: list[str], prog: str) -> int:
    p = _client_parser(prog, "Show OWNER/SLUG: visibility, your permission, last sequence\n"
                       "number; admins also see the members.")
    args = p.parse_args(argv)
    owner, slug = args.repo
    info = _call(args, "GET", f"/api/v1/repos/{owner}/{slug}", None, f"info on {owner}/{slug}")

    def text() -> str:
        visibility = "public" if info.get("public") else "private"
        lines = [(f"{owner}/{slug}: {visibility}, created by {info.get('created_by')}, "
                  f"{info.get('last_seq')} records stored"),
                 f"your permission: {info.get('permission')}"]
        for m in info.get("members") or []:
            lines.append(f"  {m['handle']:<24} {m['permission']}")
        return "\n".join(lines)

    emit(info, args.json_out, text)
    return 0


_VERBS = {"serve": _serve, "create-repo": _create_repo, "grant": _grant, "revoke": _revoke,
          "info": _info, "dashboard-link": hub_dashboard.main, "prune": _prune}


def main(argv: list[str], prog: str) -> int:
    return dispatch(argv, prog, _VERBS, _HELP)
