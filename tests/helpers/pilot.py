"""What the app tests wait for under Pilot (with helpers.polling.until), in place of a
fixed pause that hopes the app got there."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.command import CommandList, CommandPalette

_CHARS = {"tab": "\t", "enter": "\r", "shift+tab": None}


def burst(app: Any, *parts: str) -> None:
    """Post keys at once, as a terminal hands over what was typed fast (Pilot's `press`
    waits for each key): a part of one character is typed, a longer part is a key name."""
    for part in parts:
        keys = [part] if len(part) > 1 and not part.isspace() else list(part)
        for key in keys:
            char = key if len(key) == 1 else _CHARS.get(key)
            app.post_message(events.Key(key, char))


def palette_offers(app: Any, words: str) -> bool:
    """The command palette is open and its highlighted command (the one enter runs)
    holds `words`: its search, which runs in a worker, has answered what was typed."""
    screen = app.screen
    if not isinstance(screen, CommandPalette):
        return False
    commands = screen.query_one(CommandList)
    if commands.highlighted is None or commands.option_count == 0:
        return False
    hit = getattr(commands.get_option_at_index(commands.highlighted), "hit", None)
    return hit is not None and words.casefold() in (hit.text or "").casefold()


def search_answered(app: Any) -> bool:
    """The F4 search screen has answered the query now typed (queries run in a worker)."""
    from cope_tui.screens.search import SearchScreen

    screen = app.screen
    return isinstance(screen, SearchScreen) and screen.answered == screen.query_one("#search-input").value


def showing(app: Any, screen_type: type) -> bool:
    """The app's screen is a `screen_type` *and* has composed and mounted its widgets:
    a screen is current as soon as it is pushed, before its widgets exist, and a test
    that queried in between found nothing (once in a CI run of 1,400 tests)."""
    return isinstance(app.screen, screen_type) and app.screen.is_mounted


def shown_lines(app: Any) -> list[str]:
    """The screen's lines as the terminal would show them (the compositor's, after
    every layout): what a user reads, wrapping included."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


async def open_goal_form(app: Any, pilot: Any) -> None:
    """From the client list, its first client's case plan and a new goal's form."""
    from cope_tui.dialogs.goal_form import GoalForm
    from cope_tui.screens.client import ClientScreen
    from helpers.polling import until

    await pilot.press("enter")
    await until(pilot, lambda: showing(app, ClientScreen), 10, "the client screen")
    await pilot.press("g", "n")
    await until(pilot, lambda: showing(app, GoalForm), 10, "the goal form")
