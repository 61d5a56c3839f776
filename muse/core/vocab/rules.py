"""The coordination rules, once: pure functions both engines call.

The local engine (:mod:`muse.core.coordination`, files) and the live engine
(:mod:`muse.hub.lessor`, hub tables) decide the same questions. Each answer
lives here, as a function of plain values, so the two cannot drift apart:

* addresses and limits: :func:`check_symbols`, :func:`check_address`,
  :data:`MAX_SYMBOLS`, :func:`check_prerequisites` (the overlap relation is :mod:`muse.core.vocab.address`);
* lease end and the heartbeat rule: :func:`lease_end`, :func:`grant_expiry`,
  :func:`heartbeat_expiry`, :func:`lapsed`;
* claim order: :func:`claim_order`;
* dependency cycles: :func:`find_cycle`, :func:`cycle_refusal`;
* fencing: :func:`reservation_stale`, :func:`claim_stale` and the reasons in
  :data:`STALE_REASONS`;
* strict refusal (which holder is named, retry-after): :func:`strict_refusal`,
  :func:`retry_after`;
* record ids: :func:`new_record_id`;
* closing a task and releasing its leases in one request: :func:`finish_releasing`;
* garbage collection past the grace (local GC and the hub's retention):
  :func:`lease_buried`, :func:`run_spent`, :func:`slot_superseded`;
* defaults: :data:`DEFAULT_TTL`, :data:`MIN_TTL`, :data:`MAX_TTL`,
  :data:`DEFAULT_GRACE`.

``docs/rules.md`` is the table of these rules. No typing import at run time
(``muse coord reserve`` loads this module).
"""

from __future__ import annotations

import os

