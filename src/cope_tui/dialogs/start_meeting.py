"""Before a meeting starts: how it is held and who else is there."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..meetings.models import Client, MeetingMode
from .base import Dialog
from .parts import COMMA_LIST
from .key_names import with_keys


class StartMeeting(Dialog[tuple[MeetingMode, list[str]] | None]):
    SAVE_HINT = "to start the meeting"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="start.cancel"),
        Binding("ctrl+s", "start", "Start", id="start.go", priority=True),
    ]

    def __init__(self, client: Client, *, first: bool):
        super().__init__()
        self.client = client
        self.first = first

    def compose(self) -> ComposeResult:
        kind = "First meeting" if self.first else "Review meeting"
        with Vertical(classes="dialog"):
            yield Label(f"{kind} with {self.client.code}", classes="dialog-title")
            yield Label("How is it held? (↑/↓ to choose, tab to the next field)")
            yield OptionList(
                *[Option(m.value.capitalize(), id=m.value) for m in MeetingMode],
                id="mode", name="How it is held", classes="choice",  # kept beside typed words (dialogs/base.py)
            )
            yield Label("Who else is present? (comma-separated; blank if nobody)")
            others = ", ".join(self.client.significant_others)
            yield Input(id="present", placeholder=f"e.g. {others}" if others else "e.g. partner", classes=COMMA_LIST)
            yield Static(with_keys(self, "enter or {start.go|ctrl+s} start · esc cancel"), classes="hint")

    def on_mount(self) -> None:
        modes = self.query_one("#mode", OptionList)
        modes.highlighted = 0
        modes.focus()

    @on(OptionList.OptionSelected, "#mode")
    def _mode_chosen(self) -> None:
        self.action_start()

    @on(Input.Submitted, "#present")
    def _submitted(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        modes = self.query_one("#mode", OptionList)
        index = modes.highlighted or 0
        mode = MeetingMode(modes.get_option_at_index(index).id)
        present = [p.strip() for p in self.query_one("#present", Input).value.split(",") if p.strip()]
        self.dismiss((mode, present))
