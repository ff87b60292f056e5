"""Move a client to another helping stage, with the reason kept beside the date."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..meetings.models import STAGES, Client
from ..content.stages import StageGuide
from ..meetings.stages import StageError, change_stage
from .base import Dialog


# What to press next, for where the keyboard is: after `s 3` it is already in the reason,
# and a hint saying "tab to the reason" sent it back to the list, where the reason was lost.
PICK_HINT = "a number or enter picks the stage, then type the reason · esc cancel"
REASON_HINT = "type the reason · enter or {stage.save|ctrl+s} save · shift+tab the stage · esc cancel"


class StageForm(Dialog[Client | None]):
    """Pick a stage (↑/↓ or its number) and type why; dismisses with the saved client or None.

    The change is made on a copy and written at once, so a refusal or a failed write
    leaves the client exactly as it was and keeps what was typed on screen.
    """

    reopens = "stage"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="stage.cancel"),
        Binding("ctrl+s", "save", "Save", id="stage.save", priority=True),
    ]

    def __init__(self, client: Client, stages: StageGuide):
        super().__init__()
        self.client = client
        self.stages = stages

    def compose(self) -> ComposeResult:
        current = self.stages.stage(self.client.stage)
        with Vertical(classes="dialog"):
            yield Label(f"Helping stage of {escape(self.client.code)}", classes="dialog-title")
            yield Static(f"Now at {escape(current.label)}. Pick the new stage (↑/↓ or 1-{STAGES}):", classes="help")
            yield OptionList(
                *[Option(f"{s.number}  {escape(s.name)}", id=str(s.number)) for s in self.stages.stages],
                id="stage-list",
                name="New stage",
                classes="choice",  # kept beside a typed reason (dialogs/base.py)
            )
            yield Static("", id="stage-purpose")
            yield Label("Reason for the change (required; kept with today's date)")
            yield Input(id="stage-reason", placeholder="e.g. goals agreed at today's review", select_on_focus=False)
            yield Static("", id="stage-error", classes="error", markup=False)
            yield Static(PICK_HINT, id="stage-hint", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one("#stage-list", OptionList)
        options.highlighted = min(self.client.stage, STAGES - 1)  # the next stage: the usual move
        options.focus()

    @on(OptionList.OptionHighlighted, "#stage-list")
    def _show_purpose(self, event: OptionList.OptionHighlighted) -> None:
        stage = self.stages.stage(int(event.option.id or 1))
        self.query_one("#stage-purpose", Static).update(escape(stage.purpose))

    @on(OptionList.OptionSelected, "#stage-list")
    def _chosen(self) -> None:
        self.query_one("#stage-reason", Input).focus()

    HINT_ID = "stage-hint"

    def hint_here(self) -> str:
        return REASON_HINT if self.query_one("#stage-reason", Input).has_focus else PICK_HINT

    def on_key(self, event) -> None:
        options = self.query_one("#stage-list", OptionList)
        if not options.has_focus or not event.is_printable or not event.character:
            return
        reason = self.query_one("#stage-reason", Input)
        event.stop()
        if event.character.isdigit() and 1 <= int(event.character) <= STAGES:
            options.highlighted = int(event.character) - 1
        elif not event.character.isspace():  # the reason's first letter: into the reason, not lost
            reason.insert_text_at_cursor(event.character)
        reason.focus()

    @on(Input.Submitted, "#stage-reason")
    def _submitted(self) -> None:
        self.action_save()

    def _refuse(self, message: str) -> None:
        self.query_one("#stage-error", Static).update(message)

    def action_save(self) -> None:
        options = self.query_one("#stage-list", OptionList)
        number = (options.highlighted or 0) + 1
        reason = self.query_one("#stage-reason", Input)
        client = self.client.model_copy(deep=True)
        try:
            change_stage(client, number, reason.value)
        except StageError as exc:
            self._refuse(str(exc))
            (options if reason.value.strip() else reason).focus()
            return
        try:
            self.app.session.store.put_client(client)
        except OSError as exc:
            self._refuse(f"Could not save: {exc.strerror}. Try again.")
            return
        self.dismiss(client)
