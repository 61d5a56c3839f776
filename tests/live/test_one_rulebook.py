"""One rulebook: the local engine and a real hub give the same answers.

Each test is one divergence of issue 10 (and the address part of issue 12),
asked of both engines — local files through ``muse.core.coordination`` and a
hub process over real sockets (SQLite and PostgreSQL) — and each failed
before the engines shared :mod:`muse.core.vocab.rules`.
"""

from __future__ import annotations

import pathlib
import time

import pytest

from muse.core import coordination as co
from muse.core.coord.state import CoordState
from muse.core.vocab.clock import now as wall_now
from muse.core.vocab.errors import ConflictError, StaleToken, UserError
from tests.hub.conftest import HubProcess, make_repo_dir, run_cli
from tests.live.conftest import Team, make_team


@pytest.fixture
def team(hub: HubProcess, tmp_path: pathlib.Path) -> Team:
    return make_team([hub], tmp_path, 2)


def _local(team: Team, tmp_path: pathlib.Path, name: str, agent: int = 0) -> pathlib.Path:
    return make_repo_dir(tmp_path / name, team.hub_urls[0], team.owner.handle, team.slug,
                         team.agents[agent])


# ── 1. the token shown is the token held ─────────────────────────────────────
def test_pulled_views_show_the_token_the_live_holder_presents(team: Team,
                                                              tmp_path: pathlib.Path) -> None:
    hub = team.client(team.agents[0])
    hub.reserve("run-0", ["a.c"], ttl=60)
    hub.reserve("run-0", ["b.c"], ttl=60)  # the fencing sequence moves past the slot numbers
    hub.enqueue([{"task_id": "port-x", "description": "port x"}])
    got = hub.claim("run-0", ttl=600)
    assert got["token"] >= 3
    root = _local(team, tmp_path, "puller", 1)
    assert run_cli(root, "coord", "pull", "--json").code == 0
    st = CoordState(root).task_states()["port-x"]
    assert st.status == "claimed" and st.token == got["token"]
    assert st.to_json()["token"] == got["token"]
    shown = run_cli(root, "coord", "tasks", "--json").json
    assert [t["token"] for t in shown["tasks"] if t["task_id"] == "port-x"] == [got["token"]]
    # …and the holder's token still fences on the hub.
    assert hub.fence(st.token, task_id="port-x")["valid"]


def test_local_records_carry_a_token_sequence_that_only_grows(repo: pathlib.Path) -> None:
    a = co.reserve(repo, "run-a", ["a.c::f"])
    co.enqueue(repo, "t", task_id="t")
    won = co.claim(repo, "run-b", ttl=60)
    b = co.reserve(repo, "run-a", ["b.c::g"])
    assert won is not None
    tokens = [a.record["token"], won.claim["token"], b.record["token"]]
    assert tokens == sorted(set(tokens)) and won.token == won.claim["token"]
    assert CoordState(repo).task_states()["t"].to_json()["token"] == won.token
    assert a.reservation.token == a.record["token"]


# ── 2. a late heartbeat revives nothing, in either engine ────────────────────
def test_a_late_heartbeat_revives_no_lease(team: Team, repo: pathlib.Path) -> None:
    t0 = wall_now()
    gone = co.reserve(repo, "run-a", ["kernel/sched/core.c::schedule"], ttl=5, now=t0)
    beat = co.heartbeat(repo, "run-a", ttl=600, now=t0 + 10)
    assert beat["expired"] == {"reservations": 1, "claims": 0}
    assert co.active_reservations(repo, now=t0 + 11) == []
    # Someone else took it meanwhile? Nothing of run-a's stands in the way.
    co.reserve(repo, "run-b", ["kernel/sched/core.c::schedule"], strict=True, now=t0 + 12)
    with pytest.raises(StaleToken) as local:
        co.release(repo, gone.reservation.reservation_id, "run-a", now=t0 + 13)

    hub = team.client(team.agents[0])
    held = hub.reserve("run-0", ["kernel/sched/core.c::schedule"], ttl=1)
    time.sleep(2.2)
    assert hub.heartbeat("run-0", ttl=600)["expired"]["reservations"] == 1
    assert hub.status()["reservations"]["active"] == 0
    with pytest.raises(StaleToken) as live:
        hub.release(held["reservation_id"], "run-0", held["token"])
    assert local.value.details["reason"] == live.value.details["reason"] == "expired"