from muse.core.types import content_hash
from muse.core.vocab.address import MAX_ADDRESS_LEN, ancestors, canonical
from muse.core.vocab.clock import format_ts
from muse.core.vocab.errors import (
    ConflictError,
    DependencyCycle,
    NotFound,
    StaleToken,
    TooLarge,
    UserError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

__all__ = [
    "DEFAULT_GRACE",
    "DEFAULT_TTL",
    "MAX_ADDRESS_LEN",
    "MAX_PREREQUISITES",
    "MAX_RELEASES",
    "MAX_SYMBOLS",
    "MAX_TTL",
    "MIN_TTL",
    "STALE_REASONS",
    "Blocker",
    "TooManySymbols",
    "check_address",
    "check_prerequisites",
    "check_symbols",
    "claim_fence",
    "claim_order",
    "claim_stale",
    "cycle_refusal",
    "find_cycle",
    "finish_releasing",
    "grant_expiry",
    "heartbeat_expiry",
    "lapsed",
    "lease_buried",
    "lease_end",
    "new_record_id",
    "reservation_fence",
    "reservation_stale",
    "retry_after",
    "run_spent",
    "slot_superseded",
    "strict_refusal",
]

# ── defaults and limits ──────────────────────────────────────────────────────
DEFAULT_TTL = 900.0  # seconds a lease lives without a heartbeat
MIN_TTL, MAX_TTL = 1.0, 86_400.0
DEFAULT_GRACE = 600.0  # GC keeps dead records this long (exceeds any read→write gap)
MAX_SYMBOLS = 256  # addresses per reservation or task, in both engines
MAX_PREREQUISITES = 256  # tasks one task may wait for, in both engines
MAX_RELEASES = 256  # leases one complete / fail may release, in both engines

# Why a fencing token is refused (the ``reason`` of :class:`StaleToken`).
STALE_REASONS = ("not_holder", "mismatch", "superseded", "expired", "released", "not_claimed")


class TooManySymbols(TooLarge):
    """More addresses in one request than :data:`MAX_SYMBOLS`."""


# ── addresses ────────────────────────────────────────────────────────────────
def check_address(address: object) -> str:
    """The canonical form of one address (raises :class:`AddressError`)."""
    return canonical(address)


def check_symbols(symbols: Sequence[object], *, allow_empty: bool = False) -> list[str]:
    """Canonical, de-duplicated *symbols* in the order given.

    Raises:
        AddressError: one address names nothing (the reason is given).
        TooManySymbols: more than :data:`MAX_SYMBOLS` addresses.
        UserError: no address and *allow_empty* is false.
    """
    if not symbols and not allow_empty:
        raise UserError("give at least one symbol address, e.g. kernel/sched/core.c::schedule")
    if len(symbols) > MAX_SYMBOLS:
        raise TooManySymbols(f"{len(symbols)} symbols exceed the limit of {MAX_SYMBOLS} per "
                             "request: reserve the file or directory instead, or split the request",
                             limit=MAX_SYMBOLS)
    return list(dict.fromkeys(canonical(s) for s in symbols))


def check_prerequisites(task_id: str, count: int) -> None:
    """Refuse a task that would wait for more than :data:`MAX_PREREQUISITES` tasks."""
    if count > MAX_PREREQUISITES:
        raise TooLarge(f"task {task_id} would wait for {count} tasks, over the limit of "
                       f"{MAX_PREREQUISITES}: make an intermediate task wait for some of them",
                       task_id=task_id, limit=MAX_PREREQUISITES)


# ── lease end and the heartbeat rule ─────────────────────────────────────────
def lease_end(expires_at: float, run_heartbeat: float) -> float:
    """When a lease ends: its own expiry or its run's latest heartbeat, whichever is later.

    (The record semantics: a reservation is active while now is before
    ``max(expires_at, latest extended_expires_at of its run)``.)
    """
    return expires_at if expires_at >= run_heartbeat else run_heartbeat


def lapsed(expires_at: float, run_heartbeat: float, now: float) -> bool:
    """True when a lease has ended at *now* (dead for good: nothing revives it)."""
    return lease_end(expires_at, run_heartbeat) <= now


def grant_expiry(now: float, ttl: float, run_heartbeat: float) -> float:
    """Expiry written on a new lease: *ttl* from now (a live run's heartbeat may
    carry it further; a dead run's old heartbeat does not)."""
    return max(now + ttl, run_heartbeat if run_heartbeat > now else 0.0)


def heartbeat_expiry(now: float, ttl: float, run_heartbeat: float) -> float:
    """The run's new heartbeat expiry: never earlier than the one it has."""
    return grant_expiry(now, ttl, run_heartbeat)


# ── garbage collection past the grace ────────────────────────────────────────
def lease_buried(expires_at: float, run_heartbeat: float, released_at: float | None,
                 horizon: float) -> bool:
    """True when a lease may be forgotten at *horizon* (now minus the grace):
    released before it, or (never released) lapsed before it."""
    if released_at is not None:
        return released_at <= horizon
    return lapsed(expires_at, run_heartbeat, horizon)


def run_spent(run_heartbeat: float, holds_anything: bool, horizon: float) -> bool:
    """True when a run may be forgotten at *horizon*: it holds no lease or claim
    any more and its last heartbeat ended before the horizon."""
    return not holds_anything and run_heartbeat <= horizon


def slot_superseded(at: float | None, expires_at: float, horizon: float) -> bool:
    """True when a claim slot that is not its task's newest may be forgotten:
    written and ended before *horizon*."""
    return max(at or 0.0, expires_at) <= horizon


# ── claim order ──────────────────────────────────────────────────────────────
def claim_order(priority: int, created_at: float | None, task_id: str) -> tuple[int, float, str]:
    """Sort key of ready tasks: priority descending, then oldest, then task id."""
    return (-priority, created_at or 0.0, task_id)


# ── dependency cycles ────────────────────────────────────────────────────────
def find_cycle(prerequisites: Callable[[str], Iterable[str]], node: str,
               depends_on: Sequence[str]) -> list[str] | None:
    """The cycle that making *node* wait for *depends_on* would close, or None.

    *prerequisites* gives the ids a node already waits for (each engine looks
    them up its own way, reading only the part of the graph reachable from
    *depends_on*). The cycle is named from *node* back to itself:
    ``[node, dep, …, node]``.
    """
    for first in depends_on:
        if first == node:
            return [node, node]
        stack: list[tuple[str, list[str]]] = [(first, [node, first])]
        seen: set[str] = set()
        while stack:
            current, path = stack.pop()
            if current == node:
                return path
            if current in seen:
                continue
            seen.add(current)
            for nxt in sorted(prerequisites(current)):
                stack.append((nxt, [*path, nxt]))
    return None


def cycle_refusal(cycle: Sequence[str]) -> DependencyCycle:
    """The refusal of a dependency that would close *cycle* (it is named)."""
    if len(cycle) == 2:
        return DependencyCycle(f"{cycle[0]} cannot depend on itself", cycle=list(cycle))
    return DependencyCycle("dependency would close a cycle: " + " -> ".join(cycle),
                           cycle=list(cycle))


# ── fencing ──────────────────────────────────────────────────────────────────
def reservation_stale(
    reservation_id: str, holder: str, current: int | None, state: str, expires_at: float,
    run_id: str | None, token: int | None, now: float,
) -> StaleToken | None:
    """Why *run_id* presenting *token* no longer holds the reservation, or None.

    *state* is ``live``, ``released`` or ``expired`` (ended by a heartbeat's
    burial); *expires_at* is the lease's end (:func:`lease_end`). A missing
    *run_id* or *token* is not checked (local callers may omit them), nor a
    token against a record written without one.
    """
    what = f"reservation {reservation_id}"
    if run_id is not None and holder != run_id:
        return StaleToken(f"{what} belongs to run {holder}, not {run_id}", reason="not_holder",
                          holder=holder, token=current)
    if token is not None and current is not None and token != current:
        return StaleToken(f"token {token} does not match {what} (token {current})",
                          reason="mismatch", holder=holder, token=current)
    if state == "released":
        return StaleToken(f"{what} was released", reason="released", holder=holder, token=current)
    if state != "live" or expires_at <= now:
        return StaleToken(f"{what} expired at {format_ts(expires_at)}; reserve again",
                          reason="expired", holder=holder, token=current,
                          expires_at=format_ts(expires_at))
    return None


def claim_stale(
    task_id: str, status: str, holder: str | None, current: int | None,
    expires_at: float | None, run_id: str, token: int | None, now: float,
) -> StaleToken | None:
    """Why *run_id* presenting *token* no longer holds its claim of *task_id*, or None.

    *status* is the task's stored status (``pending`` after a requeue,
    ``claimed`` even when the claim has lapsed, ``completed``, ``failed``);
    *current* the token of the latest claim; *expires_at* that claim's end.
    A missing *token* (local callers) skips the token comparisons.
    """
    what = f"task {task_id}"
    if token is not None:
        if current is None or token > current:
            return StaleToken(f"token {token} was never the claim of {what} (current: {current})",
                              reason="mismatch", token=current, holder=holder)
        if token < current:
            by = f" by run {holder}" if status == "claimed" else ""
            return StaleToken(f"{what} was claimed again{by} (token {current}) after your claim "
                              f"(token {token}) lapsed", reason="superseded", token=current,
                              holder=holder, status=status)
    if status == "pending":
        return StaleToken(f"your claim of {what} expired and it went back to the queue",
                          reason="expired", token=current, holder=None)
    if status != "claimed":
        return StaleToken(f"{what} is already {status}", reason="not_claimed", token=current,
                          holder=holder, status=status)
    if holder != run_id:
        return StaleToken(f"{what} is held by run {holder}, not {run_id}", reason="not_holder",
                          token=current, holder=holder)
    if expires_at is None or expires_at <= now:
        return StaleToken(f"your claim of {what} expired at {format_ts(expires_at or 0.0)}",
                          reason="expired", token=current, holder=holder,
                          expires_at=format_ts(expires_at or 0.0))
    return None


def reservation_fence(
    reservation_id: str, holder: str, current: int | None, state: str, expires_at: float,
    symbols: Sequence[str], token: int, symbol: str | None, now: float,
) -> str | None:
    """Why a fence check of *token* against a reservation fails (a reason), or None.

    Like :func:`reservation_stale` for a holder presenting *token*, except that
    an older token is named ``superseded`` and a lease written without a token
    never validates one; with *symbol*, the lease must also cover it.
    """
    if current is None:
        return "mismatch"
    if token < current:
        return "superseded"
    stale = reservation_stale(reservation_id, holder, current, state, expires_at, None, token, now)
    if stale is not None:
        return str(stale.details["reason"])
    if symbol is not None:
        covering = {symbol, *ancestors(symbol)}
        if not any(h in covering for h in symbols):
            return "not_covered"
    return None


def claim_fence(
    task_id: str, status: str, holder: str | None, current: int | None,
    expires_at: float | None, token: int, now: float,
) -> str | None:
    """Why a fence check of *token* against a task's claim fails (a reason), or None."""
    stale = claim_stale(task_id, status, holder, current, expires_at, str(holder), token, now)
    return None if stale is None else str(stale.details.get("reason", "stale"))


# ── strict refusal ───────────────────────────────────────────────────────────
def retry_after(expires_at: float, now: float) -> int:
    """Whole seconds until *expires_at*, rounded up, at least 1."""
    wait = expires_at - now
    whole = int(wait)
    return max(1, whole + 1 if wait > whole else whole)


class Blocker:
    """One lease standing in the way of a strict reservation."""

    __slots__ = ("expires_at", "reservation_id", "run_id", "symbol")

    def __init__(self, symbol: str, run_id: str, reservation_id: str, expires_at: float) -> None:
        self.symbol, self.run_id = symbol, run_id
        self.reservation_id, self.expires_at = reservation_id, expires_at


def strict_refusal(held: dict[str, list[Blocker]], now: float) -> ConflictError:
    """The refusal of a strict reservation blocked by *held* (asked address → blockers).

    It names the blocker whose lease ends last (ties: the smaller address,
    then reservation id): only then is every asked address free, so its end
    is the retry-after.
    """
    sym, first = min(((s, b) for s, bs in held.items() for b in bs),
                     key=lambda sb: (-sb[1].expires_at, sb[0], sb[1].reservation_id))
    until = format_ts(first.expires_at)
    wait = retry_after(first.expires_at, now)
    return ConflictError(
        f"{sym} is held by run {first.run_id} until {until}"
        f" (reservation {first.reservation_id}); retry in {wait}s",
        symbol=sym, holder=first.run_id, reservation_id=first.reservation_id,
        expires_at=until, retry_after=wait,
        conflicts={s: sorted({b.run_id for b in bs}) for s, bs in held.items()})


# ── record ids ───────────────────────────────────────────────────────────────
def new_record_id(body: dict[str, Any]) -> str:
    """A record's id: the content hash of its body plus a random nonce, so two
    writers never collide even with identical bodies in the same second."""
    return content_hash({**body, "nonce": os.urandom(6).hex()})


# ── closing a task with its leases (complete / fail with ``release``) ────────
def finish_releasing(
    finish: Callable[[], dict[str, Any]], release: Callable[[str, int | None], dict[str, Any]],
    leases: Sequence[tuple[str, int | None]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Complete (or fail) a task and release *leases* ``(reservation_id, token)`` as one verb.

    The finish decides first, under its own rule: if it refuses (a stale
    claim token), that refusal is the answer and nothing is released. Then
    each lease is released under the release rule, with its own token; a
    lease that cannot be released (lapsed, released by someone else, another
    run's, unknown) is *reported*, not raised: an agent must not lose a valid
    completion to a lease it no longer needs. Each engine passes its own
    ``finish`` and ``release`` (the hub: in one transaction; the record files:
    one record after the other). A repeat is harmless, as each part's is.

    Returns the finish's answer and one entry per lease, in order:
    ``{reservation_id, released, already_released, reason}`` — ``released``
    whether the lease is released now (``already_released``: by an earlier
    request), else ``reason``: a :data:`STALE_REASONS` word or ``not_found``.

    Raises:
        TooLarge: more than :data:`MAX_RELEASES` leases (nothing is decided).
    """
    if len(leases) > MAX_RELEASES:
        raise TooLarge(f"{len(leases)} leases to release exceed the limit of {MAX_RELEASES}",
                       limit=MAX_RELEASES)
    done = finish()
    out: list[dict[str, Any]] = []
    for rid, token in leases:
        try:
            got = release(rid, token)
        except StaleToken as exc:
            out.append({"reservation_id": rid, "released": False, "already_released": False,
                        "reason": str(exc.details.get("reason") or "stale")})
        except NotFound:
            out.append({"reservation_id": rid, "released": False, "already_released": False,
                        "reason": "not_found"})
        else:
            out.append({"reservation_id": rid, "released": True,
                        "already_released": bool(got.get("already_released")), "reason": None})
    return done, out
