"""The collector pause around bulk loads: restored, and no rescan of what was loaded."""

from __future__ import annotations

import gc

from muse.core.files.gcpause import paused_gc


def test_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_loaded_objects_skip_the_young_generations() -> None:
    with paused_gc():
        rows = [(i, [i]) for i in range(50_000)]  # containers the collector tracks
        assert gc.get_count()[0] > 700  # counted while paused
    # Moved to the oldest generation in one step: the next young collection
    # does not walk them again, and they stay collectable by full collections.
    assert gc.get_count()[0] < 700
    assert gc.is_tracked(rows[0])
    del rows
    gc.collect()


def test_a_paused_collector_stays_paused() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_frozen_objects_of_others_stay_frozen() -> None:
    keep = [[1], [2]]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_gc():
            _ = [[i] for i in range(1000)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    del keep
