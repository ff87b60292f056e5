"""Records open on a screen take what a sync brought (issue 15, point 4 in the app):
a screen with no unsaved edit shows the team's version at once; one with an unsaved
edit keeps it, and the record is merged once the screen is closed."""

from __future__ import annotations

import asyncio

import pytest

from textual.widgets import Static, TextArea

from cope_tui.app import create_app
from cope_tui.meetings.rules import add_addendum, finalise
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.clients import ClientsScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session, create_client, start_meeting
from cope_tui.settings import Settings
from cope_tui.widgets.navigation import OpenClient, OpenMeeting
from helpers.couch_server import couch_db, couch_server  # noqa: F401  (fixtures)
from helpers.polling import until
from helpers.sync import Member, app_synced, client_open, header_text, meeting_open, synced_with
from helpers.sync import ann_and_bea, remote, team_env, team_key  # noqa: F401  (fixtures)
from helpers.pilot import showing

SIZE = (100, 30)


@pytest.fixture
def ann_and_bea_with_a_client(tmp_path, team_env, team_key):
    """(session, client, app, bea): Ann's app on a DB holding client C-1 (note "first"), set
    to sync with the team's server; Bea a member of the team. Both closed afterwards."""
    session = Session.open(tmp_path / "ann.json")
    client = create_client(session.store, "C-1", note="first")
    app = create_app(session, settings=Settings(0, sync_remote=team_env.url, user_name="Ann"))
    bea = Member(tmp_path / "bea.json", team_env, team_key, "Bea")
    try:
        yield session, client, app, bea
    finally:
        bea.close()
        session.close()


def bea_writes_a_note(bea: Member, client_id: str) -> None:
    """Bea changes the client's note and syncs."""
    theirs = bea.store.client(client_id)
    theirs.note = "Bea's note"
    bea.store.put_client(theirs)
    bea.engine.sync()


async def test_a_draft_meeting_not_touched_shows_the_teams_notes(ann_and_bea) -> None:
    session, _client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        first = await meeting_open(pilot, app, meeting.id)
        bea.writes(meeting.id, first, "Bea's words")

        await pilot.press("f10")
        notes = app.screen.query_one("#notes", TextArea)
        await until(pilot, lambda: notes.text == "Bea's words", what="the team's notes on the open screen")
        await until(pilot, lambda: "synced " in header_text(app) and "waiting" not in header_text(app))
        assert session.store.meeting(meeting.id).peek(first).notes == "Bea's words"
        await pilot.press(*" and Ann's")  # typing goes on from the team's version
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, MeetingScreen))
        session.flush()
        assert session.store.meeting(meeting.id).peek(first).notes == "Bea's words and Ann's"
        await pilot.press("ctrl+q")


async def test_a_finalised_meeting_being_read_shows_the_teams_addendum(tmp_path, team_env, team_key) -> None:
    from cope_tui.store import audit

    session = Session.open(tmp_path / "ann.json")
    client = create_client(session.store, "C-1")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    signed = session.store.meeting(meeting.id)
    finalise(signed, "Ann")
    session.store.put_meeting(signed)
    audit.append(session.store.path, [audit.finalise_entry(session.store.get("meetings", meeting.id))], audit.codec_of(session.store))
    app = create_app(session, settings=Settings(0, sync_remote=team_env.url, user_name="Ann"))
    bea = Member(tmp_path / "bea.json", team_env, team_key, "Bea")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await synced_with(pilot, app, bea)
            app.post_message(OpenMeeting(meeting.id))
            await until(pilot, lambda: showing(app, MeetingScreen))
            theirs = bea.store.meeting(meeting.id)
            add_addendum(theirs, "Bea's later word", "Bea")
            bea.store.put_meeting(theirs)
            bea.engine.sync()

            await pilot.press("f10")
            banner = lambda: "".join(str(s.render()) for s in app.screen.query(Static))  # noqa: E731
            await until(pilot, lambda: "Bea's later word" in banner(), what="the addendum on the open screen")
            # The screen is shown the merged version before the DB is written (so no edit
            # starts from the older copy): the DB follows, as the sync's thread goes on.
            held = lambda: len(session.store.meeting(meeting.id).addenda) == 1  # noqa: E731
            await until(pilot, held, what="the addendum in the DB")
            await pilot.press("ctrl+q")
    finally:
        bea.close()
        session.close()


async def test_an_open_client_shows_the_teams_note(ann_and_bea_with_a_client) -> None:
    session, client, app, bea = ann_and_bea_with_a_client
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        app.post_message(OpenClient(client.id))
        await until(pilot, lambda: showing(app, ClientScreen))
        bea_writes_a_note(bea, client.id)

        await pilot.press("f10")
        card = lambda: str(app.screen.query_one("#client-card", Static).render())  # noqa: E731
        await until(pilot, lambda: "Bea's note" in card(), what="the team's note on the open client")
        await until(pilot, lambda: "synced " in header_text(app) and "waiting" not in header_text(app))
        await pilot.press("ctrl+q")


