"""Live coordination endpoints: leases with fencing tokens and the live task queue.

Under ``/api/v1/repos/{owner}/{slug}/live/`` (bodies and answers in
``docs/live.md``)::

    POST reserve  heartbeat  release  intent  tasks  depend  claim  complete  fail
                                                                         (push access)
    GET  status   fence                                                      (pull access)
    PUT  mode                                                                (admin)

Each handler checks its whole input here, at the boundary (ids, symbols, ttl,
sizes → 400 naming the field; addresses and limits by the rulebook,
``muse.core.vocab.rules``, as local verbs check them), then runs one
``muse.hub.lessor`` function
inside :meth:`~muse.storage.base.HubStore.live_transaction` (rerun on a
database-detected conflict): the decision, its records and the request's
replay record commit together or not at all. Times come from the hub clock (``hub.now``), never from the body, and
every answer carries it as ``now``.
"""

from __future__ import annotations

import math
from typing import Any

from muse.core.types import OPERATIONS, is_safe_id
from muse.core.vocab.address import AddressError, canonical
from muse.core.vocab.errors import MuseError
from muse.core.vocab.rules import (
    DEFAULT_TTL,
    MAX_ADDRESS_LEN,
    MAX_PREREQUISITES,
    MAX_RELEASES,
    MAX_SYMBOLS,
    MAX_TTL,
    MIN_TTL,
    TooManySymbols,
    check_symbols,
)
from muse.hub import lessor as live
from muse.hub.context import (
    Call,
    Hub,
    Reply,
    decode_body,
    endpoint,
    require_repo_access,
)
from muse.hub.errors import BadRequest, PayloadTooLarge, Unauthorized
from muse.storage import live as tables
from muse.storage.base import Repo, decide_live
from muse.storage.live import LiveTx

__all__ = [
    "DEFAULT_TTL",
    "MAX_SYMBOLS",
    "MAX_TASKS",
    "MAX_TTL",
    "claim",
    "complete",
    "depend",
    "enqueue",
    "fail",
    "fence",
    "heartbeat",
    "intent",
    "release",
    "reserve",
    "routes",
    "set_mode",
    "status",
]

LIVE_PATH = "/api/v1/repos/{owner}/{slug}/live/"
MAX_TASKS = 500  # per enqueue
MAX_DEPS = MAX_PREREQUISITES
MAX_TEXT = 4096  # description, detail
MAX_SYMBOL_LEN = MAX_ADDRESS_LEN
MAX_LIMIT = 1000
_MAX_TOKEN = 2**63 - 1
_MAX_PRIORITY = 2**31


# ── input checks (400 naming the field) ─────────────────────────────────────
def _body(call: Call) -> dict[str, Any]:
    data = decode_body(call)
    if type(data) is not dict:
        raise BadRequest("body must be an object")
    return data


def _id(value: Any, field: str, required: bool = True) -> Any:
    if value is None and not required:
        return None
    if not is_safe_id(value):
        if value is None:
            raise BadRequest(f"missing field {field!r}")
        raise BadRequest(f"invalid {field} {str(value)[:80]!r}: use 1-200 of A-Z a-z 0-9 _ . : + @ = -,"
                         " not starting with '.' or '-', without '..'")
    return value


def _symbol(value: Any, field: str) -> str:
    try:
        return canonical(value)
    except AddressError as exc:
        raise BadRequest(f"invalid {field} {str(value)[:80]!r}: {exc.why}") from None


def _symbols(value: Any, field: str = "symbols", allow_empty: bool = False) -> list[str]:
    if type(value) is not list or (not value and not allow_empty):
        raise BadRequest(f"{field!r} must be a non-empty list of symbol addresses")
    try:
        return check_symbols(value, allow_empty=allow_empty)
    except TooManySymbols as exc:
        raise PayloadTooLarge(f"{len(value)} {field} exceed the limit of {MAX_SYMBOLS}") from exc
    except AddressError as exc:
        raise BadRequest(f"invalid {field.removesuffix('s')} {str(exc.details['address'])[:80]!r}:"
                         f" {exc.why}") from None


def _ttl(value: Any) -> float:
    if value is None:
        return DEFAULT_TTL
    if type(value) not in (int, float) or not math.isfinite(value) or not (
            MIN_TTL <= value <= MAX_TTL):
        raise BadRequest(f"'ttl' must be a number of seconds from {MIN_TTL:g} to {MAX_TTL:g}")
    return float(value)


