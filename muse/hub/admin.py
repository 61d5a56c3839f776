"""Identity, repository and membership endpoints, and the health check.

``GET  /healthz``                                   liveness + database round trip
``POST /api/v1/identities``                         register ``{handle, public_key, invite?}``;
                                                    signed by that very key; ``--registration``
                                                    open (default), invite or closed
``GET  /api/v1/identities/me``                      who the signature says you are
``POST /api/v1/repos``                              create ``{owner, slug, public?}``;
                                                    owner must be the signer
``GET  /api/v1/repos/{owner}/{slug}``               repository info (pull access)
``PUT  /api/v1/repos/{owner}/{slug}/members/{handle}``  grant ``{permission}`` (admin)
``DELETE /api/v1/repos/{owner}/{slug}/members/{handle}`` revoke (admin)
"""

from __future__ import annotations

from typing import Any

from muse.core.client.signing import check_public_key
from muse.core.vocab.errors import ConflictError, NotFound
from muse.hub.auth import Principal
from muse.hub.context import (
    Call,
    Hub,
    Reply,
    decode_body,
    decode_typed,
    endpoint,
    require_object,
    require_repo_access,
)
from muse.hub.errors import BadRequest, Forbidden
from muse.storage.base import PERMISSIONS

__all__ = [
    "check_name",
    "create_repo",
    "grant",
    "health",
    "invite_hash",
    "register_identity",
    "repo_info",
    "revoke",
    "routes",
    "whoami",
]


def check_name(value: Any, what: str) -> str:
    """A handle, owner or slug: the client's rule (``muse.core.coord_bus.check_repo_name``)."""
    from muse.core.coord_bus import check_repo_name
    from muse.core.vocab.errors import UsageError

    try:
        return check_repo_name(value, what)
    except UsageError as exc:
        raise BadRequest(exc.message) from None


def health(hub: Hub, call: Call) -> Reply:
    """Liveness and a database round trip (503 if the database is down)."""
    from muse import __version__

    try:
        hub.store.ping()
    except Exception as exc:
        return Reply({"ok": False, "db": hub.store.backend, "message": str(exc)[:200]}, 503)
    return Reply({"ok": True, "db": hub.store.backend, "version": __version__,
                  "insecure_dev": hub.settings.insecure_dev})


def register_identity(hub: Hub, call: Call) -> Reply:
    """Register a handle with its public key; the request must be signed by that key."""
    from muse.hub.schemas import Registration

    data: Registration = decode_typed(call, Registration)
    handle = check_name(data.handle, "handle")
    key = data.public_key
    if not check_public_key(key):
        raise BadRequest("public_key must be a raw Ed25519 key in base64url (43 characters)")
    principal = call.authenticate(hub, public_key=key)
    if principal.handle != handle:
        raise Forbidden(f"request signed as {principal.handle!r}, registering {handle!r}")
    existing = hub.store.get_identity(handle)
    if existing is None:
        _admit(hub, handle, data.invite)
        if hub.store.create_identity(handle, key, hub.now()):
            return Reply({"handle": handle, "public_key": key, "created": True}, 201)
        existing = hub.store.get_identity(handle)
    if existing is not None and existing.public_key == key:
        return Reply({"handle": handle, "public_key": key, "created": False})
    raise ConflictError(f"handle {handle!r} is already registered with another key")


def invite_hash(code: str) -> str:
    """How an invite code is stored: its SHA-256, so the database never holds a usable code."""
    import hashlib

    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


def _admit(hub: Hub, handle: str, invite: str | None) -> None:
    """May *handle* register itself? (``--registration``: open, invite, closed)

    Raises:
        Forbidden: registration is closed, or the invite code is missing, unknown,
            spent or expired.
    """
    mode = hub.settings.registration
    if mode == "open":
        return
    if mode == "closed":
        raise Forbidden("registration is closed on this hub: its operator adds identities "
                        "(`muse hub add-identity`)")
    if not invite:
        raise Forbidden("this hub registers by invitation: pass the code you were given "
                        "(`muse auth register --invite CODE`)")
    if not hub.store.use_invite(invite_hash(invite), handle, hub.now()):
        raise Forbidden("invite code unknown, already used or expired")


def whoami(hub: Hub, call: Call) -> Reply:
    """The identity the request is signed with."""
    principal = call.authenticate(hub)
    identity = hub.store.get_identity(principal.handle)
    if identity is None:
        return Reply({"handle": principal.handle, "registered": False,
                      "superuser": principal.superuser})
    return Reply({"handle": identity.handle, "public_key": identity.public_key,
                  "registered": True, "registered_at": identity.created_at,
                  "superuser": principal.superuser})


