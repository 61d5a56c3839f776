"""The hub's storage contract, stated once; backends implement it in their own idiom.

A hub stores identities (handle → Ed25519 public key), repositories with
their members, the coordination records pushed to each repository, the
signatures it has already accepted (replay protection), and the dashboard's
sign-ins (so they can be ended). Every method below is
abstract on purpose: a backend must write its own atomic version rather than
inherit a racy default.

Records are opaque to the store: a row is ``(kind, record_id, body)`` where
``body`` is the msgpack encoding of the whole bus record, validated by the
hub before it gets here (the store checks atomicity, never domain rules).
Each repository has a sequence counter, and records take its next numbers so
that *a reader never sees seq N+1 before seq N is visible* (SQLite: numbered
under the one writer lock; PostgreSQL: numbered after commit by a serial
numbering step). That is what makes a pull cursor safe to resume from.

Adding tables (live leases, say): extend ``muse.storage.schema.hub_schema`` and add
methods next to the existing ones, using ``_write()``/``_read()`` (SQLite) or
``_conn()`` (PostgreSQL) so transactions look the same everywhere.

Live coordination (the tables in ``muse.storage.live``, the decisions in
``muse.hub.lessor``) needs one more primitive from each backend,
:meth:`HubStore.live_transaction`: a transaction in which the lessor locks
what it decides about (``LiveTx`` primitives), then reads, decides and writes
(and appends bus records) atomically.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from muse.storage.live import LiveTx

T = TypeVar("T")

__all__ = [
    "MAX_PAGE",
    "PERMISSIONS",
    "DashboardSession",
    "HubStore",
    "Identity",
    "InsertResult",
    "InvalidText",
    "Page",
    "RecordRow",
    "Repo",
    "StoreBusy",
    "StoreConflict",
    "check_text",
    "decide_live",
    "fresh_rows",
    "has_nul",
]

class StoreBusy(Exception):
    """The database cannot serve now (pool exhausted, lock timeout, connection
    lost). Nothing was written; the request may be retried."""


class StoreConflict(StoreBusy):
    """A transaction lost a race the database detected (deadlock, a key another
    transaction inserted first) and was rolled back: running it again decides
    afresh. :func:`decide_live` does so."""


_LIVE_ATTEMPTS = 8
class InvalidText(ValueError):
    """A text value no backend may store (PostgreSQL ``TEXT`` cannot hold NUL, so
    neither backend takes it: both answer the same). Nothing was written."""


def has_nul(values: Sequence[object]) -> bool:
    """True when one of *values* is a string holding a NUL character."""
    for v in values:  # a plain loop: this runs for every statement of every decision
        if type(v) is str and "\x00" in v:
            return True
    return False


def check_text(*values: object) -> None:
    """The one text rule of every backend.

    Raises:
        InvalidText: a string among *values* holds a NUL character.
    """
    if has_nul(values):
        raise InvalidText("text must not contain NUL characters")


# Ordered weakest to strongest; "admin" may grant and revoke.
PERMISSIONS: Final = ("pull", "push", "admin")
MAX_PAGE: Final = 5000


@dataclass(frozen=True, slots=True)
class Identity:
    handle: str
    public_key: str  # raw Ed25519 public key, base64url without padding
    created_at: float


@dataclass(frozen=True, slots=True)
class Repo:
    id: int
    owner: str
    slug: str
    created_by: str
    public: bool
    created_at: float
    last_seq: int = 0


@dataclass(frozen=True, slots=True)
class RecordRow:
    kind: str
    record_id: str
    body: bytes  # msgpack of the bus record


@dataclass(frozen=True, slots=True)
class InsertResult:
    inserted: int
    skipped: int
    last_seq: int


@dataclass(frozen=True, slots=True)
class Page:
    bodies: list[bytes]
    cursor: int
    has_more: bool


@dataclass(frozen=True, slots=True)
class DashboardSession:
    """A browser signed in to a repository's dashboard with one capability."""

    cap_id: str  # hash of the capability token
    repo_id: int
    handle: str
    generation: int  # the handle's sign-in generation on the repository when it signed in
    created_at: float
    expires_at: float  # the capability's expiry: the row is useless afterwards
    revoked: bool = False  # signed out: the capability may not sign in again


def fresh_rows(rows: Sequence[RecordRow], existing: set[tuple[str, str]]) -> list[RecordRow]:
    """Rows whose (kind, record_id) is not in *existing* nor earlier in *rows*, in order."""
    seen = set(existing)
    fresh: list[RecordRow] = []
    for r in rows:
        key = (r.kind, r.record_id)
        if key not in seen:
            seen.add(key)
            fresh.append(r)
    return fresh


