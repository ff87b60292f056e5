"""Bulk reads: millions of small objects built at once, with the cyclic GC kept out of
the way. Its own module, below everything else in the store, so the journal, the record
checks and the loaders can all use it.
"""

from __future__ import annotations

import gc
import time
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


def let_others_run() -> None:
    """Called between clients by walks over every meeting (packing, search, the
    follow-through board), which run in threads beside the app: giving the interpreter
    up here hands it to the UI thread at once when that waits, instead of after the
    5 ms switch interval; a UI step that needs it a hundred times would otherwise wait
    half a second. When nothing waits it costs well under a microsecond."""
    time.sleep(0)
