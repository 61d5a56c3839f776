"""The swarm report as a table for people (``--json`` prints the dict itself).

The report dict (from :func:`muse.swarm.runner.run_swarm`) has:

* ``ok`` and ``problems`` — the verdict: no double claim, no lost task;
* ``config`` — sizes actually used; ``seconds`` — plan, hub start, enqueue,
  run and total wall time;
* ``throughput`` — tasks/s, requests/s and records/s (records the hub stored
  during the run) over the run phase;
* ``latency`` — per verb: count, errors, p50/p99/max in ms (time on the
  wire, from writing the request to reading the whole answer) and p50/p99
  including the wait for one of the worker's connections (``queued_*``);
* ``tasks``, ``double_claims`` (from the agents' logs and from the hub's claim
  records), ``conflicts`` (planted vs detected), ``errors``, ``memory_mib``
  (peak resident memory of the hubs — summed, and each in ``hubs`` — each
  worker and the runner);
* ``database`` — backend, URL (password masked), schema and whether it was
  kept (None with ``--hub``); ``config.hubs`` and ``config.database`` too;
* ``hubs`` — per hub: URL, the workers that talked to it, requests they sent,
  requests it answered by its own ``/metrics`` and how many were 5xx, its CPU;
* ``cpu_s`` — CPU seconds of the hubs up to the end of the run (``hub``) and
  during it (``hub_run``, and per request), of their PostgreSQL backends
  during the run (``database_run``), of the workers and the runner;
  ``load_average`` — the machine's at the end.
"""

from __future__ import annotations

from typing import Any

__all__ = ["format_report"]


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [_row(header, widths), _row(["-" * w for w in widths], widths),
            *(_row(r, widths) for r in rows)]


def _count(value: Any) -> str:
    return "n/a" if value is None else f"{value:,}"


def _num(value: Any) -> str:
    return "n/a" if value is None else f"{value}"


def _mib(value: Any) -> str:
    return "n/a" if value is None else f"{value:,.0f} MiB"


