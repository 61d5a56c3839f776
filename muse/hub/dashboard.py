"""The live dashboard: a web page per repository, its JSON summary and an SSE stream.

``GET  /repos/{owner}/{slug}``                          the page (static JS renders it)
``GET  /repos/{owner}/{slug}/session``                  sign-in page: takes the capability
                                                        from the URL fragment
``POST /repos/{owner}/{slug}/session``                  exchange a capability for a cookie
``DELETE /repos/{owner}/{slug}/session``                sign out (clears the cookie)
``GET  /api/v1/repos/{owner}/{slug}/dashboard``         JSON summary (filters, pagination)
``GET  /api/v1/repos/{owner}/{slug}/dashboard/events``  SSE: the summary whenever it changes
``GET  /static/{name}``                                 the page's JS and CSS

**Data.** Every record a repository holds is in the hub's append-only records
table. A :class:`Board` per repository keeps them decoded in a
:class:`~muse.core.snapshot.RecordSet` with the last sequence number read, so
a refresh pulls only what came after it. Views are derived on the hub clock
through the same :class:`~muse.core.state.CoordState` rules as every command
(``status_view``, ``task_counts``, ``forecast``) into a :class:`Digest`, at
most once per sequence number and time step however many people watch;
each request then filters, aggregates and pages the digest, so answers stay
small at 7,000 runs.

**Access.** Browsers cannot sign MSign requests. ``muse hub dashboard-link``
signs a *capability* with the user's Ed25519 key: handle, repository, hub
host and expiry (at most :data:`MAX_CAPABILITY_TTL`), under a context string
no request signature can collide with. The link carries it in the URL
fragment, which browsers never send (so it stays out of logs and
``Referer``); the sign-in page posts it here and gets it back as an
``HttpOnly; SameSite=Strict`` cookie. Every request re-verifies the cookie
against the handle's *registered* key and re-checks the repository's pull
permission, so revoking access or replacing the key ends a session at once,
and hubs sharing a database need no shared session table. MSign-signed
requests work on the JSON endpoints too. Public repositories (pullable by
any registered identity, and anyone may register) are readable without
signing in; ``--insecure-dev`` hubs are open. Anything else gets a 401/403
page and no data.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import re
import threading
import time
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from muse.core import clock, signing
from muse.core.errors import MuseError, NotFound
from muse.core.forecast import SEVERITIES, Prediction, forecast
from muse.core.records import Reservation
from muse.core.snapshot import RecordSet, record_time
from muse.core.state import TaskState
from muse.core.types import KINDS, JsonDict
from muse.core.views import TASK_STATUSES, sorted_tasks, status_view, task_counts, tasks_in
from muse.hub.auth import Principal
from muse.hub.context import Call, Hub, require_repo_access
from muse.hub.errors import BadRequest, Forbidden, HubRefusal, Unauthorized
from muse.storage.base import Repo

__all__ = [
    "CAPABILITY_CONTEXT",
    "MAX_CAPABILITY_TTL",
    "Board",
    "Boards",
    "Capability",
    "Digest",
    "Filters",
    "build_summary",
    "cookie_name",
    "link_host",
    "mint_capability",
    "parse_filters",
    "read_capability",
    "routes",
    "subsystem_of",
    "verify_capability",
]

# ── capabilities (signed by the CLI, verified here) ─────────────────────────

# Signed bytes start with this line; MSign request signatures start with
# "ed25519\n", so one can never be passed off as the other.
CAPABILITY_CONTEXT = b"muse-dashboard-capability-v1\n"
MAX_CAPABILITY_TTL = 24 * 3600
_MAX_TOKEN = 2048
_SKEW = 30  # seconds a capability's issue time may lie ahead of hub time


@dataclass(frozen=True, slots=True)
class Capability:
    """Read access to one repository's dashboard, for *handle*, until *exp*."""

    handle: str
    owner: str
    slug: str
    host: str  # hub host[:port] the link was made for
    iat: int
    exp: int


