"""``muse coord complete`` / ``muse coord fail``: close the task you claimed."""

from __future__ import annotations

import argparse

from muse.cli.args import add_run, default_run_id, make_parser, parse_with_live, repo_root
from muse.cli.output import emit
from muse.core.live import LiveClient

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "complete") -> int:
    failing = verb == "fail"
    p = make_parser(prog, f"Mark a task you hold {'failed' if failing else 'completed'}.",
                    "Only the current claimer may do this. Pass --token (printed by `claim`) to be\n"
                    "sure your claim was not taken over after it expired: a stale token is refused.")
    p.add_argument("task_id")
    p.add_argument("--token", type=int, default=None, help="fencing token from `muse coord claim`")
    p.add_argument("-m", "--message", dest="detail", default="", help="note stored with the outcome")
    if failing:
        p.add_argument("--requeue", action="store_true", help="put the task back in the queue")
    add_run(p)
    args, client = parse_with_live(p, argv)
    if client is not None:
        return _live(client, args, p, failing)
    from muse.core.coordination import complete, fail

    root, run = repo_root(), args.run_id or default_run_id()
    if failing:
        record = fail(root, args.task_id, run, token=args.token, detail=args.detail, requeue=args.requeue)
        text = f"task {args.task_id} failed" + (" and requeued" if args.requeue else "")
    else:
        record = complete(root, args.task_id, run, token=args.token, detail=args.detail)
        text = f"task {args.task_id} completed"
    emit(record, args.json_out, text)
    return 0


def _live(client: LiveClient, args: argparse.Namespace, p: argparse.ArgumentParser,
          failing: bool) -> int:
    if args.token is None:
        p.error("--live needs the claim's --token (printed by `muse coord claim --live`)")
    run = args.run_id or default_run_id()
    if failing:
        result = client.fail(args.task_id, run, args.token, detail=args.detail,
                             requeue=args.requeue)
        text = f"task {args.task_id} failed" + (" and requeued" if args.requeue else "")
    else:
        result = client.complete(args.task_id, run, args.token, detail=args.detail)
        text = f"task {args.task_id} completed"
    emit(result, args.json_out, text)
    return 0
