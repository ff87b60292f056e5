"""Bulk reads: millions of small objects built at once, with the cyclic GC kept out of
the way. Its own module, below everything else in the store, so the journal, the record
checks and the loaders can all use it.
"""

from __future__ import annotations

import gc
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

