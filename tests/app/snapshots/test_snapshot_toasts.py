"""Toasts over the screens where they covered what was typed (issue 13, point 5): the
interview's refused keys, the boundaries refusal, toasts over the addendum dialog.
How to update and review: tests/app/snapshots/README.md."""

from __future__ import annotations

from cope_tui.screens.exercise import ExerciseScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.dialogs.finalise import AddendumDialog
from helpers.snapshots import SMALL, meeting_at, records, show


def test_interview_toasts(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, ExerciseScreen(records(pilot.app).follow_up.id, section="interviews"))
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y", "n", "s", "n")
        await pilot.pause()

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_boundaries_refusal(snap_compare, snap_app):
    async def run(pilot):
        await meeting_at(pilot, records(pilot.app).first.id, "boundaries")
        await pilot.press("ctrl+t")
        await pilot.pause()

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_addendum_toasts(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, MeetingScreen(records(pilot.app).finalised.id))
        pilot.app.notify("This meeting is finalised and read-only.", severity="warning")
        pilot.app.notify("Finalised. The meeting is now read-only; ctrl+f adds an addendum.")
        await show(pilot, AddendumDialog())

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)
