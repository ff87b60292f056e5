"""On a wide terminal the meeting's step list has room for each step on one line.

The sidebar was 25 columns at any size: "Services & referrals" wrapped onto a second
line at 160 columns, with more than a hundred columns beside it.
"""

from __future__ import annotations

from cope_tui.app import create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session, create_client
from helpers.pilot import showing, shown_lines
from helpers.polling import until


async def test_every_step_of_the_list_is_on_one_line_at_120_columns(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    create_client(session.store, "C-1")
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.screen.meeting is not None, 10, "the meeting")
        await pilot.pause()
        assert any("Services & referrals" in line for line in shown_lines(app))
        await pilot.resize_terminal(80, 24)  # at 80 the notes keep the room: the step wraps
        await until(pilot, lambda: not any("Services & referrals" in line for line in shown_lines(app)), 10, "narrow")
        await pilot.press("ctrl+q")
    session.close()
