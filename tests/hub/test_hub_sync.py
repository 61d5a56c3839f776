"""`muse coord push` / `pull` against a real hub process, on SQLite and PostgreSQL."""

from __future__ import annotations

import pathlib

import orjson
import pytest

from muse.core.coord_bus import pull_from_hub, push_to_hub
from muse.core.transport import HTTPTransport
from muse.core.vocab.errors import HubResponseError
from tests.hub.conftest import (
    HubProcess,
    create_repo,
    make_agent,
    make_repo_dir,
    run_cli,
    write_records,
)


def _remote_files(root: pathlib.Path, sub: str = "tasks") -> list[str]:
    folder = root / ".muse" / "coordination" / "remote" / sub
    return sorted(p.name for p in folder.glob("*.json"))


def test_push_then_pull_roundtrip_and_idempotent_retry(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    src = make_repo_dir(tmp_path / "src", hub.url, alice.handle, slug, alice)
    ids = write_records(src, "task", 1_234)
    write_records(src, "reservation", 10)

    first = run_cli(src, "coord", "push", "--json")
    assert first.code == 0, first.err
    assert first.json["inserted"] == 1_244 and first.json["skipped"] == 0
    assert first.json["batches"] == 3

    again = run_cli(src, "coord", "push", "--json")  # a retried push: nothing new, nothing doubled
    assert again.code == 0 and again.json["inserted"] == 0 and again.json["skipped"] == 1_244

    dst = make_repo_dir(tmp_path / "dst", hub.url, alice.handle, slug, alice)
    pulled = run_cli(dst, "coord", "pull", "--json")
    assert pulled.code == 0, pulled.err
    assert pulled.json["received"] == 1_244 and pulled.json["written"] == 1_244
    assert pulled.json["cursor"] == 1_244
    assert _remote_files(dst) == sorted(f"{i}.json" for i in ids)
    local = orjson.loads((src / ".muse/coordination/tasks" / f"{ids[7]}.json").read_bytes())
    remote = orjson.loads((dst / ".muse/coordination/remote/tasks" / f"{ids[7]}.json").read_bytes())
    assert remote == local

    quiet = run_cli(dst, "coord", "pull", "--json")
    assert quiet.code == 0 and quiet.json["received"] == 0 and quiet.json["cursor"] == 1_244


def test_paging_and_cursor_resume(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    src = make_repo_dir(tmp_path / "src", hub.url, alice.handle, slug, alice)
    write_records(src, "task", 950)
    assert run_cli(src, "coord", "push", "--json").code == 0

    dst = make_repo_dir(tmp_path / "dst", hub.url, alice.handle, slug, alice)
    page1 = run_cli(dst, "coord", "pull", "--limit", "100", "--json")
    assert page1.code == 0 and page1.json["pages"] == 10 and page1.json["received"] == 950

    write_records(src, "task", 60, start=950)
    assert run_cli(src, "coord", "push", "--json").json["inserted"] == 60
    resumed = run_cli(dst, "coord", "pull", "--limit", "100", "--json")
    assert resumed.json["received"] == 60 and resumed.json["written"] == 60
    assert resumed.json["cursor"] == 1_010

    replay = run_cli(dst, "coord", "pull", "--since-id", "0", "--limit", "5000", "--json")
    assert replay.json["received"] == 1_010 and replay.json["written"] == 0
    assert len(_remote_files(dst)) == 1_010


def test_kinds_filter(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    src = make_repo_dir(tmp_path / "src", hub.url, alice.handle, slug, alice)
    write_records(src, "task", 30)
    write_records(src, "claim", 20)
    write_records(src, "reservation", 10)
    assert run_cli(src, "coord", "push", "--json").json["inserted"] == 60

    dst = make_repo_dir(tmp_path / "dst", hub.url, alice.handle, slug, alice)
    got = run_cli(dst, "coord", "pull", "--kind", "claim", "--kind", "reservation", "--json")
    assert got.code == 0 and got.json["received"] == 30
    assert _remote_files(dst, "tasks") == []
    assert len(_remote_files(dst, "claims")) == 20 and len(_remote_files(dst, "reservations")) == 10

    page = pull_from_hub(hub.url, alice.handle, slug, kinds=["task"], limit=7,
                         signing=alice.identity)
    assert len(page["records"]) == 7 and page["has_more"] is True
    assert {r["kind"] for r in page["records"]} == {"task"}


def _bus(rid: object, kind: str = "task", payload: object = None) -> dict[str, object]:
    return {"kind": kind, "record_id": rid, "run_id": "run-1",
            "payload": {"task_id": str(rid)} if payload is None else payload,
            "expires_at": "2099-12-31T23:59:59+00:00"}


HOSTILE_IDS = ["../../../etc/passwd", "..", "a/b", "a\\b", ".hidden", "-rf", "", "x" * 201,
               "nul\x00byte", "ünïcode", "a b", "sha256:../x", 17, None]


@pytest.mark.parametrize("bad_id", HOSTILE_IDS, ids=repr)
def test_hostile_id_rejects_the_whole_batch(hub: HubProcess, tmp_path: pathlib.Path,
                                             bad_id: object) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    batch = [_bus(f"good-{i}") for i in range(20)] + [_bus(bad_id)] + [_bus("good-last")]
    with pytest.raises(HubResponseError) as info:
        push_to_hub(hub.url, alice.handle, slug, batch, signing=alice.identity)
    assert "record 20" in info.value.message and "422" in info.value.message
    page = pull_from_hub(hub.url, alice.handle, slug, signing=alice.identity)
    assert page["records"] == [] and page["cursor"] == 0  # all or nothing


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("record", [
    {**_bus("ok"), "kind": "pony"},
    {**_bus("ok"), "payload": ["not", "an", "object"]},
    {**_bus("ok"), "run_id": 5},
    {**_bus("ok"), "expires_at": {"at": 1}},
    {**_bus("ok"), "run_id": "r" * 300},
    _bus("ok", payload={"blob": b"\x00\x01"}),
    _bus("ok", payload={"deep": _nested(300)}),
    _bus("ok", payload={"big": "x" * 1_100_000}),
    "not a record",
], ids=["kind", "payload", "run_id", "expires_at", "long-run", "bytes", "deep", "huge", "string"])
def test_record_shape_is_checked(hub: HubProcess, tmp_path: pathlib.Path, record: object) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    with pytest.raises(HubResponseError, match="422"):
        push_to_hub(hub.url, alice.handle, slug, [_bus("before"), record],  # type: ignore[list-item]
                    signing=alice.identity)
    assert pull_from_hub(hub.url, alice.handle, slug, signing=alice.identity)["records"] == []


def test_reasonable_nesting_is_accepted(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    rec = _bus("ok", payload={"deep": _nested(60)})
    assert push_to_hub(hub.url, alice.handle, slug, [rec], signing=alice.identity)["inserted"] == 1
    assert pull_from_hub(hub.url, alice.handle, slug, signing=alice.identity)["records"] == [rec]


def test_pull_returns_exactly_what_was_pushed(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    payload = {"task_id": "t-1", "nested": {"list": [1, 2.5, None, True, "ü"]}, "n": -7}
    rec = {**_bus("t-1", payload=payload), "extra_field": "dropped"}
    assert push_to_hub(hub.url, alice.handle, slug, [rec], signing=alice.identity)["inserted"] == 1
    page = pull_from_hub(hub.url, alice.handle, slug, signing=alice.identity)
    assert page["records"] == [_bus("t-1", payload=payload)]
    assert page["cursor"] == 1 and page["has_more"] is False


def test_batches_and_pages_share_one_connection(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    tx = HTTPTransport()
    try:
        for start in range(0, 1500, 500):
            batch = [_bus(f"t-{i}") for i in range(start, start + 500)]
            push_to_hub(hub.url, alice.handle, slug, batch, signing=alice.identity, transport=tx)
        cursor, pages = 0, 0
        while True:
            page = pull_from_hub(hub.url, alice.handle, slug, since_id=cursor, limit=400,
                                 signing=alice.identity, transport=tx)
            cursor, pages = page["cursor"], pages + 1
            if not page["has_more"]:
                break
        assert cursor == 1500 and pages == 4
        assert len(tx._all) == 1  # one keep-alive socket for all seven requests
    finally:
        tx.close()


def test_limit_is_capped(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    for start in range(0, 5500, 500):
        push_to_hub(hub.url, alice.handle, slug, [_bus(f"t-{i}") for i in range(start, start + 500)],
                    signing=alice.identity)
    page = pull_from_hub(hub.url, alice.handle, slug, limit=1_000_000, signing=alice.identity)
    assert len(page["records"]) == 5000 and page["has_more"] is True and page["cursor"] == 5000


def test_racing_pushes_of_one_batch_store_it_once(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    import threading

    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    ident = alice.identity
    batch = [_bus(f"t-{i}") for i in range(500)]
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def push() -> None:
        try:
            barrier.wait(timeout=60)
            results.append(push_to_hub(hub.url, alice.handle, slug, batch, signing=ident))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=push) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sum(r["inserted"] for r in results) == 500
    assert all(r["inserted"] + r["skipped"] == 500 for r in results)
    page = pull_from_hub(hub.url, alice.handle, slug, limit=5000, signing=ident)
    assert page["cursor"] == 500 and len(page["records"]) == 500
