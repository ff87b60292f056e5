"""Create or edit a client: code, significant others, note."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input

from ..session import create_client, rename_client
from ..meetings.models import Client
from .form import FormDialog
from .parts import COMMA_LIST


class ClientForm(FormDialog[Client | None]):
    """Writes the client itself (a new code must not clash with a stored one); dismisses
    with the saved client, or None."""

    ERROR_ID = "{}-error"
    reopens = "client"

    def __init__(self, client: Client | None = None):
        super().__init__("Edit client" if client else "New client")
        self.client = client

    def fields(self) -> ComposeResult:
        c = self.client
        yield from self.field(
            "code",
            "Name or code",
            self.text_input(c.code if c else "", "e.g. C-0142", id="code"),
            help="Use a code where names must not be stored.",
        )
        yield from self.field(
            "others",
            "Others",
            self.text_input(", ".join(c.significant_others) if c else "", "e.g. partner, sister", id="others",
                            classes=COMMA_LIST),
            help="Significant others: roles or names, comma-separated.",
        )
        yield from self.field("note", "Note", self.text_input(_on_one_line(c.note) if c else "", id="note"))

    def action_save(self) -> None:
        code = self.query_one("#code", Input).value  # as typed: the rules say what is wrong with it
        others = [o.strip() for o in self.text("others").split(",") if o.strip()]
        note = self.text("note")
        if self.client is not None and note == _on_one_line(self.client.note).strip():
            note = self.client.note  # not edited: kept as stored, its lines too
        store = self.app.session.store
        try:
            if self.client is None:
                client = create_client(store, code, note=note, others=others, by=self.app.settings.user_name)
            else:
                client = self.client
                rename_client(store, client, code)
                client.significant_others = others
                client.note = note
                store.put_client(client)
        except ValueError as exc:
            self.refuse("code", str(exc))
            return
        except OSError as exc:
            self.show_error("code", f"Could not save: {exc.strerror}. Try again.")
            return
        self.dismiss(client)


def _on_one_line(note: str) -> str:
    """A note of several lines (an import, or a team conflict's two texts kept by an
    older cope-tui) in the one-line field: the field showed its lines run together
    ("edited by Bedited by A"), so they are shown, and saved once edited, as " / "."""
    return " / ".join(line.strip() for line in note.splitlines() if line.strip()) if "\n" in note else note
