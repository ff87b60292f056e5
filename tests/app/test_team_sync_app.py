"""Team sync in the app (issue 15, points 3 and 4), under Pilot with a real
CouchDB-protocol server: the header's word on it, offline as an ordinary state, F10 and
F11, the background sync while typing, the conflict chooser, and open records left to
their screen (see also test_sync_open_screens.py)."""

from __future__ import annotations

import re

from textual.widgets import TextArea

from cope_tui.app import create_app
from cope_tui.dialogs.conflicts import ConflictsDialog
from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.screens.clients import ClientsScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session, create_client
from cope_tui.store.store import Store
from cope_tui.widgets.navigation import OpenMeeting
from cope_tui.widgets.palette import screen_actions
from helpers.couch_server import couch_db, couch_server, free_port  # noqa: F401  (fixtures)
from helpers.polling import until
from helpers.sync import APP_PHRASE as TEAM_PHRASE, Member, ann_with_a_client, header_text, login_only, passphrase_asked
from helpers.sync import settings_for, synced_with
from helpers.sync import ann_and_bea, remote, team_env, team_key  # noqa: F401  (fixtures)
from helpers.pilot import showing

SIZE = (100, 30)


def errors_shown(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_offline_is_said_in_the_header_without_an_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COPE_TUI_TEAM_PASSPHRASE", TEAM_PHRASE)
    session, app = ann_with_a_client(tmp_path, f"http://127.0.0.1:{free_port()}/team")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, ClientsScreen))
        assert "Sync" in [a.description for a in screen_actions(app.screen)]  # footer, help and palette
        await pilot.press("f10")
        await until(pilot, lambda: "offline, will sync" in header_text(app), what="the offline word")
        assert isinstance(app.screen, ClientsScreen) and not errors_shown(app)
        await pilot.press("ctrl+n")  # the app works as before: a new client
        await until(pilot, lambda: not isinstance(app.screen, ClientsScreen))
        await pilot.press("escape")
        await pilot.press("ctrl+q")
    session.close()


async def test_f10_with_an_address_holding_a_control_character_says_so(tmp_path) -> None:
    """httpx refused the address only when its client was built, as an error of its own,
    in the sync's worker: F10 did nothing at all, and said nothing."""
    session, app = ann_with_a_client(tmp_path, f"http://127.0.0.1:{free_port()}/team\x1b]0;title\x07")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, ClientsScreen))
        await pilot.press("f10")
        await until(pilot, lambda: any("control character" in n.message for n in app._notifications),
                    what="the address refused")
        (said,) = [n.message for n in app._notifications if "control character" in n.message]
        assert "\x1b" not in said and "\\x1b" in said  # shown as an escape, never sent to the terminal
        await pilot.press("ctrl+q")
    session.close()


def ann_bea_and_a_client(tmp_path, team_env, team_key):
    """(session, client, app, bea): Ann's DB with client C-1 (note "first"), her app set
    to sync with the team, and Bea, a member with an empty DB."""
    session = Session.open(tmp_path / "ann.json")
    client = create_client(session.store, "C-1", note="first")
    app = create_app(session, settings=settings_for(team_env.url))
    return session, client, app, Member(tmp_path / "bea.json", team_env, team_key, "Bea")


async def notes_clash(pilot, app, session, client, bea, ours: str, theirs: str) -> None:
    """Ann and Bea change the client's note, each on their own DB, and Ann syncs: one
    conflict, the note Ann wrote kept in the record."""
    client.note = ours
    session.save_client(client)
    session.flush()
    await until(pilot, lambda: "1 waiting" in header_text(app), what="a change waiting")
    other = bea.store.client(client.id)
    other.note = theirs
    bea.store.put_client(other)
    bea.engine.sync()
    await pilot.press("f10")
    await until(pilot, lambda: "1 conflict" in header_text(app), what="the conflict in the header")


async def test_f10_syncs_and_the_header_shows_time_waiting_and_conflicts(tmp_path, team_env, team_key) -> None:
    session, client, app, bea = ann_bea_and_a_client(tmp_path, team_env, team_key)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: showing(app, ClientsScreen))
            await until(pilot, lambda: "not synced yet" in header_text(app), what="the look back's answer")
            await pilot.press("f10")
            await until(pilot, lambda: "synced " in header_text(app) and "waiting" not in header_text(app))
            bea.engine.sync()
            assert bea.store.get("clients", client.id)["note"] == "first"

            await notes_clash(pilot, app, session, client, bea, "Ann's note", "Bea's note")

            await pilot.press("f11")  # both versions shown, nothing chosen yet
            await until(pilot, lambda: showing(app, ConflictsDialog))
            shown = str(app.screen.query_one("#conflicts-here").render()) + str(app.screen.query_one("#conflicts-there").render())
            assert "Ann's note" in shown and "Bea's note" in shown
            await pilot.press("escape")
            await until(pilot, lambda: showing(app, ClientsScreen))
            assert "1 conflict" in header_text(app)
            await pilot.press("f11", "t")  # take Bea's
            await until(pilot, lambda: session.store.get("clients", client.id)["note"] == "Bea's note")
            await until(pilot, lambda: showing(app, ClientsScreen) and "conflict" not in header_text(app))
            await pilot.press("f10")
            await until(pilot, lambda: "synced " in header_text(app) and "waiting" not in header_text(app))
            await pilot.press("ctrl+q")
        bea.engine.sync()
        assert bea.store.get("clients", client.id)["note"] == "Bea's note"
        assert bea.engine.conflicts() == []
    finally:
        bea.close()
        session.close()