def _token(value: Any, field: str = "token") -> int:
    if type(value) is not int or not 1 <= value <= _MAX_TOKEN:
        if value is None:
            raise BadRequest(f"missing field {field!r}: the fencing token of your lease")
        raise BadRequest(f"'{field}' must be a positive integer (the fencing token)")
    return value


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if type(value) is not str or len(value) > MAX_TEXT:
        raise BadRequest(f"'{field}' must be a string of at most {MAX_TEXT} characters")
    return value


def _mode(value: Any) -> str | None:
    if value is None:
        return None
    if value not in live.MODES:
        raise BadRequest(f"'mode' must be one of {', '.join(live.MODES)}")
    return str(value)


def _bool(value: Any, field: str) -> bool:
    if value is None:
        return False
    if type(value) is not bool:
        raise BadRequest(f"'{field}' must be true or false")
    return value


def _int_query(call: Call, name: str, default: int, low: int, high: int) -> int:
    raw = call.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 19 or not low <= int(raw) <= high:
        raise BadRequest(f"invalid {name}={raw[:40]!r}: use an integer from {low} to {high}")
    return int(raw)


# ── plumbing ─────────────────────────────────────────────────────────────────
def _access(hub: Hub, call: Call, need: str) -> tuple[str, Repo]:
    principal = call.authenticate(hub)
    repo = require_repo_access(hub, principal, call.path_params["owner"],
                               call.path_params["slug"], need)
    return principal.handle, repo


def _access_to_write(hub: Hub, call: Call) -> tuple[str, Repo, tuple[bytes, float] | None]:
    """(handle, repository, the signature to remember in the decision's transaction)."""
    principal = call.authenticate(hub, defer_replay=True)
    repo = require_repo_access(hub, principal, call.path_params["owner"],
                               call.path_params["slug"], "push")
    return principal.handle, repo, principal.replay


def _write(hub: Hub, repo: Repo, replay: tuple[bytes, float] | None, fn: Any, *args: Any,
           request_id: str | None = None) -> Reply:
    """Decide *fn* in one transaction with the request's replay record.

    The signature is remembered whether the decision grants or refuses (a
    refused request must not be replayable into a grant later): a refusal
    rolls back to the point after the replay record, which still commits.
    """
    now = hub.now()

    def run(tx: LiveTx) -> Any:
        if request_id is None:
            return fn(tx, now, *args)
        # args[0] is the caller's handle: answers are kept per identity
        return live.answer_once(tx, now, args[0], request_id, lambda: fn(tx, now, *args))

    def decide(tx: LiveTx) -> tuple[Any, MuseError | None]:
        if replay is None:
            return run(tx), None
        if not tables.remember_signature(tx, replay[0], replay[1], now):
            raise Unauthorized("replayed request: this signature was already used")
        tables.mark(tx)
        try:
            return run(tx), None
        except MuseError as exc:
            tables.undo_to_mark(tx)
            return None, exc

    out, refused = decide_live(hub.store, repo.id, decide)
    if refused is not None:
        raise refused
    return Reply({**out, "now": now})


# ── endpoints ────────────────────────────────────────────────────────────────
def reserve(hub: Hub, call: Call) -> Reply:
    """Grant a reservation (strict: or refuse it, naming the holder)."""
    handle, repo, replay = _access_to_write(hub, call)
    data = _body(call)
    run_id = _id(data.get("run_id"), "run_id")
    symbols = _symbols(data.get("symbols"))
    return _write(hub, repo, replay, live.reserve, handle, run_id, symbols, _ttl(data.get("ttl")),
                  _mode(data.get("mode")), request_id=_id(data.get("request_id"), "request_id",
                                                          required=False))


def heartbeat(hub: Hub, call: Call) -> Reply:
    """Extend every live lease of a run."""
    handle, repo, replay = _access_to_write(hub, call)
    data = _body(call)
    return _write(hub, repo, replay, live.heartbeat, handle, _id(data.get("run_id"), "run_id"),
                  _ttl(data.get("ttl")))


def release(hub: Hub, call: Call) -> Reply:
    """Release a reservation presenting its fencing token."""
    handle, repo, replay = _access_to_write(hub, call)
    data = _body(call)
    return _write(hub, repo, replay, live.release, handle,
                  _id(data.get("reservation_id"), "reservation_id"),
                  _id(data.get("run_id"), "run_id"), _token(data.get("token")))


