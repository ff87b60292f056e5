"""Issue 13, point 4: nothing typed is dropped by a form.

Keys are posted in one burst, as a terminal hands over fast typing (helpers.pilot.burst):
each must land where it would have landed typed one by one.
- Goal form: enter on the Kind choice opened its dropdown instead of moving on, and the
  indicator lines typed next were lost.
- Stage change: after `s 3` the reason field had the keyboard, but the hint said "tab to
  the reason"; tab went back to the list, where the reason typed was lost.
- Row editor: enter on a required choice (Needs: Party) opened it, and the detail was lost.
"""

from __future__ import annotations

import pytest
from textual.widgets import Static

from cope_tui.app import create_app
from cope_tui.dialogs.goal_form import GoalForm
from cope_tui.dialogs.stage_form import StageForm
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session, create_client
from helpers.pilot import burst, showing
from helpers.polling import until

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


async def client_screen(app, pilot) -> ClientScreen:
    await pilot.press("enter")
    await until(pilot, lambda: showing(app, ClientScreen), 10, "the client screen")
    return app.screen


async def test_goal_form_enter_on_the_kind_moves_on_and_keeps_the_indicators(db):
    session = Session.open(db)
    create_client(session.store, "C-1")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await client_screen(app, pilot)
        burst(app, "g", "n", *"Sleep through most nights", "enter", "enter", *"Fewer wakings", "enter", *"Less coffee", "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, GoalForm) and session.store.client_by_code("C-1").goals, 10, "the goal saved")
        goal = session.store.client_by_code("C-1").goals[0]
        assert goal.text == "Sleep through most nights"
        assert goal.kind == "change"
        assert goal.indicators == ["Fewer wakings", "Less coffee"]
        await pilot.press("ctrl+q")
    session.close()


async def test_stage_change_keeps_the_reason_whatever_the_hint_led_to(db):
    session = Session.open(db)
    create_client(session.store, "C-1")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await client_screen(app, pilot)
        await pilot.press("s", "3")
        await until(pilot, lambda: showing(app, StageForm), 10, "the stage form")
        assert app.focused.id == "stage-reason"
        hint = str(app.screen.query_one("#stage-hint", Static).render())
        assert "tab to the reason" not in hint and "type the reason" in hint
        await pilot.press("escape")
        # Typed fast, tab included (as the old hint said): the reason still lands in the reason.
        burst(app, "s", "3", "tab", *"Goals agreed at review", "enter")
        await until(pilot, lambda: session.store.client_by_code("C-1").stage == 3, 10, "the stage saved")
        client = session.store.client_by_code("C-1")
        assert client.stage_history[-1].reason == "Goals agreed at review"
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("ctrl+q")
    session.close()


async def test_row_editor_enter_on_a_required_choice_moves_on(db):
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None, 10, "the meeting")
        screen = app.screen
        burst(app, *["ctrl+n"] * 6, "shift+tab", "shift+tab", "n", "enter", "enter", *"Rent arrears", "enter")
        await until(pilot, lambda: screen.meeting.peek_rows("needs", "needs"), 10, "the need saved")
        await until(pilot, lambda: app.screen is screen, 10, "back in the meeting")
        row = screen.meeting.peek_rows("needs", "needs")[0]
        assert row.values["detail"] == "Rent arrears"
        assert row.values["party"] == "individual"
        await pilot.press("ctrl+q")
    session.close()


async def test_the_hint_offers_space_only_where_there_is_something_to_choose(db):
    """The client form said "space choose" with nothing to choose; space typed a space."""
    from cope_tui.dialogs.client_form import ClientForm

    session = Session.open(db)
    create_client(session.store, "C-1")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await until(pilot, lambda: showing(app, ClientForm), 10, "the client form")
        assert "space" not in str(app.screen.query_one("#form-hint", Static).render())
        await pilot.press("escape")
        await until(pilot, lambda: not showing(app, ClientForm), 10, "the list again")
        await client_screen(app, pilot)
        await pilot.press("g", "n")
        await until(pilot, lambda: showing(app, GoalForm), 10, "the goal form (a choice of kind)")
        assert "space choose" in str(app.screen.query_one("#form-hint", Static).render())
        await pilot.press("ctrl+q")
    session.close()


