"""Preview a Markdown summary, then write it to a file of the user's choosing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from ..dialogs.write_file import WriteDialog
from ..paths import export_folder
from ..export.documents import client_markdown, file_name, meeting_markdown
from ..meetings.models import Meeting
from ..widgets.document_view import DocumentView


class ExportPreview(Screen[None]):
    BINDINGS = [
        Binding("w", "write", "Write file", id="export.write"),
        Binding("ctrl+s", "write", "Write file", show=False, id="export.write_alt"),
        Binding("escape", "back", "Back", id="export.back"),
    ]

    def __init__(
        self,
        *,
        client_id: str | None = None,
        meeting_id: str | None = None,
        meeting: Meeting | None = None,
        handover: bool = False,
    ):
        super().__init__(classes="sensitive-screen")
        self.handover = handover  # the client's handover document rather than their summary
        self.client_id = client_id
        self.meeting_id = meeting_id
        self.meeting = meeting
        self.text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DocumentView("_Building the summary…_", id="preview")  # links shown as text: none opens
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Export preview"
        self.query_one("#preview").focus()
        self._build()

    @work(thread=True, exclusive=True)
    def _build(self) -> None:
        session = self.app.session
        store, meeting_guide = session.store, session.meeting_guide
        if self.meeting_id is not None:
            meeting = self.meeting or store.meeting(self.meeting_id)
            client = store.client(meeting.client_id) if meeting else None
            text = meeting_markdown(meeting_guide, store, meeting) if meeting else "Meeting not found."
            name = f"{client.code if client else 'meeting'}-{meeting.started:%Y-%m-%d}" if meeting else "meeting"
        elif self.handover:
            from ..export.handover import handover_markdown

            client = store.client(self.client_id or "")
            text = handover_markdown(store, client, meeting_guide) if client else "Client not found."
            name = f"{client.code if client else 'client'}-handover-{date.today():%Y-%m-%d}"
        else:
            client = store.client(self.client_id or "")
            text = client_markdown(meeting_guide, store, client) if client else "Client not found."
            name = f"{client.code if client else 'client'}-{date.today():%Y-%m-%d}"
        self.app.call_from_thread(self._show, text, name)

    def _show(self, text: str, name: str) -> None:
        if not self.is_attached:  # esc before the summary was built: its widgets are gone
            return
        self.text = text
        self.default_name = file_name(name)
        self.query_one(DocumentView).show(text)

    def action_write(self) -> None:
        if not self.text:
            return

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Wrote {path} (readable by you only). It is plain text: keep it safe.")

        suggested = export_folder() / getattr(self, "default_name", "export.md")
        self.app.push_screen(WriteDialog(self.text, suggested, audit=self._audit), chosen)

    def _audit(self, path: Path) -> str | None:
        """The export goes into the DB's audit log: what, the file's name, the text's hash.
        Called in the dialog's writing worker; a warning when the log refused it."""
        from ..store.audit import log_export

        what = "meeting" if self.meeting_id else "handover" if getattr(self, "handover", False) else "client"
        client_id = self.meeting.client_id if self.meeting is not None else self.client_id
        return log_export(
            self.app.session.store, what=what, target=path.name, data=self.text, client_id=client_id,
            meeting_id=self.meeting_id,
        )

    def action_back(self) -> None:
        self.dismiss()
