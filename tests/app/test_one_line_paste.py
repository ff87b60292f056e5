"""A paste of several lines into a one-line field keeps every line (Pilot, real DB).

Textual's Input keeps the first line of a paste only: the rest was dropped without a
word, and the client's note said less than the worker had pasted.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from cope_tui.app import create_app
from cope_tui.dialogs.client_form import ClientForm
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.pilot import showing
from helpers.polling import until


def messages(app) -> str:
    return "\n".join(n.message for n in app._notifications)


async def test_lines_pasted_into_a_one_line_field_are_joined_not_dropped(tmp_path):
    db = tmp_path / "cope.json"
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")
        await until(pilot, lambda: showing(app, ClientForm), 10, "the client form")
        await pilot.press(*"C-9", "tab", "tab")
        assert isinstance(app.focused, Input) and app.focused.id == "note"
        app.post_message(events.Paste("Came back\r\nafter the move\n\n   to her sister's  \n"))
        await pilot.pause()
        assert app.focused.value == "Came back after the move to her sister's"
        assert "pasted lines were joined" in messages(app)
        app.post_message(events.Paste(" (one line)"))  # a paste of one line is left as it is
        await pilot.pause()
        assert app.focused.value == "Came back after the move to her sister's (one line)"
        app.clear_notifications()
        await pilot.pause()
        app.post_message(events.Paste("\n and more\n\n"))  # one line between blank ones: kept, nothing said
        await pilot.pause()
        assert app.focused.value == "Came back after the move to her sister's (one line)and more"
        assert "pasted lines were joined" not in messages(app)
        app.focused.value = "Came back after the move to her sister's (one line)"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not showing(app, ClientForm), 10, "the form closed")
        await pilot.press("ctrl+q")
    assert session.close()
    store = Store(db)
    (client,) = store.clients()
    assert client.note == "Came back after the move to her sister's (one line)"
    store.close()


async def test_a_paste_into_the_notes_keeps_its_lines(tmp_path):
    """The notes are many lines: nothing is joined there."""
    from cope_tui.screens.meeting import MeetingScreen
    from cope_tui.session import create_client

    session = Session.open(tmp_path / "cope.json")
    create_client(session.store, "C-1")
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.screen.meeting is not None, 10, "the meeting")
        await pilot.pause()
        assert isinstance(app.focused, TextArea)
        app.post_message(events.Paste("one\ntwo"))
        await pilot.pause()
        assert app.focused.text.endswith("one\ntwo")
        assert "joined" not in messages(app)
        await pilot.press("ctrl+q")
    session.close()


def test_a_paste_once_the_screens_are_gone_is_passed_on_not_a_crash(tmp_path):
    """A paste handed over during shutdown asked for the focused widget with no screen
    left, and the app stopped on ScreenStackError."""
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session)  # never run: no screen at all
    assert app._focused_now() is None
    session.close()


async def test_lines_pasted_into_a_list_of_people_stay_one_entry_each(tmp_path):
    """Others (and who is present, a team's members) are comma-separated: pasted lines
    joined with spaces made "partner sister, brother" one person of the three."""
    db = tmp_path / "cope.json"
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")
        await until(pilot, lambda: showing(app, ClientForm), 10, "the client form")
        await pilot.press(*"C-9", "tab")
        assert app.focused.id == "others"
        app.post_message(events.Paste("partner\nsister, brother,\n\n  aunt \n"))
        await pilot.pause()
        assert app.focused.value == "partner, sister, brother, aunt"
        assert "commas between them" in messages(app)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not showing(app, ClientForm), 10, "the form closed")
        await pilot.press("ctrl+q")
    assert session.close()
    store = Store(db)
    (client,) = store.clients()
    assert client.significant_others == ["partner", "sister", "brother", "aunt"]
    store.close()
