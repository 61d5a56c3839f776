"""``muse`` entry point: pick the command, import only its module, map errors to exit codes.

Only the standard library is imported here so that ``muse coord reserve`` pays
for nothing it does not use. Each command module exposes
``main(argv: list[str], prog: str) -> int`` and builds its own parser.
"""

from __future__ import annotations

import os
import sys

__all__ = ["COMMANDS", "main"]

# name → (module, one-line help). Modules are imported only when chosen.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("muse.cli.commands.init", "create a repository (.muse/) in the current folder"),
    "coord": ("muse.cli.commands.coord", "coordinate agents: reserve, claim, forecast, sync …"),
    "auth": ("muse.cli.commands.auth", "Ed25519 identity: keygen, register with a hub"),
    "hub": ("muse.cli.commands.hub", "run a hub server; create repos and grant access"),
    "mcp": ("muse.cli.commands.mcp", "serve every coordination verb as MCP tools over stdio"),
    "swarm": ("muse.cli.commands.swarm", "simulate a kernel-scale agent swarm against a hub"),
}

USAGE = """usage: muse [-C PATH] <command> [args]

Muse Coord lets many coding agents work on one codebase at once: reserve the
symbols you will edit, declare intents, take tasks from a queue, and see
predicted conflicts before editing.

commands:
{commands}

options:
  -C PATH     run as if muse was started in PATH
  --version   print the version
  -h, --help  show this help

Run `muse <command> --help` for a command's own help.
Exit codes: 0 ok, 1 user error, 2 usage / not a repository, 3 internal,
4 not found, 5 remote (hub) error.
"""


def _usage() -> str:
    lines = "\n".join(f"  {name:<8}{text}" for name, (_, text) in COMMANDS.items())
    return USAGE.format(commands=lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    while args and args[0] == "-C":
        if len(args) < 2:
            print("muse: error: -C needs a path", file=sys.stderr)
            return 2
        try:
            os.chdir(args[1])
        except OSError as exc:
            print(f"muse: error: cannot change to {args[1]!r}: {exc.strerror}", file=sys.stderr)
            return 2
        args = args[2:]
    if not args or args[0] in ("-h", "--help", "help"):
        print(_usage(), end="")
        return 0 if args else 2
    if args[0] == "--version":
        from muse import __version__

        print(f"muse {__version__}")
        return 0
    name, rest = args[0], args[1:]
    entry = COMMANDS.get(name)
    if entry is None:
        print(f"muse: error: unknown command {name!r} (see `muse --help`)", file=sys.stderr)
        return 2
    from importlib import import_module

    from muse.cli.output import run_guarded

    return run_guarded(lambda: import_module(entry[0]).main(rest, f"muse {name}"), rest)


if __name__ == "__main__":
    raise SystemExit(main())
