"""One question of the team sync's at a time (issue 15, point 3: the app asks for the
team passphrase at F10).

Found at 80x24: F10 pressed twice while the team passphrase was asked stacked a second
question under the first. Once the first was answered and the sync ran, the words typed
next for the meeting's notes went, as dots, into the second one's passphrase field."""

from __future__ import annotations

from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.screens.clients import ClientsScreen
from helpers.couch_server import couch_db, couch_server  # noqa: F401  (fixtures)
from helpers.pilot import showing
from helpers.polling import until
from helpers.sync import APP_PHRASE, ann_with_a_client, header_text, login_only, passphrase_asked
from helpers.sync import remote, team_key  # noqa: F401  (fixtures)

SIZE = (80, 24)


def questions(app) -> int:
    return sum(isinstance(screen, TextPrompt) for screen in app.screen_stack)


async def test_f10_again_while_the_passphrase_is_asked_adds_no_second_question(tmp_path, monkeypatch, remote) -> None:
    login_only(monkeypatch, remote)
    session, app = ann_with_a_client(tmp_path, remote.url)
    async with app.run_test(size=SIZE) as pilot:
        await passphrase_asked(pilot, app)
        await pilot.press("f10")  # again: that sync needs the passphrase as well, and says so
        syncing = lambda: app.sync_thread is not None and app.sync_thread.is_alive()  # noqa: E731
        await until(pilot, lambda: not syncing(), what="the second sync's answer")
        await pilot.pause()
        assert questions(app) == 1
        await pilot.press(*APP_PHRASE, "enter")
        await until(pilot, lambda: "synced " in header_text(app), what="synced with the typed passphrase")
        assert questions(app) == 0 and showing(app, ClientsScreen)
        await pilot.press(*"C-1")  # the next words go where the user is, not into a hidden field
        await until(pilot, lambda: app.screen.query_one("#client-search").value == "C-1")
        await pilot.press("ctrl+q")
    session.close()
