"""Issue 13, point 1 (its NO_COLOR part): always show where focus is.

With NO_COLOR Textual turns every colour to grey, and the current step differed from
the others only by a background of 236 against 234; a focused notes area showed
nothing but its cursor. Now a focused list's row is reversed, the current step is
bold and underlined while focus is elsewhere, and a focused text area has a bar.
"""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, TextArea

from cope_tui.app import create_app
from cope_tui.session import Session
from cope_tui.settings import Settings
from cope_tui.widgets.list_editor import ListEditor
from helpers.snapshot_db import frozen_clock, write_snapshot_db
from helpers.snapshots import SMALL, meeting_at, records


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    with frozen_clock():
        session = Session.open(write_snapshot_db(tmp_path / "cope.json"), lazy=False)
        try:
            yield create_app(session, settings=Settings(idle_minutes=0))
        finally:
            session.close()


def _highlight(widget, component: str) -> set[str]:
    style = widget.get_component_rich_style(component)
    return {name for name in ("bold", "underline", "reverse") if getattr(style, name)}


async def test_focus_shows_without_colour_on_the_meeting_screen(app):
    async with app.run_test(size=SMALL) as pilot:
        assert app.no_color
        screen = await meeting_at(pilot, records(app).draft.id, "outcomes")
        steps = screen.query_one("#steps", OptionList)
        notes = screen.query_one("#notes", TextArea)
        table = screen.query(ListEditor).first()

        notes.focus()
        await pilot.pause()
        assert {"bold", "underline"} <= _highlight(steps, "option-list--option-highlighted")
        assert notes.styles.border_left[0] == "thick"

        steps.focus()
        await pilot.pause()
        assert "reverse" in _highlight(steps, "option-list--option-highlighted")
        assert notes.styles.border_left[0] == "blank"

        table.focus()
        await pilot.pause()
        assert "reverse" in _highlight(table, "datatable--cursor")
        assert "reverse" not in _highlight(steps, "option-list--option-highlighted")
