"""Record sync endpoints: push a batch, pull a page.

``POST /api/v1/repos/{owner}/{slug}/coord/records``
    body ``{"records": [bus record, …]}`` (≤ 500); answer
    ``{"inserted", "skipped", "cursor", "refused"}``. The batch is validated whole
    before anything is written; records forged in another identity's name are
    skipped and listed in ``refused`` (``muse.hub.authorship``); the rest is
    stored in one transaction.
``GET /api/v1/repos/{owner}/{slug}/coord/records?since=N&limit=M&kinds=a,b``
    answer ``{"records": […], "cursor": int, "has_more": bool}``.

Records are stored as their msgpack encoding, so a msgpack pull page is the
stored bytes spliced into one answer (``msgspec.Raw``), never re-encoded.
"""

from __future__ import annotations

from typing import Any

from muse.core.client.sync import validate_bus_record
from muse.core.types import KINDS
from muse.core.vocab.errors import InvalidRecord, NotFound
from muse.hub import authorship
from muse.hub.admin import check_name
from muse.hub.context import (
    Call,
    Hub,
    Reply,
    decode_body,
    endpoint,
    require_object,
    require_repo_access,
)
from muse.hub.errors import BadRequest, PayloadTooLarge
from muse.hub.lessor import apply_to_live
from muse.storage.base import RecordRow, has_nul

__all__ = ["build_rows", "pull_records", "push_records", "routes"]

RECORDS_PATH = "/api/v1/repos/{owner}/{slug}/coord/records"
_MAX_TEXT = 256  # run_id / expires_at: longer is not a run id or a timestamp
_MAX_INT = 2**63 - 1


def build_rows(records: list[Any], max_record: int) -> list[RecordRow]:
    """Validate a whole batch and encode each record for storage.

    Raises:
        InvalidRecord: the first bad record, by index (nothing is stored then).
    """
    import msgspec
    import orjson

    encode = msgspec.msgpack.Encoder().encode
    rows: list[RecordRow] = []
    for i, rec in enumerate(records):
        why = validate_bus_record(rec)
        if why is not None:
            raise InvalidRecord(f"record {i}: {why}", index=i)
        run, exp, payload = rec.get("run_id"), rec.get("expires_at"), rec["payload"]
        if (run is not None and len(run) > _MAX_TEXT) or (exp is not None and len(exp) > _MAX_TEXT):
            raise InvalidRecord(f"record {i}: run_id/expires_at longer than {_MAX_TEXT} characters",
                                index=i)
        if has_nul((run, exp)):
            raise InvalidRecord(f"record {i}: run_id/expires_at must not contain NUL", index=i)
        try:
            # Clients write payloads as JSON files: refuse what JSON cannot hold
            # (bytes, non-string keys, absurd nesting) here rather than on every client.
            orjson.dumps(payload)
        except TypeError as exc:
            raise InvalidRecord(f"record {i}: payload is not JSON-compatible ({exc})",
                                index=i) from None
        body = encode({"kind": rec["kind"], "record_id": rec["record_id"], "run_id": run,
                       "payload": payload, "expires_at": exp})
        if len(body) > max_record:
            raise InvalidRecord(f"record {i}: {len(body)} bytes exceeds the {max_record}-byte limit",
                                index=i)
        rows.append(RecordRow(rec["kind"], rec["record_id"], body))
    return rows


def push_records(hub: Hub, call: Call) -> Reply:
    """Store a batch of records (idempotent: known ids are skipped)."""
    principal = call.authenticate(hub)
    owner, slug = call.path_params["owner"], call.path_params["slug"]
    try:
        repo = require_repo_access(hub, principal, owner, slug, "push")
    except NotFound:
        if not principal.superuser:  # insecure dev mode creates repos on first push
            raise
        owner, slug = check_name(owner, "owner"), check_name(slug, "slug")
        hub.store.create_repo(owner, slug, principal.handle, False, hub.now())
        repo = require_repo_access(hub, principal, owner, slug, "push")
    data = require_object(decode_body(call), "records")
    records = data["records"]
    if type(records) is not list:
        raise BadRequest("'records' must be a list")
    if len(records) > hub.settings.max_batch:
        raise PayloadTooLarge(f"batch of {len(records)} records exceeds {hub.settings.max_batch}")
    rows = build_rows(records, hub.settings.max_record)
    kept = authorship.screen(hub, repo, principal.handle, records, rows)
    result = hub.store.insert_records(repo.id, kept.rows)
    apply_to_live(hub.store, repo.id, hub.now(), principal.handle, kept.records)
    return Reply({"inserted": result.inserted, "skipped": result.skipped,
                  "cursor": result.last_seq, "refused": kept.refused_json()})


def _int_param(call: Call, name: str, default: int, low: int) -> int:
    raw = call.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 19 or int(raw) > _MAX_INT or int(raw) < low:
        raise BadRequest(f"invalid {name}={raw[:40]!r}: use an integer ≥ {low}")
    return int(raw)


def _kinds_param(call: Call) -> list[str] | None:
    raw = call.query.get("kinds") or call.query.get("kind")
    if not raw:
        return None
    kinds: list[str] = []
    for kind in raw.split(","):
        if kind not in KINDS:
            raise BadRequest(f"unknown kind {kind[:40]!r}: use {', '.join(KINDS)}")
        if kind not in kinds:
            kinds.append(kind)
    return kinds if len(kinds) < len(KINDS) else None


def pull_records(hub: Hub, call: Call) -> Reply:
    """One page of records after the cursor ``since``."""
    principal = call.authenticate(hub)
    repo = require_repo_access(hub, principal, call.path_params["owner"],
                               call.path_params["slug"], "pull")
    since = _int_param(call, "since", _int_param(call, "since_id", 0, 0), 0)
    limit = min(_int_param(call, "limit", 500, 1), hub.settings.max_page)
    page = hub.store.fetch_records(repo.id, since, _kinds_param(call), limit)
    import msgspec

    if call.wants_msgpack:
        raw = msgspec.msgpack.encode({"records": [msgspec.Raw(b) for b in page.bodies],
                                      "cursor": page.cursor, "has_more": page.has_more})
        return Reply(raw=raw)
    decode = msgspec.msgpack.Decoder().decode
    return Reply({"records": [decode(b) for b in page.bodies], "cursor": page.cursor,
                  "has_more": page.has_more})


def routes() -> list[Any]:
    """This module's routes (starlette imported here, not at module import)."""
    from starlette.routing import Route

    return [
        Route(RECORDS_PATH, endpoint(push_records), methods=["POST"], name="push_records"),
        Route(RECORDS_PATH, endpoint(pull_records), methods=["GET"], name="pull_records"),
    ]


