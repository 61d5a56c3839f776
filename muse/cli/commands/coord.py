"""``muse coord <verb>``: dispatch to one verb module, imported on demand."""

from __future__ import annotations

import sys

__all__ = ["VERBS", "main"]

VERBS: dict[str, tuple[str, str]] = {
    "reserve": ("muse.cli.commands.coord_reserve", "reserve symbols you are about to edit"),
    "intent": ("muse.cli.commands.coord_intent", "declare the operation you will apply"),
    "release": ("muse.cli.commands.coord_release", "release a reservation you are done with"),
    "heartbeat": ("muse.cli.commands.coord_heartbeat", "keep every lease of your run alive"),
    "depend": ("muse.cli.commands.coord_depend", "record that work waits for other work"),
    "enqueue": ("muse.cli.commands.coord_enqueue", "add a task to the queue"),
    "claim": ("muse.cli.commands.coord_claim", "take the next ready task (one winner)"),
    "complete": ("muse.cli.commands.coord_finish", "mark your claimed task done"),
    "fail": ("muse.cli.commands.coord_finish", "mark your claimed task failed"),
    "fence": ("muse.cli.commands.coord_fence", "is a fencing token still the live lease?"),
    "tasks": ("muse.cli.commands.coord_tasks", "list the task queue"),
    "status": ("muse.cli.commands.coord_status", "who holds what, and conflicts"),
    "forecast": ("muse.cli.commands.coord_forecast", "predicted conflicts, ranked"),
    "gc": ("muse.cli.commands.coord_gc", "remove released and expired records"),
    "push": ("muse.cli.commands.coord_sync", "send local records to a hub"),
    "pull": ("muse.cli.commands.coord_sync", "fetch records from a hub into remote/"),
    "watch": ("muse.cli.commands.coord_watch", "stream changes as they happen"),
    "shard": ("muse.cli.commands.coord_shard", "split files or tasks into groups with few cross includes"),
}
ALIASES = {"list": "status", "ls": "status"}

_HELP = """usage: {prog} <verb> [args]

Coordinate many agents on one codebase. A typical agent loop:

  muse coord claim --json                      # take a task (exactly one winner)
  muse coord reserve kernel/sched/core.c::schedule --ttl 15m
  muse coord intent modify kernel/sched/core.c::schedule
  muse coord heartbeat                         # every few minutes while working
  muse coord release <reservation-id>
  muse coord complete <task-id>

verbs:
{verbs}

Every verb takes --json for machine-readable output and --help for details.
Add --live (or --hub URL --owner O --slug S) to ask the hub instead of local
records: same verbs, same --json documents (docs/verbs.md).
Set MUSE_RUN_ID once per agent session (or pass --run).
"""


def main(argv: list[str], prog: str) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        verbs = "\n".join(f"  {name:<10}{text}" for name, (_, text) in VERBS.items())
        print(_HELP.format(prog=prog, verbs=verbs), end="")
        return 0 if argv else 2
    verb = ALIASES.get(argv[0], argv[0])
    entry = VERBS.get(verb)
    if entry is None:
        print(f"{prog}: error: unknown verb {argv[0]!r} (see `{prog} --help`)", file=sys.stderr)
        return 2
    from importlib import import_module

    code: int = import_module(entry[0]).main(argv[1:], f"{prog} {verb}", verb)
    return code
