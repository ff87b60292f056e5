"""Issue 13, point 3: deferred areas come back.

A deferral's reason says the area is picked up at the next meeting, but a review meeting
never showed it, nor did the client export. Undecided and deferred areas now come into
every later meeting's opening until they are agreed, and the client export lists them.
"""

from __future__ import annotations

import time

import pytest

from cope_tui import records
from cope_tui.app import create_app
from cope_tui.export.documents import client_markdown
from cope_tui.meetings.models import MeetingKind
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session, start_meeting
from helpers.polling import until
from helpers.pilot import showing

SIZE = (80, 24)
REASON = "Wants to ask her sister first"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def lines(app) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


async def in_meeting(app, pilot) -> MeetingScreen:
    await until(
        pilot, lambda: showing(app, MeetingScreen) and getattr(app.focused, "id", None) == "notes", 10, "a meeting"
    )
    return app.screen


def a_later_meeting(session: Session) -> None:
    """Starts the next meeting, left a draft: `meet` goes on with the newest unfinished
    meeting, so a test that wants one more meeting starts it first. Later than the last
    one, as a person starts them: a meeting's start is kept to the second, and two started
    within one second are in no set order (this test failed now and then on a busy
    machine, carrying the areas from the wrong one)."""
    client = session.store.client_by_code("C-1")
    newest = max((m.started for m in session.store.meetings(client.id)), default=None)
    while newest is not None and records.now() <= newest:
        time.sleep(0.05)
    start_meeting(session.store, session.meeting_guide, client)


async def first_meeting_with_a_deferral(db) -> None:
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await in_meeting(app, pilot)
        await pilot.press("ctrl+n", "tab", "a", "a", "a", "a", "a", "d")
        await until(pilot, lambda: getattr(app.focused, "id", None) == "prompt-input", 10, "the reason")
        await pilot.press(*REASON, "enter", "a")
        await pilot.pause()
        await pilot.press("ctrl+f")
        await until(pilot, lambda: getattr(app.focused, "id", None) == "by", 10, "the finalise dialog")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.meeting.finalised, 10, "the finalised meeting")
        await pilot.press("ctrl+q")
    session.close()


async def test_a_deferred_area_comes_back_in_each_review_until_agreed(db):
    await first_meeting_with_a_deferral(db)
    session = Session.open(db)
    try:
        client = session.store.client_by_code("C-1")
        text = client_markdown(session.meeting_guide, session.store, client)
        assert "Still to agree" in text and REASON in text, "the client export names the open area"
    finally:
        session.close()

    session = Session.open(db)
    app = create_app(session, meet_code="C-1")  # the review meeting
    async with app.run_test(size=SIZE) as pilot:
        screen = await in_meeting(app, pilot)
        assert screen.meeting.kind is MeetingKind.REVIEW
        assert screen.meeting.current_step == "opening"
        await until(pilot, lambda: "Still open from earlier meetings" in lines(app), 10, "the areas still open, shown")
        held = screen.query_one("#list-boundaries")
        assert [r.values["area"] for r in held.row_list] == ["How we will plan together"]
        assert held.row_list[0].values["reason"] == REASON
        assert str(held.get_row_at(0)[0]) == "↻", "marked as carried from an earlier meeting"
        await pilot.press("ctrl+q")  # left open: it comes back again next time
    session.close()

    session = Session.open(db)
    a_later_meeting(session)
    app = create_app(session, meet_code="C-1")  # a second review, the first one still a draft
    async with app.run_test(size=SIZE) as pilot:
        screen = await in_meeting(app, pilot)
        held = screen.query_one("#list-boundaries")
        assert [r.values["decision"] for r in held.row_list] == ["deferred"]
        held.focus()
        await pilot.press("a")
        await pilot.pause()
        assert held.row_list[0].values["decision"] == "agreed"
        await pilot.press("ctrl+q")
    session.close()

    session = Session.open(db)
    try:
        client = session.store.client_by_code("C-1")
        assert "Still to agree" not in client_markdown(session.meeting_guide, session.store, client)
    finally:
        session.close()
    session = Session.open(db)
    a_later_meeting(session)
    app = create_app(session, meet_code="C-1")  # agreed last time: gone for good
    async with app.run_test(size=SIZE) as pilot:
        screen = await in_meeting(app, pilot)
        await until(pilot, lambda: "Opening notes" in lines(app), 10, "the opening drawn")
        assert not screen.query("#list-boundaries")
        assert "Still open from earlier meetings" not in lines(app)
        await pilot.press("ctrl+q")
    session.close()
