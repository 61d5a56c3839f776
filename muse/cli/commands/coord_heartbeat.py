"""``muse coord heartbeat``: keep every lease of your run alive."""

from __future__ import annotations

from muse.cli.args import add_json, add_run, default_run_id, duration, make_parser, repo_root
from muse.cli.output import emit

__all__ = ["main"]


def main(argv: list[str], prog: str, verb: str = "heartbeat") -> int:
    p = make_parser(prog, "Extend all reservations and claims of a run to now + TTL.",
                    "Send one every TTL/3 while you work; a run that stops heart-beating loses\n"
                    "its reservations and claimed tasks when they expire.\n\n"
                    "example:\n  MUSE_RUN_ID=agent-7 muse coord heartbeat --ttl 15m")
    p.add_argument("--ttl", type=duration, default=900.0, help="extension from now (default 15m)")
    add_run(p)
    add_json(p)
    args = p.parse_args(argv)
    from muse.core.coordination import heartbeat

    record = heartbeat(repo_root(), args.run_id or default_run_id(), ttl=args.ttl)
    emit(record, args.json_out, f"run {record['run_id']} alive until {record['extended_expires_at']}")
    return 0
