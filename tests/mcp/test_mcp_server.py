"""`muse mcp` driven by a real MCP client session over stdio."""

from __future__ import annotations

import pathlib
import subprocess
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

pytest.importorskip("mcp")

import anyio
from mcp.client import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from muse.core import coordination as co
from tests.conftest import PYTHON, subprocess_env

RUN = "agent-under-test"
WAIT = 120.0  # a loaded 2-core machine may take seconds to start the server

EXPECTED_TOOLS = {
    "reserve", "intent", "release", "heartbeat", "depend", "enqueue", "claim", "complete",
    "fail", "tasks", "status", "forecast", "gc", "push", "pull", "wait",
}


def in_session(repo: pathlib.Path, body: Callable[[ClientSession], Awaitable[None]],
               cwd: pathlib.Path | None = None) -> None:
    """Spawn `python -m muse mcp --root repo` and run *body* against it."""

    async def main() -> None:
        params = StdioServerParameters(
            command=PYTHON, args=["-m", "muse", "mcp", "--root", str(repo)],
            env=subprocess_env(MUSE_RUN_ID=RUN), cwd=str(cwd or repo.parent),
        )
        with anyio.fail_after(WAIT):
            async with (
                stdio_client(params) as (read, write),
                ClientSession(read, write, read_timeout_seconds=WAIT) as session,
            ):
                await session.initialize()
                await body(session)

    anyio.run(main)


async def call(session: ClientSession, tool: str, **args: Any) -> dict[str, Any]:
    result = await session.call_tool(tool, args)
    assert not result.is_error, f"{tool} failed: {result.content}"
    assert result.structured_content is not None
    return result.structured_content


async def call_error(session: ClientSession, tool: str, **args: Any) -> dict[str, Any]:
    result = await session.call_tool(tool, args)
    assert result.is_error, f"{tool} should have failed: {result.structured_content}"
    body = result.structured_content
    assert body is not None, f"error without structured content: {result.content}"
    for key in ("error", "message", "details", "retryable", "exit_code", "next_step"):
        assert key in body, key
    return body


def test_lists_every_tool_with_documented_schemas(repo: pathlib.Path) -> None:
    async def body(session: ClientSession) -> None:
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert EXPECTED_TOOLS <= set(tools)
        for name in EXPECTED_TOOLS:
            tool = tools[name]
            assert tool.description, name
            assert tool.output_schema is not None, f"{name} has no output schema"
            assert tool.input_schema["type"] == "object"
        reserve = tools["reserve"].input_schema
        assert reserve["required"] == ["symbols"]
        assert "description" in reserve["properties"]["symbols"]
        assert "reservation_id" in tools["reserve"].output_schema["properties"]
        assert "token" in str(tools["claim"].output_schema)
        assert tools["status"].annotations is not None and tools["status"].annotations.read_only_hint

    in_session(repo, body)


def test_agent_loop_reserve_claim_complete_status_forecast(repo: pathlib.Path) -> None:
    async def body(session: ClientSession) -> None:
        task = await call(session, "enqueue", description="port the scheduler", task_id="sched",
                          priority=5, symbols=["kernel/sched/core.c::schedule"])
        assert task["task_id"] == "sched"

        claimed = await call(session, "claim")
        assert claimed["task_id"] == "sched"
        assert claimed["run_id"] == RUN  # default from MUSE_RUN_ID
        token = claimed["token"]
        assert "kernel/sched/core.c::schedule" in claimed["next_step"]

        res = await call(session, "reserve", symbols=["kernel/sched/core.c::schedule"], ttl_seconds=600)
        assert res["run_id"] == RUN and res["mode"] == "advisory" and res["conflicts"] == []
        rid = res["reservation_id"]
        intent = await call(session, "intent", operation="modify",
                            target="kernel/sched/core.c::schedule", reservation_id=rid)
        assert intent["reservation_id"] == rid

        # Another run overlaps: reported by reserve, status and forecast.
        other = await call(session, "reserve", symbols=["kernel/sched/core.c"], run_id="other-agent")
        assert other["conflicts"][0]["holders"][0]["run_id"] == RUN
        status = await call(session, "status")
        assert status["active_reservations"] == 2 and status["runs"] == 2
        assert status["conflict_count"] >= 1
        assert {h["run_id"] for h in status["conflicts"][0]["holders"]} == {RUN, "other-agent"}
        await call(session, "intent", operation="delete", target="kernel/sched/core.c::schedule",
                   reservation_id=other["reservation_id"], run_id="other-agent")
        forecast = await call(session, "forecast")
        assert forecast["counts"]["high"] >= 1
        top = forecast["conflicts"][0]
        assert top["severity"] == "high" and top["kind"] == "intent"
        assert set(top["runs"]) == {RUN, "other-agent"}

        beat = await call(session, "heartbeat", ttl_seconds=900)
        assert beat["run_id"] == RUN
        done = await call(session, "complete", task_id="sched", token=token, detail="ported")
        assert done["status"] == "completed"
        released = await call(session, "release", reservation_id=rid)
        assert released["reservation_id"] == rid and not released["already_released"]

        tasks = await call(session, "tasks")
        assert tasks["counts"]["completed"] == 1
        assert tasks["tasks"][0]["status"] == "completed"
        nothing = await call(session, "claim")
        assert nothing["task_id"] is None and nothing["token"] is None and nothing["next_step"]
        gc = await call(session, "gc", dry_run=True)
        assert gc["dry_run"] is True

    in_session(repo, body)
    # The tools wrote through the same core the CLI reads.
    assert co.load_tasks(repo)[0].task_id == "sched"


