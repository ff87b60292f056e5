"""One client: who they are, their meetings, and starting or resuming one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ..meetings import start_meeting
from ..models import Client, Meeting


class ClientScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+n", "start_meeting", "Start meeting", id="client.meet"),
        Binding("enter", "open_meeting", "Open meeting", show=False, id="client.open"),
        Binding("e", "edit", "Edit client", id="client.edit"),
        Binding("ctrl+r", "export", "Export", id="client.export"),
        Binding("escape", "back", "Back", id="client.back"),
    ]

    def __init__(self, client_id: str):
        super().__init__(classes="sensitive-screen")
        self.client_id = client_id

    @property
    def session(self):
        return self.app.session

    @property
    def client(self) -> Client:
        client = self.session.store.client(self.client_id)
        assert client is not None
        return client

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="client-card", classes="card sensitive")
        yield DataTable(id="meeting-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="meeting-hint", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Date", key="date", width=16)
        table.add_column("Kind", key="kind", width=7)
        table.add_column("Mode", key="mode", width=9)
        table.add_column("Steps done", key="steps", width=10)
        table.add_column("Status", key="status", width=14)
        self.refresh_view()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        client = self.client
        self.title = f"Client {client.code}"
        others = ", ".join(client.significant_others) or "none recorded"
        lines = [f"[b]{_escape(client.code)}[/b]   significant others: {_escape(others)}"]
        if client.note:
            lines.append(_escape(client.note))
        self.query_one("#client-card", Static).update("\n".join(lines))
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        meetings = self.session.store.meetings(client.id)
        total = len(self.session.guide.steps_for(True))
        for meeting in reversed(meetings):
            steps = self.session.guide.steps_for(meeting.kind == "first")
            done = sum(1 for s in steps if meeting.peek(s.id).state != "pending")
            total = len(steps)
            status = f"final ({meeting.finalised_by})" if meeting.finalised else "draft: resume"
            table.add_row(
                meeting.started.strftime("%Y-%m-%d %H:%M"),
                meeting.kind.value,
                meeting.mode.value,
                f"{done}/{total}",
                status,
                key=meeting.id,
            )
        if meetings and keep is not None:
            table.move_cursor(row=min(keep, len(meetings) - 1))
        hint = "ctrl+n starts a meeting." if not meetings else "enter opens the highlighted meeting; drafts resume where they stopped."
        self.query_one("#meeting-hint", Static).update(hint)

    def _selected(self) -> Meeting | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return self.session.store.meeting(str(key.value))

    @on(DataTable.RowSelected, "#meeting-table")
    def _row_selected(self) -> None:
        self.action_open_meeting()

    def action_open_meeting(self) -> None:
        from .meeting import MeetingScreen

        meeting = self._selected()
        if meeting is not None:
            self.app.push_screen(MeetingScreen(meeting.id))

    def action_start_meeting(self) -> None:
        from .start_meeting import StartMeeting

        if self.session.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return
        client = self.client
        first = not self.session.store.meetings(client.id)

        def chosen(choice) -> None:
            if choice is None:
                return
            from .meeting import MeetingScreen

            mode, present = choice
            try:
                meeting = start_meeting(self.session.store, self.session.guide, client, mode=mode, present=present)
            except OSError as exc:
                self.notify(f"Could not start the meeting: {exc.strerror}.", severity="error")
                return
            self.app.push_screen(MeetingScreen(meeting.id))

        self.app.push_screen(StartMeeting(client, first=first), chosen)

    def action_edit(self) -> None:
        from .client_form import ClientForm

        if self.session.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return
        self.app.push_screen(ClientForm(self.client), lambda _: self.refresh_view())

    def action_export(self) -> None:
        from .export_preview import ExportPreview

        self.app.push_screen(ExportPreview(client_id=self.client_id))

    def action_back(self) -> None:
        self.dismiss()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