async def test_the_team_passphrase_is_asked_for_once_and_hidden(tmp_path, monkeypatch, remote) -> None:
    login_only(monkeypatch, remote)
    session, app = ann_with_a_client(tmp_path, remote.url)
    async with app.run_test(size=SIZE) as pilot:
        await passphrase_asked(pilot, app)
        assert app.screen.query_one("#prompt-input").password
        await pilot.press(*"not the passphrase", "enter")
        await until(pilot, lambda: "team passphrase needed" in header_text(app))
        await pilot.press("f10")
        await until(pilot, lambda: showing(app, TextPrompt))
        await pilot.press(*TEAM_PHRASE, "enter")
        await until(pilot, lambda: "synced " in header_text(app), what="synced with the typed passphrase")
        await pilot.press("ctrl+q")
    session.close()


async def test_background_sync_while_typing_loses_nothing(tmp_path, ann_and_bea) -> None:
    session, _client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, ClientsScreen))
        app.post_message(OpenMeeting(meeting.id))
        await until(pilot, lambda: showing(app, MeetingScreen))
        app.sync_every_seconds = 0.3
        typed = ""
        syncs = set()
        for n in range(40):  # typing goes on while the background syncs come and go
            word = f"w{n} "
            await pilot.press(*word)
            typed += word
            if app.sync_runner.last is not None:
                syncs.add(id(app.sync_runner.last))
        await until(pilot, lambda: app.screen.query_one("#notes", TextArea).text == typed)
        await until(pilot, lambda: len(syncs | {id(app.sync_runner.last)}) >= 2, what="two background syncs")
        app.sync_every_seconds = None
        await pilot.press("ctrl+q")
    app.stop_team_sync()
    session.close()
    check = Store(tmp_path / "ann.json", read_only=True)  # everything typed is saved
    assert check.meeting(meeting.id).peek("opening").notes == typed
    check.close()


async def test_a_saved_edit_on_an_open_screen_is_merged_with_the_teams_at_once(ann_and_bea) -> None:
    """Until issue 15's last step the screen kept its copy until it was closed; now a
    screen whose edits are saved takes the merged version (both edits) at once. An
    unsaved edit still keeps it: tests/app/test_sync_open_screens.py."""
    session, _client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        bea.writes(meeting.id, "closing", "Bea's closing words")

        app.post_message(OpenMeeting(meeting.id))
        await until(pilot, lambda: showing(app, MeetingScreen))
        await pilot.press(*"Ann types")
        await pilot.press("f10")  # saves what is typed, then syncs
        await until(pilot, lambda: app.screen.meeting.peek("closing").notes == "Bea's closing words")
        await until(pilot, lambda: "synced " in header_text(app) and "waiting" not in header_text(app))
        assert session.store.meeting(meeting.id).peek("closing").notes == "Bea's closing words"
        assert app.screen.query_one("#notes", TextArea).text == "Ann types"
        await pilot.press(*" more", "escape")
        await until(pilot, lambda: not isinstance(app.screen, MeetingScreen))
        session.flush()
        assert session.store.meeting(meeting.id).peek("opening").notes == "Ann types more"
        assert session.store.meeting(meeting.id).peek("closing").notes == "Bea's closing words"
        await pilot.press("ctrl+q")


async def test_a_finalised_meetings_other_version_is_a_conflict_in_the_app(ann_and_bea) -> None:
    from cope_tui.meetings.rules import finalise
    from cope_tui.store import audit

    session, _client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        bea.writes(meeting.id, "opening", "Bea's later words")  # Bea goes on writing in the draft
        mine = session.store.meeting(meeting.id)
        finalise(mine, "Ann")
        session.store.put_meeting(mine)
        signed = session.store.get("meetings", meeting.id)
        audit.append(session.store.path, [audit.finalise_entry(signed)], audit.codec_of(session.store))
        await pilot.press("f10")
        await until(pilot, lambda: "1 conflict" in header_text(app))
        await pilot.press("f11")
        await until(pilot, lambda: showing(app, ConflictsDialog))
        listed = str(app.screen.query_one("#conflicts-list").get_option_at_index(0).prompt)
        assert "finalised meeting" in listed
        assert f"meeting C-1, {meeting.started:%Y-%m-%d}:" in listed  # as the screens name it, not by id
        assert "Bea's later words" in str(app.screen.query_one("#conflicts-there").render())
        await pilot.press("escape")
        assert session.store.get("meetings", meeting.id) == signed  # never changed
        await pilot.press("ctrl+q")


