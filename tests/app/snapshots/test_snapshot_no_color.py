"""The meeting screen with NO_COLOR: wherever focus is, it shows without colour (issue 13,
point 1). How to update and review: tests/app/snapshots/README.md."""

from __future__ import annotations

import pytest

from cope_tui.screens.meeting import MeetingScreen
from helpers.snapshots import SMALL, records, show

FOCUS = {"notes": "#notes", "steps": "#steps", "list": "ListEditor"}


@pytest.mark.parametrize("where", FOCUS)
def test_meeting_focus_without_colour(snap_compare, snap_app_no_color, where):
    async def run(pilot):
        screen = await show(pilot, MeetingScreen(records(pilot.app).draft.id))
        screen.open_step("outcomes")
        await pilot.pause()
        screen.query(FOCUS[where]).first().focus()
        await pilot.pause()

    assert snap_compare(snap_app_no_color, terminal_size=SMALL, run_before=run)
