"""Issue 13, point 5: tables use the width they are given.

At 120x40 a meeting list still cut its text at 30 characters ("keep the budget notebook
for …") with half the row empty; each column now takes what its text needs, and only
when the table is too narrow is the widest text cut, with the one `clip`.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from cope_tui.app import create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.settings import Settings
from cope_tui.widgets.list_editor import ListEditor, fit_limit
from helpers.snapshot_db import frozen_clock, write_snapshot_db
from helpers.snapshots import LARGE, SMALL, meeting_at, records, show


@pytest.fixture
def app(tmp_path):
    with frozen_clock():
        session = Session.open(write_snapshot_db(tmp_path / "cope.json"), lazy=False)
        try:
            yield create_app(session, settings=Settings(idle_minutes=0))
        finally:
            session.close()


def _cells(table: DataTable, column: str) -> list[str]:
    return [str(table.get_cell(row, column)) for row in table.rows]


async def _actions(app, pilot, size) -> tuple[ListEditor, list[str]]:
    meeting = records(app).draft
    screen = await meeting_at(pilot, meeting.id, "outcomes")
    editor = next(e for e in screen.query(ListEditor) if e.spec.id == "actions")
    return editor, [str(r.values["what"]) for r in editor.row_list]


async def test_a_wide_screen_shows_list_text_whole(app):
    async with app.run_test(size=LARGE) as pilot:
        editor, whole = await _actions(app, pilot, LARGE)
        assert max(map(len, whole)) > 30  # the demo has an action longer than the old limit
        assert _cells(editor, "what") == whole
        assert _cells(editor, "due") and all("…" not in c for c in _cells(editor, "due"))


async def test_a_narrow_table_cuts_only_the_widest_text_and_fits(app):
    async with app.run_test(size=SMALL) as pilot:
        editor, whole = await _actions(app, pilot, SMALL)
        await pilot.pause()
        shown = _cells(editor, "what")
        assert any(c.endswith("…") for c in shown)
        assert all(w.startswith(c.rstrip("…")) for c, w in zip(shown, whole))
        assert _cells(editor, "due") == [str(r.values["due"]) for r in editor.row_list]  # dates whole
        used = sum(c.get_render_width(editor) for c in editor.columns.values())
        assert used <= editor.size.width


def test_the_limit_is_what_the_widest_text_needs_when_it_fits():
    assert fit_limit(["Who", "What"], [6, 52], 100) == 52
    assert fit_limit(["Who", "What"], [6, 52], 30) == 30 - 2 * 2 - 6  # only the long text is cut


async def test_the_meeting_footer_shows_its_keys_whole_at_80_columns(app):
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    async with app.run_test(size=SMALL) as pilot:
        screen = await show(pilot, MeetingScreen(records(app).draft.id))
        await pilot.pause()
        footer = screen.query_one(Footer)
        keys = [k for k in footer.query(FooterKey) if "-command-palette" not in k.classes]
        back = next(k for k in keys if k.description == "Back")
        palette = footer.query_one(FooterKey.__name__ + ".-command-palette")
        assert back.region.right <= palette.region.x, "esc Back runs under the palette key"


async def test_the_case_plan_card_uses_a_tall_wide_screen(app):
    from cope_tui.screens.client import ClientScreen
    from helpers.snapshot_db import GOALS

    async with app.run_test(size=LARGE) as pilot:
        client = records(app).client
        screen = await show(pilot, ClientScreen(client.id))
        await pilot.pause()
        card = str(screen.query_one("#case-plan-summary").render())
        assert "more" not in card
        for text, _ in GOALS:
            assert text in card, text


async def test_the_case_plan_card_still_fits_80x24(app):
    from cope_tui.screens.client import ClientScreen

    async with app.run_test(size=SMALL) as pilot:
        screen = await show(pilot, ClientScreen(records(app).client.id))
        await pilot.pause()
        card = screen.query_one("#case-plan-summary")
        assert "and 3 more" in str(card.render())
        assert card.content_region.height == 4  # heading, two goals, the "more" line


async def test_the_case_plan_table_shows_goals_whole_on_a_wide_screen(app):
    from cope_tui.screens.case_plan import CasePlanScreen
    from helpers.snapshot_db import GOALS

    async with app.run_test(size=LARGE) as pilot:
        screen = await show(pilot, CasePlanScreen(records(app).client.id))
        await pilot.pause()
        table = screen.query_one("#goal-table", DataTable)
        for shown, (text, _) in zip(_cells(table, "goal"), GOALS):
            assert shown == text or (len(shown) >= 60 and text.startswith(shown[:-1])), shown  # was 25
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert table.scrollable_content_region.width - 2 <= used <= table.scrollable_content_region.width
