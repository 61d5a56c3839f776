"""``muse coord claim``: take the next ready task; exactly one caller wins it."""

from __future__ import annotations

from muse.cli.args import add_run, duration, make_parser, parse_coordinator, run_of
from muse.cli.output import emit, print_problems
from muse.core.vocab.rules import DEFAULT_TTL

__all__ = ["main"]

_EPILOG = """A task is ready when it is not held by a live run and every task it
depends on has completed; the highest priority, then the oldest, is taken.
The claim lasts --ttl unless your run heartbeats. Exit 0 with a task; exit 4
when nothing is ready (--json: the same document with task_id null).

--json: {task_id, description, priority, symbols, depends_on, run_id, token,
         expires_at, expires_in, problems, backend}
Keep the token: complete/fail present it (--token) and a stale one is refused.

example:
  task=$(muse coord claim --json | jq -r .task_id)
"""


def main(argv: list[str], prog: str, verb: str = "claim") -> int:
    p = make_parser(prog, "Claim the highest-priority ready task (or TASK_ID).", _EPILOG)
    p.add_argument("task_id", nargs="?", default=None, help="claim this task instead of the next one")
    p.add_argument("--ttl", type=duration, default=DEFAULT_TTL, help="claim length (default 15m)")
    add_run(p)
    args, coord = parse_coordinator(p, argv)
    got = coord.claim(run_of(args), ttl=args.ttl, task_id=args.task_id)
    print_problems(got["problems"])
    if not got.won:
        emit(got.to_json(), args.json_out, "no ready task to claim")
        return 4
    emit(got.to_json(), args.json_out,
         f"claimed {got['task_id']} (token {got['token']}) until {got['expires_at']}: "
         f"{got['description']}")
    return 0
