"""Blank every piece of client content at once, until the same key is pressed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from .base import Dialog
from .key_names import with_keys


class PrivacyScreen(Dialog[None]):
    BINDINGS = [
        Binding("f2", "leave", "Show again", id="privacy.leave", priority=True),
        Binding("ctrl+backslash", "leave", "Show again", show=False, id="privacy.leave_alt", priority=True),
    ]

    def compose(self) -> ComposeResult:
        text = "Screen hidden.\n\nPress {privacy.leave|F2} (or {privacy.leave_alt|ctrl+\\}) to show it again."
        yield Static(with_keys(self, text), id="privacy-text")

    def action_leave(self) -> None:
        self.dismiss()
