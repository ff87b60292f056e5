"""A date typed as "+14" in a meeting's field shows as the date once the field is left.
Found by hand: "+2w" typed at 23:49 stayed "+2w" on screen, and the finalise after
midnight worked it out again, a day later than the export had said."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import Input

from cope_tui.app import create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from helpers.pilot import showing
from helpers.polling import until


async def test_a_relative_date_is_shown_as_the_date_once_left(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None, 10, "meeting")
        screen = app.screen
        screen.open_step("outcomes")
        await pilot.pause()
        box = screen.query_one("#field-next_meeting", Input)
        box.focus()
        await pilot.press("+", "1", "4")
        await pilot.pause()
        assert box.value == "+14"  # as typed while the cursor is in it
        await pilot.press("tab")
        await pilot.pause()
        wanted = (date.today() + timedelta(days=14)).isoformat()
        assert box.value == wanted
        assert screen.meeting.step("outcomes").fields["next_meeting"] == wanted
        box.focus()
        await pilot.press("ctrl+u", *"31/02", "tab")  # not a date: left as typed, to be put right
        await pilot.pause()
        assert box.value == "31/02"
        await pilot.press("ctrl+q")
    session.close()
