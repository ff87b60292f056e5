"""Every screen at 80x24, the main ones at 120x40: how to update and review them is in
tests/app/snapshots/README.md."""

from __future__ import annotations

import pytest

from cope_tui.screens.case_plan import CasePlanScreen
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.exercise import ExerciseReport, ExerciseScreen
from cope_tui.screens.exercises import ExercisesScreen
from cope_tui.screens.export_preview import ExportPreview
from cope_tui.screens.follow_through import FollowThroughScreen
from cope_tui.screens.handover import HandoverScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.screens.search import SearchScreen
from helpers.snapshots import SIZES, SMALL, meeting_at, records, show

BOTH = pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
MEETING_STEPS = ["opening", "boundaries", "services", "progress", "strengths", "support", "needs", "outcomes"]
EXERCISE_SECTIONS = ["overview", "guides", "interviews", "records", "flow", "plan", "culture", "report"]


@BOTH
def test_clients(snap_compare, snap_app, size):
    assert snap_compare(snap_app, terminal_size=size)


@BOTH
def test_client(snap_compare, snap_app, size):
    async def run(pilot):
        await show(pilot, ClientScreen(records(pilot.app).client.id))

    assert snap_compare(snap_app, terminal_size=size, run_before=run)


def test_closed_client(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, ClientScreen(records(pilot.app).closed.id))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


@pytest.mark.parametrize("step", MEETING_STEPS)
def test_meeting_step(snap_compare, snap_app, step):
    async def run(pilot):
        meetings = records(pilot.app)
        await meeting_at(pilot, (meetings.first if step == "boundaries" else meetings.draft).id, step)

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


@pytest.mark.parametrize("step", ["boundaries", "strengths", "needs", "outcomes"])
def test_meeting_step_large(snap_compare, snap_app, step):
    async def run(pilot):
        meetings = records(pilot.app)
        await meeting_at(pilot, (meetings.first if step == "boundaries" else meetings.draft).id, step)

    assert snap_compare(snap_app, terminal_size=SIZES["120x40"], run_before=run)


def test_finalised_meeting(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, MeetingScreen(records(pilot.app).finalised.id))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


@BOTH
def test_case_plan(snap_compare, snap_app, size):
    async def run(pilot):
        await show(pilot, CasePlanScreen(records(pilot.app).client.id))

    assert snap_compare(snap_app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("view", ["1", "2", "3", "4"])
def test_follow_through(snap_compare, snap_app, view):
    async def run(pilot):
        await show(pilot, FollowThroughScreen())
        await pilot.press(view)

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_follow_through_large(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, FollowThroughScreen())

    assert snap_compare(snap_app, terminal_size=SIZES["120x40"], run_before=run)


def test_follow_through_of_a_client(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, FollowThroughScreen(records(pilot.app).client.id))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_handover(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, HandoverScreen(records(pilot.app).closed.id))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_export_preview(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, ExportPreview(client_id=records(pilot.app).client.id))
        await pilot.pause(0.2)

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_search(snap_compare, snap_app, monkeypatch):
    import dataclasses

    from cope_tui.search import SearchIndex

    real = SearchIndex.search  # the time a query took is shown, and is the machine's: fixed here

    def timed_alike(self, *args, **kwargs):
        found = real(self, *args, **kwargs)
        return found and dataclasses.replace(found, seconds=0.001)

    monkeypatch.setattr(SearchIndex, "search", timed_alike)

    async def run(pilot):
        from helpers.pilot import search_answered
        from helpers.polling import until

        await show(pilot, SearchScreen())
        await pilot.press(*"housing")
        await until(pilot, lambda: search_answered(pilot.app), what="the search answered")

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


@BOTH
def test_exercises(snap_compare, snap_app, size):
    async def run(pilot):
        await show(pilot, ExercisesScreen())

    assert snap_compare(snap_app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("section", EXERCISE_SECTIONS)
def test_exercise_section(snap_compare, snap_app, section):
    async def run(pilot):
        await show(pilot, ExerciseScreen(records(pilot.app).follow_up.id, section=section))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


@pytest.mark.parametrize("section", ["interviews", "flow", "plan", "culture"])
def test_exercise_section_large(snap_compare, snap_app, section):
    async def run(pilot):
        await show(pilot, ExerciseScreen(records(pilot.app).follow_up.id, section=section))

    assert snap_compare(snap_app, terminal_size=SIZES["120x40"], run_before=run)


@pytest.mark.parametrize("view", ["2", "3"])
def test_exercise_flow_views(snap_compare, snap_app, view):
    async def run(pilot):
        await show(pilot, ExerciseScreen(records(pilot.app).follow_up.id, section="flow"))
        await pilot.press(view)

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_exercise_culture_plan(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, ExerciseScreen(records(pilot.app).follow_up.id, section="plan"))
        await pilot.press("c")

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_exercise_report(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, ExerciseReport(records(pilot.app).follow_up))
        await pilot.pause(0.2)

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)
