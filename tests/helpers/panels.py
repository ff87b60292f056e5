"""One exercise panel mounted alone, as the exercise screen would mount it, for Pilot tests."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer

from cope_tui.cope.exercise import Exercise
from cope_tui.widgets.exercise.panel import ExercisePanel


class PanelApp(App[None]):
    """Mounts `panel_class` over `exercise`, counts its saves and keeps what it says."""

    def __init__(self, panel_class: type[ExercisePanel], exercise: Exercise, *, read_only: bool = False) -> None:
        super().__init__()
        self.panel_class = panel_class
        self.exercise = exercise
        self.read_only = read_only
        self.changes = 0
        self.messages: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.panel_class(self.exercise, read_only=self.read_only, id="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query(DataTable).first().focus()

    def on_exercise_changed(self) -> None:
        self.changes += 1

    def notify(self, message: str, **kwargs) -> None:  # type: ignore[override]
        self.messages.append(str(message))
        super().notify(message, **kwargs)
