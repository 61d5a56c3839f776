"""Every way the hub refuses a request: signatures (401) and permissions (403)."""

from __future__ import annotations

import pathlib
import time
from collections.abc import Iterator

import msgspec
import orjson
import pytest

from muse.core.client import signing
from muse.core.coord_bus import pull_from_hub, push_to_hub
from muse.core.transport import HTTPTransport, Request, Response, split_url
from muse.core.vocab.errors import HubAuthError, HubResponseError
from tests.hub.conftest import (
    Agent,
    HubProcess,
    create_repo,
    grant,
    make_agent,
    make_repo_dir,
    run_cli,
    write_records,
)


@pytest.fixture
def tx() -> Iterator[HTTPTransport]:
    t = HTTPTransport()
    yield t
    t.close()


def _records_url(hub: HubProcess, owner: str, slug: str, query: str = "") -> str:
    return f"{hub.url}/api/v1/repos/{owner}/{slug}/coord/records" + (f"?{query}" if query else "")


def _push_body(n: int = 1, prefix: str = "t") -> bytes:
    return msgspec.msgpack.encode({"records": [
        {"kind": "task", "record_id": f"{prefix}-{i}", "run_id": None, "payload": {},
         "expires_at": None} for i in range(n)]})


def _signed(agent: Agent, method: str, url: str, body: bytes = b"", *,
            ts: float | None = None, key_of: Agent | None = None, host: str | None = None,
            path: str | None = None, alg: str = "ed25519", hub_id: str | None = None) -> Request:
    """A request signed by hand, so each field can be made wrong on purpose."""
    _, _, _, netloc, path_qs = split_url(url)
    stamp = int(time.time() if ts is None else ts)
    key = signing.load_private_key((key_of or agent).key_path)
    hub_id = signing.hub_id(netloc) if hub_id is None else hub_id  # learnt by make_agent
    message = signing.canonical_request(method, host or netloc, path or path_qs, stamp, body, alg,
                                        hub_id)
    header = signing.format_authorization(agent.handle, stamp, signing.sign(key, message), alg)
    headers = {"Authorization": header, "Content-Type": "application/msgpack",
               "Accept": "application/msgpack"}
    return Request(method, url, headers, body, 30.0)


def _assert_401(resp: Response, words: str) -> None:
    assert resp.status == 401, (resp.status, resp.body)
    assert resp.headers["www-authenticate"].startswith('MSign realm="')
    body = orjson.loads(resp.body)
    assert body["error"] == "unauthorized" and words in body["message"], body


@pytest.fixture
def owned(hub: HubProcess, tmp_path: pathlib.Path) -> tuple[Agent, str]:
    alice = make_agent(hub, tmp_path, "alice")
    return alice, create_repo(hub, alice)


def test_valid_signature_accepted(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport) -> None:
    alice, slug = owned
    resp = tx.handle_request(_signed(alice, "POST", _records_url(hub, alice.handle, slug), _push_body()))
    assert resp.status == 200 and msgspec.msgpack.decode(resp.body)["inserted"] == 1


def test_signature_for_another_hub_refused(hub: HubProcess, owned: tuple[Agent, str],
                                           tx: HTTPTransport) -> None:
    alice, slug = owned
    url = _records_url(hub, alice.handle, slug)
    _assert_401(tx.handle_request(_signed(alice, "POST", url, _push_body(), hub_id="hub-other")),
                "another hub")
    _assert_401(tx.handle_request(_signed(alice, "POST", url, _push_body(), hub_id="")),
                "another hub")


def test_missing_signature(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport) -> None:
    alice, slug = owned
    resp = tx.handle_request(Request("POST", _records_url(hub, alice.handle, slug),
                                     {"Content-Type": "application/msgpack"}, _push_body()))
    _assert_401(resp, "missing")
    resp = tx.handle_request(Request("GET", _records_url(hub, alice.handle, slug)))
    _assert_401(resp, "missing")


@pytest.mark.parametrize("header", [
    "Bearer abc", "MSign", 'MSign handle="x"', 'MSign handle="x" alg="ed25519" ts=1 sig="***"',
    'MSign handle="x" alg="ed25519" ts=abc sig="AA"', "MSign " + "a" * 2000,
])
def test_malformed_header(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport,
                          header: str) -> None:
    alice, slug = owned
    resp = tx.handle_request(Request("GET", _records_url(hub, alice.handle, slug),
                                     {"Authorization": header}))
    _assert_401(resp, "malformed")