async def test_at_80_columns_the_sync_word_stays_whole_and_the_screens_words_are_cut(tmp_path) -> None:
    """The home screen's counts and the sync's word did not both fit: the word that says
    what to press (F10) was cut. The screen's words give way to it, and come back whole
    in a wider terminal."""
    from textual.widgets._header import HeaderTitle

    session, app = ann_with_a_client(tmp_path, f"http://127.0.0.1:{free_port()}/team")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: showing(app, ClientsScreen) and "not synced yet" in header_text(app))
        await pilot.press("ctrl+t")  # follow-through: its words are set once it has looked
        await until(pilot, lambda: "nothing overdue" in header_text(app), what="the follow-through's words")
        app.screen.sub_title = "1287 overdue · 391 due today · 86 meetings late"  # a service's
        await pilot.pause()
        shown, room = header_text(app), app.screen.query_one(HeaderTitle).size.width
        assert shown.endswith("not synced yet · F10 syncs") and "…" in shown and len(shown) <= room
        assert str(app.screen.query_one(HeaderTitle).render()).endswith("F10 syncs")  # as drawn
        await pilot.resize_terminal(120, 30)
        assert "86 meetings late  ·  not synced yet · F10 syncs" in header_text(app)
        await until(pilot, lambda: "86 meetings late" in str(app.screen.query_one(HeaderTitle).render()), what="redrawn")
        await pilot.press("ctrl+q")
    session.close()


async def test_records_a_sync_brings_are_counted_in_the_home_header(tmp_path, team_env, team_key) -> None:
    """A new member's first sync filled the list, and the header kept saying nothing was
    due until the home screen was left and opened again."""
    from cope_tui.content.meeting_guide import load_meeting_guide
    from cope_tui.demo.writer import write_demo

    bea = Member(tmp_path / "bea.json", team_env, team_key, "Bea")
    write_demo(bea.store, load_meeting_guide(), clients=8, meetings=30, seed=1)
    bea.engine.sync()
    bea.close()
    session = Session.open(tmp_path / "ann.json")
    app = create_app(session, settings=settings_for(team_env.url))
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: showing(app, ClientsScreen) and "not synced yet" in header_text(app))
        assert "overdue" not in header_text(app)
        await pilot.press("f10")
        await until(pilot, lambda: "synced " in header_text(app), what="the first sync")
        await until(pilot, lambda: "overdue" in header_text(app), what="the counts of what arrived")
        # After a sync too, the header names the key that syncs again (the footer does not).
        assert re.search(r"synced \d\d:\d\d · F10 syncs$", header_text(app)), header_text(app)
        await pilot.press("ctrl+q")
    session.close()


async def chooser_on_a_clash(pilot, app, session, client, bea, ours: str, theirs: str) -> None:
    """Both in step first, then notes_clash, then F11: the chooser open on the conflict."""
    await until(pilot, lambda: showing(app, ClientsScreen))
    await pilot.press("f10")
    await until(pilot, lambda: "synced " in header_text(app))
    bea.engine.sync()
    await notes_clash(pilot, app, session, client, bea, ours, theirs)
    await pilot.press("f11")
    await until(pilot, lambda: showing(app, ConflictsDialog))


async def test_b_in_the_conflict_chooser_keeps_both_texts(tmp_path, team_env, team_key) -> None:
    """Two workers added to one note at once: neither has to lose their words."""
    session, client, app, bea = ann_bea_and_a_client(tmp_path, team_env, team_key)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await chooser_on_a_clash(pilot, app, session, client, bea, "first, then Ann's line", "first, then Bea's line")
            await pilot.press("b")
            joined = "first, then Ann's line / first, then Bea's line"  # a client's note is edited on one line
            await until(pilot, lambda: session.store.get("clients", client.id)["note"] == joined, what="both kept")
            await until(pilot, lambda: "conflict" not in header_text(app))
            await pilot.press("f10")
            await until(pilot, lambda: "synced " in header_text(app) and "waiting" not in header_text(app))
            await pilot.press("ctrl+q")
        bea.engine.sync()
        assert bea.store.get("clients", client.id)["note"] == joined and bea.engine.conflicts() == []
    finally:
        bea.close()
        session.close()


