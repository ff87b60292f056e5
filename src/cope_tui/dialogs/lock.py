"""The idle lock: covers every screen until the passphrase is given again.

The screens underneath keep their widgets and the saver keeps writing, so a
note typed before the lock is still there, and on disk, afterwards. A plain
DB has no passphrase to ask for: the lock is then a privacy screen that says
the file itself is readable.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from .unlock import UnlockScreen


class LockScreen(UnlockScreen):
    BINDINGS = [
        Binding("enter", "leave", "Return", id="lock.leave"),
    ]

    HEADING = "Screen locked."
    ASK = (
        "Everything typed is kept and saved.\n"
        "Type the passphrase and press enter to return.  {app.quit|ctrl+q} saves and quits."
    )

    @property
    def encrypted(self) -> bool:
        return bool(getattr(self.store, "encrypted", False))

    def compose_answer(self) -> ComposeResult:
        if self.encrypted:
            yield from super().compose_answer()
            return
        yield Static("Everything typed is kept and saved. Press enter to return.", id="lock-ask")
        yield Static(
            "This database is not encrypted: anyone who can read the file can read the notes. "
            "'cope-tui encrypt --db' with the file named above protects it with a passphrase "
            "(run it once this app is closed).",
            classes="warning",
            id="lock-note",
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave":
            return not self.encrypted  # an encrypted DB only opens with the passphrase
        return True

    def action_leave(self) -> None:
        if not self.encrypted:
            self.dismiss(True)

    def verify(self, passphrase: str) -> str | None:
        """Runs in a thread: the key is already derived, so this only compares."""
        from ..store.store import StoreError

        try:
            ok = self.store.check_passphrase(passphrase)
        except StoreError as exc:
            return str(exc)
        return None if ok else "That is not the passphrase of this database."
