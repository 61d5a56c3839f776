from __future__ import annotations

import pathlib

from muse.core import coordination as co
from muse.core.coord.forecast import forecast

T0 = 2_000_000_000.0


def _by_target(root: pathlib.Path) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for p in forecast(root, now=T0 + 1).predictions:
        out.setdefault(p.target, []).append((p.severity, p.kind))
    return out


def test_delete_vs_modify_is_high(repo: pathlib.Path) -> None:
    a = co.reserve(repo, "a", ["x.c::f"], now=T0).reservation.reservation_id
    b = co.reserve(repo, "b", ["y.c::g"], now=T0).reservation.reservation_id
    co.intend(repo, "a", "modify", "x.c::f", reservation_id=a, now=T0)
    co.intend(repo, "b", "delete", "x.c::f", reservation_id=b, now=T0)
    assert ("high", "intent") in _by_target(repo)["x.c::f"]


def test_two_different_renames_are_high_same_rename_is_not(repo: pathlib.Path) -> None:
    co.reserve(repo, "a", ["x.c::f"], now=T0)
    co.reserve(repo, "b", ["q.c"], now=T0)
    co.reserve(repo, "c", ["r.c"], now=T0)
    co.intend(repo, "a", "rename", "x.c::f", new_name="g", now=T0)
    co.intend(repo, "b", "rename", "x.c::f", new_name="h", now=T0)
    co.intend(repo, "c", "rename", "x.c::f", new_name="g", now=T0)
    preds = [p for p in forecast(repo, now=T0 + 1).predictions if p.kind == "intent"]
    assert len(preds) == 2  # a-b and b-c clash; a-c agree
    assert all(p.severity == "high" for p in preds)


def test_shared_symbol_is_medium_and_enclosing_scope_is_low(repo: pathlib.Path) -> None:
    co.reserve(repo, "a", ["x.c::f"], now=T0)
    co.reserve(repo, "b", ["x.c::f"], now=T0)
    co.reserve(repo, "c", ["z.c::Cls"], now=T0)
    co.reserve(repo, "d", ["z.c::Cls.method"], now=T0)
    got = _by_target(repo)
    assert got["x.c::f"] == [("medium", "reservation")]
    assert got["z.c::Cls.method"] == [("low", "reservation")]


def test_released_and_expired_work_predicts_nothing(repo: pathlib.Path) -> None:
    a = co.reserve(repo, "a", ["x.c::f"], ttl=10, now=T0 - 100).reservation.reservation_id
    co.intend(repo, "a", "delete", "x.c::f", reservation_id=a, now=T0 - 100)
    b = co.reserve(repo, "b", ["x.c::f"], now=T0).reservation.reservation_id
    co.intend(repo, "b", "modify", "x.c::f", reservation_id=b, now=T0)
    co.release(repo, b, "b", now=T0)
    assert forecast(repo, now=T0 + 1).predictions == []


def test_ranking_orders_high_first(repo: pathlib.Path) -> None:
    co.reserve(repo, "a", ["x.c::f", "w.c::k"], now=T0)
    co.reserve(repo, "b", ["w.c::k"], now=T0)
    co.intend(repo, "a", "delete", "x.c::f", now=T0)
    co.intend(repo, "b", "modify", "x.c::f", now=T0)
    sev = [p.severity for p in forecast(repo, now=T0 + 1).predictions]
    assert sev == sorted(sev, key=["high", "medium", "low"].index) and sev[0] == "high"
