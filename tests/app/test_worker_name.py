"""Each worker's name ([user] name) goes on what they create and is offered when they
finalise (issue 15), so a team sees who did what."""

from __future__ import annotations

from textual.widgets import Input

from cope_tui.app import create_app
from cope_tui.dialogs.finalise import FinaliseDialog
from cope_tui.screens.clients import ClientsScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.settings import Settings
from helpers.polling import until
from helpers.pilot import showing

SIZE = (100, 30)


async def test_the_worker_name_is_on_the_new_client_and_meeting_and_offered_at_finalising(tmp_path) -> None:
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session, meet_code="C-9", settings=Settings(0, user_name="Amina Yusuf"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen))
        (client,) = session.store.clients()
        (meeting,) = session.store.meetings()
        assert client.created_by == "Amina Yusuf" and meeting.created_by == "Amina Yusuf"
        await pilot.press("ctrl+f")
        await until(pilot, lambda: showing(app, FinaliseDialog))
        assert app.screen.query_one("#by", Input).value == "Amina Yusuf"
        await pilot.press("escape")
        await pilot.press("ctrl+q")
    session.close()


async def test_without_a_name_nothing_is_recorded(tmp_path) -> None:
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session, meet_code="C-9", settings=Settings(0))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen))
        assert session.store.clients()[0].created_by is None
        await pilot.press("ctrl+q")
    session.close()
