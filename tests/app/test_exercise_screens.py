"""COPE exercises in the real app at 80x24, keyboard only, checked against the saved file."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from cope_tui.app import create_app
from cope_tui.cope.exercise import new_exercise, set_answer
from cope_tui.screens.clients import ClientsScreen
from cope_tui.dialogs.confirm import Confirm
from cope_tui.screens.exercise import SECTIONS, ExerciseReport, ExerciseScreen
from cope_tui.dialogs.exercise_form import CommentDialog, ExerciseForm, GuidePicker, TeamForm, parse_teams
from cope_tui.screens.exercises import ExercisesScreen
from cope_tui.session import Session
from cope_tui.store.store import Store
from cope_tui.widgets.exercise.guides import GuidesPanel, OverviewPanel, QuestionTable, TeamTable

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "db.json"


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_create_answer_flag_and_team_keyboard_only(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ClientsScreen)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, ExercisesScreen) and app.screen.title == "COPE exercises"
        assert "No COPE exercises yet" in str(app.screen.query_one("#exercise-empty").render())

        # New exercise; a bad date is refused at its field, with the reason.
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ExerciseForm)
        await pilot.press(*"Mbale HC", "enter")
        await pilot.press(*"bad", "enter")
        await settle(pilot)
        assert "'bad' is not a date" in text_of(form, "#date-error")
        assert app.focused.id == "start"
        await pilot.press("ctrl+s")  # saving is refused too
        await settle(pilot)
        assert app.screen is form and session.store.exercises() == []
        await pilot.press("ctrl+u", *"2026-03-02", "enter")
        await settle(pilot)
        assert not form.query_one("#date-error").display
        assert app.focused.id == "end"
        await pilot.press("enter", *"Ann", "enter")
        assert app.focused.id == "teams"
        await pilot.press(*"Outpatients: Bo, Cy")
        await pilot.press("ctrl+s")
        await settle(pilot)

        # Saved, and opened at the overview.
        [stored] = session.store.exercises()
        assert (stored.site, stored.start, stored.facilitator) == ("Mbale HC", date(2026, 3, 2), "Ann")
        assert [(t.name, t.members) for t in stored.teams] == [("Outpatients", ["Bo", "Cy"])]
        assert isinstance(app.screen, ExerciseScreen)
        assert app.screen.title == "Mbale HC · 2026-03-02"

        # Back to the list: one row; enter opens it again.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExercisesScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)] == ["Mbale HC", "2026-03-02", "first", "0/10", "0/0", "-", "-"]
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExerciseScreen)
        assert isinstance(screen.query_one(".exercise-section"), OverviewPanel)
        assert isinstance(app.focused, TeamTable)

        # Overview: add a team, give it the first guide.
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, TeamForm)
        await pilot.press(*"Lab", "enter", *"Dee, Eve", "enter")
        await settle(pilot)
        assert [t.name for t in screen.exercise.teams] == ["Outpatients", "Lab"]
        assert app.focused.cursor_row == 1
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, GuidePicker)
        assert app.focused.id == "guide-picks"
        await pilot.press("space", "down", "enter", "enter", "down", "space", "space")  # 1 on, 2 on-off, 3 on-off
        assert str(app.focused.get_option_at_index(0).prompt).startswith("[x]  1. Information")
        assert str(app.focused.get_option_at_index(1).prompt).startswith("[ ]  2.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.exercise.teams[1].guides == ["information"]
        assert [str(c) for c in screen.query_one(TeamTable).get_row_at(1)][2:] == ["1", "0/10"]

        # Self-assessment: answer, comment, and raise the flagged answer as a problem.
        await pilot.press("ctrl+n")
        await settle(pilot)
        panel = screen.query_one(".exercise-section")
        assert isinstance(panel, GuidesPanel) and isinstance(app.focused, QuestionTable)
        await pilot.press("n", "y", "s")  # q01 no (flagged), q02 yes, q03 not sure
        await settle(pilot)
        assert app.focused.cursor_row == 3
        guide_list = panel.query_one("#guide-list", OptionList)
        assert str(guide_list.get_option_at_index(0).prompt).startswith(" 3/10 ⚑1")
        await pilot.press("up", "up", "up", "c")
        await settle(pilot)
        assert isinstance(app.screen, CommentDialog)
        await pilot.press(*"no sign at the gate", "enter")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert [p.source for p in screen.exercise.problems] == ["guide:information:q01"]
        assert "no sign at the gate" in screen.exercise.problems[0].text
        assert str(panel.query_one(QuestionTable).get_row_at(0)[3]) == "⚑✓"
        await pilot.press("down", "p")  # q02 'yes' points to no problem: refused
        await settle(pilot)
        assert len(screen.exercise.problems) == 1
        await pilot.press("ctrl+q")
    assert session.close()

    store = Store(db, read_only=True)
    [saved] = store.exercises()
    answers = {q: (a.value, a.comment) for q, a in saved.answers["information"].items()}
    assert answers == {"q01": ("no", "no sign at the gate"), "q02": ("yes", ""), "q03": ("not_sure", "")}
    assert [(t.name, t.guides) for t in saved.teams] == [("Outpatients", []), ("Lab", ["information"])]
    assert [p.source for p in saved.problems] == ["guide:information:q01"]
    store.close()


async def test_follow_up_carries_open_problem_and_teams(db):
    store = Store(db)
    first = new_exercise("Kasese", date(2025, 9, 1), facilitator="Ann", teams=parse_teams("Ward: Bo"))
    first.teams[0].guides = ["access"]
    set_answer(first, "information", "q01", "no")
    from cope_tui.cope.exercise import problem_from_question, set_status

    problem_from_question(first, "information", "q01")
    kept = problem_from_question(first, "information", "q01")  # the same source: no duplicate
    assert len(first.problems) == 1
    set_answer(first, "information", "q02", "no")
    solved = problem_from_question(first, "information", "q02")
    set_status(solved, "done")
    store.put_exercise(first)
    store.close()

    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert [str(c) for c in app.screen.query_one(DataTable).get_row_at(0)][4] == "1/2"
        await pilot.press("f")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ExerciseForm)
        assert "1 open problem carried" in str(form.query_one(".dialog-title").render())
        assert form.query_one("#site", Input).value == "Kasese"
        await pilot.press("enter", "ctrl+u", *"2025-08-01", "ctrl+s")  # before the first: refused
        await settle(pilot)
        assert "cannot start before" in text_of(form, "#date-error")
        await pilot.press("ctrl+u", *"2026-03-02", "ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExerciseScreen) and screen.title.endswith("follow-up")
        follow = screen.exercise
        assert follow.follow_up_of == first.id
        assert [(p.carried_from, p.text) for p in follow.problems] == [(kept.id, kept.text)]
        assert [(t.name, t.guides) for t in follow.teams] == [("Ward", ["access"])]
        await pilot.press("escape")
        await settle(pilot)
        rows = [[str(c) for c in app.screen.query_one(DataTable).get_row_at(i)] for i in range(2)]
        assert rows[0][:3] == ["Kasese", "2026-03-02", "follow-up"] and rows[0][4] == "1/1"
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, ClientsScreen)
        await pilot.press("ctrl+q")
    assert session.close()
    store = Store(db, read_only=True)
    assert len(store.exercises()) == 2
    store.close()


async def test_sections_move_and_missing_ones_say_so(db, monkeypatch):
    store = Store(db)
    exercise = new_exercise("Gulu", date(2026, 1, 5))
    store.put_exercise(exercise)
    store.close()

    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ExerciseScreen(exercise.id))
        await settle(pilot)
        screen = app.screen
        for sid, _title, panel in SECTIONS[1:]:
            await pilot.press("f8")
            await settle(pilot)
            assert screen.section == sid
            shown = screen.query_one(".exercise-section")
            if panel is None:
                assert "ctrl+r" in str(shown.render())
            else:
                assert isinstance(shown, panel)
        await pilot.press("f8")  # past the last: stays
        await settle(pilot)
        assert screen.section == "report"
        await pilot.press("ctrl+o", "f5")
        await settle(pilot)
        assert screen.section == SECTIONS[-3][0]

        # The section list: enter opens the highlighted one.
        await pilot.press("ctrl+l", "home", "enter")
        await settle(pilot)
        assert screen.section == "overview"

        # ctrl+r previews the report; esc comes back.
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ExerciseReport)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen

        # Remove a team after confirming; escape on the table's dialog keeps it.
        screen.exercise.teams.extend(parse_teams("A: x\nB: y"))
        screen.query_one(OverviewPanel).refresh_view()
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.exercise.teams) == 2
        await pilot.press("x", "y")
        await settle(pilot)
        assert [t.name for t in screen.exercise.teams] == ["B"]

        # d edits the details; the title follows.
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ExerciseForm)
        await pilot.press(*"Gulu RRH", "enter", "enter", "enter", *"Bea", "enter")
        await settle(pilot)
        assert app.screen is screen and screen.title == "Gulu RRH · 2026-01-05"
        await pilot.press("ctrl+q")
    assert session.close()
    store = Store(db, read_only=True)
    saved = store.exercise(exercise.id)
    assert ([t.name for t in saved.teams], saved.site, saved.facilitator) == (["B"], "Gulu RRH", "Bea")
    store.close()


async def test_report_preview_when_this_build_has_it(db):
    pytest.importorskip("cope_tui.export.exercise")
    from cope_tui.screens.exercise import ExerciseReport

    store = Store(db)
    exercise = new_exercise("Lira", date(2026, 2, 1))
    store.put_exercise(exercise)
    store.close()
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ExerciseScreen(exercise.id))
        await settle(pilot)
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(app.screen, ExerciseReport) and "Lira" in app.screen.text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExerciseScreen)
        await pilot.press("ctrl+q")
    assert session.close()


def test_parse_teams_refuses_nameless_and_twice():
    from cope_tui.cope.exercise import ExerciseError

    assert [t.name for t in parse_teams("\nA: x, y\n\nB\n")] == ["A", "B"]
    with pytest.raises(ExerciseError, match="line 1"):
        parse_teams(": x")
    with pytest.raises(ExerciseError, match="twice"):
        parse_teams("A\na: z")
