"""``GET /metrics`` on a real hub: Prometheus text, requests by route, live figures."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator

import msgspec
import pytest

from muse.core.coord_bus import hub_request
from muse.core.transport import HTTPTransport, Request
from muse.hub.metrics import RequestMetrics, render
from tests.hub.conftest import HubProcess, create_repo, make_agent

_SAMPLE = re.compile(r'[a-z_:][a-z0-9_:]*(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? -?[0-9.e+Inf-]+')


def parse(text: str) -> dict[str, float]:
    """Every line is a HELP/TYPE comment or a valid sample; samples by their full name."""
    assert text.endswith("\n")
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# "):
            assert re.fullmatch(r"# (HELP|TYPE) [a-z_]+ .+", line), line
            continue
        assert _SAMPLE.fullmatch(line), line
        name, _, value = line.rpartition(" ")
        samples[name] = float(value)
    return samples


@pytest.fixture
def tx() -> Iterator[HTTPTransport]:
    t = HTTPTransport()
    yield t
    t.close()


def _scrape(hub: HubProcess, tx: HTTPTransport, **headers: str) -> tuple[int, str, str]:
    resp = tx.handle_request(Request("GET", hub.url + "/metrics", headers, b"", 30))
    return resp.status, resp.headers.get("content-type", ""), resp.body.decode()


def test_metrics_count_requests_and_live_state(hub: HubProcess, tx: HTTPTransport,
                                               tmp_path: pathlib.Path, backend: str) -> None:
    alice = make_agent(hub, tmp_path, "alice")
    slug = create_repo(hub, alice)
    live = f"{hub.url}/api/v1/repos/{alice.handle}/{slug}/live/"
    before = parse(_scrape(hub, tx)[2])
    key = 'muse_hub_requests_total{route="live.reserve",method="POST",status="200"}'
    for i in range(3):
        hub_request("POST", live + "reserve", msgspec.msgpack.encode(
            {"run_id": "run-m", "symbols": [f"m.py::f{i}"], "ttl": 600}), signing=alice.identity)
    hub_request("POST", live + "tasks", msgspec.msgpack.encode(
        {"tasks": [{"task_id": "mt-1"}, {"task_id": "mt-2"}]}), signing=alice.identity)
    status, ctype, text = _scrape(hub, tx)
    assert status == 200 and ctype.startswith("text/plain; version=0.0.4")
    got = parse(text)
    assert got[key] - before.get(key, 0) == 3
    count = 'muse_hub_request_duration_seconds_count{route="live.reserve",method="POST"}'
    inf = 'muse_hub_request_duration_seconds_bucket{route="live.reserve",method="POST",le="+Inf"}'
    assert got[count] == got[inf] >= 3
    assert got["muse_hub_live_leases"] >= 3
    assert got['muse_hub_live_tasks{status="pending"}'] >= 2
    assert got["muse_hub_identities"] >= 1 and got["muse_hub_repositories"] >= 1
    assert got["muse_hub_connections_open"] >= 1
    if backend == "postgres":
        assert got["muse_hub_db_pool_size"] >= 1


def test_metrics_are_local_by_default(hub: HubProcess, tx: HTTPTransport) -> None:
    assert _scrape(hub, tx, **{"X-Forwarded-For": "203.0.113.9"})[0] == 404
    assert _scrape(hub, tx, Forwarded="for=203.0.113.9")[0] == 404


def test_render_is_exposition_text() -> None:
    m = RequestMetrics()
    m.observe("live.claim", "POST", 200, 0.0004)
    m.observe("live.claim", "POST", 409, 0.03)
    m.observe('we"ird\\route', "GET", 500, 99.0)
    got = parse(render(m, None, {"live_tasks": {"pending": 2}, "identities": 1},
                       {"version": "1", "backend": "sqlite"}))
    base = 'muse_hub_request_duration_seconds_bucket{route="live.claim",method="POST",le='
    assert got[base + '"0.001"}'] == 1 and got[base + '"0.05"}'] == 2 and got[base + '"+Inf"}'] == 2
    assert got['muse_hub_live_tasks{status="pending"}'] == 2
    assert got['muse_hub_requests_total{route="we\\"ird\\\\route",method="GET",status="500"}'] == 1


def test_render_reports_the_pruners_totals() -> None:
    from muse.hub.metrics import RequestMetrics, render

    text = render(RequestMetrics(), None, {}, {"version": "x", "backend": "sqlite"},
                  {"passes": 3, "live_reservations": 12})
    assert "# TYPE muse_hub_pruned_total counter" in text
    assert 'muse_hub_pruned_total{what="live_reservations"} 12' in text
    assert 'muse_hub_pruned_total{what="passes"} 3' in text
