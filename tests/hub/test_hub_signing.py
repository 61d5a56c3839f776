"""MSign: canonical bytes, header syntax, keys, and the authenticator in-process."""

from __future__ import annotations

import hashlib
import pathlib
import time

import pytest

from muse.core.client import signing
from muse.core.transport import Request, SigningIdentity, split_url
from muse.hub.auth import InsecureDevAuth, SignatureAuth
from muse.hub.context import Call
from muse.hub.errors import Unauthorized
from muse.storage.sqlite import SqliteStore


def test_canonical_request_is_the_documented_lines() -> None:
    body = b'{"x":1}'
    got = signing.canonical_request("post", "hub:8765", "/api/v1/x?n=1", 1700000000, body,
                                    hub_id="hub-42")
    assert got == ("ed25519\nPOST\nhub:8765\n/api/v1/x?n=1\n1700000000\nsha256:"
                   + hashlib.sha256(body).hexdigest() + "\nhub-42").encode()


def test_hub_ids_are_learnt_per_host() -> None:
    assert signing.hub_id("learn.example:1") == ""
    assert signing.note_hub_id("learn.example:1", {signing.HUB_ID_HEADER: "hub-a"}) is True
    assert signing.note_hub_id("LEARN.example:1", {signing.HUB_ID_HEADER: "hub-a"}) is False
    assert signing.note_hub_id("learn.example:1", {}) is False
    assert signing.note_hub_id("learn.example:1", {signing.HUB_ID_HEADER: "x" * 200}) is False
    assert signing.hub_id("learn.example:1") == "hub-a"
    assert signing.hub_id("learn.example:2") == ""


def test_header_roundtrip_and_base64url_without_padding() -> None:
    sig = bytes(range(64))
    header = signing.format_authorization("agent-7", 1700000000, sig)
    assert header.startswith('MSign handle="agent-7" alg="ed25519" ts=1700000000 sig="')
    assert "=" not in header.split('sig="')[1]
    parsed = signing.parse_authorization(header)
    assert parsed == signing.ParsedAuthorization("agent-7", "ed25519", 1700000000, sig)


@pytest.mark.parametrize("header", [
    None, "", "Basic xyz", "MSign", 'MSign handle="a"', 'MSign handle="a" handle="b" alg="x" ts=1 sig="AA"',
    'MSign handle="a" alg="ed25519" ts=1 sig="not base64!"', 'MSign handle=a alg="ed25519" ts=1 sig="AA"',
    'MSign handle="a" alg="ed25519" ts=-1 sig="AA"',
])
def test_malformed_headers_parse_to_none(header: str | None) -> None:
    assert signing.parse_authorization(header) is None


def test_key_pair_files(tmp_path: pathlib.Path) -> None:
    key = signing.generate_private_key()
    path = tmp_path / "k" / "me.key"
    public = signing.write_key_pair(key, path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert signing.check_public_key(public)
    assert path.with_suffix(".pub").read_text().split() == ["ed25519", public]
    with pytest.raises(FileExistsError):
        signing.write_key_pair(signing.generate_private_key(), path)
    loaded = signing.load_private_key(path)
    msg = b"hello"
    assert signing.verify(public, msg, signing.sign(loaded, msg))
    assert not signing.verify(public, msg + b"!", signing.sign(loaded, msg))
    assert not signing.verify("A" * 43, msg, signing.sign(loaded, msg))


def test_signing_identity_load_errors(tmp_path: pathlib.Path) -> None:
    from muse.core.vocab.errors import UserError

    with pytest.raises(UserError, match="muse auth keygen"):
        SigningIdentity.load("ghost", tmp_path / "none.key")
    junk = tmp_path / "junk.key"
    junk.write_text("not a key")
    with pytest.raises(UserError, match="cannot use"):
        SigningIdentity.load("ghost", junk)


def _call(req: Request) -> Call:
    _, _, _, netloc, path = split_url(req.url)
    return Call(req.method, netloc, path, {}, {}, {k.lower(): v for k, v in req.headers.items()},
                req.body)


@pytest.fixture
def world(tmp_path: pathlib.Path) -> tuple[SqliteStore, SigningIdentity]:
    key = tmp_path / "a.key"
    signing.write_key_pair(signing.generate_private_key(), key)
    ident = SigningIdentity.load("alice", key)
    store = SqliteStore(tmp_path / "hub.db")
    store.create_identity("alice", ident.public_key, time.time())
    return store, ident


def test_authenticator_with_a_fixed_clock(world: tuple[SqliteStore, SigningIdentity]) -> None:
    store, ident = world
    t0 = 1_800_000_000.0
    auth = SignatureAuth(store, lambda: t0, max_skew=30)
    req = ident.sign_request(Request("POST", "http://hub:1/x", {}, b"body"), now=t0 - 30)
    assert auth.authenticate(_call(req)).handle == "alice"
    with pytest.raises(Unauthorized, match="replayed"):
        auth.authenticate(_call(req))
    late = ident.sign_request(Request("POST", "http://hub:1/x", {}, b"body"), now=t0 - 31)
    with pytest.raises(Unauthorized, match="hub time"):
        auth.authenticate(_call(late))
    pinned = SignatureAuth(store, lambda: t0, public_hosts=("hub.example",))
    other = ident.sign_request(Request("GET", "http://hub:1/x"), now=t0)
    with pytest.raises(Unauthorized, match="signed for host"):
        pinned.authenticate(_call(other))
    store.close()


def test_two_signatures_of_one_request_differ(world: tuple[SqliteStore, SigningIdentity]) -> None:
    _, ident = world
    a = ident.sign_request(Request("GET", "http://hub:1/x?since=0"), now=1.0)
    b = ident.sign_request(Request("GET", "http://hub:1/x?since=0"), now=1.0)
    assert a.headers["Authorization"] != b.headers["Authorization"]
    assert a.url.startswith("http://hub:1/x?since=0&n=")


def test_insecure_dev_names_but_trusts(world: tuple[SqliteStore, SigningIdentity]) -> None:
    store, ident = world
    dev = InsecureDevAuth(SignatureAuth(store, time.time))
    assert dev.authenticate(_call(Request("GET", "http://h/x"))).superuser
    signed = ident.sign_request(Request("GET", "http://h/x"))
    assert dev.authenticate(_call(signed)).handle == "alice"


def test_listening_socket_is_tcp_so_responses_are_not_delayed() -> None:
    """asyncio sets TCP_NODELAY on accepted sockets only for proto=IPPROTO_TCP;
    without it every keep-alive request after the first waited ~40 ms."""
    import socket

    from muse.hub.server import _bind

    sock = _bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
