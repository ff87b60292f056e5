"""The meeting's list of steps (ctrl+l): enter opens a step, and three keys mark the
highlighted one done, skipped or pending. Bindings of the list, not keys read on the
side: those were in no footer, no help and no palette, only in the guide's text."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList


class StepList(OptionList):
    BINDINGS = [
        Binding("d", "mark('done')", "Done", id="steps.done"),
        Binding("s", "mark('skipped')", "Skip", id="steps.skip"),
        Binding("p", "mark('pending')", "Pending", id="steps.pending"),
    ]

    class Mark(Message):
        """The screen marks the step at `index` (and opens it, if another)."""

        def __init__(self, index: int, state: str) -> None:
            super().__init__()
            self.index, self.state = index, state

    def action_mark(self, state: str) -> None:
        if self.highlighted is not None:
            self.post_message(self.Mark(self.highlighted, state))
