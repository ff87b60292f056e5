"""Add or edit one case-plan goal: its wording, its kind and its benefit indicators."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from ..meetings.case_plan import CasePlanError, add_goal, edit_goal
from ..meetings.models import Client, Goal
from .parts import focus_after
from .notes_area import NotesArea

KIND_CHOICES = [
    ("Change goal: a step towards the preferred scenario", "change"),
    ("Preferred scenario: where the client wants to get to", "preferred"),
]


class GoalForm(ModalScreen[Goal | None]):
    """Changes the client in memory only when everything typed is valid; the caller saves.

    A refusal is shown under the field and the dialog stays open, so nothing typed is lost.
    """

    DEFAULT_CSS = """
    GoalForm #goal-indicators { height: 6; }
    GoalForm #goal-error { height: auto; color: $error; text-style: bold; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="goal.save"),
        Binding("escape", "cancel", "Cancel", id="goal.cancel"),
    ]

    def __init__(self, client: Client, goal: Goal | None = None):
        super().__init__()
        self.client, self.goal = client, goal

    def compose(self) -> ComposeResult:
        goal = self.goal
        with Vertical(classes="dialog"):
            yield Label("Edit goal" if goal else "New goal", classes="dialog-title")
            yield Label("The goal, in the client's words")
            yield Input(goal.text if goal else "", id="goal-text", placeholder="e.g. Sleeping through most nights")
            yield Static("", id="goal-error", markup=False)
            yield Label("Kind")
            yield Select(KIND_CHOICES, allow_blank=False, value=goal.kind if goal else "change", id="goal-kind")
            yield Label("Benefit indicators: how the client will know it helps (one per line)")
            yield NotesArea(
                "\n".join(goal.indicators) if goal else "", id="goal-indicators", soft_wrap=True, tab_behavior="focus"
            )
            yield Static("enter next field · ctrl+s save · esc cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#goal-text", Input).focus()

    @on(Input.Changed, "#goal-text")
    def _clear_error(self) -> None:
        self.query_one("#goal-error", Static).update("")

    @on(Input.Submitted, "#goal-text")
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        focus_after(event.input)

    def _apply(self) -> Goal:
        """Put what is typed into the client; a new goal is added once, then edited."""
        text = self.query_one("#goal-text", Input).value
        kind = str(self.query_one("#goal-kind", Select).value)
        indicators = self.query_one("#goal-indicators", TextArea).text
        if self.goal is None:
            self.goal = add_goal(self.client, text, kind, indicators)
            return self.goal
        return edit_goal(self.client, self.goal.id, text=text, kind=kind, indicators=indicators)

    def capture(self) -> None:
        """The terminal is closing (or the app quitting) with the dialog open: keep what is typed,
        if it makes a valid goal, as if ctrl+s had been pressed."""
        session = getattr(self.app, "session", None)
        if session is None or session.store.read_only:
            return
        try:
            self._apply()
        except CasePlanError:
            return  # nothing valid to keep (no goal text yet); the client is unchanged
        session.save_client(self.client)

    def action_save(self) -> None:
        try:
            goal = self._apply()
        except CasePlanError as exc:
            self.query_one("#goal-error", Static).update(str(exc))
            self.query_one("#goal-text", Input).focus()
            return
        self.dismiss(goal)

    def action_cancel(self) -> None:
        self.dismiss(None)
