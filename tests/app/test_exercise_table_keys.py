"""Keys in the exercise panels. `home` and `end` go to the first and last row of every
table, as in every other list of the app (they moved sideways, so did nothing, in the
guides' questions, the teams, the action plan and the culture checklist); enter on a
date that is not one stays in the field."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable

from cope_tui.cope.exercise import Problem, Team, new_exercise
from cope_tui.widgets.exercise.culture import CulturePanel
from cope_tui.widgets.exercise.guides import GuidesPanel, OverviewPanel
from cope_tui.widgets.exercise.plan import PlanPanel
from helpers.panels import PanelApp


def filled():
    ex = new_exercise("Site", date(2026, 3, 2))
    ex.teams.extend(Team(name=f"Team {n}") for n in range(1, 6))
    ex.problems.extend(Problem(text=f"Problem {n}") for n in range(1, 8))
    return ex


@pytest.mark.parametrize("panel", [GuidesPanel, OverviewPanel, PlanPanel, CulturePanel])
async def test_home_and_end_go_to_the_first_and_last_row(panel) -> None:
    app = PanelApp(panel, filled())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.focused
        assert isinstance(table, DataTable) and table.row_count > 3
        await pilot.press("down")
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_enter_on_a_date_that_is_not_one_keeps_the_cursor_there() -> None:
    """Enter on 'By when 2026-13-40' moved on to the priority choice under the error, and
    the corrected date typed next went nowhere."""
    from datetime import timedelta

    from cope_tui.dialogs.problem_form import ProblemForm

    ex = new_exercise("Site", date(2026, 3, 2))
    app = PanelApp(PlanPanel, ex)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ProblemForm)
        await pilot.press(*"No sign", "enter", "enter", "enter", "enter", *"2026-13-40", "enter")
        await pilot.pause()
        assert app.focused is form.widget("by_when")
        assert form.error_shown("by_when")
        await pilot.press("ctrl+u", *"+7", "enter")
        await pilot.pause()
        assert app.focused is not form.widget("by_when")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [p.by_when for p in ex.problems] == [date.today() + timedelta(days=7)]
