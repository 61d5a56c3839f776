"""``muse coord claim``: take the next ready task; exactly one caller wins it."""

from __future__ import annotations

import argparse

from muse.cli.args import add_run, default_run_id, duration, make_parser, parse_with_live, repo_root
from muse.cli.output import emit, print_problems
from muse.core.live import LiveClient

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "claim") -> int:
    p = make_parser(prog, "Claim the highest-priority ready task (or TASK_ID).",
                    "A task is ready when it is not held by a live run and every task it\n"
                    "depends on has completed. The claim lasts --ttl unless your run heartbeats.\n"
                    "Exit 0 with a task; exit 4 (--json: {\"task\": null}) when nothing is ready.\n\n"
                    "example:\n  task=$(muse coord claim --json | jq -r .task_id)")
    p.add_argument("task_id", nargs="?", default=None, help="claim this task instead of the next one")
    p.add_argument("--ttl", type=duration, default=900.0, help="claim length (default 15m)")
    add_run(p)
    args, client = parse_with_live(p, argv)
    if client is not None:
        return _live(client, args)
    from muse.core.coordination import claim
    from muse.core.store import Problem

    problems: list[Problem] = []
    result = claim(repo_root(), args.run_id or default_run_id(), ttl=args.ttl, task_id=args.task_id,
                   problems=problems)
    print_problems(problems)
    extra = {"problems": [p.to_json() for p in problems]} if problems else {}
    if result is None:
        emit({"task": None, **extra}, args.json_out, "no ready task to claim")
        return 4
    emit({**result.to_json(), **extra}, args.json_out,
         f"claimed {result.task.task_id} (token {result.token}) until {result.claim['expires_at']}: "
         f"{result.task.description}")
    return 0


def _live(client: LiveClient, args: argparse.Namespace) -> int:
    result = client.claim(args.run_id or default_run_id(), ttl=args.ttl, task_id=args.task_id)
    task = result["task"]
    if task is None:
        emit(result, args.json_out, "no ready task to claim")
        return 4
    emit({**task, **{k: v for k, v in result.items() if k != "task"}}, args.json_out,
         f"claimed {task['task_id']} (token {result['token']}) until {result['expires_at']}"
         f" (hub time): {task['description']}")
    return 0
