"""Revocable sign-ins: the hub remembers every capability that signed a browser in.

A capability is a signed statement valid until it expires; on its own it
cannot be taken back. So the hub keeps, through its store, one
:class:`~muse.storage.base.DashboardSession` per capability used to sign in
and a *generation* per (repository, handle):

- signing in stores the capability's row with the current generation; a
  cookie is accepted only while its row exists, is not signed out, and
  carries the current generation;
- signing out marks the row revoked: the cookie, and the link it came from,
  are dead (the row stays until the capability expires, so it stays refused);
- any change of the handle's permission on the repository, and
  ``muse hub dashboard-link OWNER/SLUG --revoke``, start a new generation:
  every earlier sign-in ends, and a link issued no later than the change
  can no longer sign in.

Hubs sharing a database share these rows, so a sign-out on one is seen by all.
"""

from __future__ import annotations

import hashlib

from muse.core.vocab import clock
from muse.hub.context import Hub
from muse.hub.dashboard.capability import Capability
from muse.hub.errors import HubRefusal, Unauthorized
from muse.storage.base import DashboardSession, Repo

__all__ = [
    "MAX_SIGN_INS",
    "TooManySignIns",
    "capability_id",
    "check_session",
    "end_session",
    "end_sign_ins",
    "start_session",
]

# Unexpired sign-ins one handle may hold on one repository (a link lives at
# most 24 hours): bounds what a member can make the hub remember.
MAX_SIGN_INS = 64


class TooManySignIns(HubRefusal):
    http_status = 429
    code = "too_many_sign_ins"


def capability_id(token: str) -> str:
    """The name a capability's session row is kept under (the token itself is not stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_link(cap: Capability) -> str:
    return f"make a new link with `muse hub dashboard-link {cap.owner}/{cap.slug}`"


def _refuse_stale(session: DashboardSession, generation: int, cap: Capability) -> None:
    if session.revoked:
        raise Unauthorized(f"this sign-in to {cap.owner}/{cap.slug} was signed out: "
                           + _new_link(cap))
    if session.generation != generation:
        raise Unauthorized(f"{cap.handle}'s access to {cap.owner}/{cap.slug} changed since "
                           "this sign-in (or its sign-ins were revoked): " + _new_link(cap))


def start_session(hub: Hub, token: str, cap: Capability, repo: Repo) -> None:
    """Sign a browser in with *cap* (verified, with pull access), remembering it.

    Raises:
        Unauthorized: the capability was signed out, or made before the
            handle's access last changed.
        TooManySignIns: the handle holds :data:`MAX_SIGN_INS` sign-ins here.
    """
    generation, changed_at = hub.store.dashboard_generation(repo.id, cap.handle)
    cid = capability_id(token)
    known = hub.store.get_dashboard_session(cid)
    if known is not None:
        _refuse_stale(known, generation, cap)
        return
    if cap.iat <= changed_at:
        raise Unauthorized(f"this link was made before {cap.handle}'s access to "
                           f"{cap.owner}/{cap.slug} changed at {clock.format_ts(changed_at)}: "
                           + _new_link(cap))
    now = hub.now()
    session = DashboardSession(cid, repo.id, cap.handle, generation, now, float(cap.exp))
    if not hub.store.add_dashboard_session(session, now, MAX_SIGN_INS):
        raise TooManySignIns(
            f"{cap.handle} holds {MAX_SIGN_INS} dashboard sign-ins on {cap.owner}/{cap.slug}; "
            f"end them with `muse hub dashboard-link {cap.owner}/{cap.slug} --revoke` or wait "
            "for them to expire")


def check_session(hub: Hub, token: str, cap: Capability, repo: Repo) -> None:
    """Refuse a cookie whose sign-in ended (signed out, access changed, revoked).

    Raises:
        Unauthorized: no live sign-in for this capability.
    """
    known = hub.store.get_dashboard_session(capability_id(token))
    if known is None or known.repo_id != repo.id:
        raise Unauthorized(f"this browser is not signed in to {cap.owner}/{cap.slug}: "
                           + _new_link(cap))
    generation, _ = hub.store.dashboard_generation(repo.id, cap.handle)
    _refuse_stale(known, generation, cap)


def end_session(hub: Hub, token: str, cap: Capability, repo: Repo) -> None:
    """Sign out: the capability may neither be used as a cookie nor sign in again."""
    cid = capability_id(token)
    if not hub.store.revoke_dashboard_session(cid):
        now = hub.now()
        generation, _ = hub.store.dashboard_generation(repo.id, cap.handle)
        hub.store.add_dashboard_session(
            DashboardSession(cid, repo.id, cap.handle, generation, now, float(cap.exp),
                             revoked=True), now, MAX_SIGN_INS)


def end_sign_ins(hub: Hub, repo_id: int, handle: str) -> int:
    """End every dashboard sign-in of *handle* on the repository; the new generation."""
    return hub.store.end_dashboard_sessions(repo_id, handle, hub.now())
