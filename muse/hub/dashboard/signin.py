"""Signing a browser in and out: a capability for an ``HttpOnly`` cookie, and back.

The link ``muse hub dashboard-link`` prints carries the capability in its URL
fragment, which browsers never send (so it stays out of logs and
``Referer``); the sign-in page posts it here and gets it back as an
``HttpOnly; SameSite=Strict`` cookie. Each sign-in is remembered, so signing
out, a permission change and ``dashboard-link --revoke`` end it for good
(:mod:`~muse.hub.dashboard.sessions`).
"""

from __future__ import annotations

from typing import Any

from muse.core.vocab import clock
from muse.hub.auth import Principal
from muse.hub.context import Call, Hub, Reply, require_repo_access
from muse.hub.dashboard.access import check_names, cookies
from muse.hub.dashboard.capability import MAX_TOKEN, Capability, cookie_name, verify_capability
from muse.hub.dashboard.sessions import end_session, end_sign_ins, start_session
from muse.hub.dashboard.web import call_of, is_https, repo_names, same_origin
from muse.hub.errors import BadRequest, Forbidden, Unauthorized

__all__ = ["MAX_SIGN_IN_BODY", "revoke_sign_ins", "session_end", "session_start"]

# The body is {"capability": token}: a few bytes more than a token. Read no
# more than that (and never more than --max-body) before refusing.
MAX_SIGN_IN_BODY = MAX_TOKEN + 100


async def session_start(request: Any) -> Any:
    """Exchange a capability (JSON ``{"capability": token}``) for the session cookie."""
    import orjson
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    from muse.hub.context import _read_body

    hub: Hub = request.app.state.hub
    if not same_origin(call_of(request), request):
        raise Forbidden("sign-in must come from the hub's own page")
    # The hub's one bounded reader: refuses a large Content-Length unread, and
    # stops a chunked body as soon as it passes the cap.
    body = await _read_body(request, min(MAX_SIGN_IN_BODY, hub.settings.max_body))
    call = call_of(request, body)
    owner, slug = repo_names(call)
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("body must be JSON {\"capability\": token}") from None
    token = data.get("capability") if type(data) is dict else None
    if not isinstance(token, str):
        raise BadRequest("body must be JSON {\"capability\": token}")
    check_names(owner, slug)

    def check() -> Capability:
        cap = verify_capability(hub, token, call.host, owner, slug)
        repo = require_repo_access(hub, Principal(cap.handle), owner, slug, "pull")
        start_session(hub, token, cap, repo)
        return cap

    cap = await run_in_threadpool(check)
    answer = JSONResponse({"ok": True, "handle": cap.handle,
                           "expires_at": clock.format_ts(cap.exp)},
                          headers={"Cache-Control": "no-store"})
    answer.set_cookie(cookie_name(owner, slug), token, max_age=max(1, int(cap.exp - hub.now())),
                      path="/", httponly=True, samesite="strict",
                      secure=is_https(request))
    return answer


async def session_end(request: Any) -> Any:
    """Sign out: the hub ends the cookie's sign-in and the browser forgets the cookie."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    hub: Hub = request.app.state.hub
    call = call_of(request)
    owner, slug = repo_names(call)
    if not same_origin(call, request):
        raise Forbidden("sign-out must come from the hub's own page")
    token = cookies(call).get(cookie_name(owner, slug))
    if token:
        await run_in_threadpool(_sign_out, hub, call, token, owner, slug)
    answer = JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
    answer.delete_cookie(cookie_name(owner, slug), path="/", httponly=True, samesite="strict",
                         secure=is_https(request))
    return answer


def _sign_out(hub: Hub, call: Call, token: str, owner: str, slug: str) -> None:
    # Only a capability that verifies is remembered as signed out: a forged
    # cookie must not make the hub store anything.
    check_names(owner, slug)
    try:
        cap = verify_capability(hub, token, call.host, owner, slug)
    except Unauthorized:
        return
    repo = hub.store.get_repo(owner, slug)
    if repo is not None:
        end_session(hub, token, cap, repo)


def revoke_sign_ins(hub: Hub, call: Call) -> Reply:
    """``DELETE …/dashboard/sessions[?handle=H]`` (MSign): end every dashboard sign-in
    of the signer (any reader) or of *H* (admins), on every browser and hub."""
    principal = call.authenticate(hub)
    owner, slug = repo_names(call)
    check_names(owner, slug)
    handle = call.query.get("handle") or principal.handle
    if handle == principal.handle:
        repo = require_repo_access(hub, principal, owner, slug, "pull")
    else:
        from muse.hub.admin import check_name

        check_name(handle, "handle")
        repo = require_repo_access(hub, principal, owner, slug, "admin")
    generation = end_sign_ins(hub, repo.id, handle)
    return Reply({"repo": f"{owner}/{slug}", "revoked": handle, "generation": generation})
