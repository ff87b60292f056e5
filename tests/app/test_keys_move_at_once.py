"""A key that scrolls lands at once: Textual animates scrolls by default, and over tmux
the end of a long dialog took more than half a second to reach, read as `end` stopping
short (and every frame of it crosses an SSH link)."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll

from cope_tui.app import create_app
from cope_tui.dialogs.help import HelpScreen
from cope_tui.session import Session
from helpers.pilot import showing
from helpers.polling import until


@pytest.mark.parametrize(("variable", "level"), [(None, "none"), ("full", "full")])
async def test_end_in_a_long_dialog_is_there_at_once(tmp_path, monkeypatch, variable, level):
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    if variable is not None:  # Textual's own variable still chooses
        monkeypatch.setenv("TEXTUAL_ANIMATIONS", variable)
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.animation_level == level
        await pilot.press("f1")
        await until(pilot, lambda: showing(app, HelpScreen), 10, "help")
        scroll = app.screen.query_one(VerticalScroll)
        await pilot.pause()
        assert scroll.max_scroll_y > 10
        await pilot.press("end")
        if level == "none":
            assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("escape", "ctrl+q")
    session.close()
