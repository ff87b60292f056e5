"""Issue 13, point 6: in client interviews each key answers once and moves on.

Typing `y n y` set question 2 three times (the cursor stayed), and after an open
question's answer the cursor stayed too, so the next y/n/s gave three warnings. The
self-assessment already moves on after an answer; interviews now do the same.
"""

from __future__ import annotations

from datetime import date

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer

from cope_tui.cope.exercise import Exercise, new_exercise
from cope_tui.widgets.exercise.interviews import InterviewsPanel

SIZE = (80, 24)


class PanelApp(App[None]):
    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self.exercise = exercise

    def compose(self) -> ComposeResult:
        yield InterviewsPanel(self.exercise, id="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query(DataTable).first().focus()


def answers(exercise: Exercise) -> dict[str, str | None]:
    return {qid: a.value for qid, a in exercise.interviews[0].answers.items()}


async def test_y_n_y_answers_three_questions_after_the_open_one():
    ex = new_exercise("Site", date(2026, 3, 2))
    app = PanelApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # a new interview; its questions have the keyboard
        await pilot.pause()
        await pilot.press("c")  # question 1 is open: the client's own words
        await pilot.pause()
        await pilot.press(*"Kind staff", "enter")
        await pilot.pause()
        assert ex.interviews[0].answers["q01"].comment == "Kind staff"
        await pilot.press("y", "n", "y")
        await pilot.pause()
        assert answers(ex) == {"q01": None, "q02": "yes", "q03": "no", "q04": "yes"}
        assert app.query_one("#interview-questions", DataTable).cursor_row == 4
