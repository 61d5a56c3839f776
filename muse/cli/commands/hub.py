"""``muse hub``: run a hub server; create repositories and manage access.

    muse hub serve [--db PATH|postgresql://…] [--host H] [--port P] [--insecure-dev]
    muse hub create-repo OWNER/SLUG [--public]
    muse hub grant OWNER/SLUG HANDLE --permission pull|push|admin
    muse hub revoke OWNER/SLUG HANDLE
    muse hub info OWNER/SLUG
    muse hub add-identity HANDLE PUBLIC_KEY [--db …]      (operator: on the database)
    muse hub invite [--count N] [--expires-in HOURS] [--db …]
    muse hub prune [--grace S] [--dry-run] [--db …]        (operator: retention pass now)

Client verbs sign with your identity (see ``muse auth``) and take --hub,
--handle and --key, defaulting to ``[hub]`` in .muse/config.toml.
"""

from __future__ import annotations

import argparse
from typing import Any

from muse.cli.args import add_json, dispatch, make_parser, repo_arg
from muse.cli.commands import hub_dashboard
from muse.cli.output import emit
from muse.core.vocab.errors import UsageError

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

operator verbs (on the hub's database, for --registration closed|invite):
  add-identity register HANDLE with a public key (from `muse auth keygen`'s .pub)
  invite       print single-use invite codes for `muse auth register --invite`

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
    limits = p.add_argument_group("limits (docs/operations.md)")
    limits.add_argument("--max-connections", type=int, default=None,
                        help="sockets held at once (default 1000, lowered to fit the descriptor "
                             "limit); at the cap a new one replaces the longest idle")
    limits.add_argument("--max-connections-per-client", type=int, default=None,
                        help="the same cap per client address (default 0: off; behind a proxy "
                             "every client is the proxy)")
    limits.add_argument("--header-timeout", type=float, default=None,
                        help="seconds a new connection may take to send a request head (default 10)")
    limits.add_argument("--keep-alive", type=float, default=None,
                        help="seconds an idle kept-alive connection stays open (default 30)")
    limits.add_argument("--body-timeout", type=float, default=None,
                        help="seconds a request body may take to arrive, then 408 (default 60)")
    access = p.add_argument_group("access")
    access.add_argument("--registration", choices=("open", "invite", "closed"), default=None,
                        help="open: anyone registers (default); invite: with a code from "
                             "`muse hub invite`; closed: only `muse hub add-identity`")
    access.add_argument("--metrics", choices=("local", "open", "off"), default=None,
                        help="who may GET /metrics: loopback clients (default), anyone, no one")
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
            realm=args.realm, max_connections=args.max_connections,
            max_connections_per_client=args.max_connections_per_client,
            header_timeout=args.header_timeout, keep_alive=args.keep_alive,
            body_timeout=args.body_timeout, registration=args.registration, metrics=args.metrics,
            retention_grace=args.retention_grace, prune_every=args.prune_every,
            limits=tuple(args.limits) if args.limits else None)
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


def _db_parser(prog: str, description: str) -> argparse.ArgumentParser:
    from muse.hub.config import DEFAULT_DB

    p = make_parser(prog, description)
    p.add_argument("--db", default=None,
                   help=f"the hub's SQLite file or postgresql:// DSN (default: $MUSE_HUB_DB, "
                        f"else {DEFAULT_DB})")
    p.add_argument("--pg-schema", default=None, help="PostgreSQL schema of the hub tables")
    add_json(p)
    return p


def _open_db(args: argparse.Namespace, *, must_exist: bool = False) -> Any:
    """The hub database *args* name (``--db``, ``--pg-schema``); with *must_exist*
    a missing SQLite file is an error rather than a new, empty hub."""
    import os

    from muse.core.vocab.errors import UserError
    from muse.hub.config import HubSettings
    from muse.storage import describe_url, open_store

    try:
        settings = HubSettings.from_env(db=args.db, pg_schema=args.pg_schema)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    options: dict[str, Any] = {}
    if settings.db.startswith(("postgresql://", "postgres://")):
        options = {"schema": settings.pg_schema, "max_size": 2}
    elif must_exist:
        path = settings.db.removeprefix("sqlite://")
        path = path[1:] if path.startswith("//") else path
        if not os.path.isfile(path):
            raise UserError(f"no hub database at {path}: give --db (or set MUSE_HUB_DB)")
    try:
        return open_store(settings.db, **options)
    except Exception as exc:
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise UserError(f"cannot open hub database {describe_url(settings.db)}: {reason}") from exc


def _add_identity(argv: list[str], prog: str) -> int:
    p = _db_parser(prog, "Register HANDLE with PUBLIC_KEY on the hub's database (no request,\n"
                   "no signature: for hubs serving with --registration closed or invite).\n"
                   "PUBLIC_KEY is the key itself or the .pub file `muse auth keygen` wrote.")
    p.add_argument("handle", metavar="HANDLE", type=_name)
    p.add_argument("public_key", metavar="PUBLIC_KEY", help="base64url key, or a .pub file")
    args = p.parse_args(argv)
    import pathlib
    import time

    from muse.hub.operator import add_identity

    key = args.public_key
    if pathlib.Path(key).is_file():
        words = pathlib.Path(key).read_text(errors="replace").split()
        key = words[-1] if words else ""
    store = _open_db(args)
    try:
        created = add_identity(store, args.handle, key, time.time())
    finally:
        store.close()
    emit({"handle": args.handle, "public_key": key, "created": created}, args.json_out,
         f"{'registered' if created else 'already registered'} {args.handle}")
    return 0


def _invite(argv: list[str], prog: str) -> int:
    p = _db_parser(prog, "Print single-use invite codes (hub serving with --registration invite).\n"
                   "Hand one to each new agent: `muse auth register --invite CODE`.\n"
                   "Only their hashes are stored; a code is spent by its first registration.")
    p.add_argument("--count", type=int, default=1, help="how many codes (default 1)")
    p.add_argument("--expires-in", type=float, default=168.0, metavar="HOURS",
                   help="validity in hours (default 168: a week)")
    args = p.parse_args(argv)
    import time

    from muse.hub.operator import new_invites

    store = _open_db(args)
    try:
        codes = new_invites(store, args.count, args.expires_in * 3600, time.time())
    finally:
        store.close()
    emit({"invites": codes, "expires_in_hours": args.expires_in}, args.json_out,
         "\n".join(codes))
    return 0


def _limit(text: str) -> tuple[str, int]:
    from muse.hub.bounds import limits

    name, _, value = text.partition("=")
    if name not in limits() or not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: use NAME=N with N ≥ 1 and NAME one of "
                                         f"{', '.join(limits())}")
    return name, int(value)


