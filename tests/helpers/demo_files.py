"""A demo DB file written and closed, as tests of what is read back from a file need it:
closing folds the journal in, so the file, its summary and its stamp are all there."""

from __future__ import annotations

from pathlib import Path

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.store.store import Store


def demo_file(path: Path, *, clients: int, meetings: int, seed: int) -> Path:
    store = Store(path)
    try:
        write_demo(store, load_meeting_guide(), clients=clients, meetings=meetings, seed=seed)
    finally:
        store.close()
    return path