def intent(hub: Hub, call: Call) -> Reply:
    """Record an intent (guarded by a reservation's token when it names one)."""
    handle, repo, replay = _access_to_write(hub, call)
    data = _body(call)
    run_id = _id(data.get("run_id"), "run_id")
    operation = data.get("operation")
    if operation not in OPERATIONS:
        raise BadRequest(f"'operation' must be one of {', '.join(OPERATIONS)}")
    target = _symbol(data.get("target"), "target")
    reservation_id = _id(data.get("reservation_id"), "reservation_id", required=False)
    token = _token(data.get("token")) if reservation_id is not None else None
    new_name = data.get("new_name")
    if new_name is not None:
        new_name = _symbol(new_name, "new_name")
    if operation in ("rename", "move") and not new_name:
        raise BadRequest(f"a {operation} intent needs 'new_name'")
    return _write(hub, repo, replay, live.intent, handle, run_id, operation, target, reservation_id,
                  token, new_name)


def _task_spec(i: int, raw: Any) -> live.TaskSpec:
    if type(raw) is not dict:
        raise BadRequest(f"task {i}: must be an object")
    task_id = _id(raw.get("task_id"), f"tasks[{i}].task_id")
    if "+" in task_id:
        raise BadRequest(f"task {i}: task_id must not contain '+' (claim slots use it)")
    priority = raw.get("priority", 0)
    if type(priority) is not int or not -_MAX_PRIORITY <= priority < _MAX_PRIORITY:
        raise BadRequest(f"task {i}: 'priority' must be an integer (32-bit)")
    deps = raw.get("depends_on") or []
    if type(deps) is not list or len(deps) > MAX_DEPS:
        raise BadRequest(f"task {i}: 'depends_on' must be a list of at most {MAX_DEPS} task ids")
    deps = list(dict.fromkeys(_id(d, f"tasks[{i}].depends_on") for d in deps))
    if task_id in deps:
        raise BadRequest(f"task {i}: {task_id} cannot depend on itself")
    symbols = _symbols(raw.get("symbols") or [], "symbols", allow_empty=True)
    return live.TaskSpec(task_id, _text(raw.get("description"), "description"), priority,
                         tuple(deps), tuple(symbols))


def enqueue(hub: Hub, call: Call) -> Reply:
    """Add tasks to the live queue (known task ids are skipped)."""
    handle, repo, replay = _access_to_write(hub, call)
    tasks = _body(call).get("tasks")
    if type(tasks) is not list:
        raise BadRequest("'tasks' must be a list")
    if len(tasks) > MAX_TASKS:
        raise PayloadTooLarge(f"{len(tasks)} tasks exceed the limit of {MAX_TASKS} per request")
    specs = [_task_spec(i, t) for i, t in enumerate(tasks)]
    return _write(hub, repo, replay, live.enqueue, handle, specs)


def depend(hub: Hub, call: Call) -> Reply:
    """Make a queued task wait for more tasks (a cycle is refused, naming it)."""
    handle, repo, replay = _access_to_write(hub, call)
    data = _body(call)
    task_id = _id(data.get("task_id"), "task_id")
    deps = data.get("depends_on")
    if type(deps) is not list or not deps or len(deps) > MAX_DEPS:
        raise BadRequest(f"'depends_on' must be a list of 1 to {MAX_DEPS} task ids")
    deps = list(dict.fromkeys(_id(d, "depends_on") for d in deps))
    return _write(hub, repo, replay, live.depend, handle, task_id, deps,
                  _id(data.get("run_id"), "run_id", required=False))


def claim(hub: Hub, call: Call) -> Reply:
    """Claim the best ready task (or a named one); one winner per task."""
    handle, repo, replay = _access_to_write(hub, call)
    data = _body(call)
    return _write(hub, repo, replay, live.claim, handle, _id(data.get("run_id"), "run_id"),
                  _ttl(data.get("ttl")), _id(data.get("task_id"), "task_id", required=False),
                  request_id=_id(data.get("request_id"), "request_id", required=False))


def _finish(hub: Hub, call: Call, status: str) -> Reply:
    handle, repo, replay = _access_to_write(hub, call)
    data = _body(call)
    requeue = _bool(data.get("requeue"), "requeue") if status == "failed" else False
    args = (_id(data.get("task_id"), "task_id"), _id(data.get("run_id"), "run_id"),
            _token(data.get("token")), status, _text(data.get("detail"), "detail"), requeue)
    if data.get("release") is not None:
        return _write(hub, repo, replay, live.finish_releasing, handle, *args,
                      _releases(data["release"]))
    return _write(hub, repo, replay, live.finish, handle, *args)


