"""Pause Python's cyclic garbage collector around bulk record loads.

Loading 150,000 records allocates millions of small tuples, dicts and
strings; every 700 allocations the cyclic collector runs, and its older
generations rescan everything loaded so far, so the load grows faster than
linearly (measured: +65% at 150,000 records). Records are acyclic, so
reference counting frees them anyway; the collector is only paused, and
restored on the way out.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
