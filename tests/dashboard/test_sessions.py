"""Revocable sign-ins on a real hub (SQLite and PostgreSQL): sign-out, permission
changes and an explicit revoke end a capability for good.

The attacker here holds a copy of a cookie or of a link made earlier (a
shared screen, a synced browser profile, a log): after sign-out, after the
owner revokes and re-grants access, or after ``dashboard-link --revoke``,
neither may open the dashboard again.
"""

from __future__ import annotations

import pathlib
import time
from collections.abc import Iterator

import pytest

from tests.dashboard.conftest import capability_for
from tests.dashboard.wire import Answer, open_stream, request, sign_in
from tests.hub.conftest import Agent, HubProcess, create_repo, grant, make_agent, run_muse, running_hub


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hub(request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with running_hub(tmp_path_factory.mktemp(f"dash-sessions-{request.param}"),
                     str(request.param)) as h:
        yield h


def _summary(hub: HubProcess, owner: str, slug: str, cookie: str) -> Answer:
    return request(hub.url, "GET", f"/api/v1/repos/{owner}/{slug}/dashboard",
                   headers={"Cookie": cookie})


def _signed_in(hub: HubProcess, agent: Agent, owner: str, slug: str,
               issued: float | None = None, ttl: float = 3600) -> str:
    answer, cookie = sign_in(hub.url, owner, slug,
                             capability_for(hub, agent, owner, slug, issued=issued, ttl=ttl))
    assert answer.status == 200 and cookie, answer.body
    assert _summary(hub, owner, slug, cookie).status == 200
    return cookie


def _next_second() -> float:
    """Wait for the wall clock's next second: a link issued now (its issue time
    is whole seconds) is later than any access change made before the call."""
    now = time.time()
    time.sleep(int(now) + 1.01 - now)
    return time.time()


def test_sign_out_ends_the_cookie_and_the_link(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    link = capability_for(hub, alice, alice.handle, slug)
    answer, cookie = sign_in(hub.url, alice.handle, slug, link)
    assert answer.status == 200 and cookie
    out = request(hub.url, "DELETE", f"/repos/{alice.handle}/{slug}/session",
                  headers={"Cookie": cookie})
    assert out.status == 200
    # A copy of the cookie, and the link itself, are dead; so is a stream
    # reconnecting with it (open streams end every 25 s and reconnect).
    assert _summary(hub, alice.handle, slug, cookie).status == 401
    stream = open_stream(hub.url, alice.handle, slug, headers={"Cookie": cookie})
    stream.close()
    assert stream.status == 401
    again, _ = sign_in(hub.url, alice.handle, slug, link)
    assert again.status == 401 and "signed out" in again.json["message"]
    # A new link works.
    _signed_in(hub, alice, alice.handle, slug, issued=time.time() + 1)


def test_access_changes_end_older_sign_ins(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    bob = make_agent(hub, tmp_path, "bob")
    slug = create_repo(hub, alice)
    grant(hub, alice, alice.handle, slug, bob.handle, "pull")
    issued = _next_second()
    cookie = _signed_in(hub, bob, alice.handle, slug, issued=issued)
    unused = capability_for(hub, bob, alice.handle, slug, issued=issued, ttl=3000)

    grant(hub, alice, alice.handle, slug, bob.handle, None)
    assert _summary(hub, alice.handle, slug, cookie).status == 403
    grant(hub, alice, alice.handle, slug, bob.handle, "pull")
    # Re-granted: what bob (or whoever copied it) held before does not come back.
    assert _summary(hub, alice.handle, slug, cookie).status == 401
    refused, _ = sign_in(hub.url, alice.handle, slug, unused)
    assert refused.status == 401 and "made before" in refused.json["message"]
    fresh = _signed_in(hub, bob, alice.handle, slug, issued=_next_second())

    # Any change of permission counts, an upgrade too.
    grant(hub, alice, alice.handle, slug, bob.handle, "push")
    assert _summary(hub, alice.handle, slug, fresh).status == 401


def test_revoke_ends_every_sign_in_of_a_handle(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    bob = make_agent(hub, tmp_path, "bob")
    slug = create_repo(hub, alice)
    grant(hub, alice, alice.handle, slug, bob.handle, "pull")
    issued = _next_second()
    laptop = _signed_in(hub, bob, alice.handle, slug, issued=issued)
    phone = _signed_in(hub, bob, alice.handle, slug, issued=issued, ttl=3000)
    mine = _signed_in(hub, alice, alice.handle, slug)

    # bob ends his own sign-ins with the CLI (a child process, his key).
    home = tmp_path / "bob-home"
    done = run_muse(tmp_path, "hub", "dashboard-link", f"{alice.handle}/{slug}", "--revoke",
                    "--hub", hub.url, "--handle", bob.handle, "--key", str(bob.key_path),
                    "--json", home=home)
    assert done.code == 0, done.err
    assert done.json["revoked"] == bob.handle
    assert _summary(hub, alice.handle, slug, laptop).status == 401
    assert _summary(hub, alice.handle, slug, phone).status == 401
    assert _summary(hub, alice.handle, slug, mine).status == 200  # alice is untouched

    # An admin may end another member's sign-ins; a member may not end the admin's.
    assert _revoke(hub, bob, alice.handle, slug, alice.handle) == 403
    assert _summary(hub, alice.handle, slug, mine).status == 200
    again = _signed_in(hub, bob, alice.handle, slug, issued=_next_second())
    assert _revoke(hub, alice, alice.handle, slug, bob.handle) == 200
    assert _summary(hub, alice.handle, slug, again).status == 401


def _revoke(hub: HubProcess, agent: Agent, owner: str, slug: str, handle: str) -> int:
    """End *handle*'s sign-ins as *agent*: the HTTP status (200, or the refusal's)."""
    from muse.core.coord_bus import hub_request
    from muse.core.vocab.errors import HubAuthError

    try:
        hub_request("DELETE", f"{hub.url}/api/v1/repos/{owner}/{slug}/dashboard/sessions"
                    f"?handle={handle}", signing=agent.identity)
    except HubAuthError as exc:
        return int(exc.details["status"])
    return 200


def test_an_impossible_handle_is_refused_before_the_store(hub: HubProcess,
                                                          tmp_path: pathlib.Path) -> None:
    """A NUL byte in a capability's handle: 401 (PostgreSQL answered 500 before)."""
    from muse.core.client import signing
    from muse.hub.dashboard import link_host, mint_capability

    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    token = mint_capability(signing.load_private_key(alice.key_path), alice.handle + "\x00",
                            alice.handle, slug, link_host(hub.url), time.time(), 600)
    answer, cookie = sign_in(hub.url, alice.handle, slug, token)
    assert answer.status == 401 and cookie is None, answer.body
