"""What the hub stores about who wrote what: the facts behind refusing forged pushes.

Read inside a :meth:`~muse.storage.base.HubStore.live_transaction`, in the
shared ``?`` SQL of ``muse.storage.live``. The decisions about records live
in ``muse.hub.authorship``; these functions only read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from muse.storage import live
from muse.storage.live import LiveTx

__all__ = ["reservation_runs", "stored_keys"]

_CHUNK = 400  # parameters per IN (...) list


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def stored_keys(tx: LiveTx, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The ``(kind, record_id)`` pairs among *keys* the repository already stores."""
    by_kind: dict[str, list[str]] = {}
    for kind, rid in keys:
        by_kind.setdefault(kind, []).append(rid)
    found: set[tuple[str, str]] = set()
    for kind, ids in by_kind.items():
        for chunk in _chunks(list(dict.fromkeys(ids))):
            rows = tx.execute(f"SELECT record_id FROM hub_records WHERE repo_id=? AND kind=?"
                              f" AND record_id IN ({_marks(len(chunk))})",
                              (tx.repo_id, kind, *chunk)).fetchall()
            found.update((kind, r[0]) for r in rows)
    return found


def reservation_runs(tx: LiveTx, reservation_ids: Iterable[str]) -> dict[str, str]:
    """The run of each known reservation among *reservation_ids*: held live, or
    pushed as a record."""
    import msgspec

    ids = list(dict.fromkeys(reservation_ids))
    runs: dict[str, str] = {}
    for rid in ids:
        row = live.reservation_row(tx, rid)
        if row is not None:
            runs[rid] = str(row[0])
    rest = [i for i in ids if i not in runs]
    decode = msgspec.msgpack.Decoder().decode
    for chunk in _chunks(rest):
        rows = tx.execute("SELECT record_id, body FROM hub_records WHERE repo_id=?"
                          f" AND kind='reservation' AND record_id IN ({_marks(len(chunk))})",
                          (tx.repo_id, *chunk)).fetchall()
        for rid, body in rows:
            run = decode(bytes(body)).get("run_id")
            if isinstance(run, str):
                runs[str(rid)] = run
    return runs
