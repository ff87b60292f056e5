"""Find client (ctrl+l) a second time: what is typed replaces the last search instead of
being added to it (it read 'C-0512C-0007' and found nobody)."""

from __future__ import annotations

from textual.widgets import Input

from cope_tui.app import create_app
from cope_tui.screens.client import ClientScreen
from cope_tui.session import Session, create_client

SIZE = (80, 24)


async def test_find_client_again_replaces_the_last_search(tmp_path):
    session = Session.open(tmp_path / "db.json")
    for code in ("C-0512", "C-0007"):
        create_client(session.store, code)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"C-0512")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen) and app.screen.client.code == "C-0512"
        await pilot.press("escape")  # back on the list, the last search still in the box
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.press(*"C-0007")
        await pilot.pause()
        search = app.screen.query_one("#client-search", Input)
        assert search.value == "C-0007"
        assert app.screen.query_one("#client-table").row_count == 1
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen) and app.screen.client.code == "C-0007"
        await pilot.press("ctrl+q")
    session.close()


async def test_enter_on_a_code_that_finds_one_client_opens_it(tmp_path):
    """Typing a code and enter opened nothing: it only moved to the list, a second enter
    opened the client. With several matches enter still goes to the list."""
    session = Session.open(tmp_path / "db.json")
    for code in ("C-0512", "C-0513", "C-0007"):
        create_client(session.store, code)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"C-051", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, ClientScreen)
        assert app.screen.query_one("#client-table").has_focus
        await pilot.press("ctrl+l", *"C-0007", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen) and app.screen.client.code == "C-0007"
        await pilot.press("ctrl+q")
    session.close()


async def test_back_from_a_client_opened_by_its_code_the_next_code_replaces_it(tmp_path):
    """Back on the list from a client opened by its code and enter, the code typed next
    (which goes to the box: type to filter) was added to the last one."""
    session = Session.open(tmp_path / "db.json")
    for code in ("C-0512", "C-0007"):
        create_client(session.store, code)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"C-0512", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen) and app.screen.client.code == "C-0512"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press(*"C-0007", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen) and app.screen.client.code == "C-0007"
        await pilot.press("escape")
        await pilot.pause()
        search = app.screen.query_one("#client-search", Input)
        assert search.value == "C-0007"  # the last search is kept, to look at
        await pilot.press("down", "up")  # moving on the list is not typing: it stays
        assert search.value == "C-0007"
        await pilot.press("ctrl+q")
    session.close()
