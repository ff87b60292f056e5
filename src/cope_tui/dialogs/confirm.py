"""A yes/no question in a small centred dialog."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from .base import Dialog


class Confirm(Dialog[bool]):
    """Ask a yes/no question; dismisses with True (y) or False (n, escape, enter).

    Every question asked here is about deleting or dropping something, often for good, so
    enter is the safe answer: No has focus. An enter typed ahead (the keys after `delete`
    in one burst are handed out in order, to this dialog) deleted a client. Tab to Yes and
    enter answers yes, as `y` does.
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, message: str, *, title: str = "") -> None:
        super().__init__()
        self.message = message
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="frame") as dialog:
            if self.title_text:
                dialog.border_title = self.title_text
            yield Static(self.message, id="confirm-message", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button("Yes", id="confirm-yes", variant="error", compact=True)
                yield Button("No", id="confirm-no", compact=True)
            yield Static("y: yes · n/esc/enter: no", id="confirm-hint")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
