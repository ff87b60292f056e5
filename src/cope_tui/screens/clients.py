"""Home: the client list, searched as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label

if TYPE_CHECKING:
    from ..models import Client
    from ..summary import ClientSummary

# Rows added before the first paint; the rest follow right after it.
FIRST_ROWS = 25


class ClientsScreen(Screen[None]):
    TITLE = "Clients"
    BINDINGS = [
        Binding("ctrl+n", "new_client", "New client", id="clients.new"),
        Binding("slash", "search", "Search", id="clients.search", show=False),
        Binding("ctrl+l", "search", "Search", id="clients.search_alt"),
        Binding("escape", "clear_search", "Clear", show=False, id="clients.clear"),
        Binding("f3", "exercises", "Exercises", id="clients.exercises"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search clients (type to filter; ↓ to the list)", id="client-search")
        yield Label("", id="client-empty", classes="hint")
        yield DataTable(id="client-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Clients"
        table = self.query_one(DataTable)
        table.add_column("Client", key="code", width=28)
        table.add_column("Meetings", key="n", width=8)
        table.add_column("Last meeting", key="last", width=16)
        table.add_column("", key="open", width=14)
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_clients()  # also the first fill: a pushed screen is resumed once

    @property
    def store(self):
        return self.app.session.store

    def refresh_clients(self) -> None:
        table = self.query_one(DataTable)
        term = self.query_one("#client-search", Input).value.strip().casefold()
        keep = table.cursor_row
        table.clear()
        rows = [c for c in self.store.client_summaries() if c.matches(term)]
        self._add_rows(rows[:FIRST_ROWS])
        if len(rows) > FIRST_ROWS:
            # A long list: a screenful now; the rest once that frame is out, so adding
            # a thousand rows never delays the first paint.
            self.set_timer(0.15, lambda: self._add_rows(rows[FIRST_ROWS:]))
        if keep is not None and rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        hint = self.query_one("#client-empty", Label)
        if rows:
            hint.update("")
        elif term:
            hint.update(f"No client matches '{term}'. Press ctrl+n to add one, esc to clear the search.")
        else:
            hint.update("No clients yet. Press ctrl+n to add the first one.")

    def _add_rows(self, rows: list[ClientSummary]) -> None:
        """Cells are built only for rows being added: a screenful before the first paint."""
        table = self.query_one(DataTable)
        for c in rows:
            last = c.last[:16].replace("T", " ") if c.last else "-"
            table.add_row(
                Text(c.code), Text(str(c.meetings)), Text(last), Text("draft open" if c.draft else ""), key=c.id
            )

    @on(Input.Changed, "#client-search")
    def _search_changed(self) -> None:
        self.refresh_clients()

    @on(Input.Submitted, "#client-search")
    def _search_submitted(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.focus()

    def on_key(self, event) -> None:
        search = self.query_one("#client-search", Input)
        if event.key == "down" and search.has_focus:
            self.query_one(DataTable).focus()
            event.stop()

    def action_search(self) -> None:
        self.query_one("#client-search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#client-search", Input)
        search.value = ""
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected, "#client-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        client = self.store.client(str(event.row_key.value))
        if client is not None:
            self.open_client(client)

    def open_client(self, client: Client) -> None:
        from .client import ClientScreen

        self.app.push_screen(ClientScreen(client.id))

    def action_exercises(self) -> None:
        """The second area: COPE exercises at sites (F3 there comes back here)."""
        from .exercises import ExercisesScreen

        self.app.push_screen(ExercisesScreen())

    def action_new_client(self) -> None:
        from .client_form import ClientForm

        if self.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return

        def created(client: Client | None) -> None:
            if client is not None:
                self.refresh_clients()
                self.open_client(client)

        self.app.push_screen(ClientForm(), created)

    def meet(self, code: str) -> None:
        """Open straight into a new meeting with this client (created if absent)."""
        from ..errors import ContentError
        from ..meetings import create_client, start_meeting
        from ..models import MeetingMode, check_code
        from .meeting import MeetingScreen

        session = self.app.session
        try:
            code = check_code(code)
            client = session.store.client_by_code(code) or create_client(session.store, code)
            meeting = start_meeting(session.store, session.guide, client, mode=MeetingMode.IN_PERSON)
        except (ValueError, OSError, ContentError) as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.refresh_clients()
        self.open_client(client)
        self.app.push_screen(MeetingScreen(meeting.id))
