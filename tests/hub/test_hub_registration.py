"""Registration that can be closed: ``--registration closed|invite`` and the operator's
``muse hub add-identity`` / ``muse hub invite``, against a real hub."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import orjson
import pytest

from muse.core.client import signing
from muse.core.coord_bus import hub_request
from muse.core.vocab.errors import HubAuthError
from tests.hub.conftest import Agent, HubProcess, make_agent, run_cli, running_hub


def _register(hub: HubProcess, agent: Agent, invite: str | None = None) -> object:
    body = {"handle": agent.handle, "public_key": agent.identity.public_key}
    if invite is not None:
        body["invite"] = invite
    return hub_request("POST", hub.url + "/api/v1/identities", orjson.dumps(body),
                       signing=agent.identity, content_type="application/json")


def _whoami(hub: HubProcess, agent: Agent) -> object:
    return hub_request("GET", hub.url + "/api/v1/identities/me", signing=agent.identity)


@pytest.fixture(scope="module")
def closed_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with running_hub(tmp_path_factory.mktemp("closed"), "sqlite", "--registration", "closed") as h:
        yield h


@pytest.fixture(scope="module")
def invite_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with running_hub(tmp_path_factory.mktemp("invite"), "sqlite", "--registration", "invite") as h:
        yield h


def _db(hub: HubProcess) -> str:
    return str(hub.workdir / "hub.sqlite3")


def test_closed_registration_refuses_and_the_operator_adds(closed_hub: HubProcess,
                                                           tmp_path: pathlib.Path) -> None:
    agent = make_agent(closed_hub, tmp_path, "closed", register=False)
    with pytest.raises(HubAuthError, match="registration is closed"):
        _register(closed_hub, agent)
    pub = agent.key_path.with_suffix(".pub")
    added = run_cli(tmp_path, "hub", "add-identity", agent.handle, str(pub), "--db",
                    _db(closed_hub), "--json")
    assert added.code == 0 and added.json["created"] is True, added.err
    me = _whoami(closed_hub, agent)
    assert isinstance(me, dict) and me["registered"] is True and me["handle"] == agent.handle
    again = run_cli(tmp_path, "hub", "add-identity", agent.handle, str(pub), "--db", _db(closed_hub))
    assert again.code == 0 and "already registered" in again.out
    other = signing.public_key_b64(signing.generate_private_key())
    clash = run_cli(tmp_path, "hub", "add-identity", agent.handle, other, "--db", _db(closed_hub))
    assert clash.code == 1 and "another key" in clash.err
    bad = run_cli(tmp_path, "hub", "add-identity", "new-one", "not-a-key", "--db", _db(closed_hub))
    assert bad.code in (1, 2) and "Ed25519" in bad.err


def test_invite_codes_are_single_use(invite_hub: HubProcess, tmp_path: pathlib.Path) -> None:
    made = run_cli(tmp_path, "hub", "invite", "--count", "2", "--db", _db(invite_hub), "--json")
    assert made.code == 0, made.err
    first, second = made.json["invites"]
    a = make_agent(invite_hub, tmp_path, "inv-a", register=False)
    b = make_agent(invite_hub, tmp_path, "inv-b", register=False)
    with pytest.raises(HubAuthError, match="by invitation"):
        _register(invite_hub, a)
    with pytest.raises(HubAuthError, match="unknown"):
        _register(invite_hub, a, "inv-made-up")
    assert _register(invite_hub, a, first) == {"handle": a.handle, "created": True,
                                               "public_key": a.identity.public_key}
    again = _register(invite_hub, a)  # registered already: no code needed to say so
    assert isinstance(again, dict) and again["created"] is False
    with pytest.raises(HubAuthError, match="already used"):
        _register(invite_hub, b, first)
    answer = _register(invite_hub, b, second)
    assert isinstance(answer, dict) and answer["handle"] == b.handle
    bad = run_cli(tmp_path, "hub", "invite", "--count", "0", "--db", _db(invite_hub))
    assert bad.code != 0 and "--count" in bad.err
