"""``muse mcp``: serve every coordination verb as MCP tools over stdio.

Only this command loads the MCP SDK (through :mod:`muse.mcp.server`).
"""

from __future__ import annotations

import os
import pathlib
import sys

from muse.cli.args import add_run, default_run_id, make_parser
from muse.core.vocab.errors import NotARepository, UsageError

__all__ = ["main"]

_DESCRIPTION = """\
Run an MCP server over stdio exposing every coordination verb as a tool:
reserve, intent, release, heartbeat, depend, enqueue, claim, complete, fail,
tasks, status, forecast, gc, push, pull, and wait (block until a symbol is
free or a task reaches a state). Results are structured; errors carry a code,
details and a `next_step` hint.

An MCP-capable agent starts it itself; register it like this:

  {"mcpServers": {"muse": {"command": "muse",
                           "args": ["mcp", "--root", "/path/to/repo"],
                           "env": {"MUSE_RUN_ID": "agent-7"}}}}

With --live (the hub in [hub] of .muse/config.toml) or --hub URL --owner O
--slug S, the verb tools ask the hub: leases and claims are decided on its
clock and carry fencing tokens, as with `muse coord <verb> --live`. The tools
return the same documents as `muse coord <verb> --json` in either mode.

See docs/mcp.md for more.
"""

_EPILOG = """\
repository: --root, else $MUSE_ROOT, else the folder above the working
directory that holds .muse/ (like git). Live, a repository is optional (gc,
push, pull and wait need one).
run id: each tool takes run_id; when a call omits it, --run, else
$MUSE_RUN_ID, else user@host.

exit codes: 0 the client closed the connection, 2 not a repository,
1 the MCP SDK is missing (pip install 'muse-coord[mcp]').
"""


def _root(arg: str | None, required: bool = True) -> pathlib.Path | None:
    from muse.core.paths import find_root, require_repo

    given = arg or os.environ.get("MUSE_ROOT")
    if not given:
        return require_repo() if required else find_root(pathlib.Path.cwd())
    path = pathlib.Path(given).expanduser().resolve()
    root = find_root(path) if path.is_dir() else None
    if root is None:
        raise NotARepository(f"{given} is not inside a muse repository: run `muse init {given}` first")
    return root


def main(argv: list[str], prog: str) -> int:
    p = make_parser(prog, _DESCRIPTION, _EPILOG)
    p.add_argument("--root", default=None, metavar="PATH",
                   help="repository to serve (default: $MUSE_ROOT, else walk up from cwd)")
    add_run(p)
    p.add_argument("--list-tools", action="store_true",
                   help="print the tool names and exit (checks the SDK is installed)")
    from muse.core.client.live import add_live_options

    add_live_options(p)
    args = p.parse_args(argv)
    live = bool(args.live or args.hub_url)
    root = _root(args.root, required=not live)
    try:
        from muse.mcp.server import TOOL_NAMES, serve
    except ImportError as exc:
        if "mcp" not in str(exc):
            raise
        raise UsageError(f"the MCP SDK is not installed ({exc}): pip install 'muse-coord[mcp]'") from None
    if args.list_tools:
        print("\n".join(TOOL_NAMES))
        return 0
    from muse.core.client.live import open_coordinator

    coord = open_coordinator(live=live, hub_url=args.hub_url, owner=args.owner, slug=args.slug,
                             root=root)
    # stdout belongs to the protocol from here on; messages go to stderr.
    hub = getattr(coord, "client", None)
    print("muse mcp: serving " + (f"{hub.owner}/{hub.slug} live on {hub.hub_url}"
                                  if hub is not None else str(root)), file=sys.stderr)
    serve(root, args.run_id or default_run_id(), coord)
    return 0
