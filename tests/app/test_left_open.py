"""Words typed into a form that was open when the app stopped are kept, shown at the next
start, and go only when the user says so.

`app._on_signal` is what a hang-up (SIGHUP), SIGTERM and SIGINT run. Each test opens the
DB file again in a new app, as a user reconnecting would.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from cope_tui.app import create_app
from cope_tui.dialogs.client_form import ClientForm
from cope_tui.dialogs.left_open import LeftOpenDialog
from cope_tui.dialogs.screen_keys import screen_actions
from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.clients import ClientsScreen
from cope_tui.session import Session, create_client
from helpers.kept_words import kept_in, new_client_form_then_hangup
from helpers.pilot import palette_offers, showing
from helpers.polling import until as wait_for

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def offered(app) -> bool:
    """F7 is among the actions help and the palette list (they read the same list)."""
    return any(a.description == "Kept words" and a.enabled for a in screen_actions(app.screen))


async def test_a_new_clients_form_typed_into_at_a_hangup_is_shown_at_the_next_start(db):
    await new_client_form_then_hangup(db, *"C-0142", "enter", *"partner, sister", "enter", *"referred by the GP")
    [kept] = kept_in(db)
    assert kept.title == "New client" and kept.client_id is None and kept.where == "Clients"
    assert dict(kept.fields) == {"Name or code": "C-0142", "Others": "partner, sister", "Note": "referred by the GP"}

    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: showing(app, LeftOpenDialog))
        shown = " ".join(str(s.content) for s in app.screen.query("Static"))
        assert "New client · on Clients · " in shown
        assert "partner, sister" in shown and "referred by the GP" in shown
        await pilot.press("escape")  # keep for later
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen) and offered(app)
        await pilot.press("ctrl+p", *"kept")
        await wait_for(pilot, lambda: palette_offers(app, "Kept words"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: showing(app, LeftOpenDialog))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, LeftOpenDialog)
        await pilot.press("delete", "y")
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen) and not offered(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
    session.close()
    assert kept_in(db) == []


async def test_a_name_typed_as_the_kept_words_show_deletes_nothing(db):
    """The dialog opens by itself over the client list, where a user may be typing a name
    to find: "Andy" was "d" (delete them) then "y" (yes), and the words were gone."""
    await new_client_form_then_hangup(db, *"C-0142")
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: showing(app, LeftOpenDialog))
        await pilot.press(*"Andy", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LeftOpenDialog)
        await pilot.press("ctrl+q")
        await pilot.pause()
    session.close()
    assert [dict(k.fields) for k in kept_in(db)] == [{"Name or code": "C-0142"}]


async def _edit_client_then(db, *keys: str, stop: str) -> str:
    """Client C-9's edit form, `keys` typed into it, then the app stopped by `stop`
    ("hangup" or "quit"); the client's id."""
    session = Session.open(db)
    client = create_client(session.store, "C-9", note="first visit")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: showing(app, ClientScreen))
        app.push_screen(ClientForm(client))
        await pilot.pause()
        await pilot.press(*keys)
        if stop == "hangup":
            app._on_signal()
        else:
            await pilot.press("ctrl+q")
        await pilot.pause()
    session.close()
    return client.id


async def test_a_form_left_as_it_opened_keeps_nothing(db):
    await _edit_client_then(db, stop="hangup")  # edit, change nothing
    assert kept_in(db) == []


async def test_an_edit_form_keeps_its_words_with_the_client_and_a_quit_keeps_them_too(db):
    """...and `o` opens the client's own form again on their screen, the words in it."""
    client_id = await _edit_client_then(db, "tab", "tab", *"; asked for evening times", stop="quit")
    [kept] = kept_in(db)
    assert kept.title == "Edit client" and kept.client_id == client_id
    assert dict(kept.fields)["Note"] == "first visit; asked for evening times"

    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: showing(app, LeftOpenDialog))
        headings = [str(s.content) for s in app.screen.query(".left-open-heading")]
        assert headings[0].startswith("Edit client · client C-9 · ")
        await pilot.press("o")
        await wait_for(pilot, lambda: showing(app, ClientForm))
        assert isinstance(app.screen_stack[-2], ClientScreen) and app.screen_stack[-2].client_id == client_id
        assert app.screen.query_one("#note", Input).value == "first visit; asked for evening times"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: showing(app, ClientScreen))
        await pilot.press("ctrl+q")
    assert session.store.client(client_id).note == "first visit; asked for evening times"
    session.close()
    assert kept_in(db) == []


async def test_a_secret_or_a_login_is_never_kept(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: showing(app, ClientsScreen))
        app.push_screen(TextPrompt("Team passphrase", "The team's passphrase:", secret=True))
        app.push_screen(TextPrompt("Log in", "User name:", keeps_words=False))
        await pilot.pause()
        await pilot.press(*"amina")
        app.pop_screen()
        await pilot.pause()
        await pilot.press(*"correct horse battery")
        app._on_signal()
        await pilot.pause()
    session.close()
    assert kept_in(db) == []


async def test_kept_words_wait_behind_a_message_when_the_user_has_moved_on(db):
    await new_client_form_then_hangup(db, *"C-77")
    session = Session.open(db)
    create_client(session.store, "C-1")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: showing(app, LeftOpenDialog))
        await pilot.press("escape", "enter")  # later; then into the client
        await wait_for(pilot, lambda: showing(app, ClientScreen))
        app._offer_left_open()  # as when the DB is read after the user has left the list
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        assert any("F7 on the client list shows them" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+q")
    session.close()


async def test_keys_typed_before_the_db_is_read_never_land_in_the_kept_words(db):
    """A code typed into Find client while the DB is read: a `d` or `y` in it must not
    delete kept words. The words wait behind a message instead."""
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.search_warmed.is_set())
        await pilot.press(*"C-dy")
        session.keep_left_open("k1", "New client", None, [("Note", "typed before")])
        session.flush()
        app._offer_left_open()  # as when the DB is read just after those keys
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen) and offered(app)
        assert any("F7 on the client list shows them" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+q")
    session.close()
    assert [k.fields for k in kept_in(db)] == [(("Note", "typed before"),)]
