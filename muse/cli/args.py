"""Argument helpers shared by the command modules (standard library only)."""

from __future__ import annotations

import argparse
import os
import pathlib

__all__ = ["add_json", "add_run", "default_run_id", "duration", "grace", "make_parser", "repo_root"]


def make_parser(prog: str, description: str, epilog: str = "") -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog=prog,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", dest="json_out", action="store_true",
                   help="print one JSON document (for agents)")


def default_run_id() -> str:
    """``$MUSE_RUN_ID``, else ``user@host`` — one run per agent session."""
    env = os.environ.get("MUSE_RUN_ID")
    if env:
        return env
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "agent"
    return f"{user}@{os.uname().nodename}"


def add_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run", dest="run_id", default=None, metavar="RUN_ID",
                   help="agent session id (default: $MUSE_RUN_ID, else user@host)")


def duration(text: str) -> float:
    """argparse type: ``90``, ``90s``, ``15m``, ``2h``, ``1d``."""
    from muse.core.clock import parse_duration

    try:
        return parse_duration(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use seconds or a number with s/m/h/d, e.g. 15m"
        ) from None


def grace(text: str) -> float:
    """argparse type: like :func:`duration` but 0 is allowed."""
    if text.strip() in ("0", "0s", "0m", "0h", "0d"):
        return 0.0
    return duration(text)


def repo_root() -> pathlib.Path:
    from muse.core.paths import require_repo

    return require_repo()
