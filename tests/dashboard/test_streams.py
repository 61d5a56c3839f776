"""Event-stream limits on a real hub: anonymous crowds never lock signed-in users out.

Each anonymous stream comes from its own loopback address (127.0.1.x), as a
crowd of strangers would; the hub must cap them per repository and per
address, in a pool of their own, and still let a signed-in user stream.
"""

from __future__ import annotations

import pathlib
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muse.hub.dashboard.streams import (
    ANON_STREAMS_PER_ADDRESS,
    ANON_STREAMS_PER_REPO,
    SIGNED_STREAMS_PER_HANDLE,
)
from tests.dashboard.conftest import capability_for
from tests.dashboard.data import swarm_records
from tests.dashboard.wire import EventStream, open_stream, sign_in
from tests.hub.conftest import HubProcess, create_repo, make_agent

CROWD = 205  # the count that locked every signed-in user out (issue 13)


@pytest.fixture
def streams() -> Iterator[list[EventStream]]:
    opened: list[EventStream] = []
    yield opened
    for s in opened:
        s.close()


def _crowd(hub: HubProcess, owner: str, slug: str, n: int, subnet: str,
           opened: list[EventStream]) -> list[int]:
    statuses = []
    for i in range(n):
        s = open_stream(hub.url, owner, slug, source=f"127.0.{subnet}.{1 + i % 250}")
        opened.append(s)
        statuses.append(s.status)
    return statuses


def test_anonymous_crowd_does_not_lock_out_signed_in_users(
        real_hub: HubProcess, tmp_path: pathlib.Path, streams: list[EventStream]) -> None:
    from tests.dashboard.browser import push_all

    owner = make_agent(real_hub, tmp_path, "owner")
    slug = create_repo(real_hub, owner, public=True)
    push_all(real_hub.url, owner.handle, slug, swarm_records(time.time(), runs=5, tasks=3),
             owner.identity)
    answer, cookie = sign_in(real_hub.url, owner.handle, slug,
                             capability_for(real_hub, owner, owner.handle, slug))
    assert answer.status == 200 and cookie, answer.body
    statuses = _crowd(real_hub, owner.handle, slug, CROWD, "1", streams)

    # The owner, signed in with a cookie, still gets a live stream.
    mine = open_stream(real_hub.url, owner.handle, slug, headers={"Cookie": cookie})
    streams.append(mine)
    assert mine.status == 200, mine.first
    assert b"event: summary" in mine.read_until(b"event: summary")
    # The crowd got its share of the repository, and the rest were told to retry.
    assert set(statuses) <= {200, 503}
    assert statuses.count(200) == ANON_STREAMS_PER_REPO
    assert streams[statuses.index(503)].headers.get("retry-after")

    # A stranger on another public repository is let in: the cap is per repository.
    other = create_repo(real_hub, owner, public=True)
    fresh = open_stream(real_hub.url, owner.handle, other, source="127.0.3.1")
    streams.append(fresh)
    assert fresh.status == 200


def test_one_address_gets_a_few_anonymous_streams(
        real_hub: HubProcess, tmp_path: pathlib.Path, streams: list[EventStream]) -> None:
    owner = make_agent(real_hub, tmp_path, "owner")
    slugs = [create_repo(real_hub, owner, public=True) for _ in range(2)]
    got = []
    for i in range(ANON_STREAMS_PER_ADDRESS + 1):  # across repositories: the cap is per address
        s = open_stream(real_hub.url, owner.handle, slugs[i % 2], source="127.0.4.1")
        streams.append(s)
        got.append(s.status)
    assert got == [200] * ANON_STREAMS_PER_ADDRESS + [503]
    neighbour = open_stream(real_hub.url, owner.handle, slugs[0], source="127.0.4.2")
    streams.append(neighbour)
    assert neighbour.status == 200


def test_one_identity_gets_a_bounded_number_of_streams(
        real_hub: HubProcess, tmp_path: pathlib.Path, streams: list[EventStream]) -> None:
    owner = make_agent(real_hub, tmp_path, "owner")
    slug = create_repo(real_hub, owner)
    _, cookie = sign_in(real_hub.url, owner.handle, slug,
                        capability_for(real_hub, owner, owner.handle, slug))
    assert cookie
    got = []
    for i in range(SIGNED_STREAMS_PER_HANDLE + 1):
        s = open_stream(real_hub.url, owner.handle, slug, source=f"127.0.5.{1 + i}",
                        headers={"Cookie": cookie})
        streams.append(s)
        got.append(s.status)
    assert got == [200] * SIGNED_STREAMS_PER_HANDLE + [503]
    # Closing streams gives the slots back.
    for s in streams:
        s.close()
    streams.clear()
    _wait_for_slot(real_hub, owner.handle, slug, cookie, streams)


