"""The cyclic GC while a team sync takes in thousands of records: no full collection
(each walks every object, holding the interpreter's lock, while the app waits to handle
a key), and what was taken in kept out of later collections' reach."""

from __future__ import annotations

import gc
import threading
import weakref

from cope_tui.store.bulk import keep_long_lived, no_full_collection


def _full_collections(grow: int) -> int:
    """Full collections started while the heap grows by `grow` live containers."""
    fulls = [0]

    def seen(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            fulls[0] += 1

    gc.collect()  # the heap measured now: growing it by a quarter starts the next one
    gc.callbacks.append(seen)
    try:
        kept = [[n] for n in range(grow)]
    finally:
        gc.callbacks.remove(seen)
    del kept
    return fulls[0]


def test_a_growing_heap_starts_no_full_collection_inside_the_block() -> None:
    grow = max(200_000, len(gc.get_objects()))  # far past a quarter of what this process holds
    assert _full_collections(grow) > 0  # the collections the block keeps away
    with no_full_collection():
        assert _full_collections(grow) == 0


def test_the_block_ends_with_the_last_thread_that_opened_one() -> None:
    before = gc.get_threshold()
    opened, done = threading.Event(), threading.Event()

    def other() -> None:
        with no_full_collection():
            opened.set()
            done.wait(30)

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert opened.wait(30)
        with no_full_collection():
            assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 10**6
        assert gc.get_threshold()[2] > 10**6  # the other thread's block is still open
    finally:
        done.set()
        thread.join()
    assert gc.get_threshold() == before


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only a collection frees it


def test_what_was_taken_in_is_frozen_and_young_garbage_collected_first() -> None:
    frozen = gc.get_freeze_count()
    gc.disable()  # the garbage below stays young until keep_long_lived looks
    try:
        kept = [[n] for n in range(1000)]  # lists: always tracked by the GC
        garbage = weakref.ref(Node())
        assert garbage() is not None
    finally:
        gc.enable()
    try:
        keep_long_lived()
        assert gc.get_freeze_count() >= frozen + len(kept)
        assert garbage() is None  # collected, not frozen for ever
    finally:
        gc.unfreeze()


def test_a_sync_state_is_read_without_full_collections(tmp_path) -> None:
    """Reading the sync state of 10,000 meetings written before its versions were bytes
    (a million objects) with full collections walking the growing heap took 1.6 s instead
    of 0.5, at every `cope-tui sync`."""
    from cope_tui.store import crypto
    from cope_tui.sync.state import SyncState

    db = tmp_path / "db.json"
    rows = {
        f"r{n}": {"t": "clients", "id": f"c{n}", "rev": "1-a", "hist": ["a"], "body": {"doc": {"rows": [[n]] * 5}},
                  "conflicts": [], "older": [], "close": [], "leaves": []}
        for n in range(20_000)
    }
    state = SyncState(db, crypto.PlainCodec())
    state.commit(rows)
    state.close()
    fulls = [0]

    def seen(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            fulls[0] += 1

    gc.collect()
    gc.callbacks.append(seen)
    try:
        again = SyncState(db, crypto.PlainCodec(), read_only=True)
    finally:
        gc.callbacks.remove(seen)
    assert len(again.records) == 20_000
    assert fulls[0] == 0
