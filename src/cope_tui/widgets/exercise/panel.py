"""What every section of the exercise screen is: a panel over one Exercise.

A panel edits the exercise it is given in place and posts `ExerciseChanged`; the
exercise screen saves it through the session (off the UI thread). Panels never
touch the store.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import Vertical
from textual.message import Message

from ...cope.exercise import Exercise, ExerciseError, Problem
from ...dialogs.parts import clip


class ExerciseChanged(Message):
    """A panel changed the exercise; the screen queues a save."""


class ExercisePanel(Vertical):
    """Base of the exercise screen's sections. Subclasses set TITLE and compose freely."""

    TITLE = ""
    DEFAULT_CSS = """
    ExercisePanel { height: 1fr; padding: 0 1; }
    """

    def __init__(self, exercise: Exercise, *, read_only: bool = False, id: str | None = None):
        super().__init__(id=id)
        self.exercise = exercise
        self.read_only = read_only

    def changed(self) -> None:
        self.post_message(ExerciseChanged())

    def show_exercise(self, exercise: Exercise) -> None:
        """A sync merged the team's answers into this exercise (the screen took them): the
        panel edits the new copy from now on, as an edit to the old one would be saved
        nowhere, and redraws with its cursors where they were."""
        self.exercise = exercise
        if self.is_mounted:
            self.redraw()

    def redraw(self) -> None:
        """Draw again from `self.exercise`, keeping the cursors; each section says how."""
        raise NotImplementedError

    def refuse_if_read_only(self) -> bool:
        """True (and a notice) when nothing may change."""
        if self.read_only:
            self.notify("The database is open read-only.", severity="warning")
        return self.read_only

    def add_to_plan(self, raise_it: Callable[[], Problem]) -> Problem | None:
        """Raise a problem (a flagged answer, a missing record item) into the action plan
        and say what came of it: the new problem, or None when it was refused (the reason
        is shown) or was in the plan already. The caller then saves and redraws."""
        before = len(self.exercise.problems)
        try:
            problem = raise_it()
        except ExerciseError as exc:
            self.notify(str(exc), severity="warning")
            return None
        if len(self.exercise.problems) == before:
            self.notify("Already in the action plan.")
            return None
        self.notify(f"Added to the action plan: {clip(problem.text, 120)}")
        return problem
