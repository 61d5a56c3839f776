"""MuseError → the structured error body an MCP tool returns.

Every error keeps its code, message and details from :mod:`muse.core.vocab.errors`
and gains a ``next_step``: the hint a model needs to recover (who holds the
symbol and when to retry, which tool lists valid ids, …). Hints are looked up
by walking the error class's MRO, so a subclass without its own hint gets
its parent's.
"""

from collections.abc import Callable
from typing import Any

from muse.core.files.watch import TaskSettled, WatchTimeout
from muse.core.vocab.errors import (
    ConflictError,
    DependencyCycle,
    HubAuthError,
    InvalidId,
    InvalidRecord,
    MuseError,
    NotARepository,
    NotFound,
    RemoteError,
    StaleToken,
    UsageError,
    UserError,
)

__all__ = ["error_body", "internal_error_body", "next_step"]

Hint = Callable[[str, MuseError], str]


def _conflict(tool: str, exc: MuseError) -> str:
    d = exc.details
    if "task_id" in d:
        if d.get("blocked_by"):
            return (f"task {d['task_id']} waits for {', '.join(d['blocked_by'])} to complete; "
                    "call `claim` without task_id to take another ready task, or `wait` with "
                    f"task_id={d['task_id']!r} until=claimable")
        holder = f" (held by {d['holder']})" if d.get("holder") else ""
        return (f"task {d['task_id']} is {d.get('status', 'taken')}{holder}; call `claim` without "
                "task_id to take the next ready task, or `tasks` to see the queue")
    if "holder" in d:
        retry = d.get("retry_after")
        when = f"after {retry}s (at {d.get('expires_at')})" if retry else "later"
        return (f"{d.get('symbol')} is held by run {d['holder']} until {d.get('expires_at')}: "
                f"work on something else and retry {when}, or call `wait` with "
                f"symbols=[{d.get('symbol')!r}] to block until it is free; `status` shows all holders")
    return "someone else holds what you asked for; call `status` or `tasks` to see who, then retry"


def _stale(tool: str, exc: MuseError) -> str:
    return ("you no longer hold this task (your claim expired or another run took it over): "
            "stop work on it, keep nothing it produced unchecked, and call `claim` for new work")


def _not_found(tool: str, exc: MuseError) -> str:
    if tool in ("claim", "complete", "fail", "depend", "wait") and (
        "task_id" in exc.details or tool in ("claim", "complete", "fail")
    ):
        return "check the task id with `tasks` (or `enqueue` it first)"
    return "check the id with `status` (reservations) or `tasks` (tasks)"


def _cycle(tool: str, exc: MuseError) -> str:
    cycle = exc.details.get("cycle") or []
    return ("this edge would make work wait for itself (" + " -> ".join(cycle) + "); "
            "drop one prerequisite or record the opposite order")


def _invalid_id(tool: str, exc: MuseError) -> str:
    return "ids use 1-200 characters from A-Z a-z 0-9 _ . : + @ = - ; copy ids exactly from earlier results"


def _user(tool: str, exc: MuseError) -> str:
    if tool == "complete" or tool == "fail":
        return "only the run holding the claim may close a task: check `tasks` for its holder and status"
    if tool == "release":
        return "release only your own reservations; `status` shows which run holds each one"
    if tool == "enqueue" and "task_id" in exc.details:
        return "pick another task_id, or omit it to get a fresh one"
    return "fix the argument named in the message and call the tool again"


def _not_repo(tool: str, exc: MuseError) -> str:
    return ("the server has no Muse repository: restart it with `muse mcp --root /path/to/repo` "
            "(or set MUSE_ROOT), after `muse init` there")


def _usage(tool: str, exc: MuseError) -> str:
    if tool in ("push", "pull"):
        return ("name the hub: pass hub_url, owner and slug, or set [hub] url/owner/slug in "
                ".muse/config.toml (or MUSE_HUB_URL / MUSE_HUB_OWNER / MUSE_HUB_SLUG)")
    return "fix the arguments named in the message and call the tool again"


def _remote(tool: str, exc: MuseError) -> str:
    return ("the hub did not answer usefully; local coordination still works. Retry in a minute; "
            "if it persists, check the hub URL and that the hub is running")


def _hub_auth(tool: str, exc: MuseError) -> str:
    return ("the hub refused this identity: check [hub] handle/key (MUSE_HANDLE / MUSE_KEY) "
            "and that the key is registered with access to this repository")


def _timeout(tool: str, exc: MuseError) -> str:
    d = exc.details
    if d.get("blockers"):
        sym, holders = next(iter(d["blockers"].items()))
        h = holders[0]
        return (f"{sym} is still held by run {h['run_id']} until {h['expires_at']}: do other work "
                "and call `wait` again, or coordinate with that run")
    return "the task has not moved yet: call `wait` again, or `tasks` to see who holds it"


def _settled(tool: str, exc: MuseError) -> str:
    return "the task is final and will not change: call `tasks` and pick other work"


def _internal(tool: str, exc: MuseError) -> str:
    return "this is a bug in Muse, not in your call: report the message; other tools still work"


_HINTS: dict[type[MuseError], Hint] = {
    WatchTimeout: _timeout,
    TaskSettled: _settled,
    ConflictError: _conflict,
    StaleToken: _stale,
    NotFound: _not_found,
    DependencyCycle: _cycle,
    InvalidId: _invalid_id,
    InvalidRecord: _user,
    UserError: _user,
    NotARepository: _not_repo,
    UsageError: _usage,
    HubAuthError: _hub_auth,
    RemoteError: _remote,
    MuseError: _internal,
}


def next_step(tool: str, exc: MuseError) -> str:
    """The recovery hint for *exc* raised by *tool* (most specific class wins)."""
    for cls in type(exc).__mro__:
        hint = _HINTS.get(cls)
        if hint is not None:
            return hint(tool, exc)
    return _internal(tool, exc)


def error_body(tool: str, exc: MuseError) -> dict[str, Any]:
    """The structured content of a failed tool call."""
    return {
        "error": exc.code,
        "message": exc.message,
        "details": exc.details,
        "retryable": exc.retryable,
        "exit_code": exc.exit_code,
        "next_step": next_step(tool, exc),
    }


def internal_error_body(exc: BaseException) -> dict[str, Any]:
    return {
        "error": "internal",
        "message": f"{type(exc).__name__}: {exc}",
        "details": {},
        "retryable": False,
        "exit_code": 3,
        "next_step": _internal("", MuseError("")),
    }
