"""The whole flow as a user runs it: `python -m muse` processes against a hub process."""

from __future__ import annotations

import json
import pathlib
import stat
import subprocess
import sys

import pytest

from tests.conftest import subprocess_env
from tests.hub.conftest import (
    HubProcess,
    make_repo_dir,
    run_muse,
    running_hub,
    unique,
    write_records,
)


def test_keygen_register_create_push_pull_grant(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    home_a, home_b = tmp_path / "home-a", tmp_path / "home-b"
    alice, bob = unique("alice"), unique("bob")
    cwd = tmp_path

    gen = run_muse(cwd, "auth", "keygen", "--handle", alice, "--json", home=home_a)
    assert gen.code == 0, gen.err
    info = json.loads(gen.out)
    key = pathlib.Path(info["key"])
    assert key == home_a / ".muse" / "keys" / f"{alice}.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "PRIVATE" not in gen.out + gen.err and key.read_text() not in gen.out
    again = run_muse(cwd, "auth", "keygen", "--handle", alice, home=home_a)
    assert again.code == 1 and "already exists" in again.err

    src = make_repo_dir(tmp_path / "src", None, alice, "linux", None)
    reg = run_muse(src, "auth", "register", "--hub", hub.url, "--handle", alice, "--save", "--json",
                   home=home_a)
    assert reg.code == 0, reg.err
    assert json.loads(reg.out)["created"] is True
    config = (src / ".muse" / "config.toml").read_text()
    assert f'handle = "{alice}"' in config and f'url = "{hub.url}"' in config

    who = run_muse(src, "auth", "whoami", "--json", home=home_a)
    assert who.code == 0 and json.loads(who.out)["hub_says"]["registered"] is True

    made = run_muse(src, "hub", "create-repo", f"{alice}/linux", home=home_a)
    assert made.code == 0, made.err
    dup = run_muse(src, "hub", "create-repo", f"{alice}/linux", home=home_a)
    assert dup.code == 5 and "already exists" in dup.err

    write_records(src, "task", 700)
    push = run_muse(src, "coord", "push", "--json", home=home_a)
    assert push.code == 0, push.err
    assert json.loads(push.out) == {"hub": hub.url, "repo": f"{alice}/linux", "records": 700,
                                         "batches": 2, "inserted": 700, "skipped": 0}

    # bob: own key and repo checkout, no access until alice grants it.
    assert run_muse(cwd, "auth", "keygen", "--handle", bob, home=home_b).code == 0
    dst = make_repo_dir(tmp_path / "dst", hub.url, alice, "linux", None)
    with open(dst / ".muse" / "config.toml", "a") as fh:
        fh.write(f'handle = "{bob}"\n')  # key: the default ~/.muse/keys/<handle>.key
    assert run_muse(dst, "auth", "register", "--handle", bob, home=home_b).code == 0
    denied = run_muse(dst, "coord", "pull", home=home_b)
    assert denied.code == 5 and "no pull access" in denied.err

    granted = run_muse(src, "hub", "grant", f"{alice}/linux", bob, "--permission", "pull",
                       home=home_a)
    assert granted.code == 0, granted.err
    pull = run_muse(dst, "coord", "pull", "--json", home=home_b)
    assert pull.code == 0, pull.err
    assert json.loads(pull.out)["written"] == 700

    shown = run_muse(src, "hub", "info", f"{alice}/linux", "--json", home=home_a)
    members = {m["handle"]: m["permission"] for m in json.loads(shown.out)["members"]}
    assert members == {alice: "admin", bob: "pull"}
    assert run_muse(src, "hub", "revoke", f"{alice}/linux", bob, home=home_a).code == 0
    assert run_muse(dst, "coord", "pull", home=home_b).code == 5


def test_missing_key_is_a_user_error(tmp_path: pathlib.Path) -> None:
    root = make_repo_dir(tmp_path / "r", "http://127.0.0.1:9", "a", "b", None)
    with open(root / ".muse" / "config.toml", "a") as fh:
        fh.write('handle = "nokey"\n')
    res = run_muse(root, "coord", "push", home=tmp_path / "home")
    assert res.code == 1 and "muse auth keygen" in res.err


def test_help_texts(tmp_path: pathlib.Path) -> None:
    for argv in (["hub", "--help"], ["hub", "serve", "--help"], ["auth", "--help"],
                 ["auth", "register", "--help"], ["hub", "grant", "--help"]):
        res = run_muse(tmp_path, *argv, home=tmp_path / "home")
        assert res.code == 0 and "usage" in res.out.lower(), argv


def test_insecure_dev_mode(tmp_path: pathlib.Path) -> None:
    with running_hub(tmp_path / "dev", "sqlite", "--insecure-dev") as hub:
        src = make_repo_dir(tmp_path / "src", hub.url, "demo", "linux", None)
        write_records(src, "task", 5)
        home = tmp_path / "home"
        push = run_muse(src, "coord", "push", "--json", home=home)
        assert push.code == 0, push.err
        assert json.loads(push.out)["inserted"] == 5
        dst = make_repo_dir(tmp_path / "dst", hub.url, "demo", "linux", None)
        pull = run_muse(dst, "coord", "pull", "--json", home=home)
        assert pull.code == 0 and json.loads(pull.out)["written"] == 5


def test_insecure_dev_refuses_public_addresses(tmp_path: pathlib.Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "muse", "hub", "serve", "--insecure-dev", "--host", "0.0.0.0",
         "--port", "0", "--db", str(tmp_path / "x.db")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env=subprocess_env(HOME=str(tmp_path)))
    assert proc.returncode == 2 and "loopback" in proc.stderr


def test_port_in_use(tmp_path: pathlib.Path, hub: HubProcess) -> None:
    port = hub.url.rsplit(":", 1)[1]
    proc = subprocess.run(
        [sys.executable, "-m", "muse", "hub", "serve", "--port", port, "--db",
         str(tmp_path / "x.db")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env=subprocess_env(HOME=str(tmp_path)))
    assert proc.returncode == 2 and "cannot listen" in proc.stderr


@pytest.mark.postgres
def test_two_hub_processes_share_one_postgres(tmp_path: pathlib.Path) -> None:
    """Push through one hub, pull through another; a request replayed to the
    second hub is refused because the replay set lives in the shared database."""
    from muse.core.coord_bus import hub_request, pull_from_hub, push_to_hub
    from muse.core.transport import HTTPTransport, Request
    from tests.hub.conftest import create_repo, make_agent
    from tests.storage.pg import drop_schema, new_schema, pg_dsn

    dsn, schema = pg_dsn(), new_schema()
    a = HubProcess(tmp_path / "a", dsn, "--pg-schema", schema, "--pg-pool-size", "3")
    b = HubProcess(tmp_path / "b", dsn, "--pg-schema", schema, "--pg-pool-size", "3")
    tx = HTTPTransport()
    try:
        alice = make_agent(a, tmp_path, "alice")
        slug = create_repo(a, alice)
        ident = alice.identity
        recs = [{"kind": "task", "record_id": f"t-{i}", "run_id": None, "payload": {},
                 "expires_at": None} for i in range(300)]
        assert push_to_hub(a.url, alice.handle, slug, recs[:200], signing=ident)["inserted"] == 200
        assert push_to_hub(b.url, alice.handle, slug, recs, signing=ident) == \
            {"inserted": 100, "skipped": 200}
        page = pull_from_hub(a.url, alice.handle, slug, limit=1000, signing=ident)
        assert page["cursor"] == 300 and len(page["records"]) == 300

        signed = ident.sign_request(Request("GET", f"{a.url}/api/v1/identities/me"))
        assert tx.handle_request(signed).status == 200
        # Same bytes, Host header and all, sent to the other process.
        to_b = Request(signed.method, signed.url.replace(a.url, b.url),
                       {**signed.headers, "Host": a.host}, b"", 30.0)
        resp = tx.handle_request(to_b)
        assert resp.status == 401 and b"replayed" in resp.body
        assert hub_request("GET", f"{b.url}/healthz")["db"] == "postgresql"
    finally:
        tx.close()
        a.stop()
        b.stop()
        drop_schema(dsn, schema)


def test_unusable_database_is_one_line(tmp_path: pathlib.Path) -> None:
    for db in ("postgresql://no-such-role@127.0.0.1:5432/test", "mysql://x/y",
               str(tmp_path / "file-not-dir" / "hub.db")):
        (tmp_path / "file-not-dir").write_text("")
        proc = subprocess.run(
            [sys.executable, "-m", "muse", "hub", "serve", "--port", "0", "--db", db],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
            env=subprocess_env(HOME=str(tmp_path)))
        assert proc.returncode == 1, (db, proc.stderr)
        assert proc.stderr.startswith("muse: error: cannot open hub database"), proc.stderr
        assert proc.stderr.count("\n") == 1
