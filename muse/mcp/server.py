"""The Muse Coord MCP server: every coordination verb as a typed MCP tool.

Each verb tool is a thin shell around the
:class:`~muse.core.coord.coordinator.Coordinator` the CLI calls (local record
files, or a hub's live engine with ``muse mcp --live``): it fills in the run
id, calls the verb, and returns its ``--json`` document as a typed model.
A :class:`~muse.core.vocab.errors.MuseError` becomes a tool result with ``isError: true`` whose structured content is
:class:`~muse.mcp.models.ToolErrorBody` (code, message, details and a
``next_step`` hint). Nothing here decides a coordination rule.

This is the only module that imports the MCP SDK; ``muse coord`` verbs never
load it.
"""

import functools
import json
import pathlib
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field, ValidationError

from muse.core.coord.coordinator import DEFAULT_TTL, Coordinator
from muse.core.types import KINDS, OPERATIONS
from muse.core.vocab.errors import MuseError
from muse.mcp import models as m
from muse.mcp.errors import error_body, internal_error_body

__all__ = ["INSTRUCTIONS", "TOOL_NAMES", "build_server", "serve"]

TOOL_NAMES: tuple[str, ...] = (
    "reserve", "intent", "release", "heartbeat", "depend", "enqueue", "claim", "complete",
    "fail", "tasks", "status", "forecast", "gc", "push", "pull", "wait",
)

INSTRUCTIONS = """\
Muse Coord coordinates many agents editing one codebase. Symbols are addressed
as `path::qualified.name` (e.g. `kernel/sched/core.c::schedule`) or a whole path.

A typical loop: `claim` a task -> `reserve` the symbols you will edit (check the
returned `conflicts`; use strict=true to be refused instead) -> `intent` the
operation -> `heartbeat` every few minutes while working -> `complete` the task
with the token from `claim`, passing `release` = your reservations and their
tokens (one call; or `release` each one first).
Before editing, `forecast` shows predicted conflicts; `status` shows who holds
what. If something is held, `wait` blocks until it frees up instead of polling.
Failed calls return isError with `error`, `message`, `details` and `next_step`:
follow `next_step`.
"""

_LIVE_NOTE = """
This server is live: the hub decides every lease and claim on its own clock and
hands out fencing tokens. Keep the `token` of each reservation and claim:
`release`, `intent` (with reservation_id), `complete` and `fail` require it, and a
stale one is refused with error `stale_token` (details.reason says why).
"""

_F = TypeVar("_F", bound=Callable[..., Any])

RunId = Annotated[
    str | None,
    Field(description="your agent session id (default: the server's MUSE_RUN_ID)"),
]
Ttl = Annotated[
    float,
    Field(gt=0, le=7 * 86400,
          description="lease length in seconds; heartbeat extends every lease of your run"),
]
SymbolList = Annotated[
    list[str],
    Field(min_length=1, description="addresses like kernel/sched/core.c::schedule, or a whole path"),
]

Release = Annotated[
    list[m.LeaseToRelease] | None,
    Field(description="reservations of your run to release in the same call, each "
          "{reservation_id, token} (token from `reserve`; required live)"),
]


def _leases(release: list[m.LeaseToRelease] | None) -> list[tuple[str, int | None]]:
    return [(r.reservation_id, r.token) for r in release or []]


def _jsonable(body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(body, default=str))
    return out


def _failure(tool: str, body: dict[str, Any]) -> CallToolResult:
    body = _jsonable(body)
    text = f"{body['error']}: {body['message']}\nnext step: {body['next_step']}"
    return CallToolResult(
        content=[TextContent(type="text", text=text + "\n" + json.dumps(body))],
        structured_content=body,
        is_error=True,
    )


def _guard(tool: str) -> Callable[[_F], _F]:
    """Turn MuseError (and crashes) into a structured isError result.

    The wrapped function keeps its signature and return model (the SDK reads
    them through ``__wrapped__`` for the input and output schemas); a
    ``CallToolResult`` with ``isError`` bypasses output validation.
    """

    def wrap(fn: _F) -> _F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except MuseError as exc:
                return _failure(tool, error_body(tool, exc))
            except Exception as exc:  # a bug: keep the server alive, say so plainly
                import logging

                logging.getLogger("muse.mcp").exception("tool %s crashed", tool)
                return _failure(tool, internal_error_body(exc))

        return inner  # type: ignore[return-value]

    return wrap


