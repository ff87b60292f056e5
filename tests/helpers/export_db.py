"""A demo DB for the export tests, and its export rendered by one process: the reference
the two-process export must match byte for byte."""

from __future__ import annotations

from pathlib import Path

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.export.documents import all_markdown
from cope_tui.store.store import Store

ORPHAN = "0rphan00"  # a meeting whose client record is gone


def demo_db_with_orphan(path: Path, *, clients: int = 12, meetings: int = 60, seed: int = 3) -> Path:
    store = Store(path)
    write_demo(store, load_meeting_guide(), clients=clients, meetings=meetings, seed=seed)
    # A meeting whose client record is gone must still be exported, once.
    orphan = dict(next(iter(store.raw_meetings())), id=ORPHAN, client_id="gone0000")
    store.put_meeting_doc(ORPHAN, orphan)
    store.close()
    return path


def one_process_export(db: Path) -> bytes:
    """`export --all` as the library renders it in this process, never forked."""
    text = all_markdown(load_meeting_guide(), Store(db, read_only=True)).encode()
    assert text.endswith(b"\n") and text.count(b"(unknown client gone0000)") == 1
    return text
