"""The local half of hub sync: records ⇄ bus records, ``remote/`` writes, pull cursors.

A bus record is ``{"kind", "record_id", "run_id", "payload", "expires_at"}``;
its payload is the record file's JSON object. Pulled records land in
``remote/<kind dir>/<record_id>.json`` only, write-once, and never when GC
already removed that id here or a local record has it.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from muse.core.fileio import write_file
from muse.core.paths import coordination_dir, remote_dir, state_dir
from muse.core.store import Problem, read_folder, record_names
from muse.core.types import KIND_DIRS, KINDS, JsonDict, is_safe_id

__all__ = [
    "gather_local_records",
    "write_remote_records",
    "RemoteWriteResult",
    "validate_bus_record",
    "load_cursor",
    "save_cursor",
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
    for kind in KINDS if kinds is None else kinds:
        sub = KIND_DIRS.get(kind)
        if sub is None:
            continue
        for record_id, data in read_folder(os.path.join(base, sub), sink):
            if type(data) is not dict:
                sink.append(Problem(os.path.join(base, sub, record_id + ".json"), "not a JSON object"))
                continue
            append({
                "kind": kind,
                "record_id": record_id,
                "run_id": _run_of(data),
                "payload": data,
                "expires_at": _expiry_of(data),
            })
    return out


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

    def to_json(self) -> JsonDict:
        return {"written": self.written, "existing": self.existing, "gc_skipped": self.buried,
                "rejected": len(self.rejected), "rejections": self.rejected[:20]}


def write_remote_records(
    root: pathlib.Path,
    records: Iterable[Any],
    graveyard: set[tuple[str, str]] | None = None,
) -> RemoteWriteResult:
    """Store pulled *records* under ``remote/``; hostile or buried ones are skipped."""
    if graveyard is None:
        from muse.core.gc import load_graveyard

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
        if write_file(folder, name, dumps(payload), exclusive=True):
            result.written += 1
        else:
            result.existing += 1
    return result


def _cursor_file(root: pathlib.Path) -> pathlib.Path:
    return state_dir(root) / "pull-cursors.json"


def _cursor_key(hub_url: str, owner: str, slug: str) -> str:
    return f"{hub_url.rstrip('/')}|{owner}/{slug}"


def load_cursor(root: pathlib.Path, hub_url: str, owner: str, slug: str) -> int:
    try:
        data = orjson.loads(_cursor_file(root).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return 0
    value = data.get(_cursor_key(hub_url, owner, slug), 0) if isinstance(data, dict) else 0
    return value if isinstance(value, int) and value >= 0 else 0


def save_cursor(root: pathlib.Path, hub_url: str, owner: str, slug: str, cursor: int) -> None:
    path = _cursor_file(root)
    try:
        data = orjson.loads(path.read_bytes())
        if not isinstance(data, dict):
            data = {}
    except (FileNotFoundError, orjson.JSONDecodeError):
        data = {}
    data[_cursor_key(hub_url, owner, slug)] = cursor
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path.parent, path.name, orjson.dumps(data), exclusive=False, fsync=True)
