"""Kept words opened again in their own form (`o` in the kept-words dialog): a new
client's from the client list, a stage change on its client's screen. Saved, the words
go; cancelled, they stay kept. A form the app cannot open again offers no `o`.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from cope_tui.app import create_app
from cope_tui.dialogs.client_form import ClientForm
from cope_tui.dialogs.left_open import LeftOpenDialog
from cope_tui.dialogs.screen_keys import screen_actions
from cope_tui.dialogs.stage_form import StageForm
from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.clients import ClientsScreen
from cope_tui.session import Session
from helpers.kept_words import SIZE, dialog_then_hangup, kept_in, new_client_form_then_hangup, stage_form_then_hangup
from helpers.pilot import showing
from helpers.polling import until


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def hint(app) -> str:
    return str(app.screen.query_one("#left-open-hint").content)


async def open_again(pilot, app, form: type) -> None:
    """The kept words shown at the start, then `o`: their form is up."""
    await until(pilot, lambda: showing(app, LeftOpenDialog))
    await pilot.press("o")
    await until(pilot, lambda: showing(app, form))


async def test_a_new_clients_words_open_again_in_its_form_and_go_once_it_is_saved(db):
    await new_client_form_then_hangup(db, *"C-0142", "enter", *"partner, sister", "enter", *"referred by the GP")
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, LeftOpenDialog))
        assert hint(app).startswith("o open it again")
        await open_again(pilot, app, ClientForm)
        form = app.screen
        assert [form.query_one(f"#{name}", Input).value for name in ("code", "others", "note")] == [
            "C-0142", "partner, sister", "referred by the GP"]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: showing(app, ClientScreen), what="the new client's screen")
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, ClientsScreen))
        assert not any(a.description == "Kept words" and a.enabled for a in screen_actions(app.screen))  # F7: none left
        await pilot.press("ctrl+q")
    client = next(c for c in session.store.clients() if c.code == "C-0142")
    assert client.significant_others == ["partner", "sister"] and client.note == "referred by the GP"
    session.close()
    assert kept_in(db) == []


async def test_a_stage_change_opens_again_on_its_clients_screen_with_the_stage_chosen(db):
    await stage_form_then_hangup(db, "5", *"settled for three months")
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await open_again(pilot, app, StageForm)
        assert isinstance(app.screen_stack[-2], ClientScreen)
        stages = app.screen.query_one("#stage-list", OptionList)
        assert str(stages.get_option_at_index(stages.highlighted).prompt) == "5  Consolidating"
        assert app.screen.query_one("#stage-reason", Input).value == "settled for three months"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: showing(app, ClientScreen))
        await pilot.press("ctrl+q")
    [client] = session.store.clients()
    assert client.stage == 5
    session.close()
    assert kept_in(db) == []


async def test_a_form_opened_again_and_cancelled_keeps_its_words(db):
    """Also what was typed after it opened again: one esc closes it, since its words, as
    typed now, stay kept (nothing for a second esc to warn of)."""
    await new_client_form_then_hangup(db, *"C-77")
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await open_again(pilot, app, ClientForm)
        await pilot.press(*"-b", "escape")
        await until(pilot, lambda: showing(app, ClientsScreen))
        await pilot.press("ctrl+q")
    session.close()
    [kept] = kept_in(db)
    assert dict(kept.fields)["Name or code"] == "C-77-b"


async def test_a_form_that_cannot_be_opened_again_offers_no_o(db):
    await dialog_then_hangup(db, TextPrompt("Addendum", "What to add:"), *"seen again on Friday")
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, LeftOpenDialog))
        assert "o open" not in hint(app)
        assert not any(a.description == "Open again" and a.enabled for a in screen_actions(app.screen))
        await pilot.press("o")
        await pilot.pause()
        assert showing(app, LeftOpenDialog)
        await pilot.press("ctrl+q")
    session.close()
    assert len(kept_in(db)) == 1
