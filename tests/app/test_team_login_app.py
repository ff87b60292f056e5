"""A server that asks for a login (issue 15, point 1: credentials come from the variables
or a prompt). Every real CouchDB of a service does; the app only read the variables and
told the user to set them, which means quitting it. Now F10 asks, in memory only."""

from __future__ import annotations

from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.screens.clients import ClientsScreen
from helpers.couch_server import couch_db, couch_server  # noqa: F401  (fixtures)
from helpers.login_proxy import LoginProxy
from helpers.polling import until
from helpers.sync import APP_PHRASE, ann_with_a_client, header_text
from helpers.sync import remote, team_key  # noqa: F401  (fixtures)
from helpers.pilot import showing

SIZE = (100, 30)
PASSWORD = "a member's own password"


def asking(app, words: str) -> bool:
    return isinstance(app.screen, TextPrompt) and words in str(app.screen.query_one("#prompt-text").render())


async def test_a_login_the_server_asks_for_is_typed_at_f10_and_never_written(tmp_path, monkeypatch, remote) -> None:
    monkeypatch.delenv("COPE_TUI_SYNC_USER", raising=False)
    monkeypatch.delenv("COPE_TUI_SYNC_PASSWORD", raising=False)
    monkeypatch.setenv("COPE_TUI_TEAM_PASSPHRASE", APP_PHRASE)
    with LoginProxy(remote.url, "amina", PASSWORD) as server:
        session, app = ann_with_a_client(tmp_path, server.url)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: showing(app, ClientsScreen))
            await pilot.press("f10")
            await until(pilot, lambda: asking(app, "asks for your login"), what="the user name asked for")
            await pilot.press(*"amina", "enter")
            await until(pilot, lambda: asking(app, "Password for amina"), what="the password asked for")
            assert app.screen.query_one("#prompt-input").password
            await pilot.press(*"not the password", "enter")
            await until(pilot, lambda: asking(app, "That login was not accepted"), what="asked again")
            await pilot.press(*"amina", "enter")
            await until(pilot, lambda: asking(app, "Password for amina"))
            await pilot.press(*PASSWORD, "enter")
            await until(pilot, lambda: "synced " in header_text(app), what="synced with the typed login")
            await pilot.press("ctrl+q")
        session.close()
    assert server.seen[0] is None and server.seen[-1] == server.expected
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path.name


async def test_esc_at_the_login_leaves_the_header_saying_what_is_needed(tmp_path, monkeypatch, remote) -> None:
    monkeypatch.delenv("COPE_TUI_SYNC_USER", raising=False)
    monkeypatch.delenv("COPE_TUI_SYNC_PASSWORD", raising=False)
    with LoginProxy(remote.url, "amina", PASSWORD) as server:
        session, app = ann_with_a_client(tmp_path, server.url)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: showing(app, ClientsScreen))
            await pilot.press("f10")
            await until(pilot, lambda: asking(app, "asks for your login"))
            await pilot.press("escape")
            await until(pilot, lambda: "login needed · F10" in header_text(app))
            await pilot.press("ctrl+q")
        session.close()
