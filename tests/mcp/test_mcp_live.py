"""`muse mcp --live` / `--hub`: MCP agents get the hub's leases and fencing.

A real stdio MCP client session against a real hub process: the tools return
the same documents as `muse coord <verb> --json --live`, tokens come from the
hub, and a stale token is refused with its reason.
"""

from __future__ import annotations

import pathlib
from collections.abc import Awaitable, Callable, Iterator

import pytest

pytest.importorskip("mcp")

import anyio
from mcp.client import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from muse.core.client.hub_client import HubClient
from muse.core.vocab.outcomes import ClaimOutcome, ReserveOutcome
from tests.conftest import PYTHON, subprocess_env
from tests.hub.conftest import Agent, HubProcess, create_repo, make_agent, make_repo_dir, running_hub
from tests.mcp.test_mcp_server import WAIT, call, call_error

RUN = "mcp-live-agent"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with running_hub(tmp_path_factory.mktemp("mcp-hub"), "sqlite") as h:
        yield h


def in_live_session(args: list[str], cwd: pathlib.Path, home: pathlib.Path,
                    body: Callable[[ClientSession], Awaitable[None]], **env: str) -> None:
    async def main() -> None:
        params = StdioServerParameters(
            command=PYTHON, args=["-m", "muse", "mcp", *args],
            env=subprocess_env(MUSE_RUN_ID=RUN, HOME=str(home), MUSE_HOME=str(home / ".muse"),
                               **env),
            cwd=str(cwd))
        with anyio.fail_after(WAIT):
            async with (
                stdio_client(params) as (read, write),
                ClientSession(read, write, read_timeout_seconds=WAIT) as session,
            ):
                await session.initialize()
                await body(session)

    anyio.run(main)


def _team(hub: HubProcess, tmp: pathlib.Path) -> tuple[Agent, str, pathlib.Path]:
    owner = make_agent(hub, tmp, "owner")
    slug = create_repo(hub, owner)
    root = make_repo_dir(tmp / "repo", hub.url, owner.handle, slug, owner)
    return owner, slug, root


def test_live_tools_use_the_hubs_leases_and_tokens(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    owner, slug, root = _team(hub, tmp_path)
    rival = HubClient(hub.url, owner.handle, slug, owner.identity)
    held = rival.reserve("rival", ["fs/ext4/inode.c::ext4_write"], ttl=600)

    async def body(session: ClientSession) -> None:
        task = await call(session, "enqueue", description="port ext4", task_id="ext4", priority=2)
        assert task["backend"] == "live"
        claimed = await call(session, "claim")
        assert list(claimed)[:len(ClaimOutcome.FIELDS)] == list(ClaimOutcome.FIELDS)
        assert claimed["task_id"] == "ext4" and claimed["backend"] == "live"
        assert claimed["token"] > held["token"]  # one sequence on the hub

        refused = await call_error(session, "reserve", symbols=["fs/ext4/inode.c"], strict=True)
        assert refused["error"] == "conflict" and refused["details"]["holder"] == "rival"
        assert refused["details"]["retry_after"] >= 1

        res = await call(session, "reserve", symbols=["fs/ext4/super.c::ext4_fill_super"],
                         ttl_seconds=300)
        assert list(res) == list(ReserveOutcome.FIELDS) and res["token"] > claimed["token"]
        stale = await call_error(session, "release", reservation_id=res["reservation_id"],
                                 token=res["token"] + 50)
        assert stale["error"] == "stale_token" and stale["details"]["reason"] == "mismatch"
        missing = await call_error(session, "complete", task_id="ext4")
        assert missing["error"] == "usage" and "token" in missing["message"]
        done = await call(session, "complete", task_id="ext4", token=claimed["token"])
        assert done["status"] == "completed" and done["backend"] == "live"
        status = await call(session, "status", symbol="fs/ext4/inode.c::ext4_write")
        assert status["backend"] == "live" and status["fence"] >= res["token"]
        assert [h["run_id"] for h in status["holders"]] == ["rival"]
        tasks = await call(session, "tasks")
        assert tasks["counts"]["completed"] == 1 and tasks["tasks"][0]["task_id"] == "ext4"

    in_live_session(["--live", "--root", str(root)], root, tmp_path, body)
    # The hub decided: nothing was written under the local repository.
    assert not any((root / ".muse" / "coordination").glob("*/*.json"))
    assert rival.status(symbol="fs/ext4/super.c::ext4_fill_super")["holders"][0]["run_id"] == RUN


def test_hub_flags_need_no_repository(hub: HubProcess, tmp_path: pathlib.Path) -> None:
    owner, slug, _ = _team(hub, tmp_path)
    bare = tmp_path / "bare"
    bare.mkdir()

    async def body(session: ClientSession) -> None:
        res = await call(session, "reserve", symbols=["mm/slab.c"], ttl_seconds=60)
        assert res["backend"] == "live"
        no_repo = await call_error(session, "gc")
        assert no_repo["error"] == "usage"

    in_live_session(["--hub", hub.url, "--owner", owner.handle, "--slug", slug], bare, tmp_path,
                    body, MUSE_HANDLE=owner.handle, MUSE_KEY=str(owner.key_path))
