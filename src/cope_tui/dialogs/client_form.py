"""Create or edit a client: code, significant others, note."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ..meetings.rules import create_client, rename_client
from ..meetings.models import Client
from .parts import focus_after


class ClientForm(ModalScreen[Client | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True),
    ]

    def __init__(self, client: Client | None = None):
        super().__init__()
        self.client = client

    def compose(self) -> ComposeResult:
        c = self.client
        with Vertical(classes="dialog"):
            yield Label("Edit client" if c else "New client", classes="dialog-title")
            yield Label("Name or code (use a code where names must not be stored)")
            yield Input(c.code if c else "", id="code", placeholder="e.g. C-0142")
            yield Static("", id="code-error", classes="error", markup=False)
            yield Label("Significant others (comma-separated roles or names)")
            yield Input(", ".join(c.significant_others) if c else "", id="others", placeholder="e.g. partner, sister")
            yield Label("Note")
            yield Input(c.note if c else "", id="note")
            yield Static("enter next · ctrl+s save · esc cancel", classes="hint")

    @on(Input.Changed, "#code")
    def _clear_error(self) -> None:
        self.query_one("#code-error", Static).update("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "note":
            self.action_save()
        else:
            focus_after(event.input)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        code = self.query_one("#code", Input).value
        others = [o.strip() for o in self.query_one("#others", Input).value.split(",") if o.strip()]
        note = self.query_one("#note", Input).value.strip()
        store = self.app.session.store
        try:
            if self.client is None:
                client = create_client(store, code, note=note, others=others)
            else:
                client = self.client
                rename_client(store, client, code)
                client.significant_others = others
                client.note = note
                store.put_client(client)
        except ValueError as exc:
            self.query_one("#code-error", Static).update(str(exc))
            self.query_one("#code", Input).focus()
            return
        except OSError as exc:
            self.query_one("#code-error", Static).update(f"Could not save: {exc.strerror}. Try again.")
            return
        self.dismiss(client)
