"""A dialog that holds the screen while work that must not be half done runs in a thread.

An erasure rewrites every file of the DB (tens of seconds with many backups). While it
ran, the client screen under it still took keys: enter opened a meeting being erased,
and esc left a screen that the erasure's end then tried to close. No key closes this
one: the screen that opened it closes it, with anything opened over it (help), once the
work is done (Screen.pop_until_active).
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

    def compose(self) -> ComposeResult:
        with Vertical(id="busy-dialog", classes="frame") as frame:
            if self.title_text:
                frame.border_title = self.title_text
            yield Static(self.message, id="busy-message", markup=False)
            yield Static("Please wait: this goes on to the end, whatever is pressed.", id="busy-hint")
