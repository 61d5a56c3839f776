"""What the hub knows about who wrote what: the facts behind refusing forged pushes.

Run in one :meth:`~muse.storage.base.HubStore.live_transaction` (``write=True``:
binding a run writes), in the shared ``?`` SQL of ``muse.storage.live``. A
run belongs to the identity that first used it, live or pushed: the binding
is the live side's own (``live_runs``, decided by ``muse.storage.live``), so
a run reserved live cannot be heartbeated by another member's push, and a
run first pushed cannot be taken over live. The decisions about records
live in ``muse.hub.authorship``; these functions only read and bind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from muse.storage import live
from muse.storage.live import LiveTx

__all__ = ["bind_runs", "live_task_ids", "reservation_runs", "stored_keys"]

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


def bind_runs(tx: LiveTx, handle: str, run_ids: Iterable[str]) -> set[str]:
    """Bind each unbound run of *run_ids* to *handle* (first use wins, exactly as a
    live verb binds it); return the runs bound to another identity."""
    foreign: set[str] = set()
    for run_id in dict.fromkeys(run_ids):
        try:
            live._touch_run(tx, run_id, handle)
        except live.RunOwnedElsewhere:
            foreign.add(run_id)
    return foreign


def reservation_runs(tx: LiveTx, reservation_ids: Iterable[str]) -> dict[str, str]:
    """The run of each known reservation among *reservation_ids*: held live, or
    pushed as a record."""
    import msgspec

    ids = list(dict.fromkeys(reservation_ids))
    runs: dict[str, str] = {}
    for chunk in _chunks(ids):
        rows = tx.execute("SELECT reservation_id, run_id FROM live_reservations WHERE repo_id=?"
                          f" AND reservation_id IN ({_marks(len(chunk))})",
                          (tx.repo_id, *chunk)).fetchall()
        runs.update((str(r[0]), str(r[1])) for r in rows)
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


def live_task_ids(tx: LiveTx, task_ids: Iterable[str]) -> set[str]:
    """The tasks among *task_ids* in the live queue: the hub alone decides their claims."""
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(task_ids))):
        rows = tx.execute(f"SELECT task_id FROM live_tasks WHERE repo_id=?"
                          f" AND task_id IN ({_marks(len(chunk))})",
                          (tx.repo_id, *chunk)).fetchall()
        found.update(str(r[0]) for r in rows)
    return found
