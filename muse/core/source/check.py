"""Addresses checked against the working tree: does the file, does the symbol exist?

:func:`check_addresses` is the one rule: an address ``path`` names an
existing file or folder under the repository root; ``path::name`` also names
a symbol the parser finds in that file (``Class.member``: the member for
Python; for C, whose members are not indexed, the enclosing name). Each miss
becomes an :class:`AddressWarning` with the nearest names (``difflib``).

It is cheap enough for ``reserve``: a ``stat`` per address, a folder listing
for a missing file, and for a symbol the file's folder's shard of the stored
index (:mod:`muse.core.source.index`) when it holds the file unchanged, else
the file parsed now. Files in languages the parser does not know
are never second-guessed, and a repository with no working tree (only
``.muse/``: coordination without a checkout) is not checked at all.
"""

from __future__ import annotations

import os
import pathlib

__all__ = ["CHECK_SETTING", "AddressWarning", "check_addresses", "check_required"]

CHECK_SETTING = "check_addresses"  # [coord] check_addresses = true in .muse/config.toml


class AddressWarning:
    """One address that names nothing in the working tree.

    Attributes:
        address: as given.
        problem: ``"no-file"`` or ``"no-symbol"``.
        suggestions: nearest existing addresses, best first (may be empty).
    """

    __slots__ = ("address", "problem", "suggestions")

    def __init__(self, address: str, problem: str, suggestions: tuple[str, ...]) -> None:
        self.address, self.problem, self.suggestions = address, problem, suggestions

    def message(self) -> str:
        what = "no such file" if self.problem == "no-file" else "no such symbol"
        hint = f" (did you mean {', '.join(self.suggestions)}?)" if self.suggestions else ""
        return f"{self.address}: {what} in the working tree{hint}"

    def to_json(self) -> dict[str, object]:
        return {"address": self.address, "problem": self.problem,
                "suggestions": list(self.suggestions)}

    def __repr__(self) -> str:
        return f"AddressWarning({self.address!r}, {self.problem!r}, {self.suggestions!r})"


def _has_working_tree(root: str) -> bool:
    try:
        with os.scandir(root) as it:
            return any(e.name != ".muse" for e in it)
    except OSError:
        return False


def _close(word: str, candidates: list[str], n: int = 3) -> list[str]:
    from difflib import get_close_matches

    return get_close_matches(word, candidates, n=n, cutoff=0.7)


def _nearest_paths(root: str, path: str) -> tuple[str, ...]:
    """Existing paths nearest to the missing *path*: walk down while components exist,
    then match the first missing component among its folder's entries."""
    parts = [p for p in path.split("/") if p]
    have: list[str] = []
    for i, part in enumerate(parts):
        folder = os.path.join(root, *have)
        if os.path.exists(os.path.join(folder, part)):
            have.append(part)
            continue
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return ()
        rest = parts[i + 1:]
        return tuple("/".join([*have, name, *rest]) for name in _close(part, names))
    return ()


def _symbols_of(root: str, path: str) -> tuple[str, ...] | None:
    """Symbols of the file: from its folder's shard of the stored index when that holds
    the file as it is, else parsed now; None when the parser does not read this language."""
    from muse.core.source.parse import language_of

    if language_of(path) is None:
        return None
    from muse.core.source.index import read_facts, stored_symbols

    stored = stored_symbols(pathlib.Path(root), path)
    return stored if stored is not None else read_facts(root, path).symbols


def check_addresses(root: pathlib.Path, addresses: list[str]) -> list[AddressWarning]:
    """Warnings for the *addresses* that name no file, folder or symbol under *root*."""
    base = str(root)
    if not _has_working_tree(base):
        return []
    out: list[AddressWarning] = []
    from muse.core.vocab.address import canonical_or_none

    for address in addresses:
        canon = canonical_or_none(address)
        if canon is None:
            continue  # not an address at all: the verb refuses it with the reason
        path, sep, name = canon.partition("::")
        full = os.path.join(base, path)
        if not os.path.exists(full):
            out.append(AddressWarning(address, "no-file", _nearest_paths(base, path)))
            continue
        if not sep or not name or os.path.isdir(full):
            continue
        symbols = _symbols_of(base, path)
        if symbols is None or name in symbols:
            continue
        head = name.split(".", 1)[0]
        if "." in name and path.endswith((".c", ".h")) and head in symbols:
            continue  # a C struct member: members are not indexed, the struct is
        suggestions = _close(name, list(symbols))
        out.append(AddressWarning(address, "no-symbol", tuple(f"{path}::{s}" for s in suggestions)))
    return out


def check_required(root: pathlib.Path) -> bool:
    """True when the repository asks every reserve/intent to be refused on a miss
    (``[coord] check_addresses = true`` in ``.muse/config.toml``)."""
    from muse.core.paths import config_path

    try:
        raw = config_path(root).read_bytes()
    except OSError:
        return False
    if CHECK_SETTING.encode() not in raw:  # spares parsing TOML on every reserve
        return False
    from muse.core.files.config import load_config

    section = load_config(root).get("coord", {})
    return isinstance(section, dict) and section.get(CHECK_SETTING) is True