class _MuseServer(MCPServer):
    """MCPServer whose argument-validation failures are structured like every other error."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError:
            raise
        except ToolError as exc:
            # Raised by the SDK itself: unknown tool, or arguments that fail the schema.
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                problems = [
                    f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {err['msg']}"
                    for err in cause.errors()
                ]
                body = {"error": "invalid_arguments", "message": "; ".join(problems),
                        "details": {"tool": name, "problems": problems}, "retryable": False,
                        "exit_code": 2,
                        "next_step": "fix the named arguments (see the tool's input schema) and call again"}
            else:
                body = {"error": "unknown_tool", "message": str(exc), "details": {"tool": name},
                        "retryable": False, "exit_code": 2,
                        "next_step": "list the tools (tools/list) and call one of them: "
                                     + ", ".join(TOOL_NAMES)}
            return _failure(name, body)


def build_server(root: pathlib.Path | None, default_run: str,
                 coordinator: Coordinator | None = None) -> MCPServer:
    """An MCP server over one coordination engine.

    Args:
        root: repository root (holds ``.muse/``); the local engine, ``gc``,
            ``push``, ``pull`` and ``wait`` work on it. May be None when
            *coordinator* is live and no repository is at hand.
        default_run: run id used when a tool call names none.
        coordinator: the engine the verb tools call (default: the local
            record files of *root*). The same :class:`Coordinator` the CLI
            uses, so every tool returns the CLI's ``--json`` document.
    """
    from muse import __version__
    from muse.core.coord.coordinator import LocalCoordinator

    if coordinator is None:
        if root is None:
            raise ValueError("build_server needs a repository root or a coordinator")
        coordinator = LocalCoordinator(root)
    coord: Coordinator = coordinator
    app: MCPServer = _MuseServer(
        "muse-coord",
        title="Muse Coord",
        description="Coordinate many coding agents on one codebase",
        instructions=INSTRUCTIONS + (_LIVE_NOTE if coord.backend == "live" else ""),
        version=__version__,
        log_level="WARNING",
    )

    def run_of(run_id: str | None) -> str:
        return run_id or default_run

    def repo() -> pathlib.Path:
        if root is None:
            from muse.core.vocab.errors import UsageError

            raise UsageError("this tool works on a local repository: start `muse mcp` inside one "
                             "(or with --root)")
        return pathlib.Path(root)

    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
    local_write = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)

    # ── reservations ─────────────────────────────────────────────────────
    @app.tool(annotations=local_write)
    @_guard("reserve")
    def reserve(
        symbols: SymbolList,
        ttl_seconds: Ttl = DEFAULT_TTL,
        strict: Annotated[bool | None, Field(
            description="true: refuse (error `conflict`, naming the holder and retry_after) if"
                        " another live run holds an overlapping address; false: advisory, granted"
                        " and overlaps reported; default: the repository's mode")] = None,
        run_id: RunId = None,
    ) -> m.ReserveResult:
        """Reserve symbols you are about to edit (a lease until expires_at; keep the token).

        Overlap means the same address, an enclosing one (the file, a class) or a
        member of it. Check `conflicts` in the result: a non-empty list means
        another run holds an overlapping symbol; coordinate or pick other work.
        """
        got = coord.reserve(run_of(run_id), symbols, ttl=ttl_seconds, strict=strict)
        return m.ReserveResult.model_validate(got.to_json())

    @app.tool(annotations=local_write)
    @_guard("intent")
    def intent(
        operation: Annotated[Literal[OPERATIONS], Field(description="what you will do to target")],  # type: ignore[valid-type]
        target: Annotated[str, Field(description="symbol address the operation applies to")],
        reservation_id: Annotated[str | None, Field(
            description="the reservation covering target (from `reserve`)")] = None,
        token: Annotated[int | None, Field(
            description="that reservation's token (required live)")] = None,
        new_name: Annotated[str | None, Field(
            description="rename/move only: the new name or destination")] = None,
        run_id: RunId = None,
    ) -> m.IntentResult:
        """Declare the operation you will apply to a symbol, so `forecast` can warn others.

        Incompatible intents (delete vs modify, two renames) show up as
        predicted conflicts before anyone edits.
        """
        got = coord.intent(run_of(run_id), operation, target, reservation_id=reservation_id,
                           token=token, new_name=new_name)
        return m.IntentResult.model_validate(got.to_json())

    @app.tool(annotations=ToolAnnotations(idempotent_hint=True, destructive_hint=False,
                                          open_world_hint=False))
    @_guard("release")
    def release(
        reservation_id: Annotated[str, Field(description="id returned by `reserve`")],
        token: Annotated[int | None, Field(
            description="the token returned by `reserve` (required live; a stale one is refused)")]
        = None,
        run_id: RunId = None,
    ) -> m.ReleaseResult:
        """Release a reservation you are done with (others may then take the symbols).

        Releasing twice is harmless (already_released: true). Only the run that
        holds a reservation may release it.
        """
        got = coord.release(reservation_id, run_of(run_id), token=token)
        return m.ReleaseResult.model_validate(got.to_json())

    @app.tool(annotations=ToolAnnotations(idempotent_hint=True, destructive_hint=False,
                                          open_world_hint=False))
    @_guard("heartbeat")
    def heartbeat(
        ttl_seconds: Ttl = DEFAULT_TTL,
        run_id: RunId = None,
    ) -> m.HeartbeatResult:
        """Keep every lease of your run (reservations and task claims) alive for ttl_seconds more.

        Call it every few minutes while you work; a run that stops heartbeating
        loses its leases when they expire.
        """
        got = coord.heartbeat(run_of(run_id), ttl=ttl_seconds)
        return m.HeartbeatResult.model_validate(got.to_json())

    @app.tool(annotations=local_write)
    @_guard("depend")
    def depend(
        node: Annotated[str, Field(description="the reservation id (or task id) that must wait")],
        depends_on: Annotated[list[str], Field(min_length=1, description="prerequisite ids")],
        on_tasks: Annotated[bool, Field(
            description="true: node and prerequisites are task ids (a task becomes claimable"
                        " only when its prerequisites completed)")] = False,
        run_id: RunId = None,
    ) -> m.DependResult:
        """Record that work waits for other work. An edge that would close a cycle is refused."""
        got = coord.depend(node, depends_on, on_tasks=on_tasks, run_id=run_of(run_id))
        return m.DependResult.model_validate(got.to_json())

    # ── task queue ───────────────────────────────────────────────────────
    @app.tool(annotations=local_write)
    @_guard("enqueue")
    def enqueue(
        description: Annotated[str, Field(min_length=1, description="what the task is")],
        task_id: Annotated[str | None, Field(
            description="choose the id (must be new); default: generated")] = None,
        priority: Annotated[int, Field(description="higher is claimed first")] = 0,
        depends_on: Annotated[list[str] | None, Field(
            description="task ids that must complete first")] = None,
        symbols: Annotated[list[str] | None, Field(
            description="symbols the task will touch (hint for the claimer)")] = None,
        run_id: RunId = None,
    ) -> m.TaskRecord:
        """Add a task to the queue; exactly one agent will win it with `claim`."""
        got = coord.enqueue(description, task_id=task_id, priority=priority,
                            depends_on=depends_on or (), symbols=symbols or (),
                            run_id=run_of(run_id))
        return m.TaskRecord.model_validate(got.to_json())

    @app.tool(annotations=local_write)
    @_guard("claim")
    def claim(
        task_id: Annotated[str | None, Field(
            description="claim this task; default: the highest-priority ready task")] = None,
        ttl_seconds: Ttl = DEFAULT_TTL,
        run_id: RunId = None,
    ) -> m.ClaimResult:
        """Take a task from the queue. Exactly one caller wins each task.

        Returns task_id=null when nothing is ready. Keep the `token`: pass it to
        `complete` / `fail` so a claim that expired and was taken over cannot
        be closed by mistake.
        """
        got = coord.claim(run_of(run_id), ttl=ttl_seconds, task_id=task_id)
        if not got.won:
            hint = ("no task is ready: `tasks` shows what is claimed or blocked; "
                    "`wait` with a task_id and until=claimable blocks until one frees up")
        else:
            syms = got["symbols"] or []
            hint = ((f"reserve {', '.join(syms)} before editing, " if syms else "")
                    + f"heartbeat while you work, then complete with token={got['token']}")
        return m.ClaimResult.model_validate({**got.to_json(), "next_step": hint})

    @app.tool(annotations=local_write)
    @_guard("complete")
    def complete(
        task_id: Annotated[str, Field(description="the task you claimed")],
        token: Annotated[int | None, Field(
            description="fencing token from `claim` (required live)")] = None,
        detail: Annotated[str, Field(description="note stored with the outcome")] = "",
        release: Release = None,
        run_id: RunId = None,
    ) -> m.TaskOutcome:
        """Mark a task you hold as completed (tasks that depend on it become ready).

        With `release`, also release those reservations of yours in the same
        request (one call instead of one `release` each). A stale claim token
        refuses everything; a reservation that cannot be released is reported
        in `released`, the completion stands.
        """
        got = coord.complete(task_id, run_of(run_id), token=token, detail=detail,
                             release=_leases(release))
        return m.TaskOutcome.model_validate(got.to_json())

    @app.tool(annotations=local_write)
    @_guard("fail")
    def fail(
        task_id: Annotated[str, Field(description="the task you claimed")],
        token: Annotated[int | None, Field(
            description="fencing token from `claim` (required live)")] = None,
        detail: Annotated[str, Field(description="why it failed")] = "",
        requeue: Annotated[bool, Field(
            description="put the task back in the queue for another attempt")] = False,
        release: Release = None,
        run_id: RunId = None,
    ) -> m.TaskOutcome:
        """Mark a task you hold as failed, optionally returning it to the queue
        (`release`: and release those reservations of yours, as `complete`)."""
        got = coord.fail(task_id, run_of(run_id), token=token, detail=detail, requeue=requeue,
                         release=_leases(release))
        return m.TaskOutcome.model_validate(got.to_json())

    # ── read side ────────────────────────────────────────────────────────
    @app.tool(annotations=read_only)
    @_guard("tasks")
    def tasks(
        status: Annotated[
            Literal["pending", "ready", "blocked", "claimed", "completed", "failed"] | None,
            Field(description="only tasks in this state (ready/blocked split pending)"),
        ] = None,
        limit: Annotated[int, Field(ge=0, description="at most this many (0 = all)")] = 50,
    ) -> m.TasksResult:
        """List the task queue, highest priority first, with each task's state and holder."""
        got = coord.tasks(status=status, limit=None if limit == 0 else limit)
        return m.TasksResult.model_validate(got.to_json())

    @app.tool(annotations=read_only)
    @_guard("status")
    def status(
        run_filter: Annotated[str | None, Field(description="only this run's reservations")] = None,
        path_prefix: Annotated[str | None, Field(
            description="only reservations with a symbol under this path (whole components)")]
        = None,
        symbol: Annotated[str | None, Field(description="also list who holds this address")]
        = None,
        limit: Annotated[int, Field(ge=0, description="rows per list (0 = all)")] = 50,
        cursor: Annotated[str | None, Field(
            description="next page: the `next_cursor` of the previous answer")] = None,
    ) -> m.StatusResult:
        """Who holds what right now: active reservations and the conflicts between runs."""
        got = coord.status(run_id=run_filter, path=path_prefix, symbol=symbol,
                           limit=None if limit == 0 else limit, cursor=cursor)
        return m.StatusResult.model_validate(got.to_json())

    @app.tool(annotations=read_only)
    @_guard("forecast")
    def forecast(
        limit: Annotated[int, Field(ge=0, description="at most this many predictions (0 = all)")] = 100,
    ) -> m.ForecastResult:
        """Predicted conflicts before anyone edits, ranked high / medium / low.

        Passes: the same address reserved by different runs; incompatible
        intents (delete vs modify, two renames); different runs in one file.
        """
        got = coord.forecast(limit=None if limit == 0 else limit)
        return m.ForecastResult.model_validate(got.to_json())

    @app.tool(annotations=ToolAnnotations(destructive_hint=True, idempotent_hint=True,
                                          open_world_hint=False))
    @_guard("gc")
    def gc(
        dry_run: Annotated[bool, Field(description="only count what would be removed")] = False,
        grace_seconds: Annotated[float, Field(
            ge=0, description="keep dead records at least this long")] = 600.0,
    ) -> m.GcResult:
        """Remove released and expired reservations and the records that only served them."""
        from muse.core.coord.gc import run_coord_gc

        result = run_coord_gc(repo(), dry_run=dry_run, grace_period_seconds=grace_seconds)
        return m.GcResult.model_validate(result.to_json())

    # ── hub sync ─────────────────────────────────────────────────────────
    HubUrl = Annotated[str | None, Field(description="hub URL (default: [hub] url in config)")]
    Owner = Annotated[str | None, Field(description="hub repository owner (default: config)")]
    Slug = Annotated[str | None, Field(description="hub repository name (default: config)")]
    Kinds = Annotated[list[Literal[KINDS]] | None, Field(  # type: ignore[valid-type]
        description="only these record kinds (default: all)")]

    network = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=True)

    @app.tool(annotations=network)
    @_guard("push")
    def push(
        hub_url: HubUrl = None, owner: Owner = None, slug: Slug = None, kinds: Kinds = None,
    ) -> m.PushResult:
        """Send local coordination records to the hub (idempotent: the hub skips what it has)."""
        from muse.core.client.sync import gather_local_records, push_records, resolve_target

        target = resolve_target(repo(), hub_url, owner, slug)
        return m.PushResult.model_validate(
            push_records(gather_local_records(repo(), kinds or None), target))

    @app.tool(annotations=network)
    @_guard("pull")
    def pull(
        hub_url: HubUrl = None, owner: Owner = None, slug: Slug = None, kinds: Kinds = None,
        since_id: Annotated[int | None, Field(
            ge=0, description="start after this hub sequence id (default: saved cursor)")] = None,
        limit: Annotated[int, Field(ge=1, le=5000, description="records per page")] = 500,
    ) -> m.PullResult:
        """Fetch other machines' records from the hub into remote/ (resumes from a cursor)."""
        from muse.core.client.sync import pull_into, resolve_target

        target = resolve_target(repo(), hub_url, owner, slug)
        return m.PullResult.model_validate(
            pull_into(repo(), target, kinds=kinds, limit=limit, since_id=since_id))

    # ── waiting ──────────────────────────────────────────────────────────
    @app.tool(annotations=read_only)
    @_guard("wait")
    def wait(
        symbols: Annotated[list[str] | None, Field(
            description="wait until none of these is held by another run")] = None,
        task_id: Annotated[str | None, Field(description="wait until this task reaches `until`")] = None,
        until: Annotated[
            Literal["completed", "failed", "done", "claimed", "claimable", "pending"],
            Field(description="task state to wait for (claimable = ready to claim)"),
        ] = "completed",
        timeout_seconds: Annotated[float, Field(
            gt=0, le=600, description="give up after this long (error `timeout`)")] = 60.0,
        run_id: RunId = None,
    ) -> m.WaitResult:
        """Block until symbols are free or a task reaches a state, instead of polling.

        Returns as soon as the condition holds; on timeout the error names who
        still holds the symbols (or where the task stands).
        """
        from muse.core.files.watch import watch
        from muse.core.vocab.errors import UsageError

        if bool(symbols) == (task_id is not None):
            raise UsageError("give either symbols or task_id")
        started = time.monotonic()
        seen: list[dict[str, Any]] = []
        last: dict[str, Any] = {}
        for ev in watch(repo(), interval=0.5, timeout=timeout_seconds, symbols=symbols,
                        run_id=run_of(run_id), task_id=task_id, until=until, new_only=True):
            body = ev.to_json()
            if ev.type in ("symbol_free", "task_reached"):
                last = body
            elif len(seen) < 200:
                seen.append(body)
        waited = round(time.monotonic() - started, 3)
        if symbols:
            return m.WaitResult(reached=True, condition="symbol_free", waited_seconds=waited,
                                events=seen)
        return m.WaitResult(reached=True, condition="task_reached", waited_seconds=waited,
                            events=seen, task=last)

    return app


def serve(root: pathlib.Path | None, default_run: str,
          coordinator: Coordinator | None = None) -> None:
    """Serve the tools over stdio until the client closes the connection."""
    build_server(root, default_run, coordinator).run("stdio")
