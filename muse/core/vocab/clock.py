"""Time: epoch seconds in memory, ISO-8601 with an offset on disk."""

from __future__ import annotations

import time
from datetime import UTC, datetime

__all__ = ["format_ts", "now", "parse_duration", "parse_ts"]

_parsed: dict[str, float] = {}


def now() -> float:
    """Wall-clock epoch seconds (persisted deadlines are wall-clock)."""
    return time.time()


def format_ts(epoch: float) -> str:
    """``2099-12-31T23:59:59+00:00`` (UTC, whole seconds)."""
    return datetime.fromtimestamp(int(epoch), UTC).isoformat()


def parse_ts(value: object) -> float:
    """Epoch seconds of an ISO-8601 timestamp that carries an offset.

    Raises:
        ValueError: not a string, not ISO-8601, or without an offset.
    """
    if isinstance(value, str):
        cached = _parsed.get(value)
        if cached is not None:
            return cached
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(f"timestamp {value!r} has no UTC offset")
        epoch = parsed.timestamp()
        if len(_parsed) < 100_000:  # most records share a few deadlines
            _parsed[value] = epoch
        return epoch
    raise ValueError(f"timestamp must be an ISO-8601 string, got {type(value).__name__}")


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """``90`` / ``90s`` / ``15m`` / ``2h`` / ``1d`` → seconds (positive)."""
    text = text.strip().lower()
    scale = _UNITS.get(text[-1:], None)
    number = text[:-1] if scale is not None else text
    seconds = float(number) * (scale or 1)
    if not seconds > 0 or seconds != seconds or seconds == float("inf"):
        raise ValueError(f"duration must be positive, got {text!r}")
    return seconds
