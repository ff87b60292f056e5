"""The passphrase prompt shown before an encrypted DB is read at all.

Deriving the key takes up to a second, so it runs in a thread while the screen
says it is checking; the app quits from here with ctrl+q as anywhere else.
"""

from __future__ import annotations

from functools import partial

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from .base import Dialog
from .key_names import with_keys


class UnlockScreen(Dialog[bool]):
    keeps_words = False
    """Dismissed with True once the passphrase is right; nothing behind it is shown."""


    # The app's ctrl+q works here already; listed so help (F1) shows it on this screen too.
    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit (saves first)", id="unlock.quit")]

    HEADING = "This database is encrypted."
    ASK = "Type its passphrase and press enter.  {app.quit|ctrl+q} quits."
    NOTE_CLASSES = ("muted", "error")

    def __init__(self, note: str = "") -> None:
        super().__init__()
        self._busy = False
        self._first_note = note

    @property
    def store(self):
        return self.app.session.store

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog lock-dialog"):
            yield Static(self.HEADING, classes="dialog-title", id="lock-heading")
            yield Static(f"Database: {escape(str(self.store.path))}", classes="muted", id="lock-db")
            yield from self.compose_answer()

    def compose_answer(self) -> ComposeResult:
        yield Static(with_keys(self, self.ASK), id="lock-ask")
        yield Input(password=True, placeholder="passphrase", id="passphrase")
        yield Static("", id="lock-note")

    def on_mount(self) -> None:
        for field in self.query("#passphrase"):
            field.focus()
        if self._first_note:
            self._note(self._first_note, "error")

    def _note(self, text: str, kind: str = "muted") -> None:
        note = self.query_one("#lock-note", Static)
        note.remove_class(*self.NOTE_CLASSES)
        note.add_class(kind)
        note.update(text)

    @on(Input.Submitted, "#passphrase")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._busy:
            return
        field = event.input
        passphrase = field.value
        field.value = ""  # the typed passphrase stays on screen no longer than needed
        if not passphrase:
            self._note("Type the passphrase first, then press enter.", "error")
            return
        self._busy = True
        field.disabled = True
        self._note("Checking…")
        self._check(passphrase)

    @work(thread=True, exclusive=True, group="passphrase")
    def _check(self, passphrase: str) -> None:
        problem = self.verify(passphrase)
        self.app.call_from_thread(partial(self._checked, problem))

    def verify(self, passphrase: str) -> str | None:
        """Runs in a thread: derive the key; a message when it is refused, else None."""
        from ..store.store import StoreError

        try:
            self.store.unlock(passphrase)
        except StoreError as exc:
            return str(exc)
        return None

    def _checked(self, problem: str | None) -> None:
        self._busy = False
        if problem is None:
            self.dismiss(True)
            return
        field = self.query_one("#passphrase", Input)
        field.disabled = False
        field.focus()
        self._note(f"{escape(problem)}\nctrl+q quits.", "error")
