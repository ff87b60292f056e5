"""A dialog that holds the screen while work that must not be half done runs in a thread.

An erasure rewrites every file of the DB (tens of seconds with many backups). While it
ran, the client screen under it still took keys: enter opened a meeting being erased,
and esc left a screen that the erasure's end then tried to close. No key closes this
one; the work's end does (`finish`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from .base import Dialog


class Busy(Dialog[None]):
    keeps_words = False  # nothing is typed here

    def __init__(self, message: str, *, title: str = "") -> None:
        super().__init__()
        self.message = message
        self.title_text = title
        self._finished = False

    def compose(self) -> ComposeResult:
        with Vertical(id="busy-dialog", classes="frame") as frame:
            if self.title_text:
                frame.border_title = self.title_text
            yield Static(self.message, id="busy-message", markup=False)
            yield Static("Please wait: this goes on to the end, whatever is pressed.", id="busy-hint")

    def finish(self) -> None:
        """The work is done: the dialog goes, once anything opened over it (help) is closed."""
        self._finished = True
        if self.is_active:
            self.dismiss()
        else:
            self.pop_until_active()  # then on_screen_resume

    def on_screen_resume(self) -> None:
        if self._finished:
            self.dismiss()
