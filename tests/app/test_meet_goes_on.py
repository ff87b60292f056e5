"""`cope-tui meet CODE` run again after a dropped line goes on with the unfinished meeting
(and its notes) instead of starting a second draft beside it."""

from __future__ import annotations

from cope_tui.app import create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from helpers.polling import until
from helpers.pilot import showing


async def _meet(db, code: str) -> tuple[str, str]:
    session = Session.open(db)
    app = create_app(session, meet_code=code)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None, 10, "the meeting")
        screen = app.screen
        meeting_id = screen.meeting.id
        await pilot.press(*"words typed before the line dropped")
        await pilot.pause()
        notes = screen.meeting.step(screen.meeting.current_step or "opening").notes
        await pilot.press("ctrl+q")
    session.close()
    return meeting_id, notes


async def test_meet_again_goes_on_with_the_unfinished_meeting(tmp_path):
    db = tmp_path / "cope.json"
    first, _ = await _meet(db, "C-7")
    again, notes = await _meet(db, "C-7")
    assert again == first
    assert notes.count("words typed before the line dropped") == 2
    session = Session.open(db)
    try:
        client = session.store.client_by_code("C-7")
        assert len(session.store.meetings(client.id)) == 1
    finally:
        session.close()