def _releases(value: Any) -> list[tuple[str, int]]:
    """The optional ``release`` of complete / fail: ``[{reservation_id, token}]``."""
    if type(value) is not list:
        raise BadRequest("'release' must be a list of {reservation_id, token}")
    if len(value) > MAX_RELEASES:
        raise PayloadTooLarge(f"{len(value)} leases to release exceed the limit of {MAX_RELEASES}")
    out = []
    for i, item in enumerate(value):
        if type(item) is not dict:
            raise BadRequest(f"release[{i}] must be an object {{reservation_id, token}}")
        out.append((_id(item.get("reservation_id"), f"release[{i}].reservation_id"),
                    _token(item.get("token"), f"release[{i}].token")))
    return out


def complete(hub: Hub, call: Call) -> Reply:
    """Complete a claimed task presenting the claim's token (``release``: and
    release those reservations of the run in the same decision)."""
    return _finish(hub, call, "completed")


def fail(hub: Hub, call: Call) -> Reply:
    """Fail a claimed task (``requeue``: back to the queue) presenting the token."""
    return _finish(hub, call, "failed")


def status(hub: Hub, call: Call) -> Reply:
    """Aggregated live state, one run's leases, a symbol's holders, a page of leases."""
    _, repo = _access(hub, call, "pull")
    limit = _int_query(call, "limit", 100, 0, MAX_LIMIT)
    run_id = _id(call.query.get("run_id"), "run_id", required=False)
    symbol = call.query.get("symbol")
    if symbol is not None:
        symbol = _symbol(symbol, "symbol")
    cursor = call.query.get("cursor")  # present: add a page of leases ("" for the first)
    if cursor:
        cursor = _id(cursor, "cursor")
    now = hub.now()
    with hub.store.live_transaction(repo.id, write=False) as tx:
        out = live.status(tx, now, limit, run_id, symbol)
        if cursor is not None:
            out["page"] = live.reservation_page(tx, now, limit, cursor, run_id)
    return Reply({"now": now, **out})


def fence(hub: Hub, call: Call) -> Reply:
    """Is a token still the live lease of a reservation or task? (never 409)"""
    _, repo = _access(hub, call, "pull")
    raw = call.query.get("token", "")
    if not raw.isdigit() or len(raw) > 19 or not 1 <= int(raw) <= _MAX_TOKEN:
        raise BadRequest("'token' must be a positive integer")
    reservation_id = _id(call.query.get("reservation_id"), "reservation_id", required=False)
    task_id = _id(call.query.get("task_id"), "task_id", required=False)
    if (reservation_id is None) == (task_id is None):
        raise BadRequest("give exactly one of reservation_id and task_id")
    symbol = call.query.get("symbol")
    if symbol is not None:
        symbol = _symbol(symbol, "symbol")
    now = hub.now()
    with hub.store.live_transaction(repo.id, write=False) as tx:
        out = live.fence(tx, now, int(raw), reservation_id, task_id, symbol)
    return Reply({**out, "now": now})


def set_mode(hub: Hub, call: Call) -> Reply:
    """Set the repository's default reservation mode (admin)."""
    _, repo = _access(hub, call, "admin")
    mode = _mode(_body(call).get("mode"))
    if mode is None:
        raise BadRequest(f"missing field 'mode' ({', '.join(live.MODES)})")
    out = decide_live(hub.store, repo.id, lambda tx: live.set_mode(tx, mode))
    return Reply({**out, "now": hub.now()})


def routes() -> list[Any]:
    """This module's routes (starlette imported here, not at module import)."""
    from starlette.routing import Route

    posts = {"reserve": reserve, "heartbeat": heartbeat, "release": release, "intent": intent,
             "tasks": enqueue, "depend": depend, "claim": claim, "complete": complete, "fail": fail}
    out = [Route(LIVE_PATH + name, endpoint(fn, on_store=True), methods=["POST"], name=f"live_{name}")
           for name, fn in posts.items()]
    out += [
        Route(LIVE_PATH + "status", endpoint(status, on_store=True), methods=["GET"], name="live_status"),
        Route(LIVE_PATH + "fence", endpoint(fence, on_store=True), methods=["GET"], name="live_fence"),
        Route(LIVE_PATH + "mode", endpoint(set_mode, on_store=True), methods=["PUT"], name="live_mode"),
    ]
    return out
