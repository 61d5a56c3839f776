"""The dashboard endpoints in-process: access rules, capabilities, filters, summaries."""

from __future__ import annotations

import json
import pathlib
import time
from collections.abc import Iterator
from typing import Any

import pytest

from muse.core.coord.snapshot import from_bus_records
from muse.core.coord.views import status_view, tasks_view
from tests.dashboard.data import bus, swarm_records

HOST = "testserver"  # what Starlette's TestClient sends as Host


class Clock:
    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t


class Env:
    """A hub app over a fresh SQLite store, with identities made directly in the store."""

    def __init__(self, tmp: pathlib.Path, insecure_dev: bool = False) -> None:
        from starlette.testclient import TestClient

        from muse.hub.app import create_app
        from muse.hub.config import HubSettings
        from muse.storage.sqlite import SqliteStore

        self.tmp = tmp
        self.clock = Clock()
        self.store = SqliteStore(tmp / "hub.sqlite3")
        self.app = create_app(self.store, HubSettings(insecure_dev=insecure_dev), now=self.clock)
        self.client = TestClient(self.app)
        self.keys: dict[str, Any] = {}

    def identity(self, handle: str) -> Any:
        from muse.core.client import signing

        key = signing.generate_private_key()
        self.keys[handle] = key
        self.store.create_identity(handle, signing.public_key_b64(key), self.clock())
        return key

    def repo(self, owner: str, slug: str, public: bool = False) -> int:
        self.store.create_repo(owner, slug, owner, public, self.clock())
        repo = self.store.get_repo(owner, slug)
        assert repo is not None
        return repo.id

    def push(self, owner: str, slug: str, records: list[dict[str, Any]]) -> int:
        from muse.hub.records import build_rows

        repo = self.store.get_repo(owner, slug)
        assert repo is not None
        result = self.store.insert_records(repo.id, build_rows(records, 1 << 20))
        return result.last_seq

    def capability(self, handle: str, owner: str, slug: str, ttl: float = 3600,
                   host: str = HOST, key: Any = None) -> str:
        from muse.hub.dashboard import mint_capability

        return mint_capability(key or self.keys[handle], handle, owner, slug, host,
                               self.clock(), ttl)

    def sign_in(self, token: str, owner: str, slug: str, **headers: str) -> Any:
        return self.client.post(f"/repos/{owner}/{slug}/session",
                                content=json.dumps({"capability": token}),
                                headers={"Content-Type": "application/json", **headers})

    def close(self) -> None:
        self.client.close()
        self.store.close()


@pytest.fixture
def env(tmp_path: pathlib.Path) -> Iterator[Env]:
    e = Env(tmp_path)
    yield e
    e.close()


@pytest.fixture
def linux(env: Env) -> Env:
    """alice owns private alice/linux holding a small swarm; bob is registered, no access."""
    env.identity("alice")
    env.identity("bob")
    env.repo("alice", "linux")
    env.push("alice", "linux", swarm_records(env.clock(), runs=40, tasks=30, backlog=20))
    return env


API = "/api/v1/repos/alice/linux/dashboard"


# ── access ─────────────────────────────────────────────────────────────────

def test_private_repo_refuses_everything_without_sign_in(linux: Env) -> None:
    page = linux.client.get("/repos/alice/linux")
    assert page.status_code == 401
    assert 'id="refusal"' in page.text and "muse hub dashboard-link alice/linux" in page.text
    assert "agent-00" not in page.text
    assert linux.client.get(API).status_code == 401
    assert linux.client.get(API + "/events").status_code == 401
    # An unknown repository looks the same to strangers: names do not leak.
    assert linux.client.get("/repos/alice/nothing").status_code == 401


