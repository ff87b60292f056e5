"""COPE's added parts in the exercise panels, by keyboard at 80x24: what quality means here
(overview), who was interviewed, outside help and the next exercise (action plan), and the
culture view's word on change from inside."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import DataTable, Static

from cope_tui.app import create_app
from cope_tui.content.cope_guides import load_culture
from cope_tui.cope.exercise import Exercise, new_exercise, raise_problem
from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.screens.exercises import ExercisesScreen
from cope_tui.session import Session
from cope_tui.widgets.exercise.culture import CulturePanel
from cope_tui.widgets.exercise.guides import OverviewPanel
from cope_tui.widgets.exercise.interviews import InterviewsPanel
from cope_tui.widgets.exercise.plan import PlanPanel
from helpers.panels import PanelApp

SIZE = (80, 24)
START = date.today() - timedelta(days=20)


def exercise() -> Exercise:
    return new_exercise("Riverside", START)


def text_of(app, selector: str) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(selector))


async def test_q_records_what_quality_means_here():
    ex = exercise()
    app = PanelApp(OverviewPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "q" in text_of(app, "#overview-facts") and "Quality here" in text_of(app, "#overview-facts")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"Nobody waits without knowing why", "enter")
        await pilot.pause()
        assert ex.quality == "Nobody waits without knowing why" and app.changes == 1
        assert "Nobody waits without knowing why" in text_of(app, "#overview-facts")


async def test_w_says_who_was_interviewed():
    ex = exercise()
    app = PanelApp(InterviewsPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert ex.interviews[0].interviewee == "client"
        await pilot.press("w")
        await pilot.pause()
        assert ex.interviews[0].interviewee == "non-user"
        await pilot.press("w", "w", "w")
        await pilot.pause()
        assert ex.interviews[0].interviewee == "client"  # round the four kinds
        await pilot.press("w", "w")
        await pilot.pause()
        row = [str(c) for c in app.query_one("#interview-list", DataTable).get_row_at(0)]
        assert row[-1] == "community member"
        assert ex.interviews[0].interviewee == "community member"


async def test_h_marks_outside_help_and_d_sets_the_next_exercise():
    ex = exercise()
    raise_problem(ex, "manual", "No running water in the clinic")
    app = PanelApp(PlanPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert ex.problems[0].outside_help is True
        assert "needs outside help" in text_of(app, "#plan-detail")
        assert "outside help 1" in text_of(app, "#plan-summary")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"1999-01-01", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt) and "cannot be before" in text_of(app, "#prompt-error")
        await pilot.press(*("backspace" for _ in "1999-01-01"), *"+90", "enter")
        await pilot.pause()
        assert ex.next_exercise == date.today() + timedelta(days=90)
        assert f"next exercise {ex.next_exercise:%Y-%m-%d}" in text_of(app, "#plan-summary")
        await pilot.press("h")
        await pilot.pause()
        assert ex.problems[0].outside_help is False


async def test_the_culture_view_opens_on_change_from_inside():
    app = PanelApp(CulturePanel, exercise())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = " ".join(text_of(app, "#culture-change").split())
        assert load_culture().change in shown


async def test_the_exercises_list_shows_the_next_exercise(tmp_path):
    session = Session.open(tmp_path / "db.json")
    ex = exercise()
    ex.next_exercise = START + timedelta(days=180)
    session.store.put_exercise(ex)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, ExercisesScreen)
        row = [str(c) for c in app.screen.query_one(DataTable).get_row_at(0)]
        assert f"{ex.next_exercise:%Y-%m-%d}" in row and row[0] == "Riverside"
        await pilot.press("ctrl+q")
    session.close()
