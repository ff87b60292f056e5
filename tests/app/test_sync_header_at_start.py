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
from cope_tui.sync.state import SyncState
from helpers.couch_server import couch_db, couch_server  # noqa: F401  (fixtures)
from helpers.polling import until
from helpers.sync import APP_PHRASE, Member, header_text, login_only
from helpers.sync import remote, team_key  # noqa: F401  (fixtures)
from helpers.pilot import showing

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
            await until(pilot, lambda: showing(app, ClientsScreen))
            await until(pilot, lambda: "1 conflict: F11" in header_text(app), what="the conflict left yesterday")
            assert "synced " in header_text(app) and "not synced yet" not in header_text(app)

            await pilot.press("f11")  # they open with the team: the passphrase first, then the chooser
            await until(pilot, lambda: showing(app, TextPrompt), what="the passphrase prompt")
            await pilot.press(*APP_PHRASE, "enter")
            await until(pilot, lambda: showing(app, ConflictsDialog), what="the chooser after the sync")
            listed = str(app.screen.query_one("#conflicts-list").get_option_at_index(0).prompt)
            assert listed.startswith("client C-[1]: note in two versions, one by Bea")
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
            await until(pilot, lambda: showing(app, ClientsScreen))
            await until(pilot, lambda: "not synced yet · F10 syncs" in header_text(app), what="the look back's answer")
            assert app.sync_runner.earlier is None
            await pilot.press("ctrl+q")
    finally:
        session.close()


def state_reads(monkeypatch) -> list:
    """Each reading of a sync state from now on (its path), as it happens."""
    reads = []
    original = SyncState._load
    monkeypatch.setattr(SyncState, "_load", lambda state: reads.append(state.path) or original(state))
    return reads


def anns_app(tmp_path, monkeypatch, remote):
    """(session, app): Ann's app on her DB, with the server's login and no team passphrase."""
    login_only(monkeypatch, remote)
    session = Session.open(tmp_path / "ann.json")
    return session, create_app(session, settings=Settings(0, sync_remote=remote.url, user_name="Ann"))


async def test_what_waits_is_counted_at_start_and_the_first_sync_reads_the_state_once(
    tmp_path, monkeypatch, remote, team_key
) -> None:
    """A note changed offline after the last sync: "1 waiting" at start, before any sync;
    a client added in the app before the first sync makes it 2. That sync takes over the
    look back's reading of the state (read once in the session) and sends both."""
    ann = Member(tmp_path / "ann.json", remote, team_key, "Ann")
    try:
        first = create_client(ann.store, "C-1", note="before")
        create_client(ann.store, "C-2")
        ann.engine.sync()
    finally:
        ann.close()
    offline = Session.open(tmp_path / "ann.json")
    changed = offline.store.client(first.id)
    changed.note = "changed offline"
    offline.store.put_client(changed)
    offline.close()

    reads = state_reads(monkeypatch)
    session, app = anns_app(tmp_path, monkeypatch, remote)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: "1 waiting" in header_text(app), what="the change made offline")
            create_client(session.store, "C-3")  # saved in this session, before its first sync
            await until(pilot, lambda: "2 waiting" in header_text(app), what="the client added now")
            await pilot.press("f10")
            await until(pilot, lambda: showing(app, TextPrompt), what="the passphrase prompt")
            await pilot.press(*APP_PHRASE, "enter")
            # (the first F10's outcome, "passphrase needed", is the last until this one ends)
            await until(pilot, lambda: app.sync_runner.last.kind == "synced", what="the sync")
            assert app.sync_runner.last.report.sent == 2
            assert "waiting" not in header_text(app)
            assert len(reads) == 1, "the first sync read the state again"
            await pilot.press("ctrl+q")
    finally:
        session.close()
    bea = Member(tmp_path / "bea.json", remote, team_key, "Bea")
    try:
        bea.engine.sync()
        assert bea.store.client(first.id).note == "changed offline"
        assert sorted(c.code for c in bea.store.clients()) == ["C-1", "C-2", "C-3"]
    finally:
        bea.close()


async def test_the_look_back_leaves_the_apps_start_to_itself(tmp_path, monkeypatch, remote, team_key) -> None:
    """The look back reads the state only after look_back_after (at 50,000 meetings it
    takes the interpreter for a second or more, and a code typed at the start waited)."""
    a_conflict_left_in(tmp_path, remote, team_key)
    reads = state_reads(monkeypatch)
    session, app = anns_app(tmp_path, monkeypatch, remote)
    app.look_back_after = 600.0
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: showing(app, ClientsScreen))
            await pilot.press(*"C-")  # typed at the start: the list filters, nothing else runs
            await pilot.pause(0.5)
            # Nothing read, nothing claimed: a DB that synced yesterday is not "not synced yet".
            assert reads == [] and "synced" not in header_text(app) and header_text(app).endswith("F10 syncs")
            app.look_back_after = 0.0  # the start is over
            await until(pilot, lambda: "1 conflict: F11" in header_text(app), what="the look back")
            assert len(reads) == 1
            await pilot.press("ctrl+q")
    finally:
        session.close()
