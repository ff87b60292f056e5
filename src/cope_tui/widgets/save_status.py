"""The sidebar's word on saving, the same on a meeting and on an exercise."""

from __future__ import annotations

import time

from ..store.autosave import SaveStatus


def save_status_text(status: SaveStatus, *, read_only: bool) -> str:
    """'saved 10:42:13', 'saving…', or NOT SAVED in bold while the disk refuses (markup)."""
    if read_only:
        return "read-only DB"
    if status.error:
        return "[b]NOT SAVED[/b]\nretrying…"
    if status.pending:
        return "saving…"
    if status.saved_at:
        return "saved " + time.strftime("%H:%M:%S", time.localtime(status.saved_at))
    return "saved"