def test_a_late_heartbeat_requeues_a_lapsed_claim_locally(repo: pathlib.Path) -> None:
    t0 = wall_now()
    co.enqueue(repo, "t", task_id="t", now=t0)
    won = co.claim(repo, "run-a", ttl=5, now=t0)
    assert won is not None
    assert co.heartbeat(repo, "run-a", ttl=600, now=t0 + 10)["expired"]["claims"] == 1
    st = CoordState(repo, t0 + 11).task_states()["t"]
    assert st.status == "pending" and st.ready
    with pytest.raises(StaleToken) as exc:
        co.complete(repo, "t", "run-a", token=won.token, now=t0 + 12)
    assert exc.value.details["reason"] == "expired"


# ── 3. pushed and live are one world on a hub ────────────────────────────────
def test_a_pushed_reservation_stops_a_strict_live_reserve(team: Team,
                                                         tmp_path: pathlib.Path) -> None:
    root = _local(team, tmp_path, "pusher", 0)
    mine = co.reserve(root, "run-local", ["./kernel/sched/core.c::schedule"], ttl=3600)
    co.enqueue(root, "port sched", task_id="port-sched", priority=3)
    assert run_cli(root, "coord", "push", "--json").code == 0
    other = team.client(team.agents[1])
    with pytest.raises(ConflictError) as exc:
        other.reserve("run-1", ["kernel/sched"], ttl=60, strict=True)
    assert exc.value.details["holder"] == "run-local"
    assert other.status()["reservations"]["active"] == 1
    # The pushed task is claimable through the live queue.
    got = other.claim("run-1", ttl=60)
    assert got["task"] is not None and got["task"]["task_id"] == "port-sched"
    # A pushed release frees the address for live reservers.
    co.release(root, mine.reservation.reservation_id, "run-local")
    assert run_cli(root, "coord", "push", "--json").code == 0
    assert other.reserve("run-1", ["kernel/sched"], ttl=60, strict=True)["token"] >= 1


def test_a_pushed_heartbeat_follows_the_heartbeat_rule(team: Team,
                                                       tmp_path: pathlib.Path) -> None:
    root = _local(team, tmp_path, "beater", 0)
    co.reserve(root, "run-local", ["mm/slab.c::kmalloc"], ttl=3)
    assert run_cli(root, "coord", "push", "--json").code == 0
    other = team.client(team.agents[1])
    assert other.status()["reservations"]["active"] == 1
    co.heartbeat(root, "run-local", ttl=3600)
    assert run_cli(root, "coord", "push", "--json").code == 0
    time.sleep(3.5)
    # Extended by the pushed heartbeat: still held on the hub.
    with pytest.raises(ConflictError):
        other.reserve("run-1", ["mm/slab.c"], ttl=60, strict=True)


def test_pushed_claims_move_the_live_queue(team: Team, tmp_path: pathlib.Path) -> None:
    root = _local(team, tmp_path, "claimer", 0)
    co.enqueue(root, "port mm", task_id="port-mm")
    co.enqueue(root, "port mm tests", task_id="port-mm-tests", depends_on=["port-mm"])
    won = co.claim(root, "run-local", ttl=3600)
    assert won is not None and won.task.task_id == "port-mm"
    assert run_cli(root, "coord", "push", "--json").code == 0
    other = team.client(team.agents[1])
    with pytest.raises(ConflictError) as held:
        other.claim("run-1", ttl=60, task_id="port-mm")
    assert held.value.details["holder"] == "run-local"
    assert other.claim("run-1", ttl=60)["task"] is None  # the dependent waits
    co.complete(root, "port-mm", "run-local", token=won.token)
    assert run_cli(root, "coord", "push", "--json").code == 0
    assert other.status()["tasks"]["completed"] == 1
    assert other.claim("run-1", ttl=60)["task"]["task_id"] == "port-mm-tests"


