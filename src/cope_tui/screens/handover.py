"""Stage 6: the handover, written as you go, then closing the client."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Label, Static, TextArea

from ..meetings.models import Client
from ..meetings.stages import SECTIONS, StageError, close_client, handover_missing, write_handover
from ..dialogs.notes_area import NotesArea
from ..widgets.navigation import ShowExport
from ..dialogs.key_names import with_keys

HINTS = {
    "journey": "From the first meeting to now: the stages, the turning points.",
    "learned": "What the client (and you) learned that will last.",
    "effect": "The difference the work made, in the client's view and yours.",
    "challenges": "What lies ahead, and who will help with it.",
    "referrals": "Services that stay in place and how to reach them (the export adds the latest list).",
    "reflection": "Your own look back: what you would do differently, what training would help.",
}


class HandoverScreen(Screen[None]):
    DEFAULT_CSS = """
    HandoverScreen #handover-status { height: auto; padding: 0 1; border-bottom: solid $primary; }
    HandoverScreen #handover-body { height: 1fr; padding: 0 1; }
    HandoverScreen .handover-label { text-style: bold; height: 1; margin-top: 1; }
    HandoverScreen TextArea { height: 5; }
    """

    BINDINGS = [
        Binding("ctrl+f", "close_client", "Close client", id="handover.close"),
        Binding("f9", "close_client", "Close client", show=False, id="handover.close_alt"),
        Binding("ctrl+r", "export", "Preview", id="handover.export"),
        Binding("escape", "back", "Back", id="handover.back"),
    ]

    def __init__(self, client_id: str):
        super().__init__(classes="sensitive-screen")
        self.client_id = client_id
        self.client: Client | None = None

    @property
    def session(self):
        return self.app.session

    @property
    def read_only(self) -> bool:
        return self.client is None or self.client.closed or self.session.store.read_only

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="handover-status")
        with VerticalScroll(id="handover-body"):
            for key, title in SECTIONS:
                yield Label(f"{escape(title)}  [dim]{escape(HINTS[key])}[/dim]", classes="handover-label")
                yield NotesArea(id=f"handover-{key}", soft_wrap=True, tab_behavior="focus", classes="sensitive")
        yield Footer()

    def on_mount(self) -> None:
        if self._load():
            self.query_one(f"#handover-{SECTIONS[0][0]}", TextArea).focus()

    def _load(self) -> bool:
        self.session.flush()  # the record as last typed anywhere, before it is shown and edited
        self.client = self.session.store.client(self.client_id)
        if self.client is None:
            self.notify("That client no longer exists.", severity="error")
            self.dismiss()
            return False
        handover = self.client.handover
        for key, _ in SECTIONS:
            area = self.query_one(f"#handover-{key}", TextArea)
            text = getattr(handover, key) if handover else ""
            if area.text != text:  # unchanged: the cursor stays where the user left it
                area.load_text(text)
        self._show_state()
        return True

    def on_screen_suspend(self) -> None:
        # A full screen on top (search, the palette's "Open client") can change this client,
        # even close or reopen it; each keystroke here saves the whole copy held here.
        self._stale = not isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        if getattr(self, "_stale", False):
            self._stale = False
            self._load()

    def _show_state(self) -> None:
        client = self.client
        assert client is not None
        self.title = f"Handover · {client.code}"
        for area in self.query(TextArea):
            area.read_only = self.read_only
        if client.closed:
            status = (
                f"[b]CLOSED[/b] on {client.closed_at:%Y-%m-%d %H:%M}: read-only. "
                "Reopen from the client screen (o) with a reason to change it."
            )
        elif self.session.store.read_only:
            status = "The database is open read-only."
        else:
            missing = handover_missing(client)
            todo = f"Still empty: {escape(', '.join(missing))}." if missing else "All sections written."
            status = f"Saved as you type. {todo} " + with_keys(self, "{handover.close|ctrl+f} closes the client when it is done.")
        self.query_one("#handover-status", Static).update(status)
        self.refresh_bindings()

    @on(TextArea.Changed)
    def _typed(self, event: TextArea.Changed) -> None:
        client = self.client
        key = (event.text_area.id or "").removeprefix("handover-")
        if client is None or self.read_only or not key:
            return
        current = getattr(client.handover, key, "") if client.handover else ""
        text = event.text_area.text  # read once: it is the whole section, joined
        if current == text:
            return  # loading the text, not typing it
        missing = handover_missing(client)
        try:
            write_handover(client, **{key: text})
        except StageError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.session.save_client(client)
        if handover_missing(client) != missing:
            self._show_state()  # the "still empty" list follows the typing

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_client":  # hidden where it cannot act: shown dimmed, it said nothing
            return not self.read_only
        return True

    def action_close_client(self) -> None:
        from ..dialogs.confirm import Confirm

        client = self.client
        if client is None or self.read_only:
            return
        missing = handover_missing(client)
        if missing:
            self.notify(f"Write the handover first; still empty: {', '.join(missing)}.", severity="warning", timeout=8)
            return
        try:  # a draft meeting blocks it: say so now, not after "are you sure?"
            close_client(client.model_copy(deep=True), self.session.store.meetings(client.id))
        except StageError as exc:
            self.notify(str(exc), severity="warning", timeout=8)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._close()

        self.app.push_screen(
            Confirm(
                f"Close {client.code}? The record becomes read-only: no meetings, no edits. "
                "It can be reopened later, with a reason.",
                title="Close client",
            ),
            answered,
        )

    def _close(self) -> None:
        self.session.flush()
        client = self.client
        assert client is not None
        trial = client.model_copy(deep=True)
        try:
            close_client(trial, self.session.store.meetings(client.id))
            self.session.store.put_client(trial)
        except StageError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        except OSError as exc:
            self.notify(f"Could not close the client: {exc.strerror}. Nothing was changed.", severity="error")
            return
        self.client = trial
        self._show_state()
        self.notify(f"{trial.code} is closed. " + with_keys(self, "{handover.export|ctrl+r} previews the handover document."))

    def action_export(self) -> None:
        self.session.flush()
        self.post_message(ShowExport(client_id=self.client_id, handover=True))

    def action_back(self) -> None:
        self.session.flush()  # the client screen rereads the record: let it see every word
        self.dismiss()
