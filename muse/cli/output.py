"""Printing for the CLI: data to stdout, messages to stderr, errors as one line.

With ``--json`` a command prints exactly one JSON document on stdout (or one
JSON error object on stderr); without it, short readable text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from muse.core.vocab.errors import MuseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["emit", "emit_stream", "print_problems", "run_guarded", "warn"]


def _dumps(obj: Any, compact: bool = False) -> str:
    import json

    if compact:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, default=str)
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str)


def _row(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False, default=str)


def emit(obj: Any, json_out: bool, text: str | Callable[[], str] | None = None) -> None:
    """Print *obj* as JSON, or *text* (a string or a thunk) for people."""
    if json_out or text is None:
        sys.stdout.write(_dumps(obj) + "\n")
    else:
        body = text() if callable(text) else text
        if body:
            sys.stdout.write(body if body.endswith("\n") else body + "\n")


def emit_stream(doc: dict[str, Any], json_out: bool, text: str | Callable[[], str] | None = None,
                chunk: int = 512) -> None:
    """Like :func:`emit`, but values that are iterators (not lists) are
    written row by row, one compact row per line, so a page of 150,000 rows
    is never one string or one list in memory (and each row goes through
    the C encoder: indenting 150,000 rows in Python cost ten times more)."""
    if not json_out and text is not None:
        emit(None, False, text)
        return
    out = sys.stdout
    out.write("{")
    for i, (key, value) in enumerate(doc.items()):
        out.write(("," if i else "") + "\n  " + _dumps(key) + ": ")
        if value is None or isinstance(value, (list, tuple, dict, str, int, float)):
            out.write(_dumps(value).replace("\n", "\n  "))
            continue
        buf: list[str] = []
        rows = 0
        for row in value:
            buf.append(("[" if not rows else ",") + "\n    " + _row(row))
            rows += 1
            if len(buf) >= chunk:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf) + ("\n  ]" if rows else "[]"))
    out.write("\n}\n")


def warn(message: str) -> None:
    sys.stderr.write(f"muse: warning: {message}\n")


def print_problems(problems: list[Any], limit: int = 5) -> None:
    """One stderr line per unusable record file (a few, then a count); each
    problem a ``Problem`` or its JSON form."""
    for p in problems[:limit]:
        path, message = (p["path"], p["message"]) if isinstance(p, dict) else (p.path, p.message)
        warn(f"skipped {path}: {message}")
    if len(problems) > limit:
        warn(f"… and {len(problems) - limit} more unusable record files")


def run_guarded(fn: Callable[[], int], argv: list[str]) -> int:
    """Run a command, turning every failure into one line and an exit code."""
    json_out = "--json" in argv
    try:
        code = fn()
        sys.stdout.flush()
        return code
    except MuseError as exc:
        if json_out:
            sys.stderr.write(_dumps(exc.to_json(), compact=True) + "\n")
        else:
            sys.stderr.write(f"muse: error: {exc.message}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("muse: interrupted\n")
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open("/dev/null", "w")
        except OSError:
            pass
        return 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except Exception as exc:  # a bug: say so in one line, exit 3
        if json_out:
            sys.stderr.write(_dumps({"error": "internal", "message": repr(exc)}, compact=True) + "\n")
        else:
            sys.stderr.write(f"muse: internal error: {exc!r}\n")
        return 3
