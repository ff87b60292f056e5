"""Issue 13, point 6: each key does what it says, once (the meeting, its addendum, the
follow-through's next meetings and the meeting clock)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest
from textual.widgets import DataTable, Input, Static

from cope_tui.app import create_app
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.dialogs.finalise import AddendumDialog, FinaliseDialog
from cope_tui.meetings.models import StepState
from cope_tui.meetings.rules import finalise
from cope_tui.screens.follow_through import FollowThroughScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session, create_client, start_meeting
from cope_tui.store.store import Store
from helpers.polling import until
from helpers.pilot import showing

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def finalised_meeting(db, by: str = "J. Okafor") -> None:
    guide = load_meeting_guide()
    store = Store(db)
    client = create_client(store, "C-1")
    meeting = start_meeting(store, guide, client)
    meeting.current_step = guide.steps_for(True)[-1].id
    meeting.step("outcomes").fields["next_meeting"] = (date.today() + timedelta(days=14)).isoformat()
    meeting.started = datetime.now() - timedelta(days=1)
    finalise(meeting, by)
    store.put_meeting(meeting)
    store.close()


async def open_meeting(app, pilot) -> MeetingScreen:
    await pilot.press("enter")  # the client
    await pilot.pause()
    await pilot.press("enter")  # its meeting
    await until(pilot, lambda: showing(app, MeetingScreen), 10, "the meeting")
    await pilot.pause()
    return app.screen


async def test_ctrl_n_on_the_last_step_of_a_finalised_meeting_does_not_offer_finalising(db):
    finalised_meeting(db)
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_meeting(app, pilot)
        assert screen.meeting.finalised and screen.meeting.current_step == "outcomes"
        await pilot.press("ctrl+n")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert said and "last step" in said[-1]
        assert not any("finalises" in text for text in said)
        await pilot.press("ctrl+q")
    session.close()


async def test_an_addendum_is_added_by_who_finalised(db, monkeypatch):
    monkeypatch.setenv("USER", "os-login")
    monkeypatch.setenv("LOGNAME", "os-login")
    finalised_meeting(db, by="J. Okafor")
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await open_meeting(app, pilot)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: showing(app, AddendumDialog), 10, "the addendum dialog")
        assert app.screen.query_one("#by", Input).value == "J. Okafor"
        await pilot.press("escape", "ctrl+q")
    session.close()


async def test_letters_typed_into_a_finalised_meetings_notes_are_answered(db):
    """They went nowhere, without a word; the note says what can be done instead."""
    finalised_meeting(db, by="Ann Alpha")
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await open_meeting(app, pilot)
        app.screen.query_one("#notes").focus()
        await pilot.press(*"correction")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert sum("finalised and never changes" in m and "ctrl+f" in m for m in said) == 1  # once, not per key
        await pilot.press("ctrl+q")
    session.close()


async def test_a_worker_with_a_name_set_adds_the_addendum_under_it(db):
    """In a team the finalised meeting came from a colleague: their name went on this
    worker's correction."""
    from cope_tui.settings import Settings

    finalised_meeting(db, by="Ann Alpha")
    session = Session.open(db)
    app = create_app(session, settings=Settings(user_name="Bob Beta"))
    async with app.run_test(size=SIZE) as pilot:
        await open_meeting(app, pilot)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: showing(app, AddendumDialog), 10, "the addendum dialog")
        assert app.screen.query_one("#by", Input).value == "Bob Beta"
        await pilot.press("escape", "ctrl+q")
    session.close()


async def test_the_step_lists_keys_are_offered_where_keys_are_listed(db):
    """d, s and p on the step list were read on the side: in no footer, help or palette."""
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None, 10, "the meeting")
        await pilot.press("ctrl+l")
        await pilot.pause()
        shown = {key: b.binding for key, b in app.screen.active_bindings.items() if b.binding.show}
        assert {key: shown[key].id for key in "dsp" if key in shown} == {
            "d": "steps.done", "s": "steps.skip", "p": "steps.pending"}
        await pilot.press("ctrl+q")
    session.close()


async def test_the_step_label_follows_the_step_list_at_once(db):
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None, 10, "the meeting")
        screen = app.screen
        label = screen.query_one("#notes-label", Static)
        assert "(pending)" in str(label.render())
        await pilot.press("ctrl+l", "d")
        await pilot.pause()
        assert screen.meeting.peek("opening").state is StepState.DONE
        assert "(done)" in str(label.render())
        await pilot.press("s")
        await pilot.pause()
        assert "(skipped)" in str(label.render())
        await pilot.press("ctrl+q")
    session.close()


async def test_next_meetings_keep_the_date_while_the_review_is_a_draft(db):
    finalised_meeting(db)
    guide = load_meeting_guide()
    store = Store(db)
    start_meeting(store, guide, store.client_by_code("C-1"))  # the review, under way
    store.close()
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await until(pilot, lambda: showing(app, FollowThroughScreen), 10, "follow-through")
        screen = app.screen
        await screen.workers.wait_for_complete()
        await pilot.press("4")
        await pilot.pause()
        table = screen.query_one(DataTable)
        rows = [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        due = (date.today() + timedelta(days=14)).isoformat()
        assert any(due in row and " | started | " in row for row in rows), rows  # the When column: 7 wide
        assert "under way" in str(screen.query_one("#ft-detail", Static).render())
        await pilot.press("ctrl+q")
    session.close()


async def test_the_meeting_clock_never_runs_backwards_on_finalise(db):
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None, 10, "the meeting")
        screen = app.screen
        await pilot.press("ctrl+f")  # captures and saves: the clock's seconds so far are stored
        await until(pilot, lambda: showing(app, FinaliseDialog), 10, "the finalise dialog")
        shown = screen._elapsed()
        end = time.monotonic() + 2.5  # the dialog stays open a moment, as when a name is typed
        while time.monotonic() < end or screen._elapsed() <= shown + 1:
            await pilot.pause(0.1)
        before = screen._elapsed()
        await pilot.press("enter")
        await until(pilot, lambda: screen.meeting.finalised, 10, "finalised")
        assert screen._elapsed() >= before, "the clock went back on finalise"
        assert screen.sub_title.endswith(f"{screen._elapsed() // 60:02d}:{screen._elapsed() % 60:02d}")
        await pilot.press("ctrl+q")
    session.close()


async def test_the_last_step_done_names_the_steps_still_pending(tmp_path):
    """"All steps visited" came with the opening left pending (ctrl+n moves on without
    marking it), and the finalise dialog then said "Steps still pending: Opening"."""
    from cope_tui.meetings.rules import finalise
    from cope_tui.screens.meeting import MeetingScreen
    from cope_tui.session import Session, create_client, start_meeting
    from cope_tui.app import create_app
    from helpers.pilot import showing
    from helpers.polling import until

    session = Session.open(tmp_path / "cope.json")
    client = create_client(session.store, "C-1")
    first = start_meeting(session.store, session.meeting_guide, client)
    finalise(first, "worker")
    session.store.put_meeting(first)
    app = create_app(session, meet_code="C-1")  # a review: no checklist to decide first
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen), 10, "the review meeting")
        screen = app.screen
        steps = [s.id for s in screen.steps()]
        await pilot.press("ctrl+n")  # on from the opening, left pending
        for _ in steps[1:]:
            await pilot.press("ctrl+t")
            await pilot.pause()
        said = "\n".join(n.message for n in app._notifications)
        opening = session.meeting_guide.step(steps[0]).title
        assert f"still pending: {opening}" in said and "All steps visited" not in said, said
        await pilot.press("ctrl+q")
    session.close()
