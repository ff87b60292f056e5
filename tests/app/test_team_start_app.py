"""A team's key from the app's side (issue 15, points 1 and 2). Starting one: F10 at a
server with no team yet asks for the new team passphrase twice, as `cope-tui sync` does at
a terminal (the app sent the user to a terminal, where the DB was locked by the app
itself). A passphrase a member changed while the app was open: the next F10 asks for the
new one (the app took the team's versions for damaged ones)."""

from __future__ import annotations

from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.screens.clients import ClientsScreen
from cope_tui.session import create_client
from cope_tui.sync.couch import Couch
from cope_tui.sync.seal import open_team
from cope_tui.sync.team import is_record_id, read_team
from cope_tui.sync.engine import SyncEngine
from cope_tui.sync.rekey import change_team_passphrase
from helpers.couch_server import couch_db, couch_server  # noqa: F401  (fixtures)
from helpers.polling import until
from helpers.sync import Member, ann_with_a_client, header_text, login_only
from helpers.sync import remote, team_env, team_key  # noqa: F401  (fixtures)
from helpers.pilot import showing

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
    await until(pilot, lambda: showing(app, ClientsScreen))
    await pilot.press("f10")
    await until(pilot, lambda: showing(app, TextPrompt), what="the new team's prompt")


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
        await until(pilot, lambda: showing(app, ClientsScreen))
        assert "no team yet · F10 starts it" in header_text(app)
        await pilot.press("ctrl+q")
    session.close()
    assert team_on(couch_db) == (None, [])


async def test_a_passphrase_a_member_changed_meanwhile_is_asked_for_at_the_next_f10(tmp_path, team_env, team_key) -> None:
    session, app = ann_with_a_client(tmp_path, team_env.url)
    cal = Member(tmp_path / "cal.json", team_env, team_key, "Cal")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: showing(app, ClientsScreen))
            await pilot.press("f10")
            await until(pilot, lambda: "synced " in header_text(app), what="Ann's first sync")
            cal.engine.sync()
            cal.engine.close()
            change_team_passphrase(cal.store, cal.couch, team_key, "Cal", lambda: NEW_PHRASE)
            create_client(session.store, "C-2")
            await pilot.press("f10")
            changed = lambda: showing(app, TextPrompt) and "changed the team passphrase" in prompt_text(app)  # noqa: E731
            await until(pilot, changed, what="the new passphrase asked for")
            await pilot.press(*NEW_PHRASE, "enter")
            await until(pilot, lambda: "synced " in header_text(app) and "waiting" not in header_text(app))
            assert not [n for n in app._notifications if "could not be used" in n.message]
            await pilot.press("ctrl+q")
        cal.engine = SyncEngine(cal.store, cal.couch, open_team(read_team(cal.couch), NEW_PHRASE), "Cal")
        cal.engine.sync()
        assert sorted(doc["code"] for doc in cal.store.raw("clients")) == ["C-1", "C-2"]
    finally:
        cal.close()
        session.close()