def test_forged_signature(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport,
                          tmp_path: pathlib.Path) -> None:
    alice, slug = owned
    mallory = make_agent(hub, tmp_path, "mallory")
    req = _signed(alice, "POST", _records_url(hub, alice.handle, slug), _push_body(), key_of=mallory)
    _assert_401(tx.handle_request(req), "bad signature")


def test_tampered_body_path_host_method(hub: HubProcess, owned: tuple[Agent, str],
                                        tx: HTTPTransport) -> None:
    alice, slug = owned
    url = _records_url(hub, alice.handle, slug)
    good = _signed(alice, "POST", url, _push_body(1))
    tampered = Request(good.method, good.url, good.headers, _push_body(2), 30.0)
    _assert_401(tx.handle_request(tampered), "bad signature")
    other_path = _signed(alice, "POST", url, _push_body(), path="/api/v1/repos/x/y/coord/records")
    _assert_401(tx.handle_request(other_path), "bad signature")
    other_host = _signed(alice, "POST", url, _push_body(), host="evil.example:80")
    _assert_401(tx.handle_request(other_host), "bad signature")
    other_query = _signed(alice, "GET", _records_url(hub, alice.handle, slug, "since=5"),
                          path=f"/api/v1/repos/{alice.handle}/{slug}/coord/records?since=0")
    _assert_401(tx.handle_request(other_query), "bad signature")
    as_get = _signed(alice, "GET", url)
    as_get = Request("DELETE", as_get.url, as_get.headers, b"", 30.0)
    assert tx.handle_request(as_get).status == 405


@pytest.mark.parametrize("skew", [-3600, -45, 45, 3600])
def test_timestamp_outside_window(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport,
                                  skew: int) -> None:
    alice, slug = owned
    req = _signed(alice, "GET", _records_url(hub, alice.handle, slug), ts=time.time() + skew)
    _assert_401(tx.handle_request(req), "from hub time")


def test_timestamp_inside_window(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport) -> None:
    alice, slug = owned
    req = _signed(alice, "GET", _records_url(hub, alice.handle, slug, "n=1"), ts=time.time() - 15)
    assert tx.handle_request(req).status == 200


def test_replay_refused(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport) -> None:
    alice, slug = owned
    req = _signed(alice, "POST", _records_url(hub, alice.handle, slug), _push_body())
    assert tx.handle_request(req).status == 200
    _assert_401(tx.handle_request(req), "replayed")
    pull = _signed(alice, "GET", _records_url(hub, alice.handle, slug, "since=0"))
    assert tx.handle_request(pull).status == 200
    _assert_401(tx.handle_request(pull), "replayed")


def test_identical_requests_in_one_second_are_not_replays(hub: HubProcess,
                                                           owned: tuple[Agent, str]) -> None:
    alice, slug = owned
    ident = alice.identity
    for _ in range(5):  # same page, same second: the client nonce keeps signatures distinct
        assert pull_from_hub(hub.url, alice.handle, slug, signing=ident)["cursor"] == 0


def test_unknown_handle_and_algorithm(hub: HubProcess, owned: tuple[Agent, str], tx: HTTPTransport,
                                      tmp_path: pathlib.Path) -> None:
    alice, slug = owned
    ghost = make_agent(hub, tmp_path, "ghost", register=False)
    _assert_401(tx.handle_request(_signed(ghost, "GET", _records_url(hub, alice.handle, slug))),
                "unknown handle")
    _assert_401(tx.handle_request(_signed(alice, "GET", _records_url(hub, alice.handle, slug),
                                          alg="rsa")), "unsupported")