def test_capability_signs_in_with_an_httponly_cookie(linux: Env) -> None:
    answer = linux.sign_in(linux.capability("alice", "alice", "linux"), "alice", "linux")
    assert answer.status_code == 200, answer.text
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    page = linux.client.get("/repos/alice/linux")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    data = linux.client.get(API).json()
    assert data["viewer"] == {"handle": "alice", "via": "cookie", "expires_at": data["viewer"]["expires_at"]}
    assert data["totals"]["active_reservations"] > 0
    # Signing out forgets the cookie.
    linux.client.delete("/repos/alice/linux/session")
    assert linux.client.get(API).status_code == 401


@pytest.mark.parametrize("case", ["expired", "other_repo", "other_host", "forged", "tampered",
                                  "too_long", "garbage", "nul_handle"])
def test_bad_capabilities_are_refused(linux: Env, case: str) -> None:
    from muse.core.client import signing

    linux.repo("alice", "other")
    token = {
        "expired": lambda: linux.capability("alice", "alice", "linux", ttl=60),
        "other_repo": lambda: linux.capability("alice", "alice", "other"),
        "other_host": lambda: linux.capability("alice", "alice", "linux", host="evil.example"),
        "forged": lambda: linux.capability("alice", "alice", "linux",
                                           key=signing.generate_private_key()),
        "tampered": lambda: _tamper(linux.capability("bob", "alice", "linux",
                                                     key=linux.keys["bob"])),
        "too_long": lambda: _long_lived(linux),
        "garbage": lambda: "not-a.token",
        "nul_handle": lambda: linux.capability("ali\x00ce", "alice", "linux", key=linux.keys["alice"]),
    }[case]()
    if case == "expired":
        linux.clock.t += 61
    answer = linux.sign_in(token, "alice", "linux")
    assert answer.status_code == 401, answer.text
    # The same token smuggled in as a cookie is refused too.
    from muse.hub.dashboard import cookie_name

    linux.client.cookies.set(cookie_name("alice", "linux"), token)
    assert linux.client.get(API).status_code == 401
    assert linux.client.get("/repos/alice/linux").status_code == 401


def _tamper(token: str) -> str:
    """bob's valid capability with the handle changed to alice (signature no longer matches)."""
    from muse.core.client import signing

    body, sig = token.split(".")
    data = json.loads(signing.b64url_decode(body))
    data["handle"] = "alice"
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return signing.b64url_encode(raw) + "." + sig


def _long_lived(env: Env) -> str:
    from muse.core.client import signing
    from muse.hub.dashboard import CAPABILITY_CONTEXT, MAX_CAPABILITY_TTL

    now = int(env.clock())
    raw = json.dumps({"v": 1, "handle": "alice", "repo": "alice/linux", "host": HOST, "iat": now,
                      "exp": now + MAX_CAPABILITY_TTL + 3600},
                     sort_keys=True, separators=(",", ":")).encode()
    sig = signing.sign(env.keys["alice"], CAPABILITY_CONTEXT + raw)
    return signing.b64url_encode(raw) + "." + signing.b64url_encode(sig)


def test_sign_in_without_pull_access_is_forbidden(linux: Env) -> None:
    answer = linux.sign_in(linux.capability("bob", "alice", "linux"), "alice", "linux")
    assert answer.status_code == 403
    assert "agent-00" not in answer.text


def test_revoking_access_ends_a_session_at_once(linux: Env) -> None:
    repo = linux.store.get_repo("alice", "linux")
    assert repo is not None
    linux.store.set_permission(repo.id, "bob", "pull")
    assert linux.sign_in(linux.capability("bob", "alice", "linux"), "alice", "linux").status_code == 200
    assert linux.client.get(API).status_code == 200
    linux.store.set_permission(repo.id, "bob", None)
    assert linux.client.get(API).status_code == 403
    page = linux.client.get("/repos/alice/linux")
    assert page.status_code == 403 and "agent-00" not in page.text


def test_replacing_the_key_ends_a_session(linux: Env) -> None:
    from muse.core.client import signing

    assert linux.sign_in(linux.capability("alice", "alice", "linux"), "alice", "linux").status_code == 200
    with linux.store._write() as conn:  # the operator re-keys alice
        conn.execute("UPDATE hub_identities SET public_key=? WHERE handle='alice'",
                     (signing.public_key_b64(signing.generate_private_key()),))
    assert linux.client.get(API).status_code == 401