def _wait_for_slot(hub: HubProcess, owner: str, slug: str, cookie: str,
                   streams: list[EventStream]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        s = open_stream(hub.url, owner, slug, headers={"Cookie": cookie})
        streams.append(s)
        if s.status == 200:
            return
        s.close()
        time.sleep(0.5)
    raise AssertionError("closed streams did not give their slots back within 30 s")


def test_anonymous_streams_are_capped_per_hub(tmp_path: pathlib.Path,
                                              streams: list[EventStream]) -> None:
    from muse.hub.dashboard.streams import ANON_STREAMS
    from tests.hub.conftest import running_hub

    with running_hub(tmp_path / "hub", "sqlite") as hub:
        owner = make_agent(hub, tmp_path, "owner")
        per_repo = ANON_STREAMS_PER_REPO
        repos = [create_repo(hub, owner, public=True)
                 for _ in range(ANON_STREAMS // per_repo + 1)]
        statuses = []
        for r, slug in enumerate(repos):
            statuses += _crowd(hub, owner.handle, slug, per_repo, str(10 + r), streams)
        assert statuses.count(200) == ANON_STREAMS
        assert statuses[-per_repo:] == [503] * per_repo  # the last repository found no room
        _, cookie = sign_in(hub.url, owner.handle, repos[-1],
                            capability_for(hub, owner, owner.handle, repos[-1]))
        assert cookie
        mine = open_stream(hub.url, owner.handle, repos[-1], headers={"Cookie": cookie})
        streams.append(mine)
        assert mine.status == 200


# ── the gate alone: caps hold for any sequence of opens and closes ─────────

_SMALL = {"ANON_STREAMS": 6, "ANON_STREAMS_PER_REPO": 4, "ANON_STREAMS_PER_ADDRESS": 2,
          "SIGNED_STREAMS": 5, "SIGNED_STREAMS_PER_HANDLE": 2}  # small, so every cap is met
_HANDLES = [None, None, None, "alice", "bob", "carol", "dave"]  # None: anonymous
_REPOS = [1, 2, 3]
_ADDRESSES = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]


@settings(max_examples=200)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(_HANDLES), st.sampled_from(_REPOS),
                          st.sampled_from(_ADDRESSES), st.integers(0, 10_000)), max_size=200))
def test_the_gate_never_passes_a_cap_and_anonymous_never_block_signed_in(
        steps: list[tuple[bool, str | None, int, str, int]]) -> None:
    from unittest import mock

    from muse.hub.dashboard import streams
    from muse.hub.dashboard.access import Viewer
    from muse.storage.base import Repo

    def count(held: list[tuple[str | None, int, str]], **match: object) -> int:
        keys = ("handle", "repo", "address")
        return sum(1 for v in held if all(v[keys.index(k)] == m for k, m in match.items()))

    with mock.patch.multiple(streams, **_SMALL):
        gate = streams.StreamGate()
        held: list[tuple[str | None, int, str]] = []
        slots: list[streams.Slot] = []
        for opening, handle, repo_id, address, pick in steps:
            if not opening:
                if held:
                    held.pop(pick % len(held))
                    gate.release(slots.pop(pick % len(slots)))
                continue
            signed = [v for v in held if v[0] is not None]
            anon = [v for v in held if v[0] is None]
            if handle is None:
                expect = (len(anon) < _SMALL["ANON_STREAMS"]
                          and count(anon, repo=repo_id) < _SMALL["ANON_STREAMS_PER_REPO"]
                          and count(anon, address=address) < _SMALL["ANON_STREAMS_PER_ADDRESS"])
            else:
                # Whatever anonymous viewers hold: only the signed-in caps count.
                expect = (len(signed) < _SMALL["SIGNED_STREAMS"]
                          and count(signed, handle=handle) < _SMALL["SIGNED_STREAMS_PER_HANDLE"])
            viewer = Viewer(Repo(repo_id, "o", f"r{repo_id}", "o", True, 0.0), handle)
            slot = gate.admit(viewer, address)
            assert (slot is not None) == expect
            if slot is not None:
                held.append((handle, repo_id, address))
                slots.append(slot)
            assert gate.open_streams() == len(held)
        for slot in slots:
            gate.release(slot)
        assert gate.open_streams() == 0