def _prune(argv: list[str], prog: str) -> int:
    p = _db_parser(prog, "Run one retention pass on a hub database now: forget leases that\n"
                   "ended, idle runs, spent answers and signatures, and pushed records that\n"
                   "only served dead reservations, under local GC's grace rules. Safe while\n"
                   "hubs serve the database (only one pruner runs at a time).")
    p.epilog = ("examples:\n"
                "  muse hub prune --dry-run --json              # count, delete nothing\n"
                "  muse hub prune --db postgresql://hub@db/muse --grace 3600")
    p.add_argument("--grace", type=float, default=None, metavar="SECONDS",
                   help="keep what died less than this long ago (default: 600, local GC's grace)")
    p.add_argument("--batch", type=int, default=None, metavar="ROWS",
                   help="rows per transaction (default 500)")
    p.add_argument("--dry-run", action="store_true", help="count what would go; delete nothing")
    args = p.parse_args(argv)
    import time

    from muse.hub.config import HubSettings
    from muse.hub.retention import DEFAULT_BATCH, prune, table_sizes

    if args.grace is None:  # the grace the hubs serve with ($MUSE_HUB_RETENTION_GRACE or local GC's)
        try:
            args.grace = HubSettings.from_env(db=args.db, pg_schema=args.pg_schema).retention_grace
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    grace = args.grace
    batch = DEFAULT_BATCH if args.batch is None else args.batch
    if grace < 0 or batch < 1:
        raise UsageError("--grace takes seconds ≥ 0 and --batch rows ≥ 1")
    store = _open_db(args, must_exist=True)
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
    from muse.core.client.hub_client import HubClient

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
          "info": _info, "dashboard-link": hub_dashboard.main, "add-identity": _add_identity,
          "invite": _invite, "prune": _prune}


def main(argv: list[str], prog: str) -> int:
    return dispatch(argv, prog, _VERBS, _HELP)
