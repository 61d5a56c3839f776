"""``muse coord watch``: stream coordination changes, or wait for a symbol or task.

The work happens in :mod:`muse.core.files.watch`; this module parses options,
prints one line per event (flushed, so a pipe sees it at once) and turns the
outcome into an exit code.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from collections.abc import Callable

from muse.cli.args import add_run, default_run_id, duration, make_parser, repo_root
from muse.cli.output import warn
from muse.core.files.watch import DEFAULT_EVENTS, EVENT_TYPES, TASK_TARGETS, WatchEvent, watch
from muse.core.vocab import clock
from muse.core.vocab.errors import MuseError, RemoteError, UsageError

__all__ = ["main"]

_DESCRIPTION = """\
Stream changes to the coordination store as they happen: new reservations,
releases, expiries, conflicts, task claims and completions. Instead of
polling `muse coord status` in a loop, an agent can wait for what it needs:

  muse coord watch --symbol kernel/sched/core.c::schedule --timeout 10m
      return as soon as no other run holds the symbol (or anything that
      contains it / is inside it), then reserve it yourself
  muse coord watch --task task-42 --until completed --json
      return when task-42 is completed
  muse coord watch --json | my-agent
      one JSON object per line, forever (Ctrl-C to stop)
  muse coord watch --once
      describe the current state and exit
"""

_EPILOG = f"""\
event types:
  {", ".join(EVENT_TYPES)}
  (heartbeat is off by default: add it with --events)
  waiting ends with a "symbol_free" or "task_reached" event; a timeout or an
  unreachable task state ends with a "timeout" / "task_settled" event line.

--until states: {", ".join(TASK_TARGETS)}
  (claimable = pending and not blocked; done = completed or failed)

exit codes:
  0  the awaited condition holds (or --once without a condition)
  1  timed out (error "timeout"), the task ended in another final state
     (error "task_settled"), or a bad option value
  2  not a repository, or a usage error
  4  --task names no task
  5  --hub: the hub could not be reached on the first pull
  130 interrupted (Ctrl-C)
"""


def _parser(prog: str) -> argparse.ArgumentParser:
    p = make_parser(prog, _DESCRIPTION, _EPILOG)
    p.add_argument("--symbol", dest="symbols", action="append", metavar="ADDR", default=None,
                   help="wait until ADDR is free of other runs' reservations (repeatable: all)")
    add_run(p)
    p.add_argument("--task", dest="task_id", metavar="ID", default=None,
                   help="wait until task ID reaches the --until state")
    p.add_argument("--until", choices=list(TASK_TARGETS), default="completed",
                   help="task state to wait for (default: completed)")
    p.add_argument("--timeout", type=duration, default=None, metavar="SECONDS",
                   help="give up after this long (90, 90s, 15m …); exit code 1")
    p.add_argument("--interval", type=duration, default=0.5, metavar="SECONDS",
                   help="how often to look at the store (default: 0.5s)")
    p.add_argument("--once", action="store_true",
                   help="print the current state as events and exit (with --symbol/--task:"
                        " exit 0 if the condition already holds, else 1)")
    p.add_argument("--new-only", action="store_true",
                   help="skip the initial description of the current state")
    p.add_argument("--events", default=None, metavar="LIST",
                   help="comma-separated event types to show (default: all but heartbeat)")
    p.add_argument("--hub", dest="hub_url", nargs="?", const="", default=None, metavar="URL",
                   help="also pull from a hub (default URL: [hub] url in config) every"
                        " --pull-interval, so records of other machines show up")
    p.add_argument("--owner", default=None, help="hub repository owner (default: config)")
    p.add_argument("--slug", default=None, help="hub repository name (default: config)")
    p.add_argument("--pull-interval", type=duration, default=5.0, metavar="SECONDS",
                   help="with --hub: seconds between pulls (default: 5)")
    p.add_argument("--json", dest="json_out", action="store_true",
                   help="one JSON object per line, flushed (for agents)")
    return p


def _printer(json_out: bool) -> Callable[[WatchEvent], None]:
    if json_out:
        import orjson

        def show(ev: WatchEvent) -> None:
            sys.stdout.write(orjson.dumps(ev.to_json()).decode() + "\n")
            sys.stdout.flush()
    else:
        def show(ev: WatchEvent) -> None:
            sys.stdout.write(_text(ev) + "\n")
            sys.stdout.flush()
    return show


def _text(ev: WatchEvent) -> str:
    if ev.type == "symbol_free":
        return f"free: {', '.join(ev.data['symbols'])}"
    if ev.type == "task_reached":
        return f"task {ev.data['task_id']} is {ev.data['status']}"
    if ev.type in ("timeout", "task_settled"):
        return f"{ev.type}: {ev.data['message']}"
    return ev.to_text()


class _HubPuller:
    """Pulls from the hub every *every* seconds so hub records land in remote/.

    The pull itself is core's (cursor, paging, GC graveyard); only the
    resulting file changes reach the watcher, as events.
    """

    def __init__(self, root: pathlib.Path, args: argparse.Namespace, every: float) -> None:
        self.root = root
        self.args = args
        self.every = every
        self.next_at = 0.0
        self.pulls = 0
        self.failing = False

    def __call__(self) -> None:
        now = time.monotonic()
        if now < self.next_at:
            return
        self.next_at = now + self.every
        from muse.core.client.sync import pull_into, resolve_target

        try:
            target = resolve_target(self.root, self.args.hub_url or None, self.args.owner, self.args.slug)
            pull_into(self.root, target)
            self.failing = False
        except RemoteError as exc:
            if self.pulls == 0:
                raise
            if not self.failing:  # say it once per outage, keep watching local records
                warn(f"hub pull failed, retrying every {self.every:g}s: {exc.message}")
            self.failing = True
        finally:
            self.pulls += 1


def main(argv: list[str], prog: str, verb: str) -> int:
    args = _parser(prog).parse_args(argv)
    root: pathlib.Path = repo_root()
    events = DEFAULT_EVENTS
    if args.events:
        events = frozenset(e.strip() for e in args.events.split(",") if e.strip())
    if args.symbols and args.task_id:
        raise UsageError("wait for --symbol or --task, not both")
    run_id = (args.run_id or default_run_id()) if args.symbols else args.run_id
    before = _HubPuller(root, args, args.pull_interval) if args.hub_url is not None else None
    show = _printer(args.json_out)
    stream = watch(
        root,
        interval=args.interval,
        timeout=args.timeout,
        events=events,
        symbols=args.symbols,
        run_id=run_id,
        task_id=args.task_id,
        until=args.until,
        once=args.once,
        new_only=args.new_only,
        before_poll=before,
    )
    try:
        for ev in stream:
            show(ev)
    except MuseError as exc:
        if exc.code in ("timeout", "task_settled"):
            # In-band end marker, so a consumer of the stream sees why it stopped.
            show(WatchEvent(exc.code, clock.now(), {"message": exc.message, **exc.details}))
        raise
    return 0