async def test_a_note_of_several_lines_reads_apart_in_the_one_line_field(db):
    """Found with a team: a note of two lines showed as "edited by Bedited by A"."""
    from textual.widgets import Input

    from cope_tui.dialogs.client_form import ClientForm

    session = Session.open(db)
    create_client(session.store, "C-1", note="edited by B\nedited by A")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await client_screen(app, pilot)
        await pilot.press("e")
        await until(pilot, lambda: showing(app, ClientForm), 10, "the edit form")
        assert app.screen.query_one("#note", Input).value == "edited by B / edited by A"
        await pilot.press("ctrl+s")  # saved as it was: the lines stay
        await until(pilot, lambda: showing(app, ClientScreen), 10, "the client again")
        assert session.store.client_by_code("C-1").note == "edited by B\nedited by A"
        await pilot.press("e")
        await until(pilot, lambda: showing(app, ClientForm), 10, "the edit form again")
        await pilot.press("enter", "enter", "end", *" more", "ctrl+s")
        await until(pilot, lambda: showing(app, ClientScreen), 10, "the client once more")
        assert session.store.client_by_code("C-1").note == "edited by B / edited by A more"
        await pilot.press("ctrl+q")
    session.close()


async def test_the_hint_says_enter_saves_on_the_last_field(db):
    """Enter on a form's last field saves it, and the hint said "enter next field": a note
    typed on after it went to the client screen as its keys (`s` opened the stage dialog)."""
    from cope_tui.dialogs.client_form import ClientForm

    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await until(pilot, lambda: showing(app, ClientForm), 10, "the new-client form")
        hint = app.screen.query_one("#form-hint", Static)
        assert "enter next field" in str(hint.render())
        await pilot.press("tab", "tab")  # to the note, the last field
        await pilot.pause()
        assert "enter next field" not in str(hint.render()) and "enter or ctrl+s save" in str(hint.render())
        await pilot.press("shift+tab")
        await pilot.pause()
        assert "enter next field" in str(hint.render())
        await pilot.press("escape", "ctrl+q")
    session.close()


async def test_a_form_has_no_hidden_tab_stop_and_a_text_area_is_hinted_as_one(db):
    """Tab past the last field landed on the fields' scroll box: enter did nothing there and
    letters went nowhere. In a goal's indicators (a text area) the hint said enter saves."""
    from cope_tui.dialogs.client_form import ClientForm
    from textual.widgets import Input, TextArea

    session = Session.open(db)
    create_client(session.store, "C-1")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await until(pilot, lambda: showing(app, ClientForm), 10, "the new-client form")
        for _ in range(4):  # name, others, note, and round again
            await pilot.press("tab")
            await pilot.pause()
            assert isinstance(app.focused, Input), app.focused
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab")
        await pilot.pause()
        assert isinstance(app.focused, Input), app.focused
        await pilot.press("escape", "escape")
        await until(pilot, lambda: not showing(app, ClientForm))
        await client_screen(app, pilot)
        await pilot.press("g", "n", *"Sleep", "enter", "enter")
        await until(pilot, lambda: isinstance(app.focused, TextArea), 10, "the indicators")
        hint = str(app.screen.query_one("#form-hint", Static).render())
        assert "enter new line" in hint and "enter or" not in hint
        await pilot.press("escape", "escape", "ctrl+q")
    session.close()


async def test_the_dialogs_outside_the_form_class_say_enter_saves_on_their_last_field(db):
    """F9's scores, an addendum and an exercise's details save with enter on their last
    field, and their hints said "enter next field" or "tab next field" there."""
    from datetime import date

    from textual.widgets import Input

    from cope_tui.cope.exercise import new_exercise
    from cope_tui.dialogs.exercise_form import ExerciseForm
    from cope_tui.dialogs.finalise import AddendumDialog
    from cope_tui.dialogs.goal_ratings import GoalRatings
    from cope_tui.meetings.case_plan import add_goal
    from cope_tui.session import start_meeting

    session = Session.open(db)
    client = create_client(session.store, "C-1")
    for text in ("Sleep through the night", "Back at work"):
        add_goal(client, text)
    session.store.put_client(client)
    meeting = start_meeting(session.store, session.meeting_guide, client)
    app = create_app(session)

    async def hints_on(dialog, first: str, last: str) -> None:
        await app.push_screen(dialog)
        await pilot.pause()
        hint = lambda: str(dialog.query_one(f"#{dialog.HINT_ID}", Static).render())  # noqa: E731
        assert first in hint() and "enter or" not in hint(), hint()
        dialog.set_focus([w for w in dialog.query(Input) if w.can_focus][-1])
        await pilot.pause()
        assert last in hint(), hint()
        await pilot.press("escape")
        await pilot.pause()
        if app.screen is dialog:  # a first esc over changed words only warns
            await pilot.press("escape")
        await until(pilot, lambda: app.screen is not dialog)

    async with app.run_test(size=SIZE) as pilot:
        await hints_on(GoalRatings(meeting), "enter next field", "enter or ctrl+s save all")
        await hints_on(AddendumDialog(by="worker"), "enter new line", "enter or ctrl+s add")
        exercise = new_exercise("North clinic", date(2026, 11, 2), facilitator="", teams=[])
        await hints_on(ExerciseForm(exercise=exercise), "enter next field", "enter or ctrl+s save")
        await pilot.press("ctrl+q")
    session.close()
