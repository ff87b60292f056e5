"""The team's conflicts, both versions side by side, one to choose per conflict.

Nothing is chosen by opening, moving or closing: only `h` (keep the version here) or
`t` (take the other one) settles the highlighted conflict, and until then both stay.
The dialog only answers which; the app settles it off the UI thread.
"""

from __future__ import annotations

from typing import Any

import orjson
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..mdsafe import one_line
from ..sync.engine import Conflict
from ..sync.runner import describe
from .base import Dialog

Choice = tuple[str, str]  # (conflict id, how: "keep", "take" the other, or "both" texts)


def shown_value(value: Any) -> str:
    """A version as the user reads it: text as typed, anything else as indented JSON."""
    if value is None:
        return "(nothing: absent or deleted)"
    if isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()


class ConflictsDialog(Dialog[Choice | None]):
    BINDINGS = [
        Binding("h", "choose('keep')", "Keep this version", id="conflicts.keep"),
        Binding("t", "choose('take')", "Take the other", id="conflicts.take"),
        Binding("b", "choose('both')", "Both texts, this one first", id="conflicts.both"),
        Binding("escape", "close", "Close", id="conflicts.close"),
    ]

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__()
        self.conflicts = conflicts

    def compose(self) -> ComposeResult:
        with Vertical(id="conflicts-dialog", classes="frame") as dialog:
            dialog.border_title = f"Conflicts ({len(self.conflicts)})"
            if not self.conflicts:
                yield Static("No conflicts: every record is the same here and in the team.", id="conflicts-none")
            else:
                # Content, not markup: a client's code is typed text and may hold brackets.
                options = (Option(Content(one_line(describe(c, named=True))), id=c.id) for c in self.conflicts)
                yield OptionList(*options, id="conflicts-list")
                with Horizontal(id="conflicts-sides"):
                    yield Static("", id="conflicts-here", markup=False, classes="sensitive")
                    yield Static("", id="conflicts-there", markup=False, classes="sensitive")
            yield Static("h keep this · t take the other · b join both texts · esc decide later", id="conflicts-hint")

    def on_mount(self) -> None:
        if self.conflicts:
            listing = self.query_one("#conflicts-list", OptionList)
            listing.highlighted = 0
            listing.focus()
            self._show(0)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_index)

    def _show(self, index: int) -> None:
        conflict = self.conflicts[index]
        here = self.query_one("#conflicts-here", Static)
        there = self.query_one("#conflicts-there", Static)
        here.border_title = "here"
        there.border_title = f"by {conflict.by}"
        here.update(shown_value(conflict.current))
        there.update(shown_value(conflict.value))

    def action_choose(self, how: str) -> None:
        if not self.conflicts:
            return
        index = self.query_one("#conflicts-list", OptionList).highlighted
        if index is not None:
            self.dismiss((self.conflicts[index].id, how))

    def action_close(self) -> None:
        self.dismiss(None)
