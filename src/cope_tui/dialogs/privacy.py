"""Blank every piece of client content at once, until the same key is pressed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from .base import Dialog


class PrivacyScreen(Dialog[None]):
    BINDINGS = [
        Binding("f2", "leave", "Show again", id="privacy.leave", priority=True),
        Binding("ctrl+backslash", "leave", "Show again", show=False, id="privacy.leave_alt", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Screen hidden.\n\nPress F2 (or ctrl+\\) to show it again.", id="privacy-text")

    def action_leave(self) -> None:
        self.dismiss()