def test_pushed_task_dependencies_block_the_live_queue(team: Team,
                                                       tmp_path: pathlib.Path) -> None:
    root = _local(team, tmp_path, "depender", 0)
    for tid in ("port-rcu", "port-locking", "port-sched"):
        co.enqueue(root, tid, task_id=tid)
    co.depend(root, "port-sched", ["port-rcu", "port-locking"], on_tasks=True)
    assert run_cli(root, "coord", "push", "--json").code == 0
    other = team.client(team.agents[1])
    with pytest.raises(ConflictError) as blocked:
        other.claim("run-1", ttl=60, task_id="port-sched")
    assert blocked.value.details["blocked_by"] == ["port-locking", "port-rcu"]
    assert other.status()["tasks"]["blocked"] == 1
    assert run_cli(root, "coord", "push", "--json").code == 0  # a re-push applies nothing twice
    for _ in range(2):
        got = other.claim("run-1", ttl=60)
        assert got["task"]["task_id"] != "port-sched"
        other.complete(got["task"]["task_id"], "run-1", got["token"])
    assert other.claim("run-1", ttl=60)["task"]["task_id"] == "port-sched"


def test_a_pushed_dependency_closing_a_cycle_changes_nothing(team: Team,
                                                             tmp_path: pathlib.Path) -> None:
    other = team.client(team.agents[1])
    other.enqueue([{"task_id": "a"}, {"task_id": "b", "depends_on": ["a"]}])
    root = _local(team, tmp_path, "cycler", 0)
    co.enqueue(root, "a", task_id="a")
    co.enqueue(root, "b", task_id="b")
    co.depend(root, "a", ["b"], on_tasks=True)  # no cycle locally: b waits for a only on the hub
    assert run_cli(root, "coord", "push", "--json").code == 0
    assert other.claim("run-1", ttl=60)["task"]["task_id"] == "a"


# ── 4. one address grammar and one cap ───────────────────────────────────────
@pytest.mark.parametrize("bad", ["a.c::Foo.", "::a..b", "a.c\r", "/etc/passwd", "../x.c",
                                 "a/../b.c", "a.c::"])
def test_both_engines_refuse_the_same_addresses(team: Team, repo: pathlib.Path,
                                                bad: str) -> None:
    with pytest.raises(UserError) as local:
        co.reserve(repo, "run-a", [bad])
    with pytest.raises(UserError) as live:
        team.client(team.agents[0]).reserve("run-0", [bad], ttl=60)
    why = local.value.details["why"]
    assert why in live.value.message


def test_both_engines_cap_symbols_per_request_alike(team: Team, repo: pathlib.Path) -> None:
    from muse.core.vocab.errors import MuseError
    from muse.core.vocab.rules import MAX_SYMBOLS, TooManySymbols

    ok = [f"s{i}.c" for i in range(MAX_SYMBOLS)]
    co.reserve(repo, "run-a", ok)
    team.client(team.agents[0]).reserve("run-0", ok, ttl=60)
    too_many = [*ok, "one-more.c"]
    with pytest.raises(TooManySymbols) as local:
        co.reserve(repo, "run-a", too_many)
    with pytest.raises(MuseError) as live:  # HTTP 413 (payload_too_large)
        team.client(team.agents[0]).reserve("run-0", too_many, ttl=60)
    assert f"limit of {MAX_SYMBOLS}" in local.value.message
    assert f"limit of {MAX_SYMBOLS}" in live.value.message and live.value.details["status"] == 413
    assert live.value.exit_code == local.value.exit_code == 1


@pytest.mark.parametrize(("held", "asked"), [
    ("kernel/sched/core.c::schedule", "./kernel/sched/core.c::schedule"),
    ("kernel/sched/core.c::schedule", "kernel//sched/core.c::schedule "),
    ("kernel/sched/core.c::schedule", "kernel\\sched\\core.c::schedule"),
    ("kernel/sched/core.c::schedule", "kernel/sched"),
    ("kernel/sched", "kernel/sched/core.c::schedule"),
    ("kernel/sched/", "kernel/sched/fair.c"),
    ("tools/perf/util/c++/x.c", "tools/perf/util/c++"),
    ("lib/x.cc::ns::Buf::put", "lib/x.cc::ns.Buf"),
])
def test_overlaps_are_refused_alike(team: Team, repo: pathlib.Path, held: str,
                                    asked: str) -> None:
    co.reserve(repo, "run-a", [held], ttl=600)
    with pytest.raises(ConflictError) as local:
        co.reserve(repo, "run-b", [asked], strict=True)
    team.client(team.agents[0]).reserve("run-0", [held], ttl=600)
    with pytest.raises(ConflictError) as live:
        team.client(team.agents[1]).reserve("run-1", [asked], ttl=60, strict=True)
    assert local.value.details["symbol"] == live.value.details["symbol"]


