"""``GET /metrics``: the hub's counters in the Prometheus text format (version 0.0.4).

Requests are counted where every API endpoint passes (``muse.hub.context.endpoint``,
and ``muse.hub.fastpath`` for live requests), on the event loop thread, so recording is a few dictionary updates and no
lock. Everything else is read when scraped: connections from the
:class:`~muse.hub.connections.ConnectionGuard`, database figures (identities,
repositories, records, live leases, task queue by status, remembered
signatures, connection pool) from :meth:`HubStore.stats
<muse.storage.base.HubStore.stats>`.

Who may scrape follows ``--metrics``: ``local`` (default) answers loopback
peers only and refuses anything that came through a proxy (a
``Forwarded``/``X-Forwarded-For`` header), ``open`` answers anyone, ``off``
answers 404.
"""

from __future__ import annotations

import bisect
import ipaddress
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BUCKETS", "RequestMetrics", "render", "routes"]

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class _Series:
    buckets: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS) + 1))
    total: float = 0.0
    count: int = 0


class RequestMetrics:
    """Requests by route and method: counts by status, and a latency histogram."""

    def __init__(self) -> None:
        self.statuses: dict[tuple[str, str, int], int] = {}
        self.latency: dict[tuple[str, str], _Series] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        self.statuses[key] = self.statuses.get(key, 0) + 1
        series = self.latency.get((route, method))
        if series is None:
            series = self.latency[(route, method)] = _Series()
        series.buckets[bisect.bisect_left(BUCKETS, seconds)] += 1
        series.total += seconds
        series.count += 1


def _labels(**labels: object) -> str:
    def esc(v: object) -> str:
        return str(v).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return "{" + ",".join(f'{k}="{esc(v)}"' for k, v in labels.items()) + "}"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render(requests: RequestMetrics, guard: Any, stats: dict[str, Any], info: dict[str, str],
           pruned: dict[str, int] | None = None) -> str:
    """The exposition text.

    Args:
        requests: the request counters.
        guard: the connection guard (None when the app runs without one, as in tests).
        stats: ``HubStore.stats()``: name → number, or name → {label value: number}
            for figures by status (their label is ``status``).
        info: constant labels of ``muse_hub_info``.
        pruned: the background pruner's totals (``muse.hub.retention.Pruner``),
            when this hub prunes.
    """
    out: list[str] = []

    def metric(name: str, kind: str, help_text: str) -> None:
        out.append(f"# HELP {name} {help_text}")
        out.append(f"# TYPE {name} {kind}")

    metric("muse_hub_info", "gauge", "Version and database backend of this hub.")
    out.append(f"muse_hub_info{_labels(**info)} 1")
    metric("muse_hub_requests_total", "counter", "API requests answered, by route, method and status.")
    for (route, method, status), n in sorted(requests.statuses.items()):
        out.append(f"muse_hub_requests_total{_labels(route=route, method=method, status=status)} {n}")
    metric("muse_hub_request_duration_seconds", "histogram",
           "Time from routing to the answer, by route and method.")
    for (route, method), s in sorted(requests.latency.items()):
        running = 0
        for le, n in zip((*map(_num, BUCKETS), "+Inf"), s.buckets, strict=True):
            running += n
            out.append("muse_hub_request_duration_seconds_bucket"
                       f"{_labels(route=route, method=method, le=le)} {running}")
        out.append(f"muse_hub_request_duration_seconds_sum{_labels(route=route, method=method)}"
                   f" {s.total!r}")
        out.append(f"muse_hub_request_duration_seconds_count{_labels(route=route, method=method)}"
                   f" {s.count}")
    if guard is not None:
        metric("muse_hub_connections_open", "gauge", "Client connections held now.")
        out.append(f"muse_hub_connections_open {len(guard.slots)}")
        metric("muse_hub_connections_limit", "gauge", "Client connections held at most.")
        out.append(f"muse_hub_connections_limit {guard.max_connections}")
        for name, value, text in (
                ("evicted", guard.evicted, "Idle connections closed to make room for a new one."),
                ("timed_out", guard.timed_out, "Connections closed for waiting too long for a request."),
                ("refused", guard.refused, "New connections closed because every held one was busy.")):
            metric(f"muse_hub_connections_{name}_total", "counter", text)
            out.append(f"muse_hub_connections_{name}_total {value}")
    if pruned:
        metric("muse_hub_pruned_total", "counter",
               "What background retention passes removed, by table or record kind (passes, "
               "skipped and errors count the passes themselves).")
        for what, n in sorted(pruned.items()):
            out.append(f"muse_hub_pruned_total{_labels(what=what)} {_num(n)}")
    for name, value in sorted(stats.items()):
        full = f"muse_hub_{name}"
        kind = "counter" if name.endswith("_total") else "gauge"
        metric(full, kind, _STAT_HELP.get(name, name.replace("_", " ") + "."))
        if isinstance(value, dict):
            for label, n in sorted(value.items()):
                out.append(f"{full}{_labels(status=label)} {_num(n)}")
        else:
            out.append(f"{full} {_num(value)}")
    return "\n".join(out) + "\n"


_STAT_HELP = {
    "identities": "Registered identities.",
    "repositories": "Repositories.",
    "records_total": "Records stored over all repositories (their sequence numbers).",
    "live_leases": "Live reservations whose lease has not expired.",
    "live_tasks": "Tasks of the live queues, by status.",
    "seen_signatures": "Signatures remembered against replay (pruned once expired).",
    "writer_batches_total": "Transactions of the SQLite writer thread (each runs a batch of requests).",
    "writer_calls_total": "Requests run by the SQLite writer thread (over writer_batches_total: the batch size).",
    "db_pool_size": "Database connections open (PostgreSQL pool).",
    "db_pool_available": "Database connections idle in the pool.",
    "db_pool_waiting": "Requests waiting for a database connection.",
}


def _may_scrape(mode: str, request: Any) -> bool:
    if mode == "open":
        return True
    if mode != "local":
        return False
    if "forwarded" in request.headers or "x-forwarded-for" in request.headers:
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def metrics(request: Any) -> Any:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    from muse import __version__
    from muse.hub.errors import error_response

    hub = request.app.state.hub
    if not _may_scrape(hub.settings.metrics, request):
        return error_response(404, "not_found", "Not Found", request=request)
    stats = await run_in_threadpool(hub.store.stats, hub.now())
    pruner = getattr(request.app.state, "pruner", None)
    text = render(request.app.state.requests, getattr(request.app.state, "guard", None), stats,
                  {"version": __version__, "backend": hub.store.backend},
                  dict(pruner.totals) if pruner is not None else None)
    return Response(text, media_type=CONTENT_TYPE)


def routes() -> list[Any]:
    """This module's routes (starlette imported here, not at module import)."""
    from starlette.routing import Route

    return [Route("/metrics", metrics, methods=["GET"], name="metrics")]