async def test_an_unsaved_edit_keeps_the_screen_and_merges_once_it_is_closed(ann_and_bea) -> None:
    session, _client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        first = await meeting_open(pilot, app, meeting.id)
        bea.writes(meeting.id, "closing", "Bea's closing words")

        session.saver.delay = session.saver.max_wait = 3600  # what Ann types now is not saved yet when the sync runs
        await pilot.press(*"Ann types")
        await until(pilot, lambda: session.saver.pending == 1)
        await app_synced(pilot, app)  # a background sync, in the middle of typing
        await until(pilot, lambda: "1 waiting" in header_text(app), what="the record left to its screen")
        assert app.screen.query_one("#notes", TextArea).text == "Ann types"
        assert app.screen.meeting.peek("closing").notes == ""
        assert session.store.meeting(meeting.id).peek("closing").notes == ""

        session.saver.delay, session.saver.max_wait = 0.25, 1.0
        await pilot.press("escape")  # closed: the app syncs again by itself
        await until(pilot, lambda: not isinstance(app.screen, MeetingScreen))
        await until(pilot, lambda: session.store.meeting(meeting.id).peek("closing").notes == "Bea's closing words")
        assert session.store.meeting(meeting.id).peek(first).notes == "Ann types"
        await pilot.press("ctrl+q")


async def test_a_meeting_the_team_starts_is_listed_on_the_open_client_and_the_cursor_stays(ann_and_bea) -> None:
    """Found at 80x24: Bea's new meeting for a client whose screen Ann had open showed only
    when Ann left and came back; and the list is newest first, so when it did show, the
    row under the cursor was another meeting than the one Ann had highlighted."""
    from datetime import timedelta

    from textual.widgets import DataTable

    from cope_tui.session import start_meeting as start

    session, client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        await client_open(pilot, app, client.id)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        theirs = start(bea.store, session.meeting_guide, bea.store.client(client.id))
        theirs.started = meeting.started + timedelta(hours=1)  # listed above Ann's, not by a tie's luck
        bea.store.put_meeting(theirs)
        bea.engine.sync()
        await pilot.press("f10")
        await until(pilot, lambda: table.row_count == 2, what="Bea's meeting listed")
        highlighted = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        assert highlighted == meeting.id != theirs.id  # still the one Ann was on
        await pilot.press("ctrl+q")


async def test_a_dialog_open_over_a_client_keeps_the_screens_copy_until_it_is_closed(ann_and_bea_with_a_client) -> None:
    """Ann edits the client's other people in the Edit dialog while Bea's new note arrives.
    The screen under the dialog took Bea's version (a screen 'current' in Textual's sense
    includes one under a dialog), then Ann's save wrote the dialog's copy, with the old
    note, over it: Bea's note was lost for the team."""
    session, client, app, bea = ann_and_bea_with_a_client
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        app.post_message(OpenClient(client.id))
        await until(pilot, lambda: showing(app, ClientScreen))
        await pilot.press("e")
        await until(pilot, lambda: not isinstance(app.screen, ClientScreen))
        bea_writes_a_note(bea, client.id)
        await app_synced(pilot, app)  # a background sync, the dialog open
        await pilot.press("tab")  # to Others
        await pilot.press(*"partner", "ctrl+s")
        await until(pilot, lambda: showing(app, ClientScreen))
        session.flush()
        await app_synced(pilot, app)  # the record left to the screen, merged now
        mine = session.store.client(client.id)
        assert mine.significant_others == ["partner"] and mine.note == "Bea's note"
        bea.engine.sync()
        theirs = bea.store.client(client.id)
        assert theirs.significant_others == ["partner"] and theirs.note == "Bea's note"
        await pilot.press("ctrl+q")


async def test_a_row_dialog_open_over_a_meeting_keeps_its_row_and_the_teams_notes(ann_and_bea) -> None:
    """Ann adds an agenda row while Bea's closing notes arrive: the screen under the row
    dialog took the team's version and rebuilt its lists, and the row went to a list
    that was no longer on the screen."""
    from cope_tui.dialogs.row_editor import RowEditor

    session, _client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        await meeting_open(pilot, app, meeting.id)
        await pilot.press("shift+tab", "n")  # the agenda list: a new row
        await until(pilot, lambda: showing(app, RowEditor))
        bea.writes(meeting.id, "closing", "Bea's closing words")
        await app_synced(pilot, app)  # a background sync, the dialog open
        await pilot.press(*"Housing", "ctrl+s")
        await until(pilot, lambda: showing(app, MeetingScreen))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, MeetingScreen))
        session.flush()
        await app_synced(pilot, app)
        mine = session.store.meeting(meeting.id)
        assert [row.values["item"] for row in mine.peek("opening").lists["agenda"]] == ["Housing"]
        assert mine.peek("closing").notes == "Bea's closing words"
        await pilot.press("ctrl+q")


