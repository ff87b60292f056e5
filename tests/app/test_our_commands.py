"""Only our commands, only our keys (issue 13, point 9): the palette offers the app's own
actions (not Textual's Keys, Maximize, Theme, Screenshot), help lists no widget
internals (Scroll Left, Page Left), and the home screen's search has one name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Footer, Input

from cope_tui.app import create_app
from cope_tui.dialogs.help import GUIDE, HelpScreen
from cope_tui.screens.clients import ClientsScreen
from cope_tui.session import Session, create_client
from cope_tui.settings import Settings
from cope_tui.widgets.palette import CopeCommands
from helpers.polling import until
from helpers.pilot import showing

SIZE = (80, 24)
TEXTUAL_OWN = ("Keys", "Maximize", "Minimize", "Theme", "Screenshot", "Quit the application", "Scroll Left",
               "Page Left", "Page Right", "Scroll Home", "Scroll End", "Focus Next", "Copy selected text")
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def session(tmp_path):
    s = Session.open(tmp_path / "cope.json")
    create_client(s.store, "C-0001")
    yield s
    s.close()


def _offered(app) -> list[str]:
    commands = app.screen.query_one(CommandList)
    return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]


async def test_the_palette_offers_only_our_commands(session):
    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "client-table", what="the client list")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: showing(app, CommandPalette) and any("New client" in o for o in _offered(app)),
                    what="the palette's list")
        offered = _offered(app)
        assert app.COMMANDS == {CopeCommands}  # the only provider: no other list can arrive later
        for name in TEXTUAL_OWN:
            assert not any(o.split("\n")[0].strip() == name for o in offered), (name, offered)
        assert list(app.get_system_commands(app.screen)) == []


async def test_help_lists_no_widget_internals(session):
    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "client-table", what="the list, focused")
        assert app.screen.focused.id == "client-table"
        await pilot.press("f1")
        await until(pilot, lambda: showing(app, HelpScreen), what="help")
        keys_here = app.screen._keys_here()
        for name in TEXTUAL_OWN:
            assert name not in keys_here, (name, keys_here)
        assert "New client" in keys_here
        # One action on two keys names both: "/" alone misled beside the footer's "^l".
        find = next(line for line in keys_here.splitlines() if "Find client" in line)
        assert "^l or /" in find, find


async def test_the_home_search_has_one_name_in_footer_help_and_readme(session):
    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "client-table", what="the client list")
        screen = app.screen
        assert isinstance(screen, ClientsScreen)
        names = {b.description for _, b in screen._bindings if b.action == "search" and b.description}
        assert names == {"Find client"}
        assert screen.query_one("#client-search", Input).placeholder.startswith("Find client")
        assert "find client" in GUIDE.casefold()
        readme = README.read_text(encoding="utf-8")
        home = readme.split("- **Clients** (home screen):")[1].split("\n- ")[0]
        assert "find client" in home.casefold() and not re.search(r"\bsearch\b", home)


async def test_a_theme_chosen_in_the_palette_is_kept_for_next_time(session, tmp_path):
    from cope_tui.settings import config_path, load_settings
    from helpers.pilot import palette_offers

    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "client-table", what="the client list")
        assert app.theme != "textual-light"
        await pilot.press("ctrl+p")
        await pilot.press(*"theme light")
        await until(pilot, lambda: palette_offers(app, "Theme: light"), what="the palette to offer the light theme")
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == "textual-light", what="the light theme")
        await until(pilot, lambda: config_path().exists() and load_settings(env={}).theme == "light", what="config.toml")
    again = create_app(session, settings=load_settings(env={}))
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(again.screen.focused, "id", None) == "client-table", what="the client list")
        assert again.theme == "textual-light"


def test_every_theme_offered_is_one_textual_has():
    from textual.theme import BUILTIN_THEMES

    from cope_tui.app import TEXTUAL_THEMES
    from cope_tui.settings import THEMES

    assert set(TEXTUAL_THEMES) == set(THEMES) and set(TEXTUAL_THEMES.values()) <= set(BUILTIN_THEMES)


async def test_help_and_the_palette_name_enter_where_it_opens_something(session):
    """The app takes enter first (to keep keys in order) and so hid the client screen's own
    enter from help's "Keys on this screen" and the palette: enter opened the highlighted
    meeting unnamed."""
    from cope_tui.dialogs.screen_keys import screen_actions
    from cope_tui.screens.client import ClientScreen

    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "client-table", what="the client list")
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ClientScreen), what="the client")
        opening = [a for a in screen_actions(app.screen) if a.action == "open_meeting"]
        assert [a.description for a in opening] == ["Open meeting"] and app.get_key_display(
            next(b for _, b in app.screen._bindings if b.id == "client.open")) in opening[0].key
        await pilot.press("f1")
        await until(pilot, lambda: showing(app, HelpScreen), what="help")
        assert "Open meeting" in app.screen._keys_here()
        await pilot.press("ctrl+q")
