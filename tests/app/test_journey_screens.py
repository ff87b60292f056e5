"""What a case worker sees of the journey at 80x24: nothing that matters cut off, the
handover's "still empty" list up to date, every new key explained in help."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from cope_tui.app import create_app
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise, new_row
from cope_tui.screens.case_plan import CasePlanScreen
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.follow_through import FollowThroughScreen
from cope_tui.screens.handover import HandoverScreen
from cope_tui.dialogs.help import GUIDE, HelpScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.screens.search import SearchScreen
from cope_tui.dialogs.stage_form import StageForm
from cope_tui.session import Session
from cope_tui.meetings.stages import close_client, write_handover
from cope_tui.store.store import Store
from helpers.pilot import search_answered
from helpers.polling import until

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def _status(app) -> str:
    return str(app.screen.query_one("#handover-status").render())


async def test_the_handover_status_follows_what_is_typed(db):
    session = Session.open(db)
    create_client(session.store, "C-30")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "h")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        assert "The journey" in _status(app)
        await pilot.press(*"Came in at stage one")
        await pilot.pause()
        assert "The journey" not in _status(app) and "What was learned" in _status(app)
        for words in ("Lists help", "Calmer weeks", "Spring review"):
            await pilot.press("tab", *words)
        await pilot.pause()
        assert "All sections written" in _status(app)
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        await pilot.press(*("backspace" for _ in "Came in at stage one"))
        await pilot.pause()
        assert "Still empty: The journey." in _status(app)
        await pilot.press("ctrl+q")
    session.close()


async def test_who_finalised_a_meeting_is_shown_whole_and_the_table_fits(db):
    session = Session.open(db)
    client = create_client(session.store, "C-31")
    for who in ("worker-12", "a coordinator with a very long name"):
        meeting = start_meeting(session.store, session.meeting_guide, client)
        finalise(meeting, who)
        session.store.put_meeting(meeting)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        table = app.screen.query_one("#meeting-table", DataTable)
        status = table.columns["status"]
        shown = [str(table.get_cell(row, "status")) for row in table.rows]
        assert "final (worker-12)" in shown
        long = next(s for s in shown if s.startswith("final (a coord"))
        assert long.endswith("…)")
        for text in shown:
            assert len(text) <= status.width, text
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= SIZE[0] - 2  # the scrollbar and the screen edge
        await pilot.press("ctrl+q")
    session.close()


async def test_a_closed_client_offers_reopen_in_the_footer(db):
    session = Session.open(db)
    client = create_client(session.store, "C-32")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    finalise(meeting, "worker-1")
    session.store.put_meeting(meeting)
    write_handover(client, journey="j", learned="l", effect="e", challenges="c")
    close_client(client, [meeting])
    session.store.put_client(client)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        keys = {k.description: k for k in app.screen.query(FooterKey)}
        visible_to = keys["palette"].region.x if "palette" in keys else SIZE[0]  # docked right, on top
        assert "Reopen" in keys
        assert 0 < keys["Reopen"].region.width and keys["Reopen"].region.right <= visible_to
        await pilot.press("ctrl+q")
    session.close()


async def test_help_explains_the_journey_keys(db):
    session = Session.open(db)
    create_client(session.store, "C-33")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        lines = {line.split()[0] for line in text.splitlines() if line.startswith("  ") and line.split()}
        for key in ("s", "g", "t", "h", "ctrl+t", "F4", "F9", "F12"):
            assert key in lines, key
        assert "follow-through" in text and "case plan" in text and "helping stage" in text
        await pilot.press("escape", "ctrl+q")
    session.close()


def test_no_help_line_wraps_at_80_columns():
    """The help dialog leaves about 72 columns for text at 80x24; a wrapped key line is hard to scan."""

    widest = max(GUIDE.splitlines(), key=lambda line: Text.from_markup(line).cell_len)
    assert Text.from_markup(widest).cell_len <= 72, widest


async def test_follow_through_columns_fit_and_show_a_long_service_whole(db):

    session = Session.open(db)
    client = create_client(session.store, "C-34")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    meeting.started = datetime.now() - timedelta(days=3)
    spec = session.meeting_guide.step("services").list_spec("referrals")
    service = "community mental health team"
    meeting.rows("services", "referrals").append(new_row(meeting, spec, {"service": service, "status": "using"}))
    finalise(meeting, "worker-1")
    session.store.put_meeting(meeting)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, FollowThroughScreen)
        for view in "1234":
            await pilot.press(view)
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            used = sum(c.get_render_width(table) for c in table.columns.values())
            assert used <= SIZE[0] - 4, view  # the table's margins and its scrollbar
            if view == "3":
                assert next(iter(table.columns.values())).width >= len(service)
        await pilot.press("escape", "ctrl+q")
    session.close()


async def test_a_meeting_reached_again_is_not_opened_twice(db):
    """Meeting → F4 → its client → enter or t, m: a second screen on the same meeting would
    save its stale copy over what was typed in the first."""
    session = Session.open(db)
    client = create_client(session.store, "C-40")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    spec = session.meeting_guide.step("outcomes").list_spec("actions")
    meeting.rows("outcomes", "actions").append(new_row(meeting, spec, {"who": "client", "what": "call back"}))
    session.store.put_meeting(meeting)
    app = create_app(session)

    def open_on_meeting() -> int:
        return sum(1 for s in app.screen_stack if isinstance(s, MeetingScreen) and s.meeting_id == meeting.id)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")  # the client, then its draft meeting
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press(*"typed before searching", "f4")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"C-40")
        await until(pilot, lambda: search_answered(app), what="the search to answer C-40")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen) and open_on_meeting() == 1
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, FollowThroughScreen)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, FollowThroughScreen) and open_on_meeting() == 1
        await pilot.press("ctrl+q")
    session.close()


async def _stage_changed_through_search(pilot, app, code: str) -> None:
    """From the screen showing now: F4, the client's code, enter, then s to stage 2 with a reason."""

    await pilot.press("f4")
    await pilot.pause()
    assert isinstance(app.screen, SearchScreen)
    await pilot.press(*code)
    await until(pilot, lambda: search_answered(app), what=f"the search to answer {code}")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ClientScreen)
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(app.screen, StageForm)
    await pilot.press("2", *"talks openly now", "enter")
    await pilot.pause()
    assert isinstance(app.screen, ClientScreen)
    await pilot.press("escape")
    await pilot.pause()