def format_report(r: dict[str, Any]) -> str:
    """The report as aligned text: summary, per-verb latencies, correctness, memory."""
    c, s, t = r["config"], r["seconds"], r["throughput"]
    tasks, dc, cf, mem = r["tasks"], r["double_claims"], r["conflicts"], r["memory_mib"]
    n_hubs = int(c.get("hubs") or 1)
    where = (f"{n_hubs} hub{'s' if n_hubs > 1 else ''} on {c['database']}" if c.get("database")
             else f"hub {c['hub']}")
    lines = [
        (f"muse swarm: {c['agents']:,} agents in {c['workers']} workers, {c['files']:,} files "
         f"in {c['subsystems']:,} subsystems, {c['tasks']:,} tasks "
         f"({c['dependencies']:,} dependencies, depth {c['depth']}), {where}"),
        "",
    ]
    summary = [
        ["run time", f"{s['run_s']:.1f} s",
         (f"total {s['total_s']:.1f} s (plan {s['plan_s']:.1f}, "
          f"hub start {s['hub_start_s']:.1f}, enqueue {s['enqueue_s']:.1f})")],
        ["tasks/s", f"{t['tasks_per_s']:,.1f}", f"{tasks['completed']:,} completed"],
        ["requests/s", f"{t['requests_per_s']:,.1f}", f"{t['requests']:,} requests"],
        ["records/s", f"{t['records_per_s']:,.1f}", f"{t['records']:,} records stored by the hub"],
    ]
    lines += _table(["figure", "value", "detail"], summary)
    lines.append("")
    verbs = [[verb, f"{v['count']:,}", f"{v['errors']:,}", f"{v['p50_ms']:.1f}",
              f"{v['p99_ms']:.1f}", f"{v['max_ms']:.1f}",
              f"{v.get('queued_p50_ms', 0):.1f}", f"{v.get('queued_p99_ms', 0):.1f}"]
             for verb, v in r["latency"].items()]
    lines += _table(["verb", "calls", "errors", "p50 ms", "p99 ms", "max ms",
                     "+queue p50", "+queue p99"], verbs)
    lines.append("")
    checks = [
        ["double claims", f"{dc['total']:,}", "must be 0",
         f"agents' logs {dc['agents']['total']}, hub records {dc['hub']['double_claims']}"
         + (f" ({dc['hub']['slots_missing']:,} pruned slots not judged)"
            if dc["hub"].get("slots_missing") else "")],
        ["lost tasks", f"{tasks['lost']:,}", "must be 0",
         f"enqueued {tasks['enqueued']:,}, completed {tasks['completed']:,}"],
        ["conflicts detected", f"{cf['detected']:,}", f"planted {cf['planted']:,}",
         (f"{cf['concurrent']:,} ran concurrently, {cf['missed']} missed, "
          f"{cf['unplanted']} unplanted")],
        ["re-queued tasks", f"{tasks['requeued']:,}", "",
         f"{tasks['grants']:,} grants for {tasks['enqueued']:,} tasks"],
        ["stale tokens", f"{r['errors']['stale_tokens']:,}", "", "complete refused as stale"],
        ["leases left", f"{cf['active_reservations_left']:,}", "",
         "reservations still active at the end"],
    ]
    lines += _table(["check", "value", "expected", "detail"], checks)
    lines.append("")
    hubs = r.get("hubs") or []
    if len(hubs) > 1 or any(h.get("requests_served") is not None for h in hubs):
        rows = [[f"hub {i}", h["url"], ",".join(map(str, h["workers"])),
                 f"{h['requests_sent']:,}", _count(h.get("requests_served")),
                 _count(h.get("errors_5xx")), _num(h.get("cpu_s"))]
                for i, h in enumerate(hubs)]
        lines += _table(["hub", "url", "workers", "requests sent", "answered", "5xx", "CPU s"],
                        rows)
        lines.append("")
    memory = [["hub" if len(hubs) <= 1 else f"hubs (sum of {len(hubs)})", _mib(mem["hub"])],
              ["workers (max each)", _mib(mem["workers_max"])],
              ["workers (sum)", _mib(mem["workers_sum"])],
              ["runner", _mib(mem["runner"])]]
    cpu = r.get("cpu_s") or {}
    lines += _table(["peak memory", "VmHWM"], memory)
    if cpu:
        lines.append("")
        lines.append(f"CPU seconds: hub {_num(cpu.get('hub'))}, workers {cpu.get('workers')}, "
                     f"runner {cpu.get('runner')} (over {s['total_s']:.1f} s wall, "
                     f"stop {s.get('stop_s', 0):.1f} s, verify {s.get('verify_s', 0):.1f} s)")
        if cpu.get("hub_run") is not None:
            per = cpu.get("hub_ms_per_request")
            db = cpu.get("database_run")
            lines.append(f"during the run: hub {cpu['hub_run']} s"
                         + (f" ({per:.2f} ms per request)" if per is not None else "")
                         + (f", PostgreSQL backends {db} s" if db is not None else ""))
    maint = (r.get("database") or {}).get("maintenance")
    if maint:
        lines.append(f"autovacuum {maint['autovacuum']} on the server: the swarm stood in for it, "
                     f"{maint['vacuums']} VACUUM and {maint['analyzes']} ANALYZE in "
                     f"{maint['checks']} checks every {maint['every_s']:g} s "
                     f"({maint['seconds']} s, {maint['errors']} errors)")
    if r.get("load_average"):
        lines.append("load average at the end: " + " ".join(f"{x:.2f}" for x in r["load_average"]))
    errors = r["errors"]["by_kind"]
    if errors:
        lines.append("")
        lines.append("errors: " + ", ".join(f"{k} ×{n}" for k, n in sorted(errors.items())))
    lines.append("")
    if r["ok"]:
        lines.append("OK: every task completed exactly once")
    else:
        lines.append("FAILED: " + "; ".join(r["problems"]))
    if r.get("problems") and r["ok"]:
        lines.append("notes: " + "; ".join(r["problems"]))
    if r.get("workdir"):
        lines.append(f"kept {r['workdir']}")
    db = r.get("database") or {}
    if db.get("schema") and db.get("schema_kept"):
        lines.append(f"kept PostgreSQL schema {db['schema']}")
    return "\n".join(lines) + "\n"