async def test_ticks_on_the_follow_through_lists_keep_a_teammates_edit_of_the_client(ann_and_bea_with_a_client) -> None:
    """The follow-through screen keeps the clients it ticked, and ticked the next item on
    its copy: a teammate's note merged in between was written over by the second tick."""
    from datetime import date, timedelta

    from textual.widgets import DataTable

    from cope_tui.meetings.rules import new_row
    from cope_tui.screens.follow_through import FollowThroughScreen

    session, client, app, bea = ann_and_bea_with_a_client
    meeting = start_meeting(session.store, session.meeting_guide, client)
    spec = session.meeting_guide.step("outcomes").list_spec("actions")
    for what, days in (("call the landlord", 2), ("send the form", 4)):
        due = (date.today() + timedelta(days=days)).isoformat()
        meeting.rows("outcomes", "actions").append(new_row(meeting, spec, {"who": "client", "what": what, "due": due}))
    finalise(meeting, "Ann")
    session.store.put_meeting(meeting)
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: showing(app, FollowThroughScreen) and app.screen.board is not None)
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 2)
        await pilot.press("space")  # the first item ticked off
        await until(pilot, lambda: table.row_count == 1)
        await asyncio.to_thread(session.flush)
        bea_writes_a_note(bea, client.id)
        await app_synced(pilot, app)  # a background sync, the lists open
        await pilot.press("space")  # the second one
        await until(pilot, lambda: table.row_count == 0)
        await asyncio.to_thread(session.flush)
        await app_synced(pilot, app)
        bea.engine.sync()
        for store in (session.store, bea.store):
            record = store.client(client.id)
            assert record.note == "Bea's note"
            assert sum(1 for f in record.followups.values() if f.done_on) == 2
        await pilot.press("escape", "ctrl+q")


async def test_goal_scores_given_in_a_meeting_keep_a_teammates_edit_of_the_client(ann_and_bea_with_a_client) -> None:
    """F9 in a meeting reads the client to score its goals and saves that copy: a note a
    sync merged while the scores were typed was written over."""
    from cope_tui.dialogs.goal_ratings import GoalRatings
    from cope_tui.meetings.case_plan import add_goal

    session, client, app, bea = ann_and_bea_with_a_client
    goal = add_goal(client, "Sleep through the night")
    session.store.put_client(client)
    meeting = start_meeting(session.store, session.meeting_guide, client)
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        await meeting_open(pilot, app, meeting.id)
        await pilot.press("f9")
        await until(pilot, lambda: showing(app, GoalRatings))
        bea_writes_a_note(bea, client.id)
        await app_synced(pilot, app)  # a background sync, the scores being typed
        await pilot.press("6", "enter", *"better", "ctrl+s")
        await until(pilot, lambda: showing(app, MeetingScreen))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, MeetingScreen))  # closed: the app syncs
        await until(pilot, lambda: session.store.client(client.id).note == "Bea's note", what="the merge")
        await until(pilot, lambda: not app.sync_runner.running and "waiting" not in header_text(app))
        bea.engine.sync()
        for store in (session.store, bea.store):
            record = store.client(client.id)
            assert record.note == "Bea's note"
            assert [r.score for r in record.goals[0].ratings] == [6] and record.goals[0].id == goal.id
        await pilot.press("ctrl+q")


async def test_an_open_meeting_shows_the_teams_step_states_and_finalising(ann_and_bea) -> None:
    """The screen took the team's version of the meeting but its sidebar kept the old
    step marks, and its keys still offered Finalise for a meeting the team finalised."""
    from textual.widgets import OptionList

    from cope_tui.meetings.models import StepState

    session, _client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        await meeting_open(pilot, app, meeting.id)
        theirs = bea.store.meeting(meeting.id)
        theirs.step("boundaries").state = StepState.DONE
        bea.store.put_meeting(theirs)
        bea.engine.sync()
        await pilot.press("f10")
        sidebar = app.screen.query_one("#steps", OptionList)
        marks = lambda: [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]  # noqa: E731
        await until(pilot, lambda: app.screen.meeting.peek("boundaries").state is StepState.DONE)
        assert any("✓ Boundaries" in mark for mark in marks())

        theirs = bea.store.meeting(meeting.id)
        finalise(theirs, "Bea")
        bea.store.put_meeting(theirs)
        bea.engine.sync()
        await until(pilot, lambda: "synced " in header_text(app) and not app.sync_runner.running)
        await pilot.press("f10")
        await until(pilot, lambda: app.screen.meeting.finalised)
        await pilot.pause()
        assert app.screen.check_action("finalise", ()) is not True
        footer = " ".join(b.binding.description for b in app.screen.active_bindings.values() if b.binding.show and b.enabled)
        assert "Addendum" in footer and "Finalise" not in footer
        await pilot.press("ctrl+q")