def test_registration_needs_proof_of_possession(hub: HubProcess, tmp_path: pathlib.Path,
                                                tx: HTTPTransport) -> None:
    carol = make_agent(hub, tmp_path, "carol", register=False)
    other = make_agent(hub, tmp_path, "other", register=False)
    url = hub.url + "/api/v1/identities"
    other_key = signing.public_key_b64(signing.load_private_key(other.key_path))
    body = orjson.dumps({"handle": carol.handle, "public_key": other_key})
    req = _signed(carol, "POST", url, body)  # signed by carol's key, registering other's
    req.headers["Content-Type"] = "application/json"
    _assert_401(tx.handle_request(req), "bad signature")

    own_key = carol.identity.public_key
    body = orjson.dumps({"handle": carol.handle, "public_key": own_key})
    for expected in (201, 200):  # registering again with the same key is harmless
        req = _signed(carol, "POST", f"{url}?n={expected}", body)  # n: a fresh signature
        req.headers["Content-Type"] = "application/json"
        assert tx.handle_request(req).status == expected

    # Taking over an existing handle with another key is refused.
    body = orjson.dumps({"handle": carol.handle, "public_key": other_key})
    req = _signed(carol, "POST", url, body, key_of=other)
    req.headers["Content-Type"] = "application/json"
    resp = tx.handle_request(req)
    assert resp.status == 409 and orjson.loads(resp.body)["error"] == "conflict"


def test_permissions(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    bob = make_agent(hub, tmp_path, "bob")
    slug = create_repo(hub, alice)
    rec = [{"kind": "task", "record_id": "t-1", "run_id": None, "payload": {}, "expires_at": None}]
    ident = bob.identity

    def bob_push() -> None:
        push_to_hub(hub.url, alice.handle, slug, rec, signing=ident)

    def bob_pull() -> None:
        pull_from_hub(hub.url, alice.handle, slug, signing=ident)

    for action in (bob_push, bob_pull):
        with pytest.raises(HubAuthError, match="no (push|pull) access"):
            action()
    with pytest.raises(HubAuthError):  # bob cannot grant himself anything
        grant(hub, bob, alice.handle, slug, bob.handle, "push")
    with pytest.raises(HubAuthError, match="own name"):  # nor create under alice's name
        from muse.core.coord_bus import hub_request

        hub_request("POST", hub.url + "/api/v1/repos",
                    orjson.dumps({"owner": alice.handle, "slug": "mine"}), signing=ident,
                    content_type="application/json")

    grant(hub, alice, alice.handle, slug, bob.handle, "pull")
    bob_pull()
    with pytest.raises(HubAuthError, match="no push access"):
        bob_push()
    grant(hub, alice, alice.handle, slug, bob.handle, "push")
    bob_push()
    bob_pull()
    grant(hub, alice, alice.handle, slug, bob.handle, None)
    with pytest.raises(HubAuthError):
        bob_pull()
    with pytest.raises(HubAuthError, match="creator"):  # the owner cannot be demoted
        grant(hub, alice, alice.handle, slug, alice.handle, "pull")
    with pytest.raises(HubResponseError, match="404"):  # unknown handles cannot be granted
        grant(hub, alice, alice.handle, slug, "nobody-here", "pull")


def test_public_repo_readable_by_any_identity(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    bob = make_agent(hub, tmp_path, "bob")
    slug = create_repo(hub, alice, public=True)
    assert pull_from_hub(hub.url, alice.handle, slug, signing=bob.identity)["records"] == []
    with pytest.raises(HubAuthError):
        push_to_hub(hub.url, alice.handle, slug, [], signing=bob.identity)


def test_missing_repo_is_404(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    with pytest.raises(HubResponseError, match="no repository"):
        pull_from_hub(hub.url, alice.handle, "does-not-exist", signing=alice.identity)


def test_cli_reports_auth_failures_with_exit_5(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    bob = make_agent(hub, tmp_path, "bob")
    slug = create_repo(hub, alice)
    as_bob = make_repo_dir(tmp_path / "bob", hub.url, alice.handle, slug, bob)
    write_records(as_bob, "task", 3)
    for verb in ("push", "pull"):
        res = run_cli(as_bob, "coord", verb)
        assert res.code == 5
        assert res.err.count("\n") == 1 and "no " in res.err and "access" in res.err
    unsigned = make_repo_dir(tmp_path / "anon", hub.url, alice.handle, slug, None)
    write_records(unsigned, "task", 3)
    res = run_cli(unsigned, "coord", "push", "--json")
    assert res.code == 5
    err = orjson.loads(res.err)
    assert err["error"] == "hub_auth" and "unsigned" in err["message"]
    assert not list((unsigned / ".muse/coordination/remote/tasks").glob("*.json"))