def create_repo(hub: Hub, call: Call) -> Reply:
    """Create ``owner/slug``; the signer must be the owner and becomes its admin."""
    principal = call.authenticate(hub)
    data = require_object(decode_body(call), "owner", "slug")
    owner, slug = check_name(data["owner"], "owner"), check_name(data["slug"], "slug")
    public = data.get("public", False)
    if type(public) is not bool:
        raise BadRequest("'public' must be true or false")
    if owner != principal.handle and not principal.superuser:
        raise Forbidden(f"{principal.handle} may create repositories only under its own name")
    if not hub.store.create_repo(owner, slug, principal.handle, public, hub.now()):
        raise ConflictError(f"repository {owner}/{slug} already exists")
    return Reply({"owner": owner, "slug": slug, "public": public, "created": True}, 201)


def repo_info(hub: Hub, call: Call) -> Reply:
    """Repository facts; admins also see the member list."""
    principal = call.authenticate(hub)
    repo = require_repo_access(hub, principal, call.path_params["owner"],
                               call.path_params["slug"], "pull")
    info: dict[str, Any] = {"owner": repo.owner, "slug": repo.slug, "public": repo.public,
                            "created_by": repo.created_by, "created_at": repo.created_at,
                            "last_seq": repo.last_seq}
    held = "admin" if principal.superuser else hub.store.get_permission(repo.id, principal.handle)
    info["permission"] = held
    if held == "admin":
        info["members"] = [{"handle": h, "permission": p}
                           for h, p in hub.store.list_members(repo.id)]
    return Reply(info)


def _member_change(hub: Hub, call: Call, principal: Principal, permission: str | None) -> Reply:
    repo = require_repo_access(hub, principal, call.path_params["owner"],
                               call.path_params["slug"], "admin")
    handle = check_name(call.path_params["handle"], "handle")
    if handle == repo.created_by:
        raise Forbidden(f"the access of {repo.owner}/{repo.slug}'s creator cannot be changed")
    if permission is not None and hub.store.get_identity(handle) is None:
        raise NotFound(f"no identity {handle!r} on this hub (it must `muse auth register` first)")
    if permission is not None and hub.store.get_permission(repo.id, handle) is None:
        from muse.hub.bounds import check_members

        check_members(len(hub.store.list_members(repo.id)))
    from muse.hub.dashboard.sessions import end_sign_ins

    end_sign_ins(hub, repo.id, handle)  # first: a change of access ends earlier dashboard sign-ins
    hub.store.set_permission(repo.id, handle, permission)
    return Reply({"repo": f"{repo.owner}/{repo.slug}", "handle": handle,
                  "permission": permission})


def grant(hub: Hub, call: Call) -> Reply:
    """Give a handle ``pull``, ``push`` or ``admin`` on the repository."""
    from muse.hub.schemas import Grant

    principal = call.authenticate(hub)  # before decoding anything
    if not call.body:
        raise BadRequest(f"missing body {{'permission': {' | '.join(PERMISSIONS)}}}")
    permission = decode_typed(call, Grant).permission
    if permission not in PERMISSIONS:
        raise BadRequest(f"permission must be one of {', '.join(PERMISSIONS)}")
    return _member_change(hub, call, principal, permission)


def revoke(hub: Hub, call: Call) -> Reply:
    """Remove a handle's access."""
    return _member_change(hub, call, call.authenticate(hub), None)


def routes() -> list[Any]:
    """This module's routes (starlette imported here, not at module import)."""
    from starlette.routing import Route

    from muse.hub.schemas import SMALL_BODY

    member = "/api/v1/repos/{owner}/{slug}/members/{handle}"
    return [
        Route("/healthz", endpoint(health), methods=["GET"], name="health"),
        Route("/api/v1/identities", endpoint(register_identity, SMALL_BODY), methods=["POST"],
              name="register_identity"),
        Route("/api/v1/identities/me", endpoint(whoami), methods=["GET"], name="whoami"),
        Route("/api/v1/repos", endpoint(create_repo), methods=["POST"], name="create_repo"),
        Route("/api/v1/repos/{owner}/{slug}", endpoint(repo_info), methods=["GET"],
              name="repo_info"),
        Route(member, endpoint(grant, SMALL_BODY), methods=["PUT"], name="grant"),
        Route(member, endpoint(revoke), methods=["DELETE"], name="revoke"),
    ]


