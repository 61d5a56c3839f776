"""``muse hub dashboard-link``: a sign-in link to a repository's live dashboard.

    muse hub dashboard-link OWNER/SLUG [--ttl 8h] [--hub URL] [--handle H] [--key K]

Browsers cannot sign MSign requests, so this signs a short-lived capability
(handle, repository, hub host, expiry) with your Ed25519 key and prints a URL
that carries it in its fragment. Opening it signs the browser in with an
HttpOnly cookie; the hub checks your registered key and your pull access on
every request, so revoking either ends the session.
"""

from __future__ import annotations

from muse.cli.args import add_json, duration, make_parser, repo_arg
from muse.cli.output import emit
from muse.core.errors import UsageError

__all__ = ["DEFAULT_TTL", "main"]

DEFAULT_TTL = 8 * 3600.0


def main(argv: list[str], prog: str) -> int:
    from muse.cli.commands.auth import add_client_args

    p = make_parser(
        prog,
        "Print a link that opens OWNER/SLUG's live dashboard in a browser.\n"
        "The link holds a capability signed with your key (handle, repository, hub,\n"
        "expiry); treat it like a password until it expires. Anyone may open a\n"
        "public repository's dashboard without one.",
        epilog="examples:\n"
               "  muse hub dashboard-link alice/linux              # valid 8 hours\n"
               "  muse hub dashboard-link alice/linux --ttl 30m --json")
    p.add_argument("repo", type=repo_arg, metavar="OWNER/SLUG", help="hub repository")
    p.add_argument("--ttl", type=duration, default=DEFAULT_TTL,
                   help="how long the sign-in lasts (default 8h, at most 24h)")
    p.add_argument("--no-check", dest="check", action="store_false",
                   help="do not ask the hub first whether you may read the repository")
    add_client_args(p)
    add_json(p)
    args = p.parse_args(argv)
    owner, slug = args.repo

    import time

    from muse.cli.commands.auth import resolve_client
    from muse.core import clock, signing
    from muse.core.errors import UserError
    from muse.hub.dashboard import MAX_CAPABILITY_TTL, link_host, mint_capability

    if args.ttl > MAX_CAPABILITY_TTL:
        raise UsageError(f"--ttl may be at most {MAX_CAPABILITY_TTL // 3600}h")
    url, ident = resolve_client(args)
    assert url is not None and ident is not None
    base = url.rstrip("/")
    if args.check:
        # Fail here, in the terminal, rather than on a 403 page in the browser.
        from muse.core.coord_bus import hub_request

        hub_request("GET", f"{base}/api/v1/repos/{owner}/{slug}", signing=ident,
                    what=f"access check on {owner}/{slug}")
    try:
        key = signing.load_private_key(ident.key_path)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot use signing key {ident.key_path}: {exc}") from None
    now = time.time()
    token = mint_capability(key, ident.handle, owner, slug, link_host(base), now, args.ttl)
    page = f"{base}/repos/{owner}/{slug}"
    link = f"{page}/session#{token}"
    expires = clock.format_ts(now + args.ttl)
    emit({"url": link, "dashboard": page, "handle": ident.handle, "repo": f"{owner}/{slug}",
          "expires_at": expires}, args.json_out,
         f"{link}\n\nopen it in a browser to sign in to {owner}/{slug} as {ident.handle} "
         f"(until {expires}); afterwards the dashboard is at {page}")
    return 0
