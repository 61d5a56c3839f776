"""Predicted conflicts, before anyone edits.

Three passes over the live state, each near-linear:

1. **Reservations** — the same address (or an enclosing one: a whole file, a
   class) reserved by different live runs.
2. **Intents** — incompatible operations on one target by different runs:
   delete against anything else, two renames or moves to different names,
   and structural edits (rename, move, extract, inline, split, merge) against
   a plain modify.
3. **Neighbourhood** — different runs holding different symbols of the same
   file: no direct clash, but likely merge friction.
4. **Code** (only with a symbol index, see :mod:`muse.core.source.forecast`) —
   a header and the runs whose files include it (one row per header and run,
   with the fan-in), a module and its importers, a function and its callers.

Each conflict is ranked ``high`` / ``medium`` / ``low``; within a severity,
direct overlaps come before code relations.
"""

from __future__ import annotations

import pathlib
from collections import defaultdict
from dataclasses import dataclass, field

from muse.core.coord.state import DEFAULT_TTL, CoordState, symbol_ancestors
from muse.core.types import JsonDict
from muse.core.vocab import clock
from muse.core.vocab.records import Intent

TYPE_CHECKING = False
if TYPE_CHECKING:
    from muse.core.source.index import CodeIndex

__all__ = ["SEVERITIES", "Forecast", "Prediction", "forecast"]

SEVERITIES = ("high", "medium", "low")
_STRUCTURAL = frozenset({"rename", "move", "extract", "inline", "split", "merge"})


@dataclass(frozen=True, slots=True)
class Prediction:
    severity: str
    kind: str  # "reservation" | "intent" | "file" | "include" | "import" | "call"
    target: str
    runs: tuple[str, ...]
    reason: str

    def to_json(self) -> JsonDict:
        return {"severity": self.severity, "kind": self.kind, "target": self.target,
                "runs": list(self.runs), "reason": self.reason}


@dataclass
class Forecast:
    generated_at: float
    predictions: list[Prediction] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(SEVERITIES, 0)
        for p in self.predictions:
            out[p.severity] += 1
        return out

    def to_json(self) -> JsonDict:
        return {"generated_at": clock.format_ts(self.generated_at), "counts": self.counts(),
                "conflicts": [p.to_json() for p in self.predictions]}


def _intent_clash(a: Intent, b: Intent) -> tuple[str, str] | None:
    """(severity, reason) when two intents of different runs cannot both land."""
    ops = {a.operation, b.operation}
    if "delete" in ops and ops != {"delete"}:
        other = (ops - {"delete"}).pop()
        return "high", f"delete vs {other}"
    if a.operation == b.operation and a.operation in ("rename", "move") and a.new_name != b.new_name:
        return "high", f"two different {a.operation}s: {a.new_name} vs {b.new_name}"
    if ops & _STRUCTURAL and "modify" in ops:
        return "medium", f"{(ops & _STRUCTURAL).pop()} vs modify"
    if len(ops & _STRUCTURAL) == 2:
        return "medium", " vs ".join(sorted(ops))
    return None


def forecast(root: pathlib.Path, now: float | None = None, state: CoordState | None = None,
             code: CodeIndex | None = None) -> Forecast:
    """Rank the conflicts the current reservations and intents predict.

    Args:
        code: the working tree's symbol index; with it, the code pass runs too.
    """
    st = state or CoordState(pathlib.Path(root), clock.now() if now is None else now)
    out = Forecast(st.now)
    active = st.active_reservations()
    conflicts, shared_files = st.conflicts_and_shared_files(active)

    # Pass 1: reservations.
    flagged: set[str] = set()
    for c in conflicts:
        runs = tuple(sorted({h[0] for h in c.holders}))
        sev = "medium" if c.overlap == "same" else "low"
        reason = "reserved by several runs" if c.overlap == "same" else "an enclosing scope is reserved by another run"
        out.predictions.append(Prediction(sev, "reservation", c.symbol, runs, reason))
        flagged.add(c.symbol.partition("::")[0])

    # Pass 2: intents of live work, grouped by target and enclosing scopes.
    intents = st.intents
    hb = st.heartbeat_map()
    # Sets over all active leases, built only when some intent needs them.
    live_ids = {r.reservation_id for r in active} if any(i.reservation_id for i in intents) else set()
    holding_runs = {r.run_id for r in active} if not all(i.reservation_id for i in intents) else set()

    def live(i: Intent) -> bool:
        # An intent tied to a reservation lives with it; a free-standing one lives
        # while its run holds anything, heartbeats, or for one default lease.
        if i.reservation_id:
            return i.reservation_id in live_ids
        return (i.run_id in holding_runs or hb.get(i.run_id, 0.0) > st.now
                or (i.created_at or 0.0) + DEFAULT_TTL > st.now)

    live_intents = [i for i in intents if live(i)]
    by_target: dict[str, list[Intent]] = defaultdict(list)
    for i in live_intents:
        by_target[i.target].append(i)
    seen_pairs: set[tuple[str, str]] = set()
    for target, group in by_target.items():
        related = list(group)
        for outer in symbol_ancestors(target):
            related.extend(by_target.get(outer, ()))
        for a in group:
            for b in related:
                if a.run_id == b.run_id or a is b:
                    continue
                pair = (min(a.intent_id, b.intent_id), max(a.intent_id, b.intent_id))
                if pair in seen_pairs:
                    continue
                seen_pairs.add(pair)
                clash = _intent_clash(a, b)
                if clash:
                    out.predictions.append(Prediction(
                        clash[0], "intent", target, tuple(sorted({a.run_id, b.run_id})), clash[1]))

    # Pass 3: different symbols of one file held by different runs.
    for path, file_runs in shared_files.items():
        if path not in flagged:
            out.predictions.append(Prediction(
                "low", "file", path, tuple(sorted(file_runs)),
                f"{len(file_runs)} runs edit symbols of this file"))

    # Pass 4: relations through the code.
    if code is not None:
        from muse.core.source.forecast import code_relations

        out.predictions.extend(Prediction(*row) for row in code_relations(code, active))

    rank = {s: i for i, s in enumerate(SEVERITIES)}
    direct = ("reservation", "intent", "file")
    out.predictions.sort(key=lambda p: (rank[p.severity], p.kind not in direct, p.target, p.runs))
    return out
