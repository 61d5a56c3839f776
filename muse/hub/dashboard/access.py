"""Who may look: a viewer's identity and pull access, checked on every request.

Order: insecure dev hub (open), session cookie, MSign signature, public
repository. Every request re-verifies the cookie's capability against the
handle's *registered* key, checks that its sign-in has not ended
(:mod:`~muse.hub.dashboard.sessions`) and re-checks the repository's pull
permission, so signing out, revoking access or replacing the key ends a
session at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from muse.core.vocab.errors import NotFound
from muse.hub.auth import Principal
from muse.hub.context import Call, Hub, require_repo_access
from muse.hub.dashboard.capability import cookie_name, verify_capability
from muse.hub.dashboard.sessions import check_session
from muse.hub.errors import HubRefusal, Unauthorized
from muse.storage.base import Repo

__all__ = ["Viewer", "authorize", "check_names", "cookies", "reauthorize"]


@dataclass(frozen=True, slots=True)
class Viewer:
    """Someone allowed to read a repository's dashboard."""

    repo: Repo
    handle: str | None  # None: anonymous (public repository or insecure dev hub)
    expires: float | None = None  # when the session ends (cookie sessions)
    how: str = "public"  # "cookie" | "signature" | "public" | "insecure-dev"


def check_names(owner: str, slug: str) -> None:
    """Refuse impossible repository names as "not found" (nothing to leak).

    Raises:
        NotFound: *owner* or *slug* is not a valid name.
    """
    from muse.core.coord_bus import check_repo_name
    from muse.core.vocab.errors import UsageError

    try:
        check_repo_name(owner, "owner")
        check_repo_name(slug, "slug")
    except UsageError:
        raise NotFound(f"no repository {owner[:100]}/{slug[:100]} on this hub") from None


def authorize(hub: Hub, call: Call, owner: str, slug: str) -> Viewer:
    """Who is reading *owner/slug*, if they may.

    A stale or forged cookie does not hide a public repository.

    Raises:
        NotFound: no such repository (only said to those who could read it,
            or on an open hub: others get Unauthorized, so names do not leak).
        Unauthorized: no valid sign-in for a private repository.
        Forbidden: signed in, but without pull access.
    """
    check_names(owner, slug)
    if hub.settings.insecure_dev:
        repo = hub.store.get_repo(owner, slug)
        if repo is None:
            raise NotFound(f"no repository {owner}/{slug} on this hub")
        return Viewer(repo, None, how="insecure-dev")
    refused: HubRefusal | None = None
    token = cookies(call).get(cookie_name(owner, slug))
    if token:
        try:
            cap = verify_capability(hub, token, call.host, owner, slug)
        except Unauthorized as exc:
            refused = exc
        else:
            repo = require_repo_access(hub, Principal(cap.handle), owner, slug, "pull")
            try:
                check_session(hub, token, cap, repo)
            except Unauthorized as exc:
                refused = exc
            else:
                return Viewer(repo, cap.handle, float(cap.exp), "cookie")
    if "authorization" in call.headers:
        principal = call.authenticate(hub)
        repo = require_repo_access(hub, principal, owner, slug, "pull")
        return Viewer(repo, principal.handle, how="signature")
    repo = hub.store.get_repo(owner, slug)
    if repo is not None and repo.public:
        return Viewer(repo, None, how="public")
    raise refused or Unauthorized(
        f"sign in to see {owner}/{slug}: run `muse hub dashboard-link {owner}/{slug}` "
        "and open the link it prints")


def reauthorize(hub: Hub, call: Call, owner: str, slug: str) -> Viewer:
    """:func:`authorize` again for an open stream.

    A signed request's signature may not be replayed: a stream opened with
    MSign keeps that identity and re-checks only its permission.
    """
    if "authorization" in call.headers and cookie_name(owner, slug) not in cookies(call):
        from muse.core.client.signing import parse_authorization

        parsed = parse_authorization(call.headers.get("authorization"))
        if parsed is None:
            raise Unauthorized("missing signature")
        repo = require_repo_access(hub, Principal(parsed.handle), owner, slug, "pull")
        return Viewer(repo, parsed.handle, how="signature")
    return authorize(hub, call, owner, slug)


def cookies(call: Call) -> dict[str, str]:
    """The request's cookies (none when the header is malformed or huge)."""
    from http.cookies import CookieError, SimpleCookie

    raw = call.headers.get("cookie", "")
    if not raw or len(raw) > 16384:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}
