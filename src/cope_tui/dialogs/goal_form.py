"""Add or edit one case-plan goal: its wording, its kind and its benefit indicators."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Select, TextArea

from ..meetings.case_plan import CasePlanError, add_goal, edit_goal
from ..meetings.models import Client, Goal
from .form import FormDialog
from .notes_area import NotesArea

KIND_CHOICES = [
    ("Change goal: a step towards the preferred scenario", "change"),
    ("Preferred scenario: where the client wants to get to", "preferred"),
]


class GoalForm(FormDialog[Goal | None]):
    """Changes the client in memory only when everything typed is valid; the caller saves.

    A refusal is shown under the field and the dialog stays open, so nothing typed is lost.
    """

    def __init__(self, client: Client, goal: Goal | None = None):
        super().__init__("Edit goal" if goal else "New goal")
        self.client, self.goal = client, goal

    def fields(self) -> ComposeResult:
        goal = self.goal
        yield from self.field(
            "text",
            "Goal",
            self.text_input(goal.text if goal else "", "in the client's words", id="goal-text"),
            help="e.g. Sleeping through most nights",
        )
        yield from self.field(
            "kind",
            "Kind",
            Select(KIND_CHOICES, allow_blank=False, value=goal.kind if goal else "change", compact=True, id="goal-kind"),
        )
        yield from self.field(
            "indicators",
            "Indicators",
            NotesArea("\n".join(goal.indicators) if goal else "", id="goal-indicators", soft_wrap=True, tab_behavior="focus"),
            help="Benefit indicators: how the client will know it helps; one a line.",
        )

    def _apply(self) -> Goal:
        """Put what is typed into the client; a new goal is added once, then edited."""
        text = self.query_one("#goal-text", Input).value
        kind = self.choice("kind")
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
        session.save_client(self.client, at_once=True)
        self.let_kept_go()

    def action_save(self) -> None:
        try:
            goal = self._apply()
        except CasePlanError as exc:
            self.refuse("text", str(exc))
            return
        self.dismiss(goal)