class HubStore(abc.ABC):
    """What the hub needs from a database. Thread-safe: handlers call it from a pool.

    Text: every method that writes refuses a string holding NUL with
    :class:`InvalidText` (:func:`check_text`); lookups of such a name find
    nothing, since none can be stored. Statements run in a
    :meth:`live_transaction` refuse NUL parameters the same way.
    """

    backend: str = "abstract"

    # ── lifecycle ──
    @abc.abstractmethod
    def ping(self) -> None:
        """Round-trip to the database.

        Raises:
            Exception: the database is unavailable (the health endpoint reports it).
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Release every connection (idempotent)."""

    # ── identities ──
    @abc.abstractmethod
    def create_identity(self, handle: str, public_key: str, now: float) -> bool:
        """Register *handle* with *public_key*.

        Returns:
            True if created; False if *handle* already exists (any key). Exactly
            one of several concurrent callers gets True.
        """

    @abc.abstractmethod
    def get_identity(self, handle: str) -> Identity | None:
        """The identity registered as *handle*, or None."""

    # ── repositories and members ──
    @abc.abstractmethod
    def create_repo(self, owner: str, slug: str, created_by: str, public: bool, now: float) -> bool:
        """Create ``owner/slug`` and make *created_by* its admin.

        Returns:
            True if created; False if it already exists (exactly one racer wins).
        """

    @abc.abstractmethod
    def get_repo(self, owner: str, slug: str) -> Repo | None:
        """The repository ``owner/slug``, or None."""

    @abc.abstractmethod
    def set_permission(self, repo_id: int, handle: str, permission: str | None) -> None:
        """Grant *permission* (one of :data:`PERMISSIONS`) to *handle*; None revokes."""

    @abc.abstractmethod
    def get_permission(self, repo_id: int, handle: str) -> str | None:
        """The permission *handle* holds on the repository, or None."""

    @abc.abstractmethod
    def list_members(self, repo_id: int) -> list[tuple[str, str]]:
        """``(handle, permission)`` pairs, sorted by handle."""

    # ── records ──
    @abc.abstractmethod
    def insert_records(self, repo_id: int, rows: Sequence[RecordRow]) -> InsertResult:
        """Store *rows* in one transaction: all of them are applied or none.

        A row whose ``(kind, record_id)`` the repository already has (or that
        appears earlier in *rows*) is skipped, never stored twice. New rows take
        the next sequence numbers, without gaps, in *rows* order.

        Returns:
            Counts, and the repository's last sequence number after the insert.
        """

    @abc.abstractmethod
    def fetch_records(self, repo_id: int, since: int, kinds: Sequence[str] | None,
                      limit: int) -> Page:
        """Rows with sequence number greater than *since*, in order.

        Args:
            repo_id: repository.
            since: cursor from the previous page (0 for the start).
            kinds: only rows of these kinds (None: all).
            limit: at most this many rows (callers cap it to :data:`MAX_PAGE`).

        Returns:
            The bodies; ``cursor`` to resume after them (when the page is the
            last one it is the repository's last sequence number, so filtered
            rows are not rescanned); ``has_more`` if rows remain.
        """

    # ── replay protection ──
    @abc.abstractmethod
    def remember_signature(self, sig: bytes, expires_at: float, now: float) -> bool:
        """Record that *sig* was accepted; False if it was seen before (a replay).

        Entries older than *now* may be dropped: the hub refuses their
        timestamps anyway. Shared by every hub process on the same database.
        """

    # ── the hub itself ──
    @abc.abstractmethod
    def stats(self, now: float) -> dict[str, Any]:
        """Figures for ``GET /metrics``: name → number, or name → {status: number}.

        At least ``identities``, ``repositories``, ``records_total`` (sum of
        the repositories' sequence numbers), ``live_leases`` (unexpired live
        reservations at *now*), ``live_tasks`` (by status) and
        ``seen_signatures``; a pooled backend adds ``db_pool_size``,
        ``db_pool_available`` and ``db_pool_waiting``. Cheap: counters and
        indexed counts only.
        """

    @abc.abstractmethod
    def meta(self, key: str, if_absent: str) -> str:
        """The hub's stored value for *key*, storing *if_absent* first when there is
        none: hubs sharing a database agree on one value (exactly one racer's)."""

    # ── invitations ──
    @abc.abstractmethod
    def create_invite(self, code_hash: str, now: float, expires_at: float) -> None:
        """Store an invite code (its hash), usable once until *expires_at*."""

    @abc.abstractmethod
    def use_invite(self, code_hash: str, handle: str, now: float) -> bool:
        """Spend the invite *code_hash* for *handle*: True for exactly one caller, and
        only while it is unused and unexpired."""

    # ── live coordination ──
    @abc.abstractmethod
    def live_transaction(self, repo_id: int, write: bool = True) -> AbstractContextManager[LiveTx]:
        """A transaction for the live tables of one repository.

        With *write*, the transaction may change the live tables and append
        bus records; it commits when the block ends and rolls back entirely
        when it raises. What keeps a decision atomic across threads and hub
        processes is the transaction's locking primitives (``LiveTx.row_lock``,
        ``lock_addresses`` …), which a backend may implement with one lock
        for every writer (SQLite) or with locks on exactly the rows and
        addresses decided about (PostgreSQL). Without *write*, a consistent
        read-only snapshot. Callers that decide use :func:`decide_live`.

        Raises:
            LookupError: no repository *repo_id*.
            StoreBusy: the lock or a connection could not be had in time.
            StoreConflict: the database rolled the transaction back to break
                a deadlock or a race on a new key (run it again).
        """

    async def submit(self, fn: Callable[..., T], *args: Any) -> T:
        """Await ``fn(*args)``: blocking work on this store (a hub request that reads,
        decides in :func:`decide_live`, remembers a signature …), run off the event loop.

        The default runs each call in the thread pool on its own. A backend may
        instead queue calls and run them together (SQLite: one writer thread,
        one transaction per batch, :meth:`SqliteStore.submit
        <muse.storage.sqlite.SqliteStore.submit>`). Either way the call's writes
        are committed before the result (or the exception *fn* raised) arrives,
        and each write *fn* makes in :meth:`live_transaction` (or any other
        method) stays atomic on its own, as when called directly.
        """
        import functools

        from anyio import to_thread

        return await to_thread.run_sync(functools.partial(fn, *args))

    # ── dashboard sign-ins ──
    @abc.abstractmethod
    def dashboard_generation(self, repo_id: int, handle: str) -> tuple[int, float]:
        """``(generation, changed_at)`` of *handle*'s sign-ins on the repository:
        ``(0, 0.0)`` until :meth:`end_dashboard_sessions` is first called."""

    @abc.abstractmethod
    def end_dashboard_sessions(self, repo_id: int, handle: str, now: float) -> int:
        """Start a new generation of *handle*'s sign-ins (``changed_at`` = *now*).

        Sessions keep their rows (and so their capabilities stay known, and
        refused) until they expire.

        Returns:
            The new generation; concurrent callers each get a distinct one.
        """

    @abc.abstractmethod
    def get_dashboard_session(self, cap_id: str) -> DashboardSession | None:
        """The session of capability *cap_id*, expired or not, or None."""

    @abc.abstractmethod
    def add_dashboard_session(self, session: DashboardSession, now: float, limit: int) -> bool:
        """Store *session* unless its capability is known already.

        Drops every session that expired before *now* (all repositories) first.

        Returns:
            False, storing nothing, when its handle already holds *limit*
            unexpired sessions on the repository; True otherwise.
        """

    @abc.abstractmethod
    def revoke_dashboard_session(self, cap_id: str) -> bool:
        """Mark the session of *cap_id* signed out; False if there is none."""

    # ── retention (``muse.hub.retention`` decides; these only list, lock and delete) ──
    @abc.abstractmethod
    def repo_ids(self) -> list[int]:
        """Every repository's id, ascending."""

    @abc.abstractmethod
    def prune_signatures(self, now: float, limit: int) -> int:
        """Forget up to *limit* seen signatures that expired before *now*; the count."""

    @abc.abstractmethod
    def prune_lock(self) -> AbstractContextManager[bool]:
        """Try to become the one pruner of this database, without waiting.

        Yields True when this process holds the lock for the block (every
        other hub on the database is refused until it ends, or this process
        dies), False when another pruner holds it.
        """


def decide_live(store: HubStore, repo_id: int, decide: Callable[[LiveTx], T]) -> T:
    """*decide* in a write :meth:`HubStore.live_transaction`, run again (a few
    times, after a short random pause) when the backend reports a conflict.

    *decide* must have no effect outside the transaction: a rolled-back
    attempt leaves nothing behind.

    Raises:
        StoreConflict: still conflicting after the last attempt.
    """
    import random
    import time

    for attempt in range(_LIVE_ATTEMPTS):
        try:
            with store.live_transaction(repo_id, write=True) as tx:
                return decide(tx)
        except StoreConflict:
            if attempt == _LIVE_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0, 0.002 * 2 ** attempt))
    raise AssertionError("unreachable")
