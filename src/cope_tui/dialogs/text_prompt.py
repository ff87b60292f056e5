"""A one-line text dialog shared by the exercise panels."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from .base import Dialog
from .key_names import with_keys

Checker = Callable[[str], str | None]  # why the text is refused, or None


class TextPrompt(Dialog[str | None]):
    """One line of text in a small dialog; dismisses with the stripped text or None.

    `required` is the message shown (and the dialog kept open) when the text is empty,
    and `check` may refuse other text the same way, so the panel never has to reopen
    the dialog after a refusal and the facilitator keeps what they typed.
    """


    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="prompt.save"),
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(
        self, title: str, prompt: str, value: str = "", *, required: str = "", check: Checker | None = None,
        secret: bool = False, keeps_words: bool = True,
    ) -> None:
        super().__init__()
        self.title_text, self.prompt, self.value, self.secret = title, prompt, value, secret
        self.keeps_words = keeps_words and not secret  # a login's name is not a client's words
        self.required, self.check = required, check

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog", classes="frame") as dialog:
            dialog.border_title = self.title_text
            yield Static(self.prompt, id="prompt-text", markup=False)
            # Bordered, not compact: a compact input has no outline under NO_COLOR.
            yield Input(self.value, select_on_focus=False, password=self.secret, id="prompt-input")
            yield Static("", id="prompt-error", markup=False)
            yield Static(with_keys(self, "enter or {prompt.save|ctrl+s} save · esc cancel"), id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    def field_label(self, widget) -> str:
        return self.prompt

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        text = self.query_one("#prompt-input", Input).value.strip()
        problem = self.required if not text else None
        if problem is None and text and self.check is not None:
            problem = self.check(text)
        if problem:
            error = self.query_one("#prompt-error", Static)
            error.update(problem)
            error.add_class("-shown")
            return
        self.dismiss(text)
