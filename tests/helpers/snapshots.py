"""Shared pieces of the snapshot tests (tests/app/snapshots/): sizes, the records of the
fixed demo DB, and opening a screen or dialog straight away rather than by keys, so a
snapshot changes when what it shows changes, not when a key is rebound."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen

SMALL = (80, 24)
LARGE = (120, 40)
SIZES = {"80x24": SMALL, "120x40": LARGE}


@dataclass(frozen=True)
class Records:
    """The records of the fixed demo DB the snapshots show."""

    client: Any  # a client with several meetings, at stage 2
    closed: Any  # the closed client, with a handover
    draft: Any  # a review meeting in progress: the live meeting screen
    first: Any  # a first meeting in progress (of C-0009): it has the boundaries step
    finalised: Any  # a finalised meeting of `client`
    exercise: Any  # the first COPE exercise
    follow_up: Any  # its follow-up, on "today"


def records(app: Any) -> Records:
    store = app.session.store
    clients = {c.code: c for c in store.clients()}
    client, closed = clients["C-0001"], next(c for c in clients.values() if c.closed)
    draft = next(m for m in sorted(store.meetings(), key=lambda m: m.started) if not m.finalised)
    first = store.meetings(clients["C-0009"].id)[0]
    finalised = next(m for m in sorted(store.meetings(client.id), key=lambda m: m.started) if m.finalised)
    exercises = sorted(store.exercises(), key=lambda e: e.start)
    return Records(client, closed, draft, first, finalised, exercises[0], exercises[-1])


async def show(pilot: Pilot, screen: Screen, *, settle: bool = True) -> Screen:
    """Push `screen` and wait until it is mounted and painted."""
    await pilot.app.push_screen(screen)
    if settle:
        await pilot.pause()
        await pilot.pause()
    return screen


async def meeting_at(pilot: Pilot, meeting_id: str, step: str) -> Screen:
    """The meeting screen open on `step`, once its own first step has been drawn and
    replaced (opening a step while the screen still draws the first one raced)."""
    from cope_tui.screens.meeting import MeetingScreen
    from cope_tui.widgets.step_panel import StepPanel

    from .polling import until

    screen = await show(pilot, MeetingScreen(meeting_id))
    first = screen.meeting.current_step
    await until(pilot, lambda: [p.step.id for p in screen.query(StepPanel)] == [first], what="the first step")
    screen.open_step(step)
    await until(pilot, lambda: [p.step.id for p in screen.query(StepPanel)] == [step], what=f"step {step}")
    await pilot.pause()
    return screen
