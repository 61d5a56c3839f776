"""``muse hub dashboard-link``: a sign-in link to a repository's live dashboard.

    muse hub dashboard-link OWNER/SLUG [--ttl 8h] [--hub URL] [--handle H] [--key K]
    muse hub dashboard-link OWNER/SLUG --revoke [HANDLE]

Browsers cannot sign MSign requests, so this signs a short-lived capability
(handle, repository, hub host, expiry) with your Ed25519 key and prints a URL
that carries it in its fragment. Opening it signs the browser in with an
HttpOnly cookie; the hub checks your registered key, your pull access and
that the sign-in has not ended on every request. Signing out, any change of
your permission, and ``--revoke`` end sign-ins for good.
"""

from __future__ import annotations

from muse.cli.args import add_json, duration, make_parser, repo_arg
from muse.cli.output import emit
from muse.core.vocab.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from argparse import Namespace

    from muse.core.client.hub_client import HubClient

__all__ = ["DEFAULT_TTL", "main"]

DEFAULT_TTL = 8 * 3600.0


def main(argv: list[str], prog: str) -> int:
    from muse.cli.commands.auth import add_client_args

    p = make_parser(
        prog,
        "Print a link that opens OWNER/SLUG's live dashboard in a browser.\n"
        "The link holds a capability signed with your key (handle, repository, hub,\n"
        "expiry); treat it like a password until it expires. Anyone may open a\n"
        "public repository's dashboard without one. With --revoke, end every\n"
        "dashboard sign-in (browsers and unused links) instead.",
        epilog="examples:\n"
               "  muse hub dashboard-link alice/linux              # valid 8 hours\n"
               "  muse hub dashboard-link alice/linux --ttl 30m --json\n"
               "  muse hub dashboard-link alice/linux --revoke     # a link leaked: end them all\n"
               "  muse hub dashboard-link alice/linux --revoke bob # as an admin, end bob's")
    p.add_argument("repo", type=repo_arg, metavar="OWNER/SLUG", help="hub repository")
    p.add_argument("--ttl", type=duration, default=DEFAULT_TTL,
                   help="how long the sign-in lasts (default 8h, at most 24h)")
    p.add_argument("--no-check", dest="check", action="store_false",
                   help="do not ask the hub first whether you may read the repository")
    p.add_argument("--revoke", nargs="?", const="", default=None, metavar="HANDLE",
                   help="end every dashboard sign-in you (or, as an admin, HANDLE) made on "
                        "OWNER/SLUG, and make no link")
    add_client_args(p)
    add_json(p)
    args = p.parse_args(argv)
    owner, slug = args.repo

    import time
    from urllib.parse import urlsplit

    from muse.cli.commands.auth import resolve_client
    from muse.core.client import signing
    from muse.core.client.hub_client import HubClient
    from muse.core.vocab import clock
    from muse.core.vocab.errors import UserError
    from muse.hub.dashboard import MAX_CAPABILITY_TTL, link_host, mint_capability

    if args.ttl > MAX_CAPABILITY_TTL:
        raise UsageError(f"--ttl may be at most {MAX_CAPABILITY_TTL // 3600}h")
    url, ident = resolve_client(args)
    assert url is not None and ident is not None
    base = url.rstrip("/")
    client = HubClient(base, owner, slug, ident)
    if args.revoke is not None:
        return _revoke(args, client)
    if args.check:
        # Fail here, in the terminal, rather than on a 403 page in the browser.
        client.request("GET", f"/api/v1/repos/{owner}/{slug}",
                       what=f"access check on {owner}/{slug}", user_errors=False)
    try:
        key = signing.load_private_key(ident.key_path)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot use signing key {ident.key_path}: {exc}") from None
    # Issued on the hub's clock when the check taught us its offset: a link
    # must not look older than a permission change it follows.
    now = signing.hub_now(urlsplit(base).netloc) if args.check else time.time()
    token = mint_capability(key, ident.handle, owner, slug, link_host(base), now, args.ttl)
    page = f"{base}/repos/{owner}/{slug}"
    link = f"{page}/session#{token}"
    expires = clock.format_ts(now + args.ttl)
    emit({"url": link, "dashboard": page, "handle": ident.handle, "repo": f"{owner}/{slug}",
          "expires_at": expires}, args.json_out,
         f"{link}\n\nopen it in a browser to sign in to {owner}/{slug} as {ident.handle} "
         f"(until {expires}); afterwards the dashboard is at {page}")
    return 0


def _revoke(args: Namespace, client: HubClient) -> int:
    from urllib.parse import quote

    owner, slug = client.owner, client.slug
    query = f"?handle={quote(args.revoke)}" if args.revoke else ""
    answer = client.request("DELETE", f"/api/v1/repos/{owner}/{slug}/dashboard/sessions{query}",
                            what=f"revoking dashboard sign-ins on {owner}/{slug}",
                            user_errors=False)
    handle = answer.get("revoked", args.revoke or (client.signing and client.signing.handle))
    emit({"repo": f"{owner}/{slug}", "revoked": handle, "generation": answer.get("generation")},
         args.json_out,
         f"ended every dashboard sign-in of {handle} on {owner}/{slug}: open browsers are "
         "signed out and links made until now no longer sign in")
    return 0
