"""Finalising a meeting, and the dated addenda that correct it afterwards."""

from __future__ import annotations

import getpass

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static, TextArea

from .base import Dialog
from .notes_area import NotesArea
from .key_names import with_keys


def _default_author(app=None) -> str:
    """The worker's [user] name when set (what the team knows them by), else the login."""
    name = getattr(getattr(app, "settings", None), "user_name", None)
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return ""


class FinaliseDialog(Dialog[str | None]):
    """Asks who finalises; warns about steps left open. Returns the name or None."""

    keeps_words = False  # a name, typed again in a moment

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="finalise.cancel"),
        Binding("ctrl+s", "confirm", "Finalise", id="finalise.ok", priority=True),
    ]

    def __init__(self, *, pending: list[str], undecided: list[str]):
        super().__init__()
        self.pending = pending
        self.undecided = undecided

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Finalise this meeting", classes="dialog-title")
            yield Static(
                "After this the record is read-only for good; corrections become dated addenda.",
                classes="help",
            )
            if self.pending:
                yield Static("Steps still pending: " + escape(", ".join(self.pending)), classes="warning")
            if self.undecided:
                yield Static("Needs decisions: " + escape(", ".join(self.undecided)), classes="warning")
            yield Label("Finalised by (your name or staff code)")
            yield Input(_default_author(self.app), id="by")
            yield Static("", id="by-error", classes="error", markup=False)
            yield Static(with_keys(self, "enter or {finalise.ok|ctrl+s} finalise · esc go back"), classes="hint")

    @on(Input.Submitted, "#by")
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        by = self.query_one("#by", Input).value.strip()
        if not by:
            self.query_one("#by-error", Static).update("Type who is finalising (it is shown on the record).")
            return
        self.dismiss(by)


class AddendumDialog(Dialog[tuple[str, str] | None]):
    """A correction to a finalised meeting: text and author; returns both or None."""

    SAVE_HINT = "to add it"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="addendum.cancel"),
        Binding("ctrl+s", "confirm", "Add", id="addendum.ok", priority=True),
    ]

    def __init__(self, *, by: str = ""):
        super().__init__()
        # Who finalised the meeting: on one worker's machine, most often who corrects it
        # too. A worker who has set their [user] name is who adds it, though: in a team
        # the meeting came from a colleague, whose name went on this worker's correction.
        self.by = by

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Add a dated addendum", classes="dialog-title")
            yield NotesArea(id="text", soft_wrap=True, tab_behavior="focus", classes="sensitive")
            yield Label("Added by")
            named = getattr(getattr(self.app, "settings", None), "user_name", None)
            yield Input(named or self.by or _default_author(self.app), id="by")
            yield Static("", id="add-error", classes="error", markup=False)
            yield Static(with_keys(self, self.hint_here()), classes="hint", id=self.HINT_ID)

    def hint_here(self) -> str:
        """Enter is a new line in the correction, and adds it in the author's field."""
        if getattr(self.focused, "id", None) == "by":
            return "enter or {addendum.ok|ctrl+s} add · esc cancel"
        return "enter new line · tab next field · {addendum.ok|ctrl+s} add · esc cancel"

    def on_mount(self) -> None:
        self.query_one("#text", TextArea).focus()

    @on(Input.Submitted, "#by")
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        text = self.query_one("#text", TextArea).text.strip()
        by = self.query_one("#by", Input).value.strip()
        if not text:
            self.query_one("#add-error", Static).update("Type the correction first.")
            self.query_one("#text", TextArea).focus()
            return
        if not by:
            self.query_one("#add-error", Static).update("Type who is adding it.")
            return
        self.dismiss((text, by))
