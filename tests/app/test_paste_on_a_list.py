"""A paste where a list has the keyboard goes where a letter typed there goes: into Find
client on the client list, into the step's notes on a meeting's list. Both were lost
without a word (a list has no use for text)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from cope_tui.app import create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session, create_client
from cope_tui.widgets.list_editor import ListEditor
from helpers.pilot import showing
from helpers.polling import until


def two_clients(tmp_path) -> Session:
    session = Session.open(tmp_path / "cope.json")
    for code in ("C-0004", "C-0005"):
        create_client(session.store, code)
    return session


async def on_the_list(pilot) -> None:
    await until(pilot, lambda: getattr(pilot.app.focused, "id", None) == "client-table", 10, "the client list")


async def test_a_code_pasted_on_the_client_list_finds_the_client(tmp_path):
    session = two_clients(tmp_path)
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_the_list(pilot)
        app.post_message(events.Paste("C-0005\n"))
        await until(pilot, lambda: isinstance(app.focused, Input), 10, "Find client")
        assert app.focused.id == "client-search" and app.focused.value == "C-0005"
        await pilot.press("ctrl+q")
    session.close()


async def test_a_paste_on_a_meetings_list_goes_into_the_notes(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    create_client(session.store, "C-1")
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and getattr(app.focused, "id", None) == "notes",
                    10, "the notes")
        await pilot.press(*"Mum rang", "shift+tab")
        await until(pilot, lambda: isinstance(app.focused, ListEditor), 10, "the agenda list")
        app.post_message(events.Paste("about the rent\nand the deposit"))
        await until(pilot, lambda: isinstance(app.focused, TextArea), 10, "the notes again")
        assert app.focused.text == "Mum rang about the rent\nand the deposit"
        await pilot.press("ctrl+q")
    session.close()


async def test_find_client_looks_past_characters_no_code_holds(tmp_path):
    """A code copied with a zero-width space or a direction mark (or a no-break hyphen)
    found nothing, and the message showed the code as if it were typed right."""
    from textual.widgets import DataTable

    session = two_clients(tmp_path)
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_the_list(pilot)
        table = app.screen.query_one("#client-table", DataTable)
        for pasted in ("\u200bC-0004", "\u202eC-0004\u202c", "C\u20110004"):
            app.post_message(events.Paste(pasted))
            await until(pilot, lambda: table.row_count == 1, 10, f"one client for {pasted!r}")
            assert table.get_row_at(0)[0].plain.startswith("C-0004")
            await pilot.press("escape")  # clears the search
            await until(pilot, lambda: table.row_count == 2 and table.has_focus, 10, "the whole list again")
        await pilot.press("ctrl+q")
    session.close()
