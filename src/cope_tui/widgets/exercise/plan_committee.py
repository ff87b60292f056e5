"""The committee's date for the next exercise, asked from the action plan at follow-up."""

from __future__ import annotations

from collections.abc import Callable

from ...cope.exercise import ExerciseError, set_next_exercise
from ...dialogs.parts import DATE_PLACEHOLDER
from ...dialogs.text_prompt import TextPrompt
from ...records import parse_date
from .panel import ExercisePanel


def ask_next_exercise(panel: ExercisePanel, done: Callable[[], None]) -> None:
    """Ask for the date (empty clears it); a refused date is explained in the dialog."""
    exercise = panel.exercise

    def refused(text: str) -> str | None:
        try:
            set_next_exercise(exercise.model_copy(), parse_date(text))
        except (ValueError, ExerciseError) as exc:
            return str(exc)
        return None

    def answered(text: str | None) -> None:
        if text is None:
            return
        day = parse_date(text) if text else None
        if day != exercise.next_exercise:
            set_next_exercise(exercise, day)
            done()

    current = exercise.next_exercise.isoformat() if exercise.next_exercise else ""
    panel.app.push_screen(
        TextPrompt(
            "Next exercise",
            f"When does the site hold its next COPE exercise? {DATE_PLACEHOLDER}; empty clears it.",
            current,
            check=refused,
        ),
        answered,
    )
