"""The terminal closes mid-sentence in a journey dialog: what was typed is on disk.

`app._on_signal` is what SIGHUP, SIGTERM and SIGINT run: it captures every open screen,
flushes the saver and exits. Each test then reads the file with a fresh read-only Store.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events

from cope_tui.app import create_app
from cope_tui.meetings.case_plan import add_goal, rate
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise
from cope_tui.screens.case_plan import CasePlanScreen
from cope_tui.dialogs.goal_form import GoalForm
from cope_tui.dialogs.goal_ratings import GoalRatings
from cope_tui.screens.handover import HandoverScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.store.store import Store

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def stored_client(db, client_id):
    store = Store(db, read_only=True)
    try:
        return store.client(client_id)
    finally:
        store.close()


def _client_with_goals(db):
    """Two goals, a finalised first meeting that scored the first, and a review in draft."""
    session = Session.open(db)
    client = create_client(session.store, "C-7")
    sleep = add_goal(client, "Sleep through the night")
    work = add_goal(client, "Back at work")
    first = start_meeting(session.store, session.meeting_guide, client)
    first.started -= timedelta(days=14)
    rate(client, sleep.id, first, 3, "rough fortnight")
    finalise(first, "worker")
    session.store.put_meeting(first)
    session.store.put_client(client)
    review = start_meeting(session.store, session.meeting_guide, client)
    return session, client, review, sleep, work


async def test_a_goal_half_typed_in_the_form_survives_a_hangup(db):
    session, client, _review, _sleep, _work = _client_with_goals(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "g")
        await pilot.pause()
        assert isinstance(app.screen, CasePlanScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, GoalForm)
        await pilot.press(*"Walk to the shop alone", "enter", "tab")
        await pilot.press(*"Goes out twice a week", "enter", *"Buys bread without he")
        await pilot.pause()
        app._on_signal()  # the terminal is gone
        await pilot.pause()
    session.close()
    goals = stored_client(db, client.id).goals
    assert [g.text for g in goals] == ["Sleep through the night", "Back at work", "Walk to the shop alone"]
    assert goals[2].indicators == ["Goes out twice a week", "Buys bread without he"]


async def test_a_goal_form_captured_twice_adds_the_goal_once(db):
    """A quit the disk refused leaves the dialog open: saving it afterwards edits, never duplicates."""
    session, client, _review, _sleep, _work = _client_with_goals(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "g", "n")
        await pilot.pause()
        assert isinstance(app.screen, GoalForm)
        await pilot.press(*"Cook once a week")
        app.capture_all()
        await pilot.press(*" or more", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CasePlanScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    session.close()
    texts = [g.text for g in stored_client(db, client.id).goals]
    assert texts == ["Sleep through the night", "Back at work", "Cook once a week or more"]


async def test_an_empty_goal_form_changes_nothing_at_a_hangup(db):
    session, client, _review, _sleep, _work = _client_with_goals(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "g", "n")
        await pilot.pause()
        assert isinstance(app.screen, GoalForm)
        app._on_signal()
        await pilot.pause()
    session.close()
    assert len(stored_client(db, client.id).goals) == 2


async def test_scores_and_notes_typed_in_a_meeting_survive_a_hangup(db):
    session, client, review, sleep, work = _client_with_goals(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")  # the client, then the review in draft
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen) and app.screen.meeting.id == review.id
        await pilot.press(*"talked about work")  # the notes area has focus
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, GoalRatings)
        await pilot.press("6", "enter", *"Started two days a week at the bak", "enter")
        await pilot.press("1", "1")  # out of range: this row keeps what was stored (nothing)
        await pilot.pause()
        app._on_signal()
        await pilot.pause()
    session.close()
    goals = {g.id: g for g in stored_client(db, client.id).goals}
    assert [(r.score, r.meeting_id, r.note) for r in goals[sleep.id].ratings][-1] == (
        6,
        review.id,
        "Started two days a week at the bak",
    )
    assert goals[work.id].ratings == []
    store = Store(db, read_only=True)
    try:
        notes = " ".join(s.notes for s in store.meeting(review.id).steps.values())
    finally:
        store.close()
    assert "talked about work" in notes
    again = Session.open(db)
    try:  # the refused row's words are kept, named by their goal ("0-10" said of which not)
        kept = [field for entry in again.left_open() for field in entry.fields]
    finally:
        again.close()
    assert any(label.startswith("Goal 2, ") and label.endswith(": score (0-10)") and text == "11" for label, text in kept), kept


async def test_handover_typed_up_to_the_hangup_is_kept(db):
    session = Session.open(db)
    client = create_client(session.store, "C-8")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "h")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        await pilot.press(*"Came in worried about money", "tab", *"Asking early wor")
        app._on_signal()
        await pilot.pause()
    session.close()
    handover = stored_client(db, client.id).handover
    assert handover.journey == "Came in worried about money"
    assert handover.learned == "Asking early wor"


async def test_keys_still_queued_at_the_hangup_reach_the_note(db):
    """A fast typist or a paste: the driver has read these keys, and they wait in the
    app's queue when the terminal goes. They are in the note on disk."""
    session = Session.open(db)
    client = create_client(session.store, "C-9")
    start_meeting(session.store, session.meeting_guide, client)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")  # the client, then the meeting in draft
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press(*"Typed ")
        for char in "at the very end":  # read by the driver, not yet handled
            key = events.Key(char if char != " " else "space", char)
            key.set_sender(app)
            app._driver.send_message(key)
        app._on_signal()  # the terminal is gone
        for _ in range(50):  # the app leaves once those keys are in; waited for, not timed
            await pilot.pause(0.05)
            if app.is_running is False or getattr(app, "_left_on_signal", False):
                break
    session.close()
    store = Store(db, read_only=True)
    try:
        (meeting,) = store.meetings()
        assert meeting.peek("opening").notes == "Typed at the very end"
    finally:
        store.close()
