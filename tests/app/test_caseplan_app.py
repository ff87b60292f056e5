"""The case plan in the real app, keyboard only, checked against the saved file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input

from cope_tui.app import create_app
from cope_tui.meetings.case_plan import add_goal, rate
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise
from cope_tui.screens.case_plan import CasePlanScreen
from cope_tui.screens.client import ClientScreen
from cope_tui.dialogs.confirm import Confirm
from cope_tui.dialogs.goal_form import GoalForm
from cope_tui.dialogs.goal_ratings import GoalRatings
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.pilot import palette_offers
from helpers.polling import until

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query("Static"))


def _client_with_history(db):
    """A client whose first meeting (finalised) scored one goal 3, and a review meeting in draft."""
    session = Session.open(db)
    client = create_client(session.store, "C-1")
    goal = add_goal(client, "Sleep through the night", indicators=["Sleep diary kept"])
    first = start_meeting(session.store, session.meeting_guide, client)
    first.started -= timedelta(days=14)
    rate(client, goal.id, first, 3, "rough fortnight")
    finalise(first, "worker")
    session.store.put_meeting(first)
    session.store.put_client(client)
    review = start_meeting(session.store, session.meeting_guide, client)
    return session, client, first, review


async def test_add_a_goal_rate_it_with_f9_and_see_the_trend(db):
    session, client, first, review = _client_with_history(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # open the client
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        assert "▃" in screen_text(app) and "3/10" in screen_text(app)

        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, CasePlanScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, GoalForm)
        await pilot.press("ctrl+s")  # empty: refused, the dialog stays
        await pilot.pause()
        assert isinstance(app.screen, GoalForm) and "cannot be empty" in screen_text(app)
        await pilot.press(*"Back at work", "enter", "tab")
        await pilot.press(*"Goes in 3 days a week", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CasePlanScreen)
        assert app.screen.query_one("#goal-table", DataTable).row_count == 2
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("enter")  # the newest meeting: the review in draft
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen) and app.screen.meeting.id == review.id
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, GoalRatings)
        await pilot.press("1", "1", "enter", *"better most nights", "enter", "2", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, GoalRatings)  # 11 is refused; nothing typed is lost
        shown = screen_text(app)
        assert "Goal 1" in shown and "from 0 to 10" in shown
        assert app.screen.query_one(f"#note-{client.goals[0].id}", Input).value == "better most nights"
        score = app.screen.query_one(f"#score-{client.goals[0].id}", Input)
        assert score.has_focus
        await pilot.press("backspace", "backspace", "6", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        summary = str(app.screen.query_one("#case-plan-summary").render())
        assert "▃▅" in summary and "6/10" in summary and "2/10" in summary
        await pilot.press("ctrl+q")
    session.close()

    store = Store(db, read_only=True)
    try:
        goals = store.client(client.id).goals
        assert [g.text for g in goals] == ["Sleep through the night", "Back at work"]
        assert goals[1].indicators == ["Goes in 3 days a week"]
        assert [(r.score, r.meeting_id, r.note) for r in goals[0].ratings] == [
            (3, first.id, "rough fortnight"),
            (6, review.id, "better most nights"),
        ]
        assert [(r.score, r.meeting_id) for r in goals[1].ratings] == [(2, review.id)]
    finally:
        store.close()


async def test_finalised_meeting_shows_scores_but_takes_none(db):
    session, client, _first, _review = _client_with_history(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("down", "enter")  # the older, finalised meeting
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen) and app.screen.meeting.finalised
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, GoalRatings)
        shown = screen_text(app)
        assert "finalised" in shown and "3/10" in shown
        assert not app.screen.query(Input)
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("ctrl+q")
    session.close()
    store = Store(db, read_only=True)
    try:
        assert [r.score for r in store.client(client.id).goals[0].ratings] == [3]
    finally:
        store.close()


async def test_delete_asks_first_and_achieved_is_toggled(db):
    session, client, _first, _review = _client_with_history(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "g")
        await pilot.pause()
        assert isinstance(app.screen, CasePlanScreen)
        await pilot.press("a")
        await pilot.pause()
        assert "achieved" in str(app.screen.query_one(DataTable).get_row_at(0)[-1])
        await pilot.press("r")  # rating from the case plan: the achieved goal is not offered
        await pilot.pause()
        assert isinstance(app.screen, GoalRatings) and "No open goals" in screen_text(app)
        await pilot.press("escape", "a", "x")
        await pilot.pause()
        assert isinstance(app.screen, Confirm) and "Sleep through the night" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("delete", "y")
        await pilot.pause()
        assert app.screen.query_one(DataTable).row_count == 0
        await pilot.press("escape")
        await pilot.pause()
        assert "no goals yet" in str(app.screen.query_one("#case-plan-summary").render())
        await pilot.press("ctrl+q")
    session.close()
    store = Store(db, read_only=True)
    try:
        assert store.client(client.id).goals == []
    finally:
        store.close()


async def test_case_plan_keys_are_in_help_and_the_meeting_palette(db):
    session, *_ = _client_with_history(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "g")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        shown = screen_text(app)
        for words in ("New goal", "Edit goal", "Delete goal", "Achieved", "Rate progress"):
            assert words in shown, words
        await pilot.press("escape", "escape", "enter")  # help, case plan; open the draft meeting
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("ctrl+p", *"rate goals")
        await until(pilot, lambda: palette_offers(app, "rate goals"), what="the palette to offer rating goals")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GoalRatings)
        await pilot.press("escape", "ctrl+q")
    session.close()


def test_client_export_on_the_command_line_has_the_case_plan(db, cli):
    session, *_ = _client_with_history(db)
    session.close()
    done = cli("export", "--db", db, "--client", "C-1")
    assert done.returncode == 0, done.stderr
    assert "## Case plan" in done.stdout and "`▃`" in done.stdout and "Sleep diary kept" in done.stdout


async def test_the_summary_says_how_many_goals_it_leaves_out_within_its_lines(db):
    from cope_tui.widgets.case_plan_summary import summary_lines

    session = Session.open(db)
    client = create_client(session.store, "C-5")
    for n in range(5):
        add_goal(client, f"Goal number {n}")
    session.store.put_client(client)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        card = app.screen.query_one("#case-plan-summary")
        lines = summary_lines(app.screen.client)
        assert "5 goals" in lines[0] and "and 3 more" in lines[-1]
        assert card.content_region.height >= len(lines)  # nothing cut off at 80x24
        await pilot.press("ctrl+q")
    session.close()


async def test_one_goal_is_counted_in_the_singular(db):
    session = Session.open(db)
    client = create_client(session.store, "C-6")
    add_goal(client, "Forms posted")
    session.store.put_client(client)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "g")
        await pilot.pause()
        assert isinstance(app.screen, CasePlanScreen)
        shown = screen_text(app)
        assert "1 goal, 0 achieved" in shown and "1 goals" not in shown
        await pilot.press("ctrl+q")
    session.close()
