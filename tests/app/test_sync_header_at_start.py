"""The header at the app's start says what the earlier sessions' syncs left (issue 15,
point 3): the last sync time and the open conflicts, before this session has synced or
has the team passphrase. F11 then syncs first (asking for the passphrase) and the
chooser follows."""

from __future__ import annotations

from cope_tui.app import create_app
from cope_tui.dialogs.conflicts import ConflictsDialog
from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.screens.clients import ClientsScreen
from cope_tui.session import Session, create_client
from cope_tui.settings import Settings
from helpers.couch_server import couch_db, couch_server  # noqa: F401  (fixtures)
from helpers.polling import until
from helpers.sync import APP_PHRASE, Member, header_text, login_only
from helpers.sync import remote, team_key  # noqa: F401  (fixtures)

SIZE = (100, 30)


def a_conflict_left_in(tmp_path, remote, team_key) -> str:
    """Ann's DB after a sync that left one conflict (her note and Bea's); the client's id."""
    ann = Member(tmp_path / "ann.json", remote, team_key, "Ann")
    bea = Member(tmp_path / "bea.json", remote, team_key, "Bea")
    try:
        client = create_client(ann.store, "C-[1]", note="first")  # typed text, not markup
        ann.engine.sync()
        bea.engine.sync()
        for member, note in ((ann, "Ann's note"), (bea, "Bea's note")):
            mine = member.store.client(client.id)
            mine.note = note
            member.store.put_client(mine)
        bea.engine.sync()
        ann.engine.sync()
        assert len(ann.engine.conflicts()) == 1
    finally:
        bea.close()
        ann.close()
    return client.id


async def test_the_last_sync_and_its_conflicts_are_in_the_header_at_start(tmp_path, monkeypatch, remote, team_key) -> None:
    a_conflict_left_in(tmp_path, remote, team_key)
    login_only(monkeypatch, remote)
    session = Session.open(tmp_path / "ann.json")
    app = create_app(session, settings=Settings(0, sync_remote=remote.url, user_name="Ann"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
            await until(pilot, lambda: "1 conflict: F11" in header_text(app), what="the conflict left yesterday")
            assert "synced " in header_text(app) and "not synced yet" not in header_text(app)

            await pilot.press("f11")  # they open with the team: the passphrase first, then the chooser
            await until(pilot, lambda: isinstance(app.screen, TextPrompt), what="the passphrase prompt")
            await pilot.press(*APP_PHRASE, "enter")
            await until(pilot, lambda: isinstance(app.screen, ConflictsDialog), what="the chooser after the sync")
            listed = str(app.screen.query_one("#conflicts-list").get_option_at_index(0).prompt)
            assert listed.startswith("client C-[1]: note was changed here and by Bea")
            shown = str(app.screen.query_one("#conflicts-here").render()) + str(app.screen.query_one("#conflicts-there").render())
            assert "Ann's note" in shown and "Bea's note" in shown
            await pilot.press("escape")
            await pilot.press("ctrl+q")
    finally:
        session.close()


async def test_a_database_never_synced_still_says_so(tmp_path, monkeypatch, remote) -> None:
    login_only(monkeypatch, remote)
    session = Session.open(tmp_path / "new.json")
    create_client(session.store, "C-1")
    app = create_app(session, settings=Settings(0, sync_remote=remote.url, user_name="Ann"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
            await pilot.pause(0.3)  # the look back at earlier syncs has run
            assert app.sync_runner.earlier is None
            assert "not synced yet · F10 syncs" in header_text(app)
            await pilot.press("ctrl+q")
    finally:
        session.close()