def test_a_link_is_not_a_cookie_until_it_signs_in(linux: Env) -> None:
    """A valid capability set straight into the cookie jar, skipping sign-in, is refused."""
    from muse.hub.dashboard import cookie_name

    token = linux.capability("alice", "alice", "linux")
    linux.client.cookies.set(cookie_name("alice", "linux"), token)
    answer = linux.client.get(API)
    assert answer.status_code == 401 and "not signed in" in answer.json()["message"]


def test_sign_ins_per_handle_are_bounded(linux: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    from muse.hub.dashboard import sessions

    monkeypatch.setattr(sessions, "MAX_SIGN_INS", 2)
    for ttl in (3600, 3500):
        assert linux.sign_in(linux.capability("alice", "alice", "linux", ttl=ttl),
                             "alice", "linux").status_code == 200
    third = linux.sign_in(linux.capability("alice", "alice", "linux", ttl=3400), "alice", "linux")
    assert third.status_code == 429 and "--revoke" in third.json()["message"]


def test_signing_out_a_forged_cookie_stores_nothing(linux: Env) -> None:
    from muse.core.client import signing
    from muse.hub.dashboard import cookie_name
    from muse.hub.dashboard.sessions import capability_id

    forged = linux.capability("alice", "alice", "linux", key=signing.generate_private_key())
    linux.client.cookies.set(cookie_name("alice", "linux"), forged)
    assert linux.client.delete("/repos/alice/linux/session").status_code == 200
    assert linux.store.get_dashboard_session(capability_id(forged)) is None


def test_cross_origin_sign_in_is_refused(linux: Env) -> None:
    token = linux.capability("alice", "alice", "linux")
    answer = linux.sign_in(token, "alice", "linux", Origin="http://evil.example")
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers
    assert linux.sign_in(token, "alice", "linux", Origin=f"http://{HOST}").status_code == 200


def test_public_repo_is_readable_by_anyone(env: Env) -> None:
    env.identity("alice")
    env.repo("alice", "pub", public=True)
    env.push("alice", "pub", swarm_records(env.clock(), runs=5, tasks=3))
    assert env.client.get("/repos/alice/pub").status_code == 200
    data = env.client.get("/api/v1/repos/alice/pub/dashboard").json()
    assert data["viewer"]["via"] == "public" and data["totals"]["runs_holding"] > 0


def test_signed_requests_read_the_json(linux: Env, tmp_path: pathlib.Path) -> None:
    from muse.core.client import signing
    from muse.core.transport import Request, SigningIdentity

    key_path = tmp_path / "alice.key"
    key_path.write_bytes(signing._private_bytes(linux.keys["alice"]))
    ident = SigningIdentity.load("alice", key_path)
    signing.note_hub_id(HOST, {signing.HUB_ID_HEADER: linux.app.state.hub.id})  # as from an answer
    req = ident.sign_request(Request("GET", f"http://{HOST}{API}?runs_limit=3", {}, b"", 10.0),
                             now=linux.clock())
    path = req.url.split(HOST, 1)[1]
    answer = linux.client.get(path, headers=req.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["viewer"]["via"] == "signature"
    assert len(answer.json()["runs"]["items"]) == 3


def test_insecure_dev_hub_is_open(tmp_path: pathlib.Path) -> None:
    env = Env(tmp_path, insecure_dev=True)
    try:
        env.repo("dev", "demo")
        env.push("dev", "demo", swarm_records(env.clock(), runs=3, tasks=2))
        assert env.client.get("/repos/dev/demo").status_code == 200
        assert env.client.get("/api/v1/repos/dev/demo/dashboard").status_code == 200
        assert env.client.get("/repos/dev/missing").status_code == 404
    finally:
        env.close()


# ── parameters ─────────────────────────────────────────────────────────────

@pytest.mark.parametrize("query", ["depth=0", "depth=9", "tasks_limit=201", "tasks_limit=0",
                                   "runs_offset=-1", "severity=catastrophic", "task_status=x",
                                   "run_sort=random", "path=%00", "run=" + "x" * 301,
                                   "q=a%0Ab"])
def test_bad_parameters_are_400(linux: Env, query: str) -> None:
    linux.sign_in(linux.capability("alice", "alice", "linux"), "alice", "linux")
    answer = linux.client.get(f"{API}?{query}")
    assert answer.status_code == 400, (query, answer.text)
    assert answer.json()["error"] == "bad_request"


def test_unknown_parameters_are_ignored(linux: Env) -> None:
    linux.sign_in(linux.capability("alice", "alice", "linux"), "alice", "linux")
    assert linux.client.get(f"{API}?n=abc&whatever=1").status_code == 200


# ── content ────────────────────────────────────────────────────────────────

def test_summary_agrees_with_the_core_views(linux: Env) -> None:
    linux.sign_in(linux.capability("alice", "alice", "linux"), "alice", "linux")
    data = linux.client.get(f"{API}?tasks_limit=200&runs_limit=200").json()
    records = swarm_records(linux.clock(), runs=40, tasks=30, backlog=20)
    state = from_bus_records(records, linux.clock())
    status = status_view(state, limit=0)
    tasks = tasks_view(state, limit=0)
    assert data["seq"] == len(records)
    assert data["totals"]["records"] == len(records)
    assert data["totals"]["active_reservations"] == status["active_reservations"]
    assert data["totals"]["runs_holding"] == status["runs"]
    assert data["totals"]["reservation_conflicts"] == status["conflict_count"]
    assert data["totals"]["tasks"] == tasks["counts"]
    assert data["tasks"]["total"] == 30
    assert {t["status"] for t in data["tasks"]["items"]} >= {"pending", "claimed", "completed"}
    assert data["totals"]["predicted"]["high"] >= 1  # the swarm has a delete-vs-modify clash
    assert sum(s["reservations"] for s in data["subsystems"]["items"]) >= status["active_reservations"]
    assert any(r["conflict"] for r in data["reservations"]["items"])
    runs = data["runs"]["items"]
    assert all(r["heartbeat_age"] is not None for r in runs)
    ages = [r["heartbeat_age"] for r in runs]
    assert ages == sorted(ages, reverse=True)  # stalest first
    assert sum(data["throughput"]["counts"]) > 0


def test_filters_and_pages(linux: Env) -> None:
    linux.sign_in(linux.capability("alice", "alice", "linux"), "alice", "linux")
    everything = linux.client.get(f"{API}?reservations_limit=200").json()
    first = linux.client.get(f"{API}?reservations_limit=5").json()["reservations"]
    second = linux.client.get(f"{API}?reservations_limit=5&reservations_offset=5").json()["reservations"]
    assert first["total"] == everything["reservations"]["total"] and len(first["items"]) == 5
    ids = [r["reservation_id"] for r in everything["reservations"]["items"]]
    assert [r["reservation_id"] for r in first["items"] + second["items"]] == ids[:10]
    sched = linux.client.get(f"{API}?path=kernel/sched/&depth=3").json()
    assert all(f["path"].startswith("kernel/sched/") for f in sched["files"]["items"])
    assert all(s["name"].startswith("kernel/sched") for s in sched["subsystems"]["items"])
    assert all(c["target"].startswith("kernel/sched/") for c in sched["conflicts"]["items"])
    one = linux.client.get(f"{API}?run=agent-0007").json()
    assert [r["run_id"] for r in one["runs"]["items"]] == ["agent-0007"]
    assert all(r["run_id"] == "agent-0007" for r in one["reservations"]["items"])
    done = linux.client.get(f"{API}?task_status=completed").json()["tasks"]
    assert done["total"] == everything["totals"]["tasks"]["completed"]
    assert all(t["status"] == "completed" for t in done["items"])
    high = linux.client.get(f"{API}?severity=high").json()["conflicts"]
    assert high["total"] >= 1 and all(c["severity"] == "high" for c in high["items"])


def test_new_records_are_read_incrementally(linux: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    from muse.hub.dashboard import board

    monkeypatch.setattr(board, "CHECK_SECONDS", 0.0)
    linux.sign_in(linux.capability("alice", "alice", "linux"), "alice", "linux")
    before = linux.client.get(API).json()
    calls: list[int] = []
    real = linux.store.fetch_records

    def counting(repo_id: int, since: int, kinds: Any, limit: int) -> Any:
        calls.append(since)
        return real(repo_id, since, kinds, limit)

    monkeypatch.setattr(linux.store, "fetch_records", counting)
    exp = "2099-12-31T23:59:59+00:00"
    seq = linux.push("alice", "linux", [
        bus("reservation", "late-res", {"reservation_id": "late-res", "run_id": "late-run",
                                        "symbols": ["kernel/late.c::f"], "expires_at": exp},
            "late-run", exp)])
    # A board re-derives at most every 3x its last derivation time (however
    # many ask), so on a loaded machine the first answer may still be the old
    # digest: ask until the new record shows; the store was read once anyway.
    deadline = time.monotonic() + 10
    while True:
        after = linux.client.get(API + "?run=late-run").json()
        if after["seq"] != before["seq"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert calls == [before["seq"]]  # one pull, from the cursor on
    assert after["seq"] == seq == before["seq"] + 1
    assert after["totals"]["active_reservations"] == before["totals"]["active_reservations"] + 1
    assert after["runs"]["items"][0]["run_id"] == "late-run"


def test_hostile_records_are_data_not_markup(linux: Env) -> None:
    linux.sign_in(linux.capability("alice", "alice", "linux"), "alice", "linux")
    evil = "<img src=x onerror=alert(1)>"
    linux.push("alice", "linux", [bus("task", "evil-task", {
        "task_id": "evil-task", "description": evil, "priority": 99})])
    page = linux.client.get("/repos/alice/linux")
    assert evil not in page.text  # the page is a shell; data arrives as JSON
    data = linux.client.get(API).json()
    assert data["tasks"]["items"][0]["description"] == evil


def test_unusable_records_are_counted_not_fatal(linux: Env) -> None:
    linux.sign_in(linux.capability("alice", "alice", "linux"), "alice", "linux")
    linux.push("alice", "linux", [bus("claim", "bad-claim", {"task_id": "t", "status": "odd"})])
    data = linux.client.get(API).json()
    assert data["totals"]["problems"] == 1


def test_static_files(env: Env) -> None:
    js = env.client.get("/static/dashboard.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in js.text  # data reaches the page as text only
    assert env.client.get("/static/dashboard.css").status_code == 200
    assert env.client.get("/static/session.js").status_code == 200
    for bad in ("/static/app.py", "/static/..%2Fapp.py", "/static/missing.js"):
        assert env.client.get(bad).status_code == 404


def test_dashboard_link_cli_makes_a_working_link(linux: Env, tmp_path: pathlib.Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from muse.cli.main import main
    from muse.core.client import signing

    key_path = tmp_path / "keys" / "alice.key"
    key_path.parent.mkdir()
    key_path.write_bytes(signing._private_bytes(linux.keys["alice"]))
    code = main(["hub", "dashboard-link", "alice/linux", "--hub", f"http://{HOST}",
                 "--handle", "alice", "--key", str(key_path), "--no-check", "--ttl", "30m",
                 "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dashboard"] == f"http://{HOST}/repos/alice/linux"
    page, _, token = out["url"].partition("#")
    assert page == f"http://{HOST}/repos/alice/linux/session"
    assert linux.client.get("/repos/alice/linux/session").status_code == 200
    assert linux.sign_in(token, "alice", "linux").status_code == 200
    assert linux.client.get(API).status_code == 200
    assert main(["hub", "dashboard-link", "alice/linux", "--hub", f"http://{HOST}",
                 "--handle", "alice", "--key", str(key_path), "--ttl", "2d"]) == 2