def test_component_wise_scopes_do_not_overlap_neighbours(team: Team, repo: pathlib.Path) -> None:
    e1000 = "drivers/net/ethernet/intel/e1000"
    co.reserve(repo, "run-a", [e1000], ttl=600)
    co.reserve(repo, "run-b", [f"{e1000}e/netdev.c::e1000_open"], strict=True)
    team.client(team.agents[0]).reserve("run-0", [e1000], ttl=600)
    team.client(team.agents[1]).reserve("run-1", [f"{e1000}e/netdev.c::e1000_open"], ttl=60,
                                        strict=True)


# ── 5. local release and complete enforce fencing like the hub ───────────────
def test_a_taken_over_claim_cannot_be_completed_in_either_engine(team: Team,
                                                                 repo: pathlib.Path) -> None:
    t0 = wall_now()
    co.enqueue(repo, "t", task_id="t", now=t0)
    old = co.claim(repo, "run-a", ttl=5, now=t0)
    new = co.claim(repo, "run-b", ttl=600, now=t0 + 10)
    assert old is not None and new is not None and new.token > old.token
    with pytest.raises(StaleToken) as local:
        co.complete(repo, "t", "run-a", token=old.token, now=t0 + 11)

    hub_a, hub_b = team.client(team.agents[0]), team.client(team.agents[1])
    hub_a.enqueue([{"task_id": "t"}])
    first = hub_a.claim("run-0", ttl=1)
    time.sleep(2.2)
    hub_b.claim("run-1", ttl=600)
    with pytest.raises(StaleToken) as live:
        hub_a.complete("t", "run-0", first["token"])
    assert local.value.details["reason"] == live.value.details["reason"] == "superseded"


def test_an_expired_lease_cannot_be_released_with_its_token(team: Team,
                                                            repo: pathlib.Path) -> None:
    t0 = wall_now()
    mine = co.reserve(repo, "run-a", ["fs/ext4/inode.c"], ttl=5, now=t0)
    with pytest.raises(StaleToken) as local:
        co.release(repo, mine.reservation.reservation_id, "run-a", token=mine.record["token"],
                   now=t0 + 10)
    hub = team.client(team.agents[0])
    held = hub.reserve("run-0", ["fs/ext4/inode.c"], ttl=1)
    time.sleep(2.2)
    with pytest.raises(StaleToken) as live:
        hub.release(held["reservation_id"], "run-0", held["token"])
    assert local.value.details["reason"] == live.value.details["reason"] == "expired"
    with pytest.raises(StaleToken) as wrong:
        co.release(repo, mine.reservation.reservation_id, "run-a",
                   token=mine.record["token"] + 1, now=t0 + 1)
    assert wrong.value.details["reason"] == "mismatch"


# ── 6. one strict refusal: the same holder named, the same retry-after ───────
def test_strict_refusals_name_the_same_holder_and_wait(team: Team, repo: pathlib.Path) -> None:
    t0 = float(int(wall_now()))  # records keep whole seconds
    co.reserve(repo, "run-short", ["net/ipv4/tcp.c"], ttl=100, now=t0)
    co.reserve(repo, "run-long", ["net/ipv4/tcp.c::tcp_sendmsg"], ttl=300, now=t0)
    with pytest.raises(ConflictError) as local:
        co.reserve(repo, "run-c", ["net/ipv4"], strict=True, now=t0 + 0.5)
    assert local.value.details["holder"] == "run-long"
    assert local.value.details["retry_after"] == 300  # 299.5 s rounded up

    short, long_ = team.client(team.agents[0]), team.client(team.agents[1])
    short.reserve("run-short", ["net/ipv4/tcp.c"], ttl=100)
    long_.reserve("run-long", ["net/ipv4/tcp.c::tcp_sendmsg"], ttl=300)
    with pytest.raises(ConflictError) as live:
        team.client().reserve("run-c", ["net/ipv4"], ttl=60, strict=True)
    assert live.value.details["holder"] == "run-long"
    assert 298 <= live.value.details["retry_after"] <= 300
