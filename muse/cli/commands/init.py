"""``muse init``: create ``.muse/`` with its config and coordination store."""

from __future__ import annotations

import os
import pathlib

from muse.cli.args import add_json, make_parser
from muse.cli.output import emit
from muse.core.paths import config_path, coordination_dir, muse_dir
from muse.core.types import KIND_DIRS

__all__ = ["init_repo", "main"]

_CONFIG = """# Muse repository configuration.
# [hub]
# url = "http://127.0.0.1:8765"   # hub for `muse coord push/pull` and live verbs
# owner = "torvalds"
# slug = "linux"
"""


def init_repo(root: pathlib.Path) -> bool:
    """Create the layout under *root*; False if it already existed (then only fills gaps)."""
    existed = muse_dir(root).is_dir()
    coord = coordination_dir(root)
    for sub in KIND_DIRS.values():
        os.makedirs(coord / sub, exist_ok=True)
        os.makedirs(coord / "remote" / sub, exist_ok=True)
    cfg = config_path(root)
    if not cfg.exists():
        cfg.write_text(_CONFIG, encoding="utf-8")
    meta = muse_dir(root) / "repo.json"
    if not meta.exists():
        from muse import __version__
        from muse.core.types import canonical_json
        from muse.core.vocab import clock

        meta.write_bytes(canonical_json({"created_at": clock.format_ts(clock.now()),
                                         "format": 1, "created_by": f"muse {__version__}"}))
    return not existed


def main(argv: list[str], prog: str) -> int:
    p = make_parser(prog, "Create a Muse repository (.muse/) here, or in PATH.")
    p.add_argument("path", nargs="?", default=".", help="folder to initialise (default: .)")
    add_json(p)
    args = p.parse_args(argv)
    root = pathlib.Path(args.path).resolve()
    if not root.is_dir():
        from muse.core.vocab.errors import UserError

        raise UserError(f"{args.path} is not a folder")
    created = init_repo(root)
    emit({"root": str(root), "created": created}, args.json_out,
         f"{'Initialised' if created else 'Reinitialised'} Muse repository in {muse_dir(root)}")
    return 0