def link_host(url: str) -> str:
    """``host[:port]`` of a hub URL as a browser sends it in ``Host`` (default ports dropped)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port is not None and parts.port != default:
        host += f":{parts.port}"
    return host


def mint_capability(private_key: Any, handle: str, owner: str, slug: str, host: str,
                    now: float, ttl: float) -> str:
    """A capability token signed with *private_key* (an Ed25519 private key)."""
    import json

    if not 0 < ttl <= MAX_CAPABILITY_TTL:
        raise ValueError(f"ttl must be within (0, {MAX_CAPABILITY_TTL}] seconds")
    payload = {"v": 1, "handle": handle, "repo": f"{owner}/{slug}", "host": host.lower(),
               "iat": int(now), "exp": int(now + ttl)}
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    sig = signing.sign(private_key, CAPABILITY_CONTEXT + body)
    return f"{signing.b64url_encode(body)}.{signing.b64url_encode(sig)}"


def read_capability(token: str) -> tuple[Capability, bytes, bytes]:
    """Parse a token (no signature check): ``(capability, signed bytes, signature)``.

    Raises:
        Unauthorized: not a well-formed capability.
    """
    import json

    bad = Unauthorized("malformed dashboard capability: make a new link with "
                       "`muse hub dashboard-link OWNER/SLUG`")
    if not isinstance(token, str) or len(token) > _MAX_TOKEN or token.count(".") != 1:
        raise bad
    body_b64, sig_b64 = token.split(".")
    try:
        body, sig = signing.b64url_decode(body_b64), signing.b64url_decode(sig_b64)
        data = json.loads(body)
    except ValueError:
        raise bad from None
    if type(data) is not dict or data.get("v") != 1:
        raise bad
    handle, repo, host = data.get("handle"), data.get("repo"), data.get("host")
    iat, exp = data.get("iat"), data.get("exp")
    if not (isinstance(handle, str) and isinstance(repo, str) and isinstance(host, str)
            and type(iat) is int and type(exp) is int and repo.count("/") == 1):
        raise bad
    owner, slug = repo.split("/")
    return Capability(handle, owner, slug, host, iat, exp), CAPABILITY_CONTEXT + body, sig


def verify_capability(hub: Hub, token: str, host: str, owner: str, slug: str) -> Capability:
    """The capability in *token*, if it is valid now for *owner/slug* on this hub.

    Checks the repository, the host it was made for, its lifetime (issued no
    later than now, unexpired, at most :data:`MAX_CAPABILITY_TTL` long) and the
    signature against the handle's currently registered key. Permission is
    checked by the caller (it may change while the capability lives).

    Raises:
        Unauthorized: any check fails.
    """
    cap, message, sig = read_capability(token)
    if (cap.owner, cap.slug) != (owner, slug):
        raise Unauthorized(f"this sign-in is for {cap.owner}/{cap.slug}, not {owner}/{slug}")
    if cap.host != host.lower():
        raise Unauthorized(f"this sign-in was made for hub {cap.host!r}, not {host!r}")
    now = hub.now()
    if cap.exp <= now:
        raise Unauthorized("dashboard sign-in expired: make a new link with "
                           f"`muse hub dashboard-link {owner}/{slug}`")
    if cap.iat > now + _SKEW or cap.exp - cap.iat > MAX_CAPABILITY_TTL:
        raise Unauthorized("dashboard capability has an impossible lifetime")
    identity = hub.store.get_identity(cap.handle)
    if identity is None or not signing.verify(identity.public_key, message, sig):
        raise Unauthorized(f"dashboard capability is not signed by {cap.handle!r}'s registered key")
    return cap


def cookie_name(owner: str, slug: str) -> str:
    """One session cookie per repository (cookie names cannot hold '/')."""
    return "muse_dash_" + hashlib.sha256(f"{owner}/{slug}".encode()).hexdigest()[:16]


# ── who may look ───────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Viewer:
    """Someone allowed to read a repository's dashboard."""

    repo: Repo
    handle: str | None  # None: anonymous (public repository or insecure dev hub)
    expires: float | None = None  # when the session ends (cookie sessions)
    how: str = "public"  # "cookie" | "signature" | "public" | "insecure-dev"


def _check_names(owner: str, slug: str) -> None:
    from muse.core.coord_bus import check_repo_name
    from muse.core.errors import UsageError

    try:
        check_repo_name(owner, "owner")
        check_repo_name(slug, "slug")
    except UsageError:
        raise NotFound(f"no repository {owner[:100]}/{slug[:100]} on this hub") from None


def authorize(hub: Hub, call: Call, owner: str, slug: str) -> Viewer:
    """Who is reading *owner/slug*, if they may.

    Order: insecure dev hub (open), session cookie, MSign signature, public
    repository. A stale or forged cookie does not hide a public repository.

    Raises:
        NotFound: no such repository (only said to those who could read it,
            or on an open hub: others get Unauthorized, so names do not leak).
        Unauthorized: no valid sign-in for a private repository.
        Forbidden: signed in, but without pull access.
    """
    _check_names(owner, slug)
    if hub.settings.insecure_dev:
        repo = hub.store.get_repo(owner, slug)
        if repo is None:
            raise NotFound(f"no repository {owner}/{slug} on this hub")
        return Viewer(repo, None, how="insecure-dev")
    refused: HubRefusal | None = None
    token = _cookies(call).get(cookie_name(owner, slug))
    if token:
        try:
            cap = verify_capability(hub, token, call.host, owner, slug)
        except Unauthorized as exc:
            refused = exc
        else:
            repo = require_repo_access(hub, Principal(cap.handle), owner, slug, "pull")
            return Viewer(repo, cap.handle, float(cap.exp), "cookie")
    if "authorization" in call.headers:
        principal = call.authenticate(hub)
        repo = require_repo_access(hub, principal, owner, slug, "pull")
        return Viewer(repo, principal.handle, how="signature")
    repo = hub.store.get_repo(owner, slug)
    if repo is not None and repo.public:
        return Viewer(repo, None, how="public")
    raise refused or Unauthorized(
        f"sign in to see {owner}/{slug}: run `muse hub dashboard-link {owner}/{slug}` "
        "and open the link it prints")


def _cookies(call: Call) -> dict[str, str]:
    from http.cookies import CookieError, SimpleCookie

    raw = call.headers.get("cookie", "")
    if not raw or len(raw) > 16384:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}


# ── query parameters ───────────────────────────────────────────────────────

SECTIONS = ("subsystems", "files", "conflicts", "tasks", "runs", "reservations")
DEFAULT_LIMIT = 20
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000
_MAX_TEXT = 300
_TEXT = re.compile(r"[^\x00-\x1f\x7f]*")
RUN_SORTS = ("age", "name", "load")


