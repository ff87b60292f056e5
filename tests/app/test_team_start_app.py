"""Starting a team from the app (issue 15, point 1): F10 at a server with no team yet asks
for the new team passphrase twice, as `cope-tui sync` does at a terminal. Before, the app
sent the user to a terminal, where the DB was locked by the app itself."""

from __future__ import annotations

from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.screens.clients import ClientsScreen
from cope_tui.sync.couch import Couch
from cope_tui.sync.seal import open_team
from cope_tui.sync.team import is_record_id, read_team
from helpers.couch_server import couch_db, couch_server  # noqa: F401  (fixtures)
from helpers.polling import until
from helpers.sync import ann_with_a_client, header_text, login_only

SIZE = (100, 30)

NEW_PHRASE = "three words chosen here"


def prompt_text(app) -> str:
    return str(app.screen.query_one("#prompt-text").render())


def error_text(app) -> str:
    return str(app.screen.query_one("#prompt-error").render())


def team_on(db):
    with Couch(db.url, auth=db.auth) as couch:
        doc = read_team(couch)
        records = [row.id for row in couch.changes(0, 50).rows if is_record_id(row.id)]
    return doc, records


async def to_the_new_team_prompt(pilot, app) -> None:
    """F10 at the home screen, to the first of the two prompts."""
    await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
    await pilot.press("f10")
    await until(pilot, lambda: isinstance(app.screen, TextPrompt), what="the new team's prompt")


async def test_f10_at_a_server_with_no_team_starts_one_with_a_passphrase_typed_twice(tmp_path, monkeypatch, couch_db) -> None:
    login_only(monkeypatch, couch_db)
    session, app = ann_with_a_client(tmp_path, couch_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await to_the_new_team_prompt(pilot, app)
        assert "holds no team yet" in prompt_text(app) and app.screen.query_one("#prompt-input").password
        await pilot.press(*"short", "enter")
        await until(pilot, lambda: "at least 8 characters" in error_text(app), what="a short one refused")
        await pilot.press(*["backspace"] * 5, *NEW_PHRASE, "enter")
        await until(pilot, lambda: "again" in prompt_text(app), what="the second prompt")
        await pilot.press(*"three words chosen hare", "enter")
        await until(pilot, lambda: "Not the same" in error_text(app), what="a different one refused")
        assert read_team(Couch(couch_db.url, auth=couch_db.auth)) is None  # nothing started yet
        await pilot.press(*["backspace"] * 4, *"here", "enter")
        await until(pilot, lambda: "synced " in header_text(app), what="the team started and synced")
        assert any("Started the team" in n.message for n in app._notifications)
        assert isinstance(app.screen, ClientsScreen)
        await pilot.press("ctrl+q")
    session.close()
    doc, records = team_on(couch_db)
    assert doc is not None and open_team(doc, NEW_PHRASE) is not None  # the others join with it
    assert len(records) == 1  # the client went with the first sync


async def test_leaving_the_new_team_prompts_starts_nothing(tmp_path, monkeypatch, couch_db) -> None:
    login_only(monkeypatch, couch_db)
    session, app = ann_with_a_client(tmp_path, couch_db.url)
    async with app.run_test(size=SIZE) as pilot:
        await to_the_new_team_prompt(pilot, app)
        await pilot.press(*NEW_PHRASE, "enter")
        await until(pilot, lambda: "again" in prompt_text(app))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
        assert "no team yet · F10 starts it" in header_text(app)
        await pilot.press("ctrl+q")
    session.close()
    assert team_on(couch_db) == (None, [])
