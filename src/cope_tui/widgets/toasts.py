"""Notifications that do not pile up: the same words said again replace the toast showing
them (and start its time again) rather than stacking a copy under it.

A facilitator who presses a refused key three times got three identical toasts, which
at 80 columns covered most of the screen. Where toasts sit and how big they are is in
app.tcss (ToastRack, Toast).
"""

from __future__ import annotations

from typing import Any


class OneToastPerMessage:
    """App mixin: a notification equal to one on screen (words, title and severity) takes
    its place. Runs on the UI thread, where Textual handles each notification."""

    def _on_notify(self, event: Any) -> None:
        new = event.notification
        for shown in list(self._notifications):  # type: ignore[attr-defined]
            if (shown.message, shown.title, shown.severity) == (new.message, new.title, new.severity):
                self._unnotify(shown, refresh=False)  # type: ignore[attr-defined]
        super()._on_notify(event)  # type: ignore[misc]

    def withdraw(self, title: str) -> None:
        """Take down the toasts with this title: their news is out of date (a "not saved"
        warning once everything is saved again), and left up they hide the newer word."""
        for shown in list(self._notifications):  # type: ignore[attr-defined]
            if shown.title == title:
                self._unnotify(shown, refresh=False)  # type: ignore[attr-defined]
        self._refresh_notifications()  # type: ignore[attr-defined]
