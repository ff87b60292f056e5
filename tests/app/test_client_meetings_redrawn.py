"""The client screen's list of meetings, drawn again (back on top, after a sync) with
the same meetings: it changes in place, and does not flash back to its top."""

from __future__ import annotations

from cope_tui.app import create_app
from cope_tui.screens.client import ClientScreen
from cope_tui.session import Session, create_client, start_meeting
from cope_tui.settings import Settings
from helpers.pilot import showing
from helpers.polling import until

SIZE = (80, 24)


async def test_a_long_list_of_meetings_redrawn_stays_where_the_user_is(tmp_path):
    session = Session.open(tmp_path / "cope.json", lazy=False)
    client = create_client(session.store, "C-0042")
    for _ in range(30):
        start_meeting(session.store, session.meeting_guide, client)
    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "client-table", what="the list")
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ClientScreen), what="the client")
        table = app.screen.query_one("#meeting-table")
        await pilot.press(*["down"] * 29)
        await pilot.pause()
        assert table.cursor_row == 29 and table.scroll_y > 0
        seen: list[float] = []
        app.watch(table, "scroll_y", lambda y: seen.append(y), init=False)
        app.screen.show_synced()  # what a sync that brought meetings does
        await pilot.pause()
        assert 0 not in seen and table.cursor_row == 29
        await pilot.press("ctrl+q")
    session.close()


async def test_back_from_a_meeting_just_started_it_is_the_one_highlighted(tmp_path):
    """The new meeting came in above the highlighted one, which stayed highlighted: x or
    enter then acted on another meeting than the one just left."""
    from cope_tui.meetings.rules import finalise
    from cope_tui.screens.meeting import MeetingScreen

    session = Session.open(tmp_path / "cope.json", lazy=False)
    client = create_client(session.store, "C-0042")
    first = start_meeting(session.store, session.meeting_guide, client)
    finalise(first, "worker")
    session.store.put_meeting(first)
    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "client-table", what="the list")
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ClientScreen), what="the client")
        await pilot.press("ctrl+n", "enter")  # a review meeting, nobody else present
        await until(pilot, lambda: showing(app, MeetingScreen), what="the new meeting")
        started = app.screen.meeting_id
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, ClientScreen), what="back on the client")
        await pilot.pause()
        table = app.screen.query_one("#meeting-table")
        assert table.row_count == 2 and table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value == started
        await pilot.press("ctrl+q")
    session.close()
