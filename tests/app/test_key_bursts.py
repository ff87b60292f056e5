"""Keys that arrive together land where they would have landed typed one by one.

A busy moment, a slow SSH link or tmux hands the app several keys at once. Pilot's
`press` waits for each key to be handled, so these tests post the keys in one go,
as the terminal driver does.
"""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from cope_tui.app import create_app
from cope_tui.session import create_client
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.handover import HandoverScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from helpers.pilot import burst, showing
from helpers.polling import until

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


async def test_notes_typed_around_a_step_key_stay_in_their_steps(db):
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        first = screen.meeting.current_step
        burst(app, *"before", "ctrl+n", *"after", "f8", *"third", "ctrl+o", *" more")
        notes_area = screen.query_one("#notes", TextArea)
        # The last key typed, and its change handed to the screen (a message behind it).
        typed = lambda: notes_area.text.endswith("more") and screen.meeting.peek(screen.meeting.current_step).notes.endswith("more")  # noqa: E731
        await until(pilot, typed, 10, "the burst's last key")
        second = [s.id for s in screen.steps()][1]
        third = [s.id for s in screen.steps()][2]
        notes = {step_id: record.notes for step_id, record in screen.meeting.steps.items() if record.notes}
        assert notes == {first: "before", second: "after more", third: "third"}
        assert screen.meeting.current_step == second
        assert screen.query_one("#notes", TextArea).text == "after more"
        await pilot.press("ctrl+q")
    session.close()


async def test_text_typed_after_a_tab_goes_into_the_next_field(db):
    session = Session.open(db)
    create_client(session.store, "C-2")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "h")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        burst(app, *"From crisis to routine", "tab", *"Ask early", "tab", *"Rent paid", "shift+tab", *", mostly")
        learned = app.screen.query_one("#handover-learned", TextArea)
        await until(pilot, lambda: learned.text.endswith("mostly"), 10, "the burst's last key")
        texts = {area.id: area.text for area in app.screen.query(TextArea)}
        assert texts["handover-journey"] == "From crisis to routine"
        assert texts["handover-learned"] == "Ask early, mostly"
        assert texts["handover-effect"] == "Rent paid"
        await pilot.press("ctrl+q")
    session.close()
    reopened = Session.open(db)
    try:
        client = next(iter(reopened.store.clients()))
        assert client.handover.learned == "Ask early, mostly"
    finally:
        reopened.close()


async def test_a_form_typed_in_one_burst_with_enters_fills_each_field(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")  # the new-client form: code, others, note
        await pilot.pause()
        burst(app, *"C-9", "enter", *"sister, aunt", "enter", *"Prefers mornings", "enter")
        await until(pilot, lambda: session.store.client_by_code("C-9") is not None, 10, "the form saved")
        await pilot.press("ctrl+q")
    session.close()
    reopened = Session.open(db)
    try:
        [client] = reopened.store.clients()
        assert (client.code, client.significant_others, client.note) == ("C-9", ["sister", "aunt"], "Prefers mornings")
    finally:
        reopened.close()


async def test_a_code_an_arrow_and_enter_in_one_burst_open_that_client(db):
    session = Session.open(db)
    for code in ("C-1", "C-2", "C-3"):
        create_client(session.store, code)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, *"C-2", "down", "enter")  # typed on the list: it goes to the search box
        await until(pilot, lambda: showing(app, ClientScreen), 10, "a client opened")
        assert isinstance(app.screen, ClientScreen)
        assert app.screen.client.code == "C-2"
        await pilot.press("ctrl+q")
    session.close()


async def test_keys_typed_ahead_of_a_screen_reach_that_screen(db):
    session = Session.open(db)
    create_client(session.store, "C-4")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "enter", "h", *"Came in worried")  # open the client, its handover, type
        await until(pilot, lambda: showing(app, HandoverScreen) and app.screen.query_one(
            "#handover-journey", TextArea).text.endswith("worried"), 10, "the keys typed ahead")
        assert isinstance(app.screen, HandoverScreen)
        assert app.screen.query_one("#handover-journey", TextArea).text == "Came in worried"
        await pilot.press("ctrl+q")
    session.close()