async def test_a_case_plan_left_open_does_not_undo_a_change_made_through_search(db):

    session = Session.open(db)
    client = create_client(session.store, "C-41")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "g")
        await pilot.pause()
        assert isinstance(app.screen, CasePlanScreen)
        await _stage_changed_through_search(pilot, app, "C-41")
        assert isinstance(app.screen, CasePlanScreen)
        await pilot.press("n", *"Walk most days", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CasePlanScreen)
        await pilot.press("ctrl+q")
    session.close()

    store = Store(db, read_only=True)
    try:
        saved = store.client(client.id)
    finally:
        store.close()
    assert saved.stage == 2 and [g.text for g in saved.goals] == ["Walk most days"]


async def test_a_handover_left_open_does_not_undo_a_change_made_through_search(db):
    session = Session.open(db)
    client = create_client(session.store, "C-42")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "h")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        await pilot.press(*"First words")
        await _stage_changed_through_search(pilot, app, "C-42")
        assert isinstance(app.screen, HandoverScreen)
        await pilot.press(*" and more")
        await pilot.pause()
        await pilot.press("ctrl+q")
    session.close()

    store = Store(db, read_only=True)
    try:
        saved = store.client(client.id)
    finally:
        store.close()
    assert saved.stage == 2 and saved.handover.journey.startswith("First words")
    assert saved.handover.journey.endswith(" and more")


async def test_closing_with_a_draft_meeting_says_why_before_asking(db):
    from cope_tui.dialogs.confirm import Confirm

    session = Session.open(db)
    client = create_client(session.store, "C-50")
    write_handover(client, journey="Met weekly", learned="Ask early", effect="Calmer", challenges="Exams")
    session.store.put_client(client)
    start_meeting(session.store, session.meeting_guide, client)  # left as a draft
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "h")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert not isinstance(app.screen, Confirm)
        assert any("still a draft" in n.message for n in app._notifications)
        await pilot.press("ctrl+q")
    session.close()