def test_structured_errors(repo: pathlib.Path) -> None:
    co.reserve(repo, "holder", ["fs/ext4/inode.c::ext4_write"], ttl=600)
    co.enqueue(repo, "owned by someone", task_id="theirs")
    assert co.claim(repo, "holder", task_id="theirs") is not None

    async def body(session: ClientSession) -> None:
        missing = await call_error(session, "claim", task_id="no-such-task")
        assert missing["error"] == "not_found" and missing["exit_code"] == 4
        assert "tasks" in missing["next_step"]

        held = await call_error(session, "reserve", symbols=["fs/ext4/inode.c"], strict=True)
        assert held["error"] == "conflict" and held["retryable"] is True
        assert held["details"]["holder"] == "holder"
        assert held["details"]["expires_at"]
        assert "holder" in held["next_step"] and "wait" in held["next_step"]

        taken = await call_error(session, "claim", task_id="theirs")
        assert taken["error"] == "conflict" and taken["details"]["holder"] == "holder"

        stale = await call_error(session, "complete", task_id="theirs")
        assert stale["error"] == "stale_token" and "claim" in stale["next_step"]

        cycle_a = await call(session, "enqueue", description="a", task_id="a")
        await call(session, "enqueue", description="b", task_id="b", depends_on=[cycle_a["task_id"]])
        cycle = await call_error(session, "depend", node="a", depends_on=["b"], on_tasks=True)
        assert cycle["error"] == "dependency_cycle"

        bad_id = await call_error(session, "release", reservation_id="../etc/passwd")
        assert bad_id["error"] == "invalid_id"

        bad_args = await call_error(session, "intent", operation="obliterate", target="a.c")
        assert bad_args["error"] == "invalid_arguments" and "operation" in bad_args["message"]

        timeout = await call_error(session, "wait", symbols=["fs/ext4/inode.c::ext4_write"],
                                   timeout_seconds=0.5)
        assert timeout["error"] == "timeout"
        assert "holder" in timeout["next_step"]

        no_hub = await call_error(session, "push")
        assert no_hub["error"] == "usage" and "hub" in no_hub["next_step"]

        # The session survives errors.
        assert (await call(session, "status"))["active_reservations"] == 1

    in_session(repo, body)


def test_wait_returns_when_symbol_frees(repo: pathlib.Path) -> None:
    res = co.reserve(repo, "holder", ["mm/slab.c::kmalloc"], ttl=600)

    async def body(session: ClientSession) -> None:
        async def release_soon() -> None:
            await anyio.sleep(1.0)
            co.release(repo, res.reservation.reservation_id, "holder")

        async with anyio.create_task_group() as tg:
            tg.start_soon(release_soon)
            waited = await call(session, "wait", symbols=["mm/slab.c::kmalloc"], timeout_seconds=90)
        assert waited["reached"] is True and waited["condition"] == "symbol_free"
        assert [e["event"] for e in waited["events"]] == ["released"]

    in_session(repo, body)


def test_not_a_repository_exits_2(tmp_path: pathlib.Path) -> None:
    proc = subprocess.run([PYTHON, "-m", "muse", "mcp", "--root", str(tmp_path)], check=False,
                          env=subprocess_env(), capture_output=True, text=True, timeout=WAIT)
    assert proc.returncode == 2
    assert "muse init" in proc.stderr


def test_coord_verbs_do_not_import_the_sdk(repo: pathlib.Path) -> None:
    code = ("import sys; from muse.cli.main import main; main(['coord', 'status', '--json']);"
            "print('MCP' if any(m == 'mcp' or m.startswith(('mcp.', 'muse.mcp')) for m in sys.modules)"
            " else 'clean', file=sys.stderr)")
    proc = subprocess.run([PYTHON, "-c", code], cwd=repo, env=subprocess_env(), check=False,
                          capture_output=True, text=True, timeout=WAIT)
    assert proc.stderr.strip().endswith("clean"), proc.stderr
