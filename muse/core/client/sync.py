"""The local half of hub sync: records ⇄ bus records, ``remote/`` writes, pull cursors.

A bus record is ``{"kind", "record_id", "run_id", "payload", "expires_at"}``;
its payload is the record file's JSON object. Pulled records land in
``remote/<kind dir>/<record_id>.json`` only, write-once, and never when GC
already removed that id here or a local record has it.

Bad records never block work. On push, a local record the hub would refuse
(unsafe id, a run id or expiry that is not a string) is skipped and
reported, and a batch the hub refuses anyway is split until the refused
records are isolated, reported, and the rest delivered. On pull, a record
whose fields are present with the wrong type or value (an unsafe task id,
a bad timestamp) is *quarantined*: kept under ``quarantine/<kind dir>/`` for
inspection, counted and reported, and never written where commands read.
A record that merely lacks fields is stored like any other (other tools
write minimal records) and readers report it as unusable.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from muse.core.files.fileio import MAX_RECORD_BYTES, UnusableFile, read_path, write_file
from muse.core.files.gcpause import paused_gc
from muse.core.files.store import Problem, read_folder, record_names
from muse.core.paths import coordination_dir, quarantine_dir, remote_dir, state_dir
from muse.core.types import KIND_DIRS, KINDS, JsonDict, is_safe_id

__all__ = [
    "HubTarget",
    "RemoteWriteResult",
    "gather_local_records",
    "hostile_reason",
    "load_cursor",
    "pull_into",
    "push_records",
    "resolve_hub_url",
    "resolve_repo",
    "resolve_signing",
    "resolve_target",
    "save_cursor",
    "validate_bus_record",
    "write_remote_records",
]


def _run_of(data: JsonDict) -> Any:
    run = data.get("run_id")
    return run if run is not None else data.get("claimer_run_id")


def _expiry_of(data: JsonDict) -> Any:
    exp = data.get("expires_at")
    return exp if exp is not None else data.get("extended_expires_at")


def gather_local_records(
    root: pathlib.Path, kinds: Iterable[str] | None = None, problems: list[Problem] | None = None
) -> list[JsonDict]:
    """Every local record of *kinds* as a bus record (remote copies are not re-sent)."""
    sink: list[Problem] = [] if problems is None else problems
    base = os.fspath(coordination_dir(root))
    out: list[JsonDict] = []
    append = out.append
    with paused_gc():
        for kind in KINDS if kinds is None else kinds:
            _gather_kind(base, kind, sink, append)
    return out


def _gather_kind(base: str, kind: str, sink: list[Problem], append: Callable[[JsonDict], None]) -> None:
    sub = KIND_DIRS.get(kind)
    if sub is not None:
        for record_id, data in read_folder(os.path.join(base, sub), sink):
            if type(data) is not dict:
                sink.append(Problem(os.path.join(base, sub, record_id + ".json"), "not a JSON object"))
                continue
            rec = {
                "kind": kind,
                "record_id": record_id,
                "run_id": _run_of(data),
                "payload": data,
                "expires_at": _expiry_of(data),
            }
            why = _unpushable(rec)
            if why is not None:  # the hub would refuse the whole batch for it
                sink.append(Problem(os.path.join(base, sub, record_id + ".json"), f"not pushed: {why}"))
                continue
            append(rec)


def _unpushable(rec: JsonDict) -> str | None:
    run, exp = rec["run_id"], rec["expires_at"]
    if (run is None or type(run) is str) and (exp is None or type(exp) is str) and is_safe_id(rec["record_id"]):
        return None  # the common case, without the full check
    return validate_bus_record(rec)


def validate_bus_record(rec: Any) -> str | None:
    """Why *rec* is not an acceptable bus record, or None. Ids must be safe file names."""
    if type(rec) is not dict:
        return "record is not an object"
    kind = rec.get("kind")
    if kind not in KIND_DIRS:
        return f"unknown kind {kind!r}"
    if not is_safe_id(rec.get("record_id")):
        return f"unsafe record_id {rec.get('record_id')!r}"
    if type(rec.get("payload")) is not dict:
        return "payload is not an object"
    run = rec.get("run_id")
    if run is not None and not isinstance(run, str):
        return "run_id is not a string"
    exp = rec.get("expires_at")
    if exp is not None and not isinstance(exp, str):
        return "expires_at is not a string"
    return None


@dataclass
class RemoteWriteResult:
    written: int = 0
    existing: int = 0
    buried: int = 0  # refused: GC removed this id here before
    rejected: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)  # "kind/record_id: why"

    def to_json(self) -> JsonDict:
        return {"written": self.written, "existing": self.existing, "gc_skipped": self.buried,
                "rejected": len(self.rejected), "rejections": self.rejected[:20],
                "quarantined": len(self.quarantined), "quarantine": self.quarantined[:20]}


def hostile_reason(kind: str, record_id: str, payload: JsonDict) -> str | None:
    """Why a pulled payload must not reach the folders commands read, or None.

    A field that is present with a wrong type or value is hostile (or broken
    beyond use); a missing field is not: other tools write minimal records.
    """
    from muse.core.vocab.errors import InvalidRecord
    from muse.core.vocab.records import decode

    try:
        decode(kind, record_id, payload, True)
    except InvalidRecord as exc:
        if exc.details.get("field") in payload:
            return exc.message
    return None


def _quarantine(root: pathlib.Path, kind: str, rec: JsonDict, why: str) -> None:
    folder = os.path.join(quarantine_dir(root), KIND_DIRS[kind])
    body = orjson.dumps({"reason": why, "record": rec}, default=str)
    try:
        os.makedirs(folder, exist_ok=True)
        write_file(folder, rec["record_id"] + ".json", body, exclusive=True, mode=0o600)
    except OSError:
        pass  # the report still names it


def write_remote_records(
    root: pathlib.Path,
    records: Iterable[Any],
    graveyard: set[tuple[str, str]] | None = None,
) -> RemoteWriteResult:
    """Store pulled *records* under ``remote/``; hostile or buried ones are skipped."""
    if graveyard is None:
        from muse.core.coord.gc import load_graveyard

        graveyard = load_graveyard(root)
    result = RemoteWriteResult()
    rbase = os.fspath(remote_dir(root))
    lbase = os.fspath(coordination_dir(root))
    made: set[str] = set()
    local_names: dict[str, set[str]] = {}
    dumps = orjson.dumps
    for rec in records:
        why = validate_bus_record(rec)
        if why is not None:
            result.rejected.append(why)
            continue
        kind: str = rec["kind"]
        rid: str = rec["record_id"]
        if (kind, rid) in graveyard:
            result.buried += 1
            continue
        sub = KIND_DIRS[kind]
        names = local_names.get(sub)
        if names is None:
            names = local_names[sub] = set(record_names(os.path.join(lbase, sub)))
        name = rid + ".json"
        if name in names:
            result.existing += 1
            continue
        folder = os.path.join(rbase, sub)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        payload: JsonDict = rec["payload"]
        if rec.get("run_id") is not None and "run_id" not in payload and "claimer_run_id" not in payload:
            payload = {**payload, "run_id": rec["run_id"]}
        if rec.get("expires_at") is not None and "expires_at" not in payload:
            payload = {**payload, "expires_at": rec["expires_at"]}
        hostile = hostile_reason(kind, rid, payload)
        if hostile is not None:
            result.quarantined.append(f"{kind}/{rid}: {hostile}"[:300])
            _quarantine(root, kind, rec, hostile)
            continue
        if write_file(folder, name, dumps(payload), exclusive=True):
            result.written += 1
        else:
            result.existing += 1
    return result


def _cursor_file(root: pathlib.Path) -> pathlib.Path:
    return state_dir(root) / "pull-cursors.json"


def _cursor_key(hub_url: str, owner: str, slug: str, kinds: Iterable[str] | None = None) -> str:
    # A pull filtered to some kinds has seen nothing of the others: it keeps
    # its own cursor so a later full pull does not skip them.
    chosen = sorted(set(kinds)) if kinds else []
    suffix = "" if not chosen or set(chosen) == set(KINDS) else "|" + ",".join(chosen)
    return f"{hub_url.rstrip('/')}|{owner}/{slug}{suffix}"


def _read_cursors(root: pathlib.Path) -> dict[str, Any]:
    """The saved cursors; an unreadable, oversized or non-regular file counts as none saved."""
    try:
        data = orjson.loads(read_path(_cursor_file(root), limit=MAX_RECORD_BYTES))
    except (OSError, UnusableFile, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def load_cursor(root: pathlib.Path, hub_url: str, owner: str, slug: str,
                kinds: Iterable[str] | None = None) -> int:
    data = _read_cursors(root)
    value = data.get(_cursor_key(hub_url, owner, slug, kinds), 0) if isinstance(data, dict) else 0
    return value if isinstance(value, int) and value >= 0 else 0


def save_cursor(root: pathlib.Path, hub_url: str, owner: str, slug: str, cursor: int,
                kinds: Iterable[str] | None = None) -> None:
    path = _cursor_file(root)
    data = _read_cursors(root)
    data[_cursor_key(hub_url, owner, slug, kinds)] = cursor
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path.parent, path.name, orjson.dumps(data), exclusive=False, fsync=True)


# ── orchestration shared by the CLI and the MCP server ────────────────────────
class HubTarget:
    """Where a sync goes: hub URL, repository, and the identity that signs."""

    __slots__ = ("owner", "signing", "slug", "url")

    def __init__(self, url: str, owner: str, slug: str, signing: Any) -> None:
        self.url, self.owner, self.slug, self.signing = url, owner, slug, signing


def resolve_signing(root: pathlib.Path | None) -> Any:
    """The configured identity (``[hub] handle``/``key``), or None for unsigned requests."""
    from muse.core.files.config import hub_config, muse_home

    cfg = hub_config(root)
    if not cfg.handle:
        return None
    from muse.core.transport import SigningIdentity

    key = cfg.key or str(muse_home() / "keys" / f"{cfg.handle}.key")
    return SigningIdentity.load(cfg.handle, key)


def resolve_hub_url(root: pathlib.Path | None, hub_url: str | None) -> str:
    from muse.core.files.config import hub_config
    from muse.core.vocab.errors import UsageError

    url = hub_url or hub_config(root).url
    if not url:
        raise UsageError("no hub: pass --hub URL or set [hub] url in .muse/config.toml")
    return url


def resolve_repo(root: pathlib.Path | None, owner: str | None, slug: str | None) -> tuple[str, str]:
    from muse.core.files.config import hub_config
    from muse.core.vocab.errors import UsageError

    if not owner or not slug:
        cfg = hub_config(root)
        owner, slug = owner or cfg.owner, slug or cfg.slug
    if not owner or not slug:
        raise UsageError("no hub repository: pass --owner and --slug or set [hub] owner/slug "
                         "in .muse/config.toml")
    return owner, slug


def resolve_target(root: pathlib.Path, hub_url: str | None = None, owner: str | None = None,
                   slug: str | None = None) -> HubTarget:
    owner, slug = resolve_repo(root, owner, slug)
    return HubTarget(resolve_hub_url(root, hub_url), owner, slug, resolve_signing(root))


_REFUSED_STATUSES = (413, 422)  # the hub refused records in the batch (size, content)
MAX_REFUSED = 50  # past this many refused records a push stops: the hub refuses everything


def push_records(
    records: list[JsonDict],
    target: HubTarget,
    send: Callable[..., Any] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> JsonDict:
    """Send *records* in batches of at most ``MAX_PUSH_BATCH``; no call for zero records.

    A batch the hub refuses for its content (HTTP 413/422) is split in halves
    until each refused record stands alone; those are skipped and reported
    (``refused``), the rest delivered. *send* is ``push_to_hub``'s signature
    (injectable for tests and shells).

    Raises:
        HubResponseError: any other hub failure, or more than :data:`MAX_REFUSED` refused records.
    """
    from muse.core.coord_bus import MAX_PUSH_BATCH, push_to_hub

    send = push_to_hub if send is None else send
    totals = {"inserted": 0, "skipped": 0, "batches": 0}
    refused: list[str] = []
    for start in range(0, len(records), MAX_PUSH_BATCH):
        batch = records[start:start + MAX_PUSH_BATCH]
        _send_isolating(batch, target, send, totals, refused)
        if on_batch is not None:
            on_batch(start + len(batch))
    out: JsonDict = {"hub": target.url, "repo": f"{target.owner}/{target.slug}", "records": len(records),
                     **totals}
    if refused:
        out["refused"] = len(refused)
        out["refusals"] = refused[:20]
    return out


def _send_isolating(batch: list[JsonDict], target: HubTarget, send: Callable[..., Any],
                    totals: dict[str, int], refused: list[str]) -> None:
    from muse.core.vocab.errors import HubResponseError

    try:
        answer = send(target.url, target.owner, target.slug, batch, signing=target.signing)
    except HubResponseError as exc:
        if exc.details.get("status") not in _REFUSED_STATUSES:
            raise
        if len(batch) == 1:
            rec = batch[0]
            refused.append(f"{rec.get('kind')}/{rec.get('record_id')}: {exc.message}"[:300])
            if len(refused) > MAX_REFUSED:
                raise HubResponseError(f"the hub refused more than {MAX_REFUSED} records; "
                                       f"last: {exc.message}", status=exc.details.get("status")) from None
            return
        mid = len(batch) // 2
        _send_isolating(batch[:mid], target, send, totals, refused)
        _send_isolating(batch[mid:], target, send, totals, refused)
        return
    totals["inserted"] += int(answer.get("inserted", 0))
    totals["skipped"] += int(answer.get("skipped", 0))
    totals["batches"] += 1


_MAX_PAGES = 1_000_000  # a hub that never ends a listing still cannot trap us


def pull_into(
    root: pathlib.Path,
    target: HubTarget,
    kinds: list[str] | None = None,
    limit: int = 500,
    since_id: int | None = None,
    fetch: Callable[..., Any] | None = None,
    on_page: Callable[[int], None] | None = None,
) -> JsonDict:
    """Page records from the hub into ``remote/`` and save the cursor after the last page.

    Resumes from the saved cursor unless *since_id* is given; stops at a short
    page, at ``has_more: false``, or when the cursor stops moving.
    """
    from muse.core.coord.gc import load_graveyard
    from muse.core.coord_bus import pull_from_hub
    from muse.core.vocab.errors import HubResponseError

    fetch = pull_from_hub if fetch is None else fetch
    kinds = list(kinds or KINDS)
    cursor = (load_cursor(root, target.url, target.owner, target.slug, kinds)
              if since_id is None else int(since_id))
    graveyard = load_graveyard(root)
    totals = {"received": 0, "written": 0, "existing": 0, "gc_skipped": 0, "rejected": 0, "quarantined": 0}
    reports: list[str] = []
    pages = 0
    while pages < _MAX_PAGES:
        page = fetch(target.url, target.owner, target.slug, since_id=cursor, kinds=kinds,
                     limit=limit, signing=target.signing)
        records = page.get("records") or []
        pages += 1
        result = write_remote_records(root, records, graveyard)
        totals["received"] += len(records)
        totals["written"] += result.written
        totals["existing"] += result.existing
        totals["gc_skipped"] += result.buried
        totals["rejected"] += len(result.rejected)
        totals["quarantined"] += len(result.quarantined)
        reports += (result.rejected + result.quarantined)[:20 - len(reports)]
        new_cursor = page.get("cursor", cursor)
        if not isinstance(new_cursor, int) or isinstance(new_cursor, bool) or new_cursor < 0:
            raise HubResponseError(f"hub sent an invalid cursor {new_cursor!r}")
        advanced = new_cursor > cursor
        cursor = max(cursor, new_cursor)
        if on_page is not None:
            on_page(totals["received"])
        more = page.get("has_more")
        if more is None:
            more = len(records) >= limit
        if not more or not advanced or not records:
            break
    save_cursor(root, target.url, target.owner, target.slug, cursor, kinds)
    out: JsonDict = {"hub": target.url, "repo": f"{target.owner}/{target.slug}", "pages": pages,
                     "cursor": cursor, **totals}
    if reports:
        out["problems"] = reports  # the first refused or quarantined records, and why
    return out
