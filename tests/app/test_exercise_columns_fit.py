"""Issue 13, point 5: at 80x24 the exercise tables keep what decides the next step.

The action plan lost its `By when` column off the right edge (its problem text never
went below 20 characters, whatever the width), and so did the culture-of-service
table; the culture stage's intro was cut after two lines; the plan's summary wrapped
its overdue count onto a line of its own. Each column that can be cut now gives way,
widest first, before a date is pushed out.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from cope_tui.app import create_app
from cope_tui.screens.exercise import ExerciseScreen
from cope_tui.session import Session
from cope_tui.settings import Settings
from helpers.snapshot_db import frozen_clock, write_snapshot_db
from helpers.snapshots import SMALL, records, show


@pytest.fixture
def app(tmp_path):
    with frozen_clock():
        session = Session.open(write_snapshot_db(tmp_path / "cope.json"), lazy=False)
        try:
            yield create_app(session, settings=Settings(idle_minutes=0))
        finally:
            session.close()


def _fits_through(table: DataTable, last: str) -> None:
    """Every column up to `last` lies inside the table's visible width."""
    used = 0
    for key, column in table.columns.items():
        used += column.get_render_width(table)
        if key.value == last:
            break
    assert used <= table.scrollable_content_region.width, (used, table.scrollable_content_region.width)


def _dates(table: DataTable) -> list[str]:
    return [str(table.get_cell(row, "when")) for row in table.rows]


@pytest.mark.parametrize(("section", "keys", "table_id"), [
    ("plan", (), "#plan-table"), ("plan", ("c",), "#plan-table"), ("culture", (), "#culture-table"),
])
async def test_by_when_stays_on_screen_at_80_columns(app, section, keys, table_id):
    async with app.run_test(size=SMALL) as pilot:
        screen = await show(pilot, ExerciseScreen(records(app).follow_up.id, section=section))
        await pilot.press(*keys)
        await pilot.pause()
        table = screen.query_one(table_id, DataTable)
        _fits_through(table, "when")
        dates = [d for d in _dates(table) if d]
        assert dates and all(len(d) == 10 and "…" not in d for d in dates)


async def test_the_culture_intro_is_shown_whole(app):
    async with app.run_test(size=SMALL) as pilot:
        screen = await show(pilot, ExerciseScreen(records(app).follow_up.id, section="culture"))
        await pilot.pause()
        intro = screen.query_one("#culture-intro", Static)
        lines = intro.render().wrap(intro.content_size.width) if hasattr(intro.render(), "wrap") else None
        needed = len(lines) if lines is not None else None
        assert needed is not None and intro.content_size.height >= needed, (intro.content_size, needed)


async def test_the_plan_summary_keeps_the_overdue_count_on_its_line(app):
    async with app.run_test(size=SMALL) as pilot:
        screen = await show(pilot, ExerciseScreen(records(app).follow_up.id, section="plan"))
        await pilot.pause()
        summary = screen.query_one("#plan-summary", Static)
        lines = [str(line) for line in summary.render().wrap(summary.content_size.width)]
        overdue = next(line for line in lines if "overdue" in line)
        assert overdue.rstrip().split()[-1].isdigit() or "overdue 2" in overdue, lines
        assert not any(line.strip().isdigit() for line in lines), lines


async def test_the_interview_count_is_read_whole_at_80_columns(app):
    """'About ten interviews are usual: 10 so far. That is enough.' was cut to 'That is'."""
    async with app.run_test(size=SMALL) as pilot:
        screen = await show(pilot, ExerciseScreen(records(app).follow_up.id, section="interviews"))
        hint = screen.query_one("#interviews-hint", Static)
        while len(screen.exercise.interviews) < 10:
            await pilot.press("a")
            await pilot.pause()
        said = str(hint.render())
        assert "enough" in said and len(said) <= hint.content_region.width, (said, hint.content_region.width)


async def test_the_interview_list_shows_who_was_heard_whole(app):
    """"community member" was cut to "community membe" at the right edge: the Flagged
    column's header was wider than any of its cells."""
    async with app.run_test(size=SMALL) as pilot:
        screen = await show(pilot, ExerciseScreen(records(app).follow_up.id, section="interviews"))
        await pilot.pause()
        table = screen.query_one("#interview-list", DataTable)
        assert any(str(table.get_cell(row, "Who")) == "community member" for row in table.rows)
        _fits_through(table, "Who")


async def test_a_long_site_name_shows_whole_on_a_wide_terminal_and_the_row_stays_highlighted(tmp_path):
    """The site was at most 22 cells wide at any size: at 160 columns a long name was
    still cut. It takes up to what the other columns leave, and a resize keeps the row."""
    from datetime import date

    from cope_tui.cope.exercise import new_exercise
    from cope_tui.records import dump
    from cope_tui.screens.exercises import ExercisesScreen
    from helpers.pilot import showing
    from helpers.polling import until

    site = "Riverside community health centre, east wing"
    session = Session.open(tmp_path / "cope.json")
    for name, day in ((site, 1), ("Hilltop clinic", 2)):
        exercise = new_exercise(name, date(2026, 3, day))
        session.store.put("exercises", exercise.id, dump(exercise))
    app = create_app(session, settings=Settings(idle_minutes=0))

    def sites() -> list[str]:
        table = app.screen.query_one("#exercise-table", DataTable)
        return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await until(pilot, lambda: showing(app, ExercisesScreen) and len(sites()) == 2, 10, "the exercises")
        assert sites() == ["Hilltop clinic", "Riverside com…"]
        await pilot.press("down")
        await pilot.resize_terminal(160, 40)
        await until(pilot, lambda: sites()[1] == site, 10, "the site whole")
        assert app.screen.query_one("#exercise-table", DataTable).cursor_row == 1
        await pilot.press("ctrl+q")
    session.close()
