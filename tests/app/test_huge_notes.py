"""Huge text stays usable and nothing typed is lost.

A note held as one 1 MB line made every key take over a second to echo: Textual's
TextArea lays out the whole line being edited, and every row on screen again, at each
key. Text areas for client text now hold at most `LIMIT` characters: what would go past
it is refused whole, with a message, never cut; text stored over the limit opens whole,
is kept whole, and can be shortened.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual import events
from textual.widgets import TextArea
from textual.widgets.text_area import Document

import cope_tui
from cope_tui.app import create_app
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.screens.clients import ClientsScreen
from cope_tui.screens.handover import HandoverScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.store.store import Store
from cope_tui.dialogs.notes_area import LIMIT, NotesArea
from helpers.polling import until
from helpers.pilot import showing

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def store_note(db, notes: str) -> tuple[str, str]:
    """A draft meeting whose first step holds `notes`, written as an older app or an import would."""
    store = Store(db)
    client = create_client(store, "C-1")
    meeting = start_meeting(store, load_meeting_guide(), client)
    step = meeting.current_step
    meeting.step(step).notes = notes
    store.put_meeting(meeting)
    store.close()
    return meeting.id, step


def stored_note(db, meeting_id: str, step: str) -> str:
    store = Store(db, read_only=True)
    try:
        return store.meeting(meeting_id).step(step).notes
    finally:
        store.close()


async def open_meeting(pilot, meeting_id: str) -> NotesArea:
    app = pilot.app
    await until(pilot, lambda: showing(app, ClientsScreen) and app.session.store.ready)
    app.push_screen(MeetingScreen(meeting_id))
    await until(pilot, lambda: showing(app, MeetingScreen) and app.screen.meeting is not None)
    await pilot.pause()
    notes = app.screen.query_one("#notes", TextArea)
    assert isinstance(notes, NotesArea)
    return notes


def messages(app) -> str:
    return "\n".join(n.message for n in app._notifications)


async def test_typing_at_the_limit_is_refused_with_a_message(db):
    before = "n" * (LIMIT - 3)  # one line: the worst case for the editor
    meeting_id, step = store_note(db, before)
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        notes = await open_meeting(pilot, meeting_id)
        assert notes.text == before
        await pilot.press(*"abcde")
        assert notes.text == before + "abc"
        assert f"at most {LIMIT:,} characters" in messages(app)
        await pilot.press("backspace", "backspace", "x")  # room again: typing goes on
        assert notes.text == before + "ax"
        await pilot.press("ctrl+q")
    session.close()
    assert stored_note(db, meeting_id, step) == before + "ax"


async def test_a_paste_past_the_limit_is_refused_whole_and_one_within_is_kept_whole(db):
    before = "p" * (LIMIT - 10)
    meeting_id, step = store_note(db, before)
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        notes = await open_meeting(pilot, meeting_id)
        app.post_message(events.Paste("0123456789A"))
        await pilot.pause()
        assert notes.text == before
        assert "paste was not added" in messages(app)
        app.post_message(events.Paste("0123456789"))
        await pilot.pause()
        assert notes.text == before + "0123456789"
        await pilot.press("ctrl+q")
    session.close()
    assert stored_note(db, meeting_id, step) == before + "0123456789"


@pytest.mark.parametrize("shape", ["one line", "many lines"])
async def test_a_stored_note_over_the_limit_opens_whole_and_is_kept_whole(db, shape):
    huge = "word " * 200_000 if shape == "one line" else ("word " * 100 + "\n") * 2_000
    meeting_id, step = store_note(db, huge)
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        notes = await open_meeting(pilot, meeting_id)
        assert notes.text == huge
        assert "kept whole" in messages(app)
        # A line that long is shown unwrapped: wrapping it was what cost a second a key.
        assert notes.soft_wrap is (shape == "many lines")
        await pilot.press("z")
        assert notes.text == huge
        await pilot.press("backspace")  # it can be shortened
        assert notes.text == huge[:-1]
        await pilot.press("ctrl+q")
    session.close()
    assert stored_note(db, meeting_id, step) == huge[:-1]


async def test_the_next_step_after_a_very_long_line_wraps_again(db):
    meeting_id, step = store_note(db, "x" * (LIMIT + 1))
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        notes = await open_meeting(pilot, meeting_id)
        assert notes.soft_wrap is False
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert notes.soft_wrap is True
        await pilot.press(*"short")
        assert notes.text == "short"
        await pilot.press("ctrl+q")
    session.close()
    assert stored_note(db, meeting_id, step) == "x" * (LIMIT + 1)


async def test_our_handler_joins_the_whole_text_at_most_once_a_key(db, monkeypatch):
    """The screen's own work per key: the text is read once, however big it is. (Textual
    itself reads it once for each row it paints, to decide on a placeholder: not counted.)"""
    meeting_id, _ = store_note(db, ("a sentence of notes. " * 20 + "\n") * 90)
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await open_meeting(pilot, meeting_id)
        joins = 0
        text = Document.text

        def counted(self) -> str:
            nonlocal joins
            caller = sys._getframe(2).f_code.co_filename  # past TextArea.text
            joins += Path(cope_tui.__file__).parent in Path(caller).parents
            return text.fget(self)

        monkeypatch.setattr(Document, "text", property(counted))
        await pilot.press(*"twelve chars")
        assert joins <= len("twelve chars")
        monkeypatch.undo()
        await pilot.press("ctrl+q")
    session.close()


async def test_a_handover_section_refuses_a_paste_past_the_limit(db):
    store = Store(db)
    create_client(store, "C-1")
    store.close()
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, ClientsScreen) and app.session.store.ready)
        await pilot.press("enter", "h")
        await until(pilot, lambda: showing(app, HandoverScreen))
        area = app.focused
        assert isinstance(area, NotesArea)
        app.post_message(events.Paste("h" * (LIMIT + 1)))
        await pilot.pause()
        assert area.text == "" and "paste was not added" in messages(app)
        app.post_message(events.Paste("kept"))
        await pilot.pause()
        assert area.text == "kept"
        await pilot.press("ctrl+q")
    session.close()
    store = Store(db, read_only=True)
    try:
        assert store.client_by_code("C-1").handover.journey == "kept"
    finally:
        store.close()
