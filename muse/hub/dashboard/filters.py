"""The dashboard's query parameters: what a reader asked to see, validated."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from muse.core.coord.forecast import SEVERITIES
from muse.core.coord.views import TASK_STATUSES
from muse.hub.errors import BadRequest

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "RUN_SORTS", "SECTIONS", "Filters", "parse_filters"]

SECTIONS = ("subsystems", "files", "conflicts", "tasks", "runs", "reservations")
DEFAULT_LIMIT = 20
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000
_MAX_TEXT = 300
_TEXT = re.compile(r"[^\x00-\x1f\x7f]*")
RUN_SORTS = ("age", "name", "load")


@dataclass(frozen=True, slots=True)
class Filters:
    """What a reader asked to see (validated; hashable, so answers can be cached)."""

    path: str = ""  # symbol path prefix: "kernel/sched/" or "fs/ext4/inode.c"
    run: str = ""  # run id substring
    q: str = ""  # task id/description substring
    depth: int = 2  # directory components naming a subsystem
    severity: str = ""  # one of SEVERITIES, or all
    task_status: str = ""  # one of TASK_STATUSES, or all
    run_sort: str = "age"
    pages: tuple[tuple[int, int], ...] = tuple((0, DEFAULT_LIMIT) for _ in SECTIONS)

    def page(self, section: str) -> tuple[int, int]:
        return self.pages[SECTIONS.index(section)]


def _text_param(query: Mapping[str, str], name: str) -> str:
    raw = query.get(name, "")
    if len(raw) > _MAX_TEXT or not _TEXT.fullmatch(raw):
        raise BadRequest(f"invalid {name}: at most {_MAX_TEXT} printable characters")
    return raw


def _int_param(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9 or not low <= int(raw) <= high:
        raise BadRequest(f"invalid {name}={raw[:40]!r}: use an integer from {low} to {high}")
    return int(raw)


def _choice_param(query: Mapping[str, str], name: str, choices: tuple[str, ...],
                  default: str = "") -> str:
    raw = query.get(name, "") or default
    if raw and raw not in choices:
        raise BadRequest(f"invalid {name}={raw[:40]!r}: use one of {', '.join(choices)}")
    return raw


def parse_filters(query: Mapping[str, str]) -> Filters:
    """Validate the dashboard's query parameters (others, like MSign's ``n``, are ignored).

    Raises:
        BadRequest: a parameter out of range or not printable text.
    """
    pages = tuple(
        (_int_param(query, f"{s}_offset", 0, 0, MAX_OFFSET),
         _int_param(query, f"{s}_limit", DEFAULT_LIMIT, 1, MAX_LIMIT))
        for s in SECTIONS)
    return Filters(
        path=_text_param(query, "path"),
        run=_text_param(query, "run"),
        q=_text_param(query, "q"),
        depth=_int_param(query, "depth", 2, 1, 8),
        severity=_choice_param(query, "severity", SEVERITIES),
        task_status=_choice_param(query, "task_status", TASK_STATUSES),
        run_sort=_choice_param(query, "run_sort", RUN_SORTS, "age"),
        pages=pages,
    )
