"""Argument helpers shared by the command modules (standard library only)."""

from __future__ import annotations

import argparse
import os
import pathlib
from collections.abc import Callable, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from muse.core.coord.coordinator import Coordinator

__all__ = [
    "add_json",
    "add_run",
    "default_run_id",
    "dispatch",
    "duration",
    "grace",
    "make_parser",
    "parse_coordinator",
    "repo_arg",
    "repo_root",
    "run_of",
]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps description line breaks; measures the terminal without ``shutil``.

    argparse builds a formatter for every ``add_argument`` and, given no
    width, imports shutil (and with it bz2 and lzma: ~3.5 ms) to ask for the
    terminal size. Agents run these commands thousands of times.
    """

    def __init__(self, prog: str) -> None:
        try:
            width = os.get_terminal_size().columns - 2
        except OSError:
            width = 78
        super().__init__(prog, width=max(40, min(width, 118)))


def make_parser(prog: str, description: str, epilog: str = "") -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog=prog,
        description=description,
        epilog=epilog,
        formatter_class=_Formatter,
    )


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", dest="json_out", action="store_true",
                   help="print one JSON document (for agents)")


def parse_coordinator(p: argparse.ArgumentParser,
                      argv: list[str]) -> tuple[argparse.Namespace, Coordinator]:
    """Add ``--json`` and the live-mode options, parse *argv*, and open the
    engine they choose: the hub with ``--live``/``--hub``, else the record
    files of the enclosing repository. Every coord verb has this one path."""
    from muse.core.client.live import add_live_options, open_coordinator

    add_json(p)
    add_live_options(p)
    args = p.parse_args(argv)
    return args, open_coordinator(live=args.live, hub_url=args.hub_url, owner=args.owner,
                                  slug=args.slug)


def run_of(args: argparse.Namespace) -> str:
    """``--run``, else :func:`default_run_id`."""
    return str(getattr(args, "run_id", None) or default_run_id())


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
    from muse.core.vocab.clock import parse_duration

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


def repo_arg(text: str) -> tuple[str, str]:
    """argparse type: ``OWNER/SLUG`` with the hub's name rules."""
    from muse.core.coord_bus import check_repo_name
    from muse.core.vocab.errors import UsageError

    owner, sep, slug = text.partition("/")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected OWNER/SLUG, got {text!r}")
    try:
        return check_repo_name(owner, "owner"), check_repo_name(slug, "slug")
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def dispatch(argv: list[str], prog: str, verbs: Mapping[str, Callable[[list[str], str], int]],
             help_text: str) -> int:
    """Run the sub-verb named by ``argv[0]`` (``muse hub serve``, ``muse auth keygen`` …)."""
    if not argv or argv[0] in ("-h", "--help"):
        print(help_text.format(prog=prog), end="")
        return 0 if argv else 2
    fn = verbs.get(argv[0])
    if fn is None:
        from muse.core.vocab.errors import UsageError

        raise UsageError(f"unknown verb {argv[0]!r} for {prog} (use {', '.join(verbs)})")
    return fn(argv[1:], f"{prog} {argv[0]}")