async def test_f11_in_the_chooser_opens_no_second_one(tmp_path, team_env, team_key) -> None:
    """Found at 80x24: F11 pressed in the chooser stacked a second one; after esc the
    first stayed, with its list from before (after a passphrase change, a conflict that
    was gone)."""
    session, client, app, bea = ann_bea_and_a_client(tmp_path, team_env, team_key)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await chooser_on_a_clash(pilot, app, session, client, bea, "Ann's note", "Bea's note")
            await pilot.press("f11")
            await pilot.pause()
            assert sum(isinstance(screen, ConflictsDialog) for screen in app.screen_stack) == 1
            await pilot.press("escape")
            await until(pilot, lambda: showing(app, ClientsScreen))
            await pilot.press("ctrl+q")
    finally:
        bea.close()
        session.close()


async def test_f10_without_a_team_says_what_to_write_and_in_which_file(tmp_path, monkeypatch) -> None:
    """A new user had "put [sync] remote ... in config.toml" and no idea where that file is."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    session = Session.open(tmp_path / "solo.json")
    app = create_app(session, settings=settings_for(None, None))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: showing(app, ClientsScreen))
        await pilot.press("f10")
        said = lambda: [n.message for n in app._notifications if n.title == "Team sync"]  # noqa: E731
        await until(pilot, said, what="the word on team sync")
        where = str(tmp_path / "config" / "cope-tui" / "config.toml")
        assert where in said()[0] and 'remote = "' in said()[0] and "[user]" in said()[0]
        await pilot.press("ctrl+q")
    session.close()


def test_a_remote_without_a_name_asks_only_for_the_name() -> None:
    from cope_tui.widgets.team_sync import not_set_up

    said = not_set_up("https://server/team", None)
    assert "needs your name" in said and "[user]" in said and "[sync]" not in said


async def test_a_new_conflict_is_said_once_as_it_arrives(tmp_path, team_env, team_key) -> None:
    """Found with two workers: the notes being typed changed to the other worker's
    version, and only the header's count said that both were kept."""
    session, client, app, bea = ann_bea_and_a_client(tmp_path, team_env, team_key)
    said = lambda: [str(n.message) for n in app._notifications if "new conflict" in str(n.message)]  # noqa: E731
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: showing(app, ClientsScreen))
            await pilot.press("f10")
            await until(pilot, lambda: "synced " in header_text(app))
            bea.engine.sync()
            assert said() == []
            await notes_clash(pilot, app, session, client, bea, "Ann's note", "Bea's note")
            await until(pilot, said, what="the word on the new conflict")
            assert said()[0].startswith("1 new conflict:") and "F11" in said()[0]
            app.clear_notifications()
            told, tell = [], app._tell_new_conflicts
            app._tell_new_conflicts = lambda report: (told.append(report), tell(report))
            await pilot.press("f10")
            await until(pilot, lambda: told, what="the second sync's end")
            assert said() == [] and "1 conflict" in header_text(app)  # not news the second time
            await pilot.press("ctrl+q")
    finally:
        bea.close()
        session.close()


async def test_an_erasure_closes_the_finalised_meeting_open_on_screen_and_its_addendum(ann_and_bea, team_env, team_key) -> None:
    """Ann has a finalised meeting open, writing an addendum, when Bea's erasure of the
    client arrives. Her DB takes it (an erasure goes even over a finalised meeting), and
    the screen kept the meeting: the addendum saved it back. Now the screen says so and
    closes with its dialog, and nothing of it is saved again."""
    from cope_tui.dialogs.finalise import AddendumDialog
    from cope_tui.meetings.rules import finalise
    from cope_tui.store import audit

    session, client, meeting, app, bea = ann_and_bea
    mine = session.store.meeting(meeting.id)
    finalise(mine, "Ann")
    session.store.put_meeting(mine)
    audit.append(session.store.path, [audit.finalise_entry(session.store.get("meetings", meeting.id))], audit.codec_of(session.store))
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        path = bea.store.path
        bea.close()
        store = Store(path)
        store.erase_client(client.id, by="Bea")
        store.close()
        bea = Member(path, team_env, team_key, "Bea")
        try:
            bea.engine.sync()
            app.post_message(OpenMeeting(meeting.id))
            await until(pilot, lambda: showing(app, MeetingScreen))
            await pilot.press("ctrl+f")
            await until(pilot, lambda: showing(app, AddendumDialog))
            await pilot.press(*"a late word")
            app.action_sync_now()
            await until(pilot, lambda: not any(isinstance(s, (MeetingScreen, AddendumDialog)) for s in app.screen_stack))
            assert any("erased this meeting's client" in n.message for n in app._notifications)
            await until(pilot, lambda: "synced " in header_text(app) and not app.sync_runner.running)
            session.flush()
            assert session.store.get("meetings", meeting.id) is None
            bea.engine.sync()
            assert bea.store.get("meetings", meeting.id) is None
        finally:
            bea.close()
        await pilot.press("ctrl+q")
