"""Where a previewed Markdown text is written: a path typed by the user, checked first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from ..export.documents import write_export
from ..store.export_target import export_target_problem
from .base import Dialog


class WriteDialog(Dialog[Path | None]):
    keeps_words = False  # a file name, not a client's words
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="write.cancel"),
        Binding("ctrl+s", "confirm", "Write", id="write.ok", priority=True),
    ]

    def __init__(
        self,
        text: str,
        suggested: Path,
        *,
        what: str = "summary",
        audit: Callable[[Path], str | None] | None = None,
    ):
        """`audit` notes the written file in the DB's audit log; it runs in the writing
        worker (it appends to a file) and returns a warning when the log refused it."""
        super().__init__()
        self.text = text
        self.suggested = suggested
        self.what = what
        self.audit = audit
        self._confirm_replace: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Write the {self.what} to a file", classes="dialog-title")
            yield Input(str(self.suggested), id="path")
            yield Static("", id="write-error", classes="error", markup=False)
            yield Static("The file is plain text, never encrypted: keep it somewhere private.", classes="hint")
            yield Static("enter write · esc cancel", classes="hint")

    @on(Input.Changed, "#path")
    def _edited(self) -> None:
        self._confirm_replace = None
        self.query_one("#write-error", Static).update("")

    @on(Input.Submitted, "#path")
    def _submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.query_one("#write-error", Static).update("Type a file name.")
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            self.query_one("#write-error", Static).update("That is a folder; add a file name.")
            return
        problem = export_target_problem(path, self.app.session.store.path)
        if problem:
            self.query_one("#write-error", Static).update(f"Not there: {problem}.")
            return
        if path.exists() and self._confirm_replace != path:
            self._confirm_replace = path
            self.query_one("#write-error", Static).update("That file exists. Press enter again to replace it.")
            return
        self._write(path)

    @work(thread=True, exclusive=True)
    def _write(self, path: Path) -> None:
        try:
            write_export(path, self.text, db=self.app.session.store.path)
        except OSError as exc:
            self.app.call_from_thread(
                self.query_one("#write-error", Static).update, f"Could not write: {exc.strerror}. Pick another place."
            )
            return
        note = self.audit(path) if self.audit is not None else None
        if note:
            self.app.call_from_thread(self.app.notify, f"Written, but {note}", severity="warning")
        self.app.call_from_thread(self.dismiss, path)
