"""``muse swarm``: simulate a kernel-scale agent swarm against a hub and report.

Generates a kernel-shaped tree, starts local hubs on one database (SQLite by
default, PostgreSQL with --db postgresql://…; --hubs N processes) or uses
--hub URL, enqueues tasks clustered by subsystem with dependencies and planted
overlaps, runs the agents in worker processes, and prints tasks/s, records/s,
latency per verb, double claims, lost tasks, conflicts and peak memory.
Exit 0 when no task was claimed twice and none was lost, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from muse.cli.args import make_parser
from muse.core.vocab.errors import UsageError

__all__ = ["main"]

_EPILOG = """examples:
  muse swarm                                   # 200 agents, 5,000 files, 1,000 tasks (< 1 min)
  muse swarm --agents 7000 --files 150000      # the kernel-port scale
  muse swarm --db postgresql://postgres@127.0.0.1:5432/test --hubs 2   # 2 hubs on PostgreSQL
  muse swarm --agents 7000 --files 150000 --db postgresql://… --hubs 2 --duration-cap 20m
  muse swarm --agents 50 --files 500 --overlap 0.3 --json
  muse swarm --hub http://hub.internal:8765 --handle alice   # against a running hub, signed
  muse swarm --tree ~/src/linux --agents 1000  # a real tree: MAINTAINERS sections, real symbols

Hubs the swarm starts are local (`--insecure-dev`, loopback). On PostgreSQL
each run gets a fresh schema (muse_swarm_<hex>), dropped at the end unless
--keep; --pg-schema NAME uses that schema instead and never drops it. Workers
are spread over the hubs (worker i talks to hub i mod N), so --hubs 2 halves
each hub's share. Several hubs on one SQLite file are safe (WAL: writers of
every hub take turns) but decide one write at a time between them, so they
add no throughput; on PostgreSQL they share the decisions. On the hubs it
starts, each agent speaks as its own identity (its run id), so per-identity
bounds see one agent; with --hub every agent signs as --handle. When the
PostgreSQL server runs with autovacuum off, the swarm applies autovacuum's
thresholds to its schema itself (reported).

