"""The meeting screen with NO_COLOR and in 16 colours: wherever focus is, it shows
without colour (issue 13, point 1). How to update and review: tests/app/snapshots/README.md."""

from __future__ import annotations

import pytest

from helpers.snapshots import SMALL, meeting_at, records

FOCUS = {"notes": "#notes", "steps": "#steps", "list": "ListEditor"}


@pytest.mark.parametrize("where", FOCUS)
def test_meeting_focus_without_colour(snap_compare, snap_app_no_color, where):
    async def run(pilot):
        screen = await meeting_at(pilot, records(pilot.app).draft.id, "outcomes")
        widget = screen.query(FOCUS[where]).first()
        # Focus scrolls the widget into view; done here at once, without animation, so
        # the picture does not depend on how far an animated scroll had got.
        widget.focus(scroll_visible=False)
        widget.scroll_visible(animate=False, top=True)
        await pilot.pause()

    assert snap_compare(snap_app_no_color, terminal_size=SMALL, run_before=run)


def test_meeting_focus_in_16_colours(snap_compare, snap_app_16_colours):
    async def run(pilot):
        assert pilot.app.has_class("-few-colours")
        screen = await meeting_at(pilot, records(pilot.app).draft.id, "outcomes")

    assert snap_compare(snap_app_16_colours, terminal_size=SMALL, run_before=run)