@dataclass(frozen=True, slots=True)
class Filters:
    """What a reader asked to see (validated; hashable, so answers can be cached)."""

    path: str = ""  # symbol path prefix: "kernel/sched/" or "fs/ext4/inode.c"
    run: str = ""  # run id substring
    q: str = ""  # task id/description substring
    depth: int = 2  # directory components naming a subsystem
    severity: str = ""  # one of SEVERITIES, or all
    task_status: str = ""  # one of TASK_STATUSES, or all
    run_sort: str = "age"
    pages: tuple[tuple[int, int], ...] = tuple((0, DEFAULT_LIMIT) for _ in SECTIONS)

    def page(self, section: str) -> tuple[int, int]:
        return self.pages[SECTIONS.index(section)]


def _text_param(query: Mapping[str, str], name: str) -> str:
    raw = query.get(name, "")
    if len(raw) > _MAX_TEXT or not _TEXT.fullmatch(raw):
        raise BadRequest(f"invalid {name}: at most {_MAX_TEXT} printable characters")
    return raw


def _int_param(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9 or not low <= int(raw) <= high:
        raise BadRequest(f"invalid {name}={raw[:40]!r}: use an integer from {low} to {high}")
    return int(raw)


def _choice_param(query: Mapping[str, str], name: str, choices: tuple[str, ...],
                  default: str = "") -> str:
    raw = query.get(name, "") or default
    if raw and raw not in choices:
        raise BadRequest(f"invalid {name}={raw[:40]!r}: use one of {', '.join(choices)}")
    return raw


def parse_filters(query: Mapping[str, str]) -> Filters:
    """Validate the dashboard's query parameters (others, like MSign's ``n``, are ignored).

    Raises:
        BadRequest: a parameter out of range or not printable text.
    """
    pages = tuple(
        (_int_param(query, f"{s}_offset", 0, 0, MAX_OFFSET),
         _int_param(query, f"{s}_limit", DEFAULT_LIMIT, 1, MAX_LIMIT))
        for s in SECTIONS)
    return Filters(
        path=_text_param(query, "path"),
        run=_text_param(query, "run"),
        q=_text_param(query, "q"),
        depth=_int_param(query, "depth", 2, 1, 8),
        severity=_choice_param(query, "severity", SEVERITIES),
        task_status=_choice_param(query, "task_status", TASK_STATUSES),
        run_sort=_choice_param(query, "run_sort", RUN_SORTS, "age"),
        pages=pages,
    )


# ── boards: per-repository decoded records, kept incrementally ─────────────

PAGE_SIZE = 5000  # records per pull from the store while catching up
CHECK_SECONDS = 1.0  # how often a watched board asks the store for new records
REDERIVE_SECONDS = 5.0  # how stale (in time alone) a digest may get: expiries, ages
THROUGHPUT_BUCKET = 60  # seconds per throughput bar
THROUGHPUT_BUCKETS = 60
RATE_BUCKETS = 5  # minutes averaged into records/s
_KEEP_BUCKETS = 24 * 60


@dataclass
class RunRow:
    reservations: int = 0
    symbols: int = 0
    tasks: int = 0
    lease_until: float | None = None  # latest heartbeat extension
    last_heartbeat: float | None = None


@dataclass
class Digest:
    """Views derived from one board at one sequence number and hub time."""

    seq: int
    now: float
    records: int
    derive_ms: float
    status: JsonDict  # status_view headline counts
    active: list[Reservation]
    expiry: dict[str, float]  # reservation_id → effective expiry
    conflicted: set[str]  # reservation ids in a reservation conflict
    predictions: list[Prediction]
    file_severity: dict[str, int]  # file path → best (lowest) severity rank among predictions
    tasks: list[TaskState]
    task_counts: dict[str, int]
    runs: dict[str, RunRow]
    throughput: JsonDict
    problems: int
    stamp: float = 0.0  # monotonic time it was derived: identifies this version


class Board:
    """One repository's records, decoded, with a cursor into the records table."""

    def __init__(self, repo: Repo) -> None:
        self.repo_id, self.owner, self.slug = repo.id, repo.owner, repo.slug
        self.lock = threading.Lock()
        self.records = RecordSet(remote=True)
        self.cursor = 0
        self.loaded = False
        self.checked_at = float("-inf")  # monotonic time of the last store check
        self.derive_cost = 0.0
        self.derived_at = float("-inf")  # monotonic time of the last derivation
        self.digest: Digest | None = None
        self.buckets: Counter[tuple[int, str]] = Counter()  # (bucket, kind) → records
        self.last_heartbeat: dict[str, float] = {}  # run → hub time of its latest heartbeat
        self.summaries: OrderedDict[Filters, tuple[tuple[int, float], JsonDict, str]] = (
            OrderedDict())

    def _pull(self, hub: Hub, now: float) -> bool:
        """Read every record after the cursor; True if any arrived."""
        import msgspec

        decode = msgspec.msgpack.Decoder().decode
        backlog = not self.loaded
        grew = False
        while True:
            page = hub.store.fetch_records(self.repo_id, self.cursor, None, PAGE_SIZE)
            bus: list[Any] = []
            for body in page.bodies:
                try:
                    bus.append(decode(body))
                except msgspec.DecodeError:
                    bus.append(None)  # reported by the RecordSet as unusable
            for kind, rec in self.records.add_bus_records(bus):
                # Records read live are dated by the hub clock; the backlog by
                # their own timestamps (the only date there is), never in the future.
                stamp = record_time(kind, rec) if backlog else now
                if stamp is not None:
                    stamp = min(stamp, now)
                    self.buckets[(int(stamp // THROUGHPUT_BUCKET), kind)] += 1
                    if kind == "heartbeat" and stamp > self.last_heartbeat.get(rec.run_id, 0.0):
                        self.last_heartbeat[rec.run_id] = stamp
            grew = grew or bool(page.bodies)
            self.cursor = max(self.cursor, page.cursor)
            if not page.has_more:
                break
        self.loaded = True
        if grew:
            oldest = int(now // THROUGHPUT_BUCKET) - _KEEP_BUCKETS
            for key in [k for k in self.buckets if k[0] < oldest]:
                del self.buckets[key]
        return grew

    def current(self, hub: Hub) -> Digest:
        """The digest, refreshed if the store moved (checked at most every
        :data:`CHECK_SECONDS`) or time moved on by :data:`REDERIVE_SECONDS`."""
        with self.lock:
            mono = time.monotonic()
            now = hub.now()
            if mono - self.checked_at >= CHECK_SECONDS:
                self.checked_at = mono
                repo_seq = _last_seq(hub, self.owner, self.slug)
                if repo_seq is None or repo_seq > self.cursor or not self.loaded:
                    self._pull(hub, now)
            digest = self.digest
            # On a huge busy repository deriving takes a good part of a second:
            # never spend more than about a third of the time deriving.
            min_gap = max(CHECK_SECONDS, 3 * self.derive_cost)
            age = mono - self.derived_at
            if (digest is None or (digest.seq != self.cursor and age >= min_gap)
                    or age >= max(REDERIVE_SECONDS, min_gap)):
                started = time.perf_counter()
                digest = self._derive(now)
                self.derive_cost = time.perf_counter() - started
                self.derived_at = mono
                digest.derive_ms = round(self.derive_cost * 1000, 1)
                digest.stamp = mono
                self.digest = digest
                self.summaries.clear()
            return digest

    def _derive(self, now: float) -> Digest:
        state = self.records.state(now)
        status = status_view(state, limit=0)
        active = state.active_reservations()
        hb = state.heartbeat_map()
        expiry = {r.reservation_id: max(r.expires_at, hb.get(r.run_id, 0.0)) for r in active}
        conflicted = {rid for c in state.conflicts(active) for _, rid, _ in c.holders}
        fc = forecast(state.root, state=state)
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        file_severity: dict[str, int] = {}
        for p in fc.predictions:
            path = p.target.partition("::")[0]
            file_severity[path] = min(file_severity.get(path, 9), rank[p.severity])
        tasks = sorted_tasks(state)
        counts = task_counts(tasks)
        runs: dict[str, RunRow] = defaultdict(RunRow)
        for r in active:
            row = runs[r.run_id]
            row.reservations += 1
            row.symbols += len(r.symbols)
        for st in tasks:
            if st.status == "claimed" and st.holder:
                runs[st.holder].tasks += 1
        for run_id, until in hb.items():
            if until > now or run_id in runs:
                runs[run_id].lease_until = until
        for run_id, row in runs.items():
            row.last_heartbeat = self.last_heartbeat.get(run_id)
        return Digest(
            seq=self.cursor, now=now, records=len(self.records), derive_ms=0.0,
            status={k: status[k] for k in ("active_reservations", "runs", "conflict_count")},
            active=active, expiry=expiry, conflicted=conflicted, predictions=fc.predictions,
            file_severity=file_severity, tasks=tasks, task_counts=counts, runs=dict(runs),
            throughput=self._throughput(now), problems=self.records.skipped)

    def _throughput(self, now: float) -> JsonDict:
        last = int(now // THROUGHPUT_BUCKET)
        first = last - THROUGHPUT_BUCKETS + 1
        totals = [0] * THROUGHPUT_BUCKETS
        by_kind: Counter[str] = Counter()
        for (bucket, kind), n in self.buckets.items():
            if first <= bucket <= last:
                totals[bucket - first] += n
                by_kind[kind] += n
        # Rate over the last five minutes, the current partial minute included.
        span = (RATE_BUCKETS - 1) * THROUGHPUT_BUCKET + (now - last * THROUGHPUT_BUCKET)
        recent = sum(totals[-RATE_BUCKETS:])
        return {"bucket_seconds": THROUGHPUT_BUCKET, "start": first * THROUGHPUT_BUCKET,
                "counts": totals, "by_kind": {k: by_kind[k] for k in KINDS if by_kind[k]},
                "per_second": round(recent / span, 2) if span > 0 else None,
                "rate_window": RATE_BUCKETS * THROUGHPUT_BUCKET}

    def summary(self, hub: Hub, filters: Filters) -> tuple[JsonDict, str]:
        """The filtered summary and a fingerprint of what it says (the hub
        time and timing aside), so streams send only what changed."""
        digest = self.current(hub)
        key = (digest.seq, digest.stamp)
        with self.lock:
            cached = self.summaries.get(filters)
            if cached is not None and cached[0] == key:
                self.summaries.move_to_end(filters)
                return cached[1], cached[2]
        import orjson

        summary = build_summary(digest, filters)
        content = {k: v for k, v in summary.items() if k not in _VOLATILE}
        fingerprint = hashlib.sha256(orjson.dumps(content)).hexdigest()
        with self.lock:
            if self.digest is digest:
                self.summaries[filters] = (key, summary, fingerprint)
                while len(self.summaries) > 64:
                    self.summaries.popitem(last=False)
        return summary, fingerprint


_VOLATILE = frozenset(("now", "now_epoch", "derive_ms"))


def _last_seq(hub: Hub, owner: str, slug: str) -> int | None:
    """The repository's latest sequence number without reading records (None: unknown)."""
    repo = hub.store.get_repo(owner, slug)
    return None if repo is None else repo.last_seq


class Boards:
    """Boards of the most recently viewed repositories (memory is bounded)."""

    def __init__(self, max_boards: int = 8) -> None:
        self.max_boards = max_boards
        self._lock = threading.Lock()
        self._boards: OrderedDict[int, Board] = OrderedDict()
        self.streams = 0

    def board(self, repo: Repo) -> Board:
        with self._lock:
            board = self._boards.get(repo.id)
            if board is None:
                board = self._boards[repo.id] = Board(repo)
                while len(self._boards) > self.max_boards:
                    self._boards.popitem(last=False)
            self._boards.move_to_end(repo.id)
            return board


_boards_lock = threading.Lock()


def _boards(app: Any) -> Boards:
    # Lives on the app (one per hub process), created on first use.
    with _boards_lock:
        boards: Boards | None = getattr(app.state, "dashboard_boards", None)
        if boards is None:
            boards = Boards()
            app.state.dashboard_boards = boards
        return boards


# ── summaries: filter, aggregate and page a digest ─────────────────────────


def subsystem_of(path: str, depth: int) -> str:
    """The first *depth* directory components of *path* (``.`` for top-level files)."""
    parts = path.split("/")[:-1]
    return "/".join(parts[:depth]) or "."


def _page(rows: list[Any], section: str, filters: Filters,
          render: Callable[[Any], JsonDict]) -> JsonDict:
    offset, limit = filters.page(section)
    return {"total": len(rows), "offset": offset, "limit": limit,
            "items": [render(r) for r in rows[offset:offset + limit]]}


def _age(digest: Digest, stamp: float | None) -> int | None:
    return None if stamp is None else max(0, int(digest.now - stamp))


def _until(digest: Digest, stamp: float | None) -> int | None:
    return None if stamp is None else int(stamp - digest.now)


def build_summary(digest: Digest, filters: Filters) -> JsonDict:
    """What the page shows, for *filters*: aggregates and one page of each list."""
    path, run = filters.path, filters.run
    active = digest.active
    if path:
        active = [r for r in active if any(s.startswith(path) for s in r.symbols)]
    if run:
        active = [r for r in active if run in r.run_id]

    # Subsystems and files: counted over reserved symbols under the path filter.
    subs: dict[str, list[Any]] = {}  # name → [reservations set, symbols, files set, runs set]
    files: dict[str, list[Any]] = {}  # path → [symbols, runs set]
    for r in active:
        for s in r.symbols:
            if path and not s.startswith(path):
                continue
            fpath = s.partition("::")[0]
            f = files.get(fpath)
            if f is None:
                f = files[fpath] = [0, set()]
            f[0] += 1
            f[1].add(r.run_id)
            name = subsystem_of(fpath, filters.depth)
            g = subs.get(name)
            if g is None:
                g = subs[name] = [set(), 0, set(), set()]
            g[0].add(r.reservation_id)
            g[1] += 1
            g[2].add(fpath)
            g[3].add(r.run_id)
    sev = digest.file_severity
    sub_sev: dict[str, int] = {}
    sub_conf: Counter[str] = Counter()
    for fpath in files:
        rank = sev.get(fpath)
        if rank is not None:
            name = subsystem_of(fpath, filters.depth)
            sub_sev[name] = min(sub_sev.get(name, 9), rank)
            if rank < 2:
                sub_conf[name] += 1
    sub_rows = sorted(subs.items(), key=lambda kv: (-len(kv[1][0]), kv[0]))
    file_rows = sorted(files.items(), key=lambda kv: (sev.get(kv[0], 9), -kv[1][0], kv[0]))

    def severity_name(rank: int | None) -> str | None:
        return SEVERITIES[rank] if rank is not None and rank < len(SEVERITIES) else None

    # Predicted conflicts.
    preds = digest.predictions
    if path:
        preds = [p for p in preds if p.target.startswith(path)]
    if run:
        preds = [p for p in preds if any(run in x for x in p.runs)]
    sev_counts = dict.fromkeys(SEVERITIES, 0)
    for p in preds:
        sev_counts[p.severity] += 1
    if filters.severity:
        preds = [p for p in preds if p.severity == filters.severity]

    # Tasks.
    tasks = digest.tasks
    if filters.q:
        needle = filters.q.lower()
        tasks = [t for t in tasks
                 if needle in t.task.task_id.lower() or needle in t.task.description.lower()]
    if run:
        tasks = [t for t in tasks if t.holder is not None and run in t.holder]
    counts_by_status = task_counts(tasks)
    tasks = tasks_in(tasks, filters.task_status)

    # Runs.
    run_items = list(digest.runs.items())
    if run:
        run_items = [kv for kv in run_items if run in kv[0]]
    if path:
        holders = {r.run_id for r in active}
        run_items = [kv for kv in run_items if kv[0] in holders]
    if filters.run_sort == "name":
        run_items.sort(key=lambda kv: kv[0])
    elif filters.run_sort == "load":
        run_items.sort(key=lambda kv: (-kv[1].symbols, -kv[1].tasks, kv[0]))
    else:  # stalest heartbeat first: the agents that went quiet
        run_items.sort(key=lambda kv: (kv[1].last_heartbeat is None,
                                       kv[1].last_heartbeat or 0.0, kv[0]))
    alive = sum(1 for _, row in run_items if (row.lease_until or 0.0) > digest.now)

    # Reservations: conflicted first, then soonest to expire.
    res_rows = sorted(active, key=lambda r: (r.reservation_id not in digest.conflicted,
                                             digest.expiry.get(r.reservation_id, 0.0),
                                             r.reservation_id))

    def render_reservation(r: Reservation) -> JsonDict:
        return {"reservation_id": r.reservation_id, "run_id": r.run_id,
                "symbols": list(r.symbols[:5]), "symbol_count": len(r.symbols),
                "expires_in": _until(digest, digest.expiry.get(r.reservation_id)),
                "token": r.token, "conflict": r.reservation_id in digest.conflicted}

    def render_task(t: TaskState) -> JsonDict:
        return {"task_id": t.task.task_id, "description": t.task.description[:300],
                "priority": t.task.priority, "status": t.status, "ready": t.ready,
                "holder": t.holder, "token": t.token if t.status == "claimed" else None,
                "depends_on": list(t.task.depends_on[:10]),
                "blocked_by": list(t.blocked_by[:10]), "attempts": t.attempts,
                "expires_in": _until(digest, t.expires_at) if t.status == "claimed" else None,
                "detail": t.detail[:300]}

    def render_run(kv: tuple[str, RunRow]) -> JsonDict:
        run_id, row = kv
        return {"run_id": run_id, "reservations": row.reservations, "symbols": row.symbols,
                "tasks": row.tasks, "heartbeat_age": _age(digest, row.last_heartbeat),
                "lease_expires_in": _until(digest, row.lease_until),
                "alive": (row.lease_until or 0.0) > digest.now}

    return {
        "seq": digest.seq,
        "now": clock.format_ts(digest.now),
        "now_epoch": digest.now,
        "derive_ms": digest.derive_ms,
        "filters": {"path": path, "run": run, "q": filters.q, "depth": filters.depth,
                    "severity": filters.severity, "task_status": filters.task_status,
                    "run_sort": filters.run_sort},
        "totals": {
            "records": digest.records, "problems": digest.problems,
            "active_reservations": digest.status["active_reservations"],
            "runs_holding": digest.status["runs"],
            "live_runs": sum(1 for row in digest.runs.values()
                             if (row.lease_until or 0.0) > digest.now or row.reservations
                             or row.tasks),
            "reservation_conflicts": digest.status["conflict_count"],
            "predicted": {s: sum(1 for p in digest.predictions if p.severity == s)
                          for s in SEVERITIES},
            "tasks": digest.task_counts,
        },
        "filtered": {"reservations": len(active), "runs": len(run_items), "runs_alive": alive,
                     "conflicts": sev_counts, "tasks": counts_by_status},
        "subsystems": _page(sub_rows, "subsystems", filters, lambda kv: {
            "name": kv[0], "reservations": len(kv[1][0]), "symbols": kv[1][1],
            "files": len(kv[1][2]), "runs": len(kv[1][3]),
            "conflict_files": sub_conf.get(kv[0], 0),
            "severity": severity_name(sub_sev.get(kv[0]))}),
        "files": _page(file_rows, "files", filters, lambda kv: {
            "path": kv[0], "symbols": kv[1][0], "runs": len(kv[1][1]),
            "severity": severity_name(sev.get(kv[0]))}),
        "conflicts": _page(preds, "conflicts", filters, lambda p: {
            "severity": p.severity, "kind": p.kind, "target": p.target,
            "runs": list(p.runs[:6]), "run_count": len(p.runs), "reason": p.reason}),
        "tasks": _page(tasks, "tasks", filters, render_task),
        "runs": _page(run_items, "runs", filters, render_run),
        "reservations": _page(res_rows, "reservations", filters, render_reservation),
        "throughput": digest.throughput,
    }


# ── HTTP ────────────────────────────────────────────────────────────────────

PAGE_PATH = "/repos/{owner}/{slug}"
SESSION_PATH = "/repos/{owner}/{slug}/session"
API_PATH = "/api/v1/repos/{owner}/{slug}/dashboard"
EVENTS_PATH = "/api/v1/repos/{owner}/{slug}/dashboard/events"
STATIC_PATH = "/static/{name}"

MAX_STREAMS = 200  # SSE connections per hub process
STREAM_POLL = 1.0  # seconds between checks for a change, per stream
KEEPALIVE = 15.0  # seconds between comments on an idle stream (proxies drop silent ones)
REAUTH = 30.0  # seconds between permission re-checks on a stream
# A server shutting down waits for open responses to finish, and an SSE stream
# never does: each one ends after this long and the browser reconnects at once
# (EventSource does so by itself), which also re-runs the full access check.
STREAM_SECONDS = 25.0

# Data reaches the page only through fetch() and textContent: a strict policy
# keeps any injected markup inert all the same.
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_SECURITY_HEADERS = {"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff",
                     "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
                     "Cache-Control": "no-store"}
_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".png": "image/png", ".svg": "image/svg+xml"}
_STATIC_NAME = re.compile(r"[a-z0-9_-]+\.(js|css|png|svg)")


def _call(request: Any, body: bytes = b"") -> Call:
    raw_path = request.scope.get("raw_path") or request.scope["path"].encode()
    query = request.scope.get("query_string", b"")
    path_qs = raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
    return Call(method=request.method, host=request.headers.get("host", ""), path_qs=path_qs,
                path_params=dict(request.path_params), query=dict(request.query_params),
                headers={k.lower(): v for k, v in request.headers.items()}, body=body)


def _names(call: Call) -> tuple[str, str]:
    return call.path_params["owner"], call.path_params["slug"]


def _html(title: str, body: str, status: int = 200, extra_head: str = "") -> Any:
    from starlette.responses import HTMLResponse

    doc = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           f"<title>{html.escape(title)}</title>"
           "<link rel=\"stylesheet\" href=\"/static/dashboard.css\">"
           f"{extra_head}</head><body>{body}</body></html>\n")
    return HTMLResponse(doc, status_code=status, headers=_SECURITY_HEADERS)


def _refusal_page(exc: MuseError, owner: str, slug: str) -> Any:
    status = exc.http_status
    title = {401: "Sign in needed", 403: "No access", 404: "Not found"}.get(status, "Error")
    repo = html.escape(f"{owner[:100]}/{slug[:100]}")
    hint = ""
    if status in (401, 403):
        hint = ("<p>Make a sign-in link with your key and open it in this browser:</p>"
                f"<pre>muse hub dashboard-link {repo}</pre>")
    body = (f"<main class=\"refusal\" id=\"refusal\" data-status=\"{status}\">"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(exc.message)}</p>{hint}</main>")
    return _html(f"{title} · {owner[:100]}/{slug[:100]}", body, status)


async def page(request: Any) -> Any:
    """The dashboard page: a shell; the script fetches and renders the data."""
    from starlette.concurrency import run_in_threadpool

    hub: Hub = request.app.state.hub
    call = _call(request)
    owner, slug = _names(call)
    try:
        viewer = await run_in_threadpool(authorize, hub, call, owner, slug)
    except (HubRefusal, NotFound) as exc:
        return _refusal_page(exc, owner, slug)
    repo = html.escape(f"{owner}/{slug}")
    who = html.escape(viewer.handle or ("open hub" if viewer.how == "insecure-dev" else "public"))
    body = (f"<div id=\"app\" data-repo=\"{repo}\" data-viewer=\"{who}\" "
            f"data-signed-in=\"{'1' if viewer.how == 'cookie' else '0'}\"></div>"
            "<noscript>The dashboard needs JavaScript.</noscript>")
    return _html(f"{owner}/{slug} · Muse Coord", body,
                 extra_head="<script src=\"/static/dashboard.js\" defer></script>")


async def session_page(request: Any) -> Any:
    """Sign-in page: its script posts the capability from the URL fragment."""
    call = _call(request)
    owner, slug = _names(call)
    repo = html.escape(f"{owner[:100]}/{slug[:100]}")
    body = (f"<main class=\"refusal\" id=\"session\" data-repo=\"{repo}\">"
            f"<h1>Signing in to {repo}…</h1><p id=\"session-status\"></p></main>")
    return _html("Signing in · Muse Coord", body,
                 extra_head="<script src=\"/static/session.js\" defer></script>")


def _same_origin(call: Call, request: Any) -> bool:
    origin = call.headers.get("origin")
    if origin is None:
        return True  # not a browser cross-site request (those always send Origin on POST)
    return bool(origin == f"{request.url.scheme}://{call.host}")


async def session_start(request: Any) -> Any:
    """Exchange a capability (JSON ``{"capability": token}``) for the session cookie."""
    import orjson
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    hub: Hub = request.app.state.hub
    body = await request.body()
    call = _call(request, body)
    owner, slug = _names(call)
    if not _same_origin(call, request):
        raise Forbidden("sign-in must come from the hub's own page")
    if len(body) > _MAX_TOKEN + 100:
        raise BadRequest("body too large")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("body must be JSON {\"capability\": token}") from None
    token = data.get("capability") if type(data) is dict else None
    if not isinstance(token, str):
        raise BadRequest("body must be JSON {\"capability\": token}")
    _check_names(owner, slug)

    def check() -> Capability:
        cap = verify_capability(hub, token, call.host, owner, slug)
        require_repo_access(hub, Principal(cap.handle), owner, slug, "pull")
        return cap

    cap = await run_in_threadpool(check)
    answer = JSONResponse({"ok": True, "handle": cap.handle,
                           "expires_at": clock.format_ts(cap.exp)},
                          headers={"Cache-Control": "no-store"})
    answer.set_cookie(cookie_name(owner, slug), token, max_age=max(1, int(cap.exp - hub.now())),
                      path="/", httponly=True, samesite="strict",
                      secure=_is_https(request))
    return answer


def _is_https(request: Any) -> bool:
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return bool(proto.split(",")[0].strip().lower() == "https")


async def session_end(request: Any) -> Any:
    """Sign out: the browser forgets the cookie."""
    from starlette.responses import JSONResponse

    call = _call(request)
    owner, slug = _names(call)
    if not _same_origin(call, request):
        raise Forbidden("sign-out must come from the hub's own page")
    answer = JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
    answer.delete_cookie(cookie_name(owner, slug), path="/", httponly=True, samesite="strict",
                         secure=_is_https(request))
    return answer


def _summary_for(hub: Hub, boards: Boards, call: Call) -> tuple[Viewer, Filters, JsonDict]:
    owner, slug = _names(call)
    viewer = authorize(hub, call, owner, slug)
    filters = parse_filters(call.query)
    summary, _ = boards.board(viewer.repo).summary(hub, filters)
    return viewer, filters, summary


def _decorate(summary: JsonDict, viewer: Viewer) -> JsonDict:
    return {**summary, "repo": {"owner": viewer.repo.owner, "slug": viewer.repo.slug,
                                "public": viewer.repo.public},
            "viewer": {"handle": viewer.handle, "via": viewer.how,
                       "expires_at": clock.format_ts(viewer.expires) if viewer.expires else None}}


async def summary_json(request: Any) -> Any:
    """``GET …/dashboard``: the summary as JSON."""
    import orjson
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    hub: Hub = request.app.state.hub
    call = _call(request)
    viewer, _, summary = await run_in_threadpool(_summary_for, hub, _boards(request.app), call)
    return Response(orjson.dumps(_decorate(summary, viewer)), media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def _sse(event: str, data: bytes) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


async def events(request: Any) -> Any:
    """``GET …/dashboard/events``: Server-Sent Events.

    ``summary`` events carry the same JSON as the summary endpoint, sent first
    at once and then whenever it changes (new records, or time moving expiries
    and ages along); ``denied`` / ``expired`` end the stream when access ends;
    ``reconnect`` ends it after :data:`STREAM_SECONDS` (the browser reconnects).
    """
    import orjson
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import StreamingResponse

    from muse.storage.base import StoreBusy

    hub: Hub = request.app.state.hub
    boards = _boards(request.app)
    call = _call(request)
    owner, slug = _names(call)
    viewer = await run_in_threadpool(authorize, hub, call, owner, slug)
    filters = parse_filters(call.query)
    if boards.streams >= MAX_STREAMS:
        from muse.hub.errors import error_response

        return error_response(503, "unavailable", "too many dashboard streams; retry shortly",
                              {"Retry-After": "5"})
    board = boards.board(viewer.repo)

    async def stream() -> Any:
        boards.streams += 1
        try:
            yield b"retry: 1000\n\n"
            sent: str | None = None
            started = last_write = time.monotonic()
            next_auth = started + REAUTH
            current = viewer
            while True:
                if time.monotonic() - started >= STREAM_SECONDS:
                    yield _sse("reconnect", b"{}")
                    return
                got: tuple[JsonDict, str] | None
                try:
                    got = await run_in_threadpool(board.summary, hub, filters)
                except StoreBusy:
                    got = None  # the database is busy: keep the stream, try again
                if got is not None and got[1] != sent:
                    sent = got[1]
                    last_write = time.monotonic()
                    yield _sse("summary", orjson.dumps(_decorate(got[0], current)))
                elif time.monotonic() - last_write >= KEEPALIVE:
                    last_write = time.monotonic()
                    yield b": keep-alive\n\n"
                await asyncio.sleep(STREAM_POLL)
                if current.expires is not None and hub.now() >= current.expires:
                    yield _sse("expired", b'{"message": "dashboard sign-in expired"}')
                    return
                if time.monotonic() >= next_auth:
                    next_auth = time.monotonic() + REAUTH
                    try:
                        current = await run_in_threadpool(_reauthorize, hub, call, owner, slug)
                    except (HubRefusal, NotFound) as exc:
                        yield _sse("denied", orjson.dumps({"message": exc.message}))
                        return
                    except StoreBusy:
                        pass
        finally:
            boards.streams -= 1

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _reauthorize(hub: Hub, call: Call, owner: str, slug: str) -> Viewer:
    # A signed request's signature may not be replayed: a stream opened with
    # MSign keeps that identity and re-checks only its permission.
    if "authorization" in call.headers and cookie_name(owner, slug) not in _cookies(call):
        from muse.core.signing import parse_authorization

        parsed = parse_authorization(call.headers.get("authorization"))
        if parsed is None:
            raise Unauthorized("missing signature")
        repo = require_repo_access(hub, Principal(parsed.handle), owner, slug, "pull")
        return Viewer(repo, parsed.handle, how="signature")
    return authorize(hub, call, owner, slug)


def _static_files() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    folder = resources.files("muse.hub") / "static"
    if folder.is_dir():
        for entry in folder.iterdir():
            if _STATIC_NAME.fullmatch(entry.name):
                out[entry.name] = entry.read_bytes()
    return out


_static_cache: dict[str, bytes] | None = None


async def static(request: Any) -> Any:
    """The page's own scripts and styles (nothing from a CDN: hubs may be offline)."""
    from starlette.responses import Response

    global _static_cache
    if _static_cache is None:
        _static_cache = _static_files()
    name = request.path_params["name"]
    data = _static_cache.get(name)
    if data is None:
        raise NotFound(f"no static file {name[:100]!r}")
    suffix = name[name.rindex("."):]
    return Response(data, media_type=_STATIC_TYPES[suffix],
                    headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


def routes() -> list[Any]:
    """This module's routes (starlette imported here, not at module import)."""
    from starlette.routing import Route

    return [
        Route(PAGE_PATH, page, methods=["GET"], name="dashboard_page"),
        Route(SESSION_PATH, session_page, methods=["GET"], name="dashboard_session_page"),
        Route(SESSION_PATH, session_start, methods=["POST"], name="dashboard_session_start"),
        Route(SESSION_PATH, session_end, methods=["DELETE"], name="dashboard_session_end"),
        Route(API_PATH, summary_json, methods=["GET"], name="dashboard_summary"),
        Route(EVENTS_PATH, events, methods=["GET"], name="dashboard_events"),
        Route(STATIC_PATH, static, methods=["GET"], name="static"),
    ]
