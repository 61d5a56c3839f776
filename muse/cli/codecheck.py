"""The ``--check`` option of ``reserve``/``intent``: addresses against the working tree.

Without ``--check`` (and without ``[coord] check_addresses = true``) each
address that names nothing gets a warning on stderr (one JSON line each with
``--json``) and the verb goes on; with it, the verb refuses with exit 1.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

__all__ = ["add_check", "check_or_refuse"]


def add_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true",
                   help="refuse (exit 1) an address whose file or symbol is not in the working "
                        "tree; without it: a warning with the nearest names "
                        "(repository default: [coord] check_addresses = true)")


def check_or_refuse(addresses: list[str], check: bool, json_out: bool) -> None:
    """Warn about, or with *check* refuse, addresses that name nothing.

    Raises:
        UserError: *check* (or the repository setting) and at least one miss.
    """
    from muse.core.paths import find_root
    from muse.core.source.check import check_addresses, check_required

    root = find_root(pathlib.Path(os.getcwd()))
    if root is None:  # a live verb outside a checkout: nothing to check against
        return
    warnings = check_addresses(root, addresses)
    if not warnings:
        return
    if check or check_required(root):
        from muse.core.vocab.errors import UserError

        raise UserError("; ".join(w.message() for w in warnings),
                        addresses=[w.to_json() for w in warnings])
    for w in warnings:
        if json_out:
            import json

            sys.stderr.write(json.dumps({"warning": w.problem, **w.to_json()}) + "\n")
        else:
            sys.stderr.write(f"muse: warning: {w.message()}\n")
