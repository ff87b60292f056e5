"""The words of forms that were open when the app last stopped, shown to be typed in again.

They stay in the DB until the user deletes them here (d, then yes): esc keeps them for
later, and F7 on the client list shows them again. `c` hands them to the terminal's clipboard, where the
terminal allows it, to paste into the form opened again. `o` opens a client's form or a
stage change again with its words in it (the first such form listed); saved, its words go.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from .base import Dialog
from .confirm import Confirm
from .key_names import with_keys

HINT = "↑↓ scroll · {left_open.copy|c} copy · {left_open.forget|delete,ctrl+d} delete them · esc keep for later"
FORMS = ("client", "stage")  # the forms `o` opens again (dialogs/base.py's `reopens`)


def when(at: str) -> str:
    """'2026-12-06T09:14+01:00' as '2026-12-06 09:14'."""
    return at[:16].replace("T", " ")


class LeftOpenDialog(Dialog[Any]):
    """Dismisses with True once the user deletes the words, False to keep them, or the
    kept form (a LeftOpen) to open again."""

    keeps_words = False
    BINDINGS = [
        Binding("escape", "later", "Keep for later", id="left_open.later"),
        # Not a letter: this dialog opens by itself over the client list, where a user may
        # already be typing a name to find, and "d" then "y" (as in "Andy") deleted the
        # words for good.
        Binding("delete,ctrl+d", "forget", "Delete them", key_display="del", id="left_open.forget"),
        Binding("c", "copy", "Copy", id="left_open.copy"),
        Binding("o", "reopen", "Open again", id="left_open.reopen"),
    ]

    def __init__(self, entries: list, codes: dict[str, str | None]) -> None:
        super().__init__()
        self.entries = entries
        self.codes = codes  # a kept form's key: its client's code (None: no client, or gone)
        self.reopenable = next((e for e in entries if self._can_reopen(e)), None)

    def _can_reopen(self, entry) -> bool:
        """A form the app can open again: a new client's, or one for a client still here."""
        if entry.form not in FORMS:
            return False
        return bool(self.codes.get(entry.key)) if entry.client_id else entry.form == "client"

    def _hint(self) -> str:
        if self.reopenable is None:
            return with_keys(self, HINT)
        which = "it" if len(self.entries) == 1 else f"“{self.reopenable.title}”"
        return with_keys(self, f"{{left_open.reopen|o}} open {which} again with its words in it\n{HINT}")

    def compose(self) -> ComposeResult:
        with Vertical(id="left-open-dialog", classes="frame") as frame:
            frame.border_title = "Words kept from forms left open"
            yield Static(
                "The app stopped while these forms were open. What was typed in them is kept here "
                "until you have typed it in again and delete it.",
                id="left-open-info",
                markup=False,
            )
            with VerticalScroll(id="left-open-words", can_focus=True):
                for entry in self.entries:
                    yield Static(self._heading(entry), classes="left-open-heading", markup=False)
                    for label, text in entry.fields:
                        yield Static(label, classes="left-open-label", markup=False)
                        yield Static(text, classes="left-open-text", markup=False)
            yield Static(self._hint(), id="left-open-hint", markup=False)

    def _heading(self, entry) -> str:
        parts = [entry.title]
        code = self.codes.get(entry.key)
        if code:
            parts.append(f"client {code}")
        elif entry.client_id:
            parts.append("a client no longer in this DB")
        elif entry.where:
            parts.append(f"on {entry.where}")
        if entry.at:
            parts.append(when(entry.at))
        return " · ".join(parts)

    def on_mount(self) -> None:
        self.query_one("#left-open-words").focus()

    def as_text(self) -> str:
        blocks = []
        for entry in self.entries:
            lines = [self._heading(entry)] + [f"{label}\n{text}" for label, text in entry.fields]
            blocks.append("\n\n".join(lines))
        return "\n\n\n".join(blocks) + "\n"

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.as_text())
        self.notify("Copied, where the terminal lets the app use its clipboard.", timeout=5)

    def action_later(self) -> None:
        self.dismiss(False)

    def action_reopen(self) -> None:
        if self.reopenable is not None:
            self.dismiss(self.reopenable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`o` is offered (help, the palette) only where a form can be opened again."""
        return self.reopenable is not None if action == "reopen" else True

    def action_forget(self) -> None:
        forms = "this form" if len(self.entries) == 1 else f"these {len(self.entries)} forms"

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(True)

        self.app.push_screen(
            Confirm(f"Delete the words kept from {forms}? They are kept nowhere else.", title="Delete kept words"),
            answered,
        )