Hubs, workers and the schema are cleaned up on exit, on failure, on Ctrl-C
and on SIGTERM. Progress goes to stderr; the report to stdout. Exit 0 when
there were no double claims and no lost tasks, 1 otherwise (the reason is
printed) or when the database cannot be used, 2 for bad options, 5 when the
hub cannot be reached.
"""


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("use a fraction between 0 and 1")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _build_parser(prog: str) -> argparse.ArgumentParser:
    from muse.cli.args import duration

    p = make_parser(prog, __doc__.split("\n\n", 1)[1] if __doc__ else "", _EPILOG)
    size = p.add_argument_group("size")
    size.add_argument("--agents", type=_positive, default=200, help="simulated agents (default 200)")
    size.add_argument("--files", type=_positive, default=5000, help="files in the tree (default 5000)")
    size.add_argument("--subsystems", type=_positive, default=None,
                      help="subsystem folders (default: files/125, at least 4)")
    size.add_argument("--tasks", type=_positive, default=None, help="tasks (default: files/5)")
    size.add_argument("--overlap", type=_fraction, default=0.1,
                      help="fraction of tasks planted to share a symbol with another (default 0.1)")
    size.add_argument("--seed", type=int, default=0, help="same seed, same tree and plan (default 0)")
    size.add_argument("--tree", default=None, metavar="PATH",
                      help="a real source tree instead of a generated one: subsystems from its "
                           "MAINTAINERS (else folders), tasks from its parsed symbols, "
                           "dependencies from its include graph (--files/--subsystems ignored)")
    size.add_argument("--all-symbols", action="store_true",
                      help="with --tree: reserve macros and enumerators too (default: functions, "
                           "prototypes, types, variables, classes, methods)")
    run = p.add_argument_group("run")
    run.add_argument("--workers", type=_positive, default=None,
                     help="worker processes the agents are spread over (default: 2-4)")
    run.add_argument("--connections", type=_positive, default=None,
                     help="HTTP connections per worker, i.e. requests in flight (default 8)")
    run.add_argument("--duration-cap", type=duration, default=600.0, metavar="DURATION",
                     help="stop the agents after this long, e.g. 90s or 10m (default 10m)")
    run.add_argument("--ttl", type=duration, default=None, metavar="DURATION",
                     help="lease asked for on claims and reservations "
                          "(default: 60s, or agents/10 s when larger)")
    run.add_argument("--think", type=float, nargs=2, default=(0.02, 0.1), metavar=("MIN", "MAX"),
                     help="simulated work per task, seconds (default 0.02 0.1)")
    run.add_argument("--batch", action="store_true",
                     help="agents release their reservation with the complete / fail request "
                          "(one request instead of two)")
    run.add_argument("--fail-fraction", type=_fraction, default=0.02,
                     help="share of tasks failed once and re-queued (default 0.02)")
    hub = p.add_argument_group("hub")
    hub.add_argument("--db", default=None, metavar="URL",
                     help="database of the hubs the swarm starts: an SQLite path (or sqlite:///path) "
                          "or postgresql://user@host:port/db (default: an SQLite file in the "
                          "temporary folder; PostgreSQL needs muse-coord[postgres])")
    hub.add_argument("--hubs", type=_positive, default=1, metavar="N",
                     help="hub processes to start on that database, workers split between "
                          "them (default 1)")
    hub.add_argument("--pg-schema", default=None, metavar="NAME",
                     help="with a PostgreSQL --db: use this schema (created if missing, never "
                          "dropped) instead of a fresh one per run")
    hub.add_argument("--hub", dest="hub_url", default=None, metavar="URL",
                     help="use this running hub instead of starting local ones")
    hub.add_argument("--owner", default=None, help="repository owner (default: your handle)")
    hub.add_argument("--slug", default=None, help="repository name (default: a fresh one)")
    hub.add_argument("--handle", default=None,
                     help="identity that signs requests (default: $MUSE_HANDLE / [hub] handle)")
    hub.add_argument("--key", default=None, help="its private key (default: $MUSE_KEY or ~/.muse/keys)")
    out = p.add_argument_group("output")
    out.add_argument("--keep", action="store_true",
                     help="keep the temporary folder (hub database and logs, worker logs, "
                          "results) and the fresh PostgreSQL schema")
    out.add_argument("--quiet", action="store_true", help="no progress on stderr")
    out.add_argument("--json", dest="json_out", action="store_true",
                     help="print the report as one JSON document")
    return p


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM unwinds like Ctrl-C, so hubs, workers and the schema are cleaned up.
    sys.stderr.write("muse swarm: terminated\n")
    raise SystemExit(128 + signum)


def main(argv: list[str], prog: str) -> int:
    args = _build_parser(prog).parse_args(argv)
    import signal

    if args.hub_url and (args.db or args.hubs > 1 or args.pg_schema):
        raise UsageError("--hub uses a running hub; --db, --hubs and --pg-schema are for "
                         "the hubs the swarm starts itself")
    signal.signal(signal.SIGTERM, _terminate)
    from muse.swarm.report import format_report
    from muse.swarm.runner import SwarmConfig, run_swarm

    handle, key = args.handle, args.key
    if args.hub_url and not handle:
        import pathlib

        from muse.core.files.config import hub_config
        from muse.core.paths import find_root

        cfg = hub_config(find_root(pathlib.Path.cwd()))  # outside a repository: environment only
        handle, key = cfg.handle, key or cfg.key
    config = SwarmConfig(
        agents=args.agents, files=args.files, subsystems=args.subsystems, tasks=args.tasks,
        overlap=args.overlap, workers=args.workers, connections=args.connections,
        hub_url=args.hub_url, owner=args.owner, slug=args.slug, handle=handle, key=key,
        seed=args.seed, duration_cap=args.duration_cap, keep=args.keep, ttl=args.ttl,
        think=(min(args.think), max(args.think)), fail_fraction=args.fail_fraction, tree=args.tree,
        all_symbols=args.all_symbols, db=args.db, hubs=args.hubs, pg_schema=args.pg_schema,
        batch=args.batch)
    report = run_swarm(config, progress=None if args.quiet else sys.stderr)
    if args.json_out:
        import json

        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        sys.stdout.write(format_report(report))
    if not report["ok"]:
        sys.stderr.write("muse swarm: FAILED: " + "; ".join(report["problems"]) + "\n")
        return 1
    return 0
