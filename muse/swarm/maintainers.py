"""Sections of a Linux-style ``MAINTAINERS`` file, and which files each covers.

A section is a title line followed by ``X:<tab>value`` lines. Its ``F:``
patterns say which files it covers and its ``X:`` patterns which it does
not, with the kernel's rules (``Documentation/process/maintainers.rst``):

* a trailing ``/`` covers everything below the folder
  (``drivers/net/``);
* ``*`` and ``?`` match within one path component (``drivers/net/*``:
  the folder's files, not below; ``arch/*/events/*``);
* a pattern naming a folder without the slash covers it like the slashed
  form.

``N:`` (regular expressions over names) and ``K:`` (content) lines are
not used. A file may belong to several sections (56 % of the kernel's C
files do); :func:`assign` picks the most specific one — the matching
pattern with the most literal characters, then one not covering
sub-folders, then the earlier section — so each file has one owner.
"""

from __future__ import annotations

import re

__all__ = ["Section", "assign", "parse_maintainers"]

_LINE = re.compile(r"^([A-Z]):\s*(.*?)\s*$")


class Section:
    __slots__ = ("excludes", "includes", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.includes: list[str] = []
        self.excludes: list[str] = []


def parse_maintainers(text: str) -> list[Section]:
    """Sections with at least one ``F:`` pattern, in file order."""
    out: list[Section] = []
    current: Section | None = None
    title: str | None = None
    for raw in text.splitlines():
        m = _LINE.match(raw) if raw[:1].isupper() and raw[1:2] == ":" else None
        if m is None:
            title = raw.strip() or None
            current = None
            continue
        if current is None:
            if title is None:
                continue
            current = Section(title)
            out.append(current)
        tag, value = m.group(1), m.group(2)
        if tag == "F" and value:
            current.includes.append(value)
        elif tag == "X" and value:
            current.excludes.append(value)
    return [s for s in out if s.includes]


def _compile(pattern: str, folders: set[str]) -> tuple[str, re.Pattern[str], int]:
    """(literal folder prefix to index by, regex, specificity)."""
    p = pattern.lstrip("/")
    if not p.endswith("/") and not any(c in p for c in "*?") and p in folders:
        p += "/"
    recursive = p.endswith("/") or p == ""
    body = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in p)
    regex = re.compile(body + (".*" if recursive else "") + r"\Z", re.S)
    wild = min([i for i in (p.find("*"), p.find("?")) if i >= 0], default=len(p))
    prefix = p[: p.rfind("/", 0, wild) + 1]
    # More literal characters is more specific; at a tie, a pattern that stops at
    # one level (drivers/net/*) beats one covering everything below (drivers/net/).
    specificity = 2 * len(p.replace("*", "").replace("?", "")) + (0 if recursive else 1)
    return prefix, regex, specificity


def assign(sections: list[Section], files: list[str]) -> tuple[dict[str, int], int]:
    """Each file's owning section (index into *sections*), and how many files
    more than one section covers. Files no section covers are left out."""
    folders = {f[:i] for f in files for i in range(len(f)) if f[i] == "/"}
    by_prefix: dict[str, list[tuple[re.Pattern[str], int, int, bool]]] = {}
    for si, s in enumerate(sections):
        for pat, exclude in [(p, False) for p in s.includes] + [(p, True) for p in s.excludes]:
            prefix, regex, spec = _compile(pat, folders)
            by_prefix.setdefault(prefix, []).append((regex, spec, si, exclude))
    owner: dict[str, int] = {}
    shared = 0
    for f in files:
        best: dict[int, int] = {}
        excluded: set[int] = set()
        prefixes = [""] + [f[: i + 1] for i in range(len(f)) if f[i] == "/"]
        for prefix in prefixes:
            for regex, spec, si, exclude in by_prefix.get(prefix, ()):
                if regex.match(f):
                    if exclude:
                        excluded.add(si)
                    elif spec > best.get(si, -1):
                        best[si] = spec
        for si in excluded:
            best.pop(si, None)
        if not best:
            continue
        if len(best) > 1:
            shared += 1
        owner[f] = max(best, key=lambda si: (best[si], -si))
    return owner, shared
