"""Bulk reads: millions of small objects built at once, with the cyclic GC kept out of
the way. Its own module, below everything else in the store, so the journal, the record
checks and the loaders can all use it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """Bulk reads build millions of small objects and the cyclic GC would rescan them
    over and over (8x slower at 10,000 meetings); reference counting still frees them.

    `freeze` moves what was built into the permanent generation: the loaded DB lives as
    long as the process, so no later collection (a UI hitch) should walk it again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()



_growing = 0  # no_full_collection() blocks open, across threads
_thresholds: tuple[int, int, int] | None = None
_growing_lock = threading.Lock()
_NEVER = 1 << 30  # gen1 collections before a full one: never, in practice


@contextmanager
def no_full_collection() -> Iterator[None]:
    """While a team sync takes in thousands of records, the cyclic GC makes no full
    collection. A growing heap starts one each time it grew by a quarter, and each walks
    every object not frozen while holding the interpreter's lock: 0.1 to 0.5 s apiece at
    10,000 meetings, during which the app's typing waits. The young generations are still
    collected (a few ms); keep_long_lived() at the end puts what was taken in out of reach."""
    global _growing, _thresholds
    with _growing_lock:
        if not _growing:
            _thresholds = gc.get_threshold()
            gc.set_threshold(_thresholds[0], _thresholds[1], _NEVER)
        _growing += 1
    try:
        yield
    finally:
        with _growing_lock:
            _growing -= 1
            if not _growing and _thresholds is not None:
                gc.set_threshold(*_thresholds)


def keep_long_lived() -> None:
    """Records taken in bulk while the app runs (a team sync's pull) live as long as the
    process, like a loaded DB (see gc_paused's freeze): moved out of the cyclic GC's
    reach, so no later full collection walks them again. The young generations are
    collected first, so little garbage is frozen with them."""
    gc.collect(1)
    gc.freeze()
