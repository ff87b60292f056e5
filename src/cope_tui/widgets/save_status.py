"""The sidebar's word on saving, the same on a meeting and on an exercise, and the App's
mixin that hands the saver's news to the screens."""

from __future__ import annotations

import threading
import time

from textual.message import Message

from ..store.autosave import SaveStatus


def save_status_text(status: SaveStatus, *, read_only: bool) -> str:
    """'saved 10:42:13', 'saving…', or NOT SAVED in bold while the disk refuses (markup)."""
    if read_only:
        return "read-only DB"
    if status.error:  # (nothing retried helps once another has the files: said in the message)
        return "[b]NOT SAVED[/b]\n" + ("see why" if status.error.startswith("Nothing more is saved") else "retrying…")
    if status.pending:
        return "saving…"
    if status.saved_at:
        return "saved " + time.strftime("%H:%M:%S", time.localtime(status.saved_at))
    return "saved"


class SaveStatusChanged(Message):
    """The saver's news, handed from its thread to the UI's."""

    def __init__(self, status: SaveStatus):
        super().__init__()
        self.status = status


class SaveStatusNews:
    """App mixin: the saver's news on every screen that shows it, and a toast when saving
    fails or works again. Uses the App's `save_status`, `capture_all` and session."""

    def _status_from_saver(self, status: SaveStatus) -> None:
        if threading.get_ident() == self._ui_thread:
            self._show_status(status)
        else:
            # Queued, never waited for: the saver holds its write lock here, and the UI
            # thread may be waiting for that lock (a flush on a signal or after a bug).
            # A stopped app refuses the message; the saver keeps going without a display.
            self.post_message(SaveStatusChanged(status))

    def on_save_status_changed(self, message: SaveStatusChanged) -> None:
        self._show_status(message.status)

    def _show_status(self, status: SaveStatus) -> None:
        was_error = self.save_status.error
        self.save_status = status
        if status.error and status.error != was_error:
            self.notify(status.error, title="Not saved yet", severity="error", timeout=15)
        elif was_error and not status.error:
            self.withdraw("Not saved yet")
            self.notify("Everything is saved again.", title="Saved")
        for screen in self.screen_stack:
            update = getattr(screen, "show_save_status", None)
            if update is not None:
                update(status)

    def action_save_now(self) -> None:
        self.capture_all()
        self.run_worker(self.session.flush, thread=True, group="save", exclusive=False)
