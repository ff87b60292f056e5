"""Text pasted into a one-line field keeps every line, joined by spaces.

Textual's Input keeps only the first line of a paste and drops the rest without a word:
a purpose, a reason or a name pasted from an email or a typed-up paper note lost all
but its first line, and the record said less than the worker had pasted. Joined, every
word is kept; the toast says why the lines are now one. A field that lists people, one
after another with commas (class `comma-list`), gets a comma between the lines: each
pasted line stays a person of its own, not "mum dad".
"""

from __future__ import annotations

from textual import events
from textual.app import ScreenStackError
from textual.widgets import Input

from ..dialogs.parts import COMMA_LIST


def one_line(text: str, *, listed: bool = False) -> str:
    """The lines of `text` as one, blank ones dropped: what a one-line field can hold;
    `listed`, as the entries of a comma-separated list."""
    if listed:
        return ", ".join(entry for line in text.splitlines() if (entry := line.strip().strip(",").strip()))
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class OneLinePaste:
    """App mixin, after KeyOrder: a paste is changed when it is handed to the field that
    takes it (a paste held behind earlier keys goes where they left the focus)."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Paste) and not event.is_forwarded and len(event.text.splitlines()) > 1:
            field = self._focused_now()
            if isinstance(field, Input):
                joined = sum(1 for line in event.text.splitlines() if line.strip()) > 1
                listed = field.has_class(COMMA_LIST)
                event = events.Paste(one_line(event.text, listed=listed))
                if joined:  # (a line and a blank one, as a copied line often ends, is one line: nothing to say)
                    how = ", with commas between them: one entry a line" if listed else ": this field holds a single line"
                    self.notify(f"The pasted lines were joined into one{how}.")  # type: ignore[attr-defined]
        await super().on_event(event)  # type: ignore[misc]

    def _focused_now(self) -> object:
        """The focused widget; None once the screens are gone (a paste at shutdown)."""
        try:
            return self.focused  # type: ignore[attr-defined]
        except ScreenStackError:
            return None
