"""A text area for client text that stays quick to type in, whatever is pasted into it.

Textual's TextArea re-wraps the whole line being edited at every key and, for each row on
screen, lays that whole line out again: a note held as one 1 MB line took over a second
per key to echo. The cost follows the length of the longest line, so a limit on the size
of the text bounds it: at the limit a single line still echoes in a few hundredths of a
second, and a note of that size is far beyond what a meeting step or a handover section
holds. What would go past the limit is refused whole, with a message, and never cut: a
paste either goes in entirely or not at all (it is still on the clipboard).

Text stored over the limit (an older DB, an import) opens whole and is kept whole; it can
be shortened but takes no more. If a line of it is that long, it is shown unwrapped, which
lays out only the row the line is on.
"""

from __future__ import annotations

import time

from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult

LIMIT = 50_000  # characters in one text area; a step's notes of about 8,000 words
_QUIET = 4.0  # seconds between two messages about the limit: a key held down rings, not floods


class NotesArea(TextArea):
    """A TextArea that refuses edits that would take it past `limit` characters."""

    limit = LIMIT
    _told_at = float("-inf")
    # Said (now and then) when letters are typed into it while it is read-only: they went
    # nowhere without a word. The screen that made it read-only says why.
    read_only_note = ""

    def on_key(self, event) -> None:
        if self.read_only and self.read_only_note and event.is_printable:
            now = time.monotonic()
            if now - self._told_at >= _QUIET:
                self._told_at = now
                self.notify(self.read_only_note, severity="warning", timeout=6)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._wrap_wanted = self.soft_wrap

    def characters(self) -> int:
        """The text's length, counting line ends, without joining it into one string."""
        lines = self.document.lines
        return sum(map(len, lines)) + len(lines) - 1

    def edit(self, edit: Edit) -> EditResult:
        grows = len(edit.text) - len(self.document.get_text_range(*sorted((edit.from_location, edit.to_location))))
        if grows > 0:
            size = self.characters()
            if size + grows > self.limit:
                self._refuse(size, len(edit.text))
                return EditResult(end_location=self.cursor_location, replaced_text="")
        return super().edit(edit)

    def _refuse(self, size: int, adding: int) -> None:
        self.app.bell()
        now = time.monotonic()
        if adding > 1:  # a paste: always say that it went nowhere
            message = (
                f"The paste was not added: with it this text would be longer than {self.limit:,} characters "
                f"(it holds {size:,}, the paste {adding:,}). Nothing was cut; it is still on your clipboard."
            )
        elif now - self._told_at >= _QUIET:
            message = (
                f"This text is full: it holds at most {self.limit:,} characters, so what you type is not added. "
                "Shorten it, or go on in another note."
            )
        else:
            return
        self._told_at = now
        self.notify(message, title="Not added", severity="warning", timeout=10)

    def load_text(self, text: str) -> None:
        if len(text) <= self.limit:
            super().load_text(text)
            self.soft_wrap = self._wrap_wanted
            return
        if max(map(len, text.splitlines())) > self.limit:
            self.soft_wrap = False  # set before loading: wrapping that line is the cost avoided
        super().load_text(text)
        unwrapped = "" if self.soft_wrap else " and shown unwrapped"
        self.notify(
            f"This text is longer than {self.limit:,} characters (kept from an older or imported record). "
            f"It is kept whole{unwrapped}; it can be shortened but takes no more.",
            title="Very long text",
            severity="warning",
            timeout=10,
        )
