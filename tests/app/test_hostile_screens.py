"""Issue 11.6: stored text never drives the terminal, on any screen.

A DB whose every text holds escape sequences, C1 controls, bidi and zero-width
characters and markup (tests/hostile_data.py) is walked screen by screen in the real
app; what Textual would write for each screen (the compositor's lines, after every
filter) must hold no such character, no hyperlink and no click action from the data.
"""

from __future__ import annotations

import re

import pytest
from textual.widgets import DataTable

from cope_tui.app import create_app
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.hostile_data import write_hostile_db
from helpers.polling import until

SIZE = (100, 40)  # big enough that most of each screen's text is drawn
# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates/marks, zero-width
# characters, line and paragraph separators, the byte-order mark, annotation marks.
UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("hostile") / "cope.json"
    write_hostile_db(db)
    return db


def problems_on_screen(app) -> list[str]:
    """What on the current screen, as it would be written, a terminal would act on."""
    found = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            text, style = segment.text, segment.style
            if UNSHOWN.search(text):
                found.append(f"line {y}: control or invisible character in {text!r}")
            if style is not None and style.link:
                found.append(f"line {y}: a hyperlink to {style.link!r} on {text!r}")
            if style is not None and "CLICK" in text and style.meta.get("@click"):
                found.append(f"line {y}: a click action {style.meta['@click']!r} from stored text")
    return found


class Walk:
    """Visits screens and keeps what each one would have written, to report all at once."""

    def __init__(self, pilot):
        self.pilot, self.app, self.found = pilot, pilot.app, {}

    async def look(self, where: str) -> None:
        await self.pilot.pause()
        problems = problems_on_screen(self.app)
        if problems:  # a few of each kind
            controls = [p for p in problems if "control or invisible" in p]
            self.found[where] = controls[:2] + [p for p in problems if p not in controls][:3]

    async def press(self, where: str, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.look(where)

    async def push(self, where: str, screen) -> None:
        await self.app.push_screen(screen)
        await self.look(where)

    async def back(self) -> None:
        await self.app.pop_screen()
        await self.pilot.pause()

    async def open_and_close(self, where: str, key: str) -> None:
        """A key that may open a dialog (not on every record): look at it, then close it."""
        depth = len(self.app.screen_stack)
        await self.press(where, key)
        while len(self.app.screen_stack) > depth:
            await self.back()

    def report(self) -> str:
        return "\n".join(f"{where}: {p}" for where, problems in self.found.items() for p in problems)


async def _markdown_shown(pilot) -> None:
    """An export preview builds its text and draws it in threads: wait until it is on screen."""
    from cope_tui.widgets.document_view import DocumentView

    def drawn() -> bool:
        views = pilot.app.screen.query(DocumentView)
        return bool(views) and bool(views.first()._lines) and "Building" not in views.first()._lines[0].text

    await until(pilot, drawn)
    await pilot.pause(0.1)


async def walk_clients(walk: Walk, store: Store, full: bool) -> None:
    from cope_tui.screens.case_plan import CasePlanScreen
    from cope_tui.screens.client import ClientScreen
    from cope_tui.dialogs.client_form import ClientForm
    from cope_tui.screens.export_preview import ExportPreview
    from cope_tui.screens.follow_through import FollowThroughScreen
    from cope_tui.screens.handover import HandoverScreen
    from cope_tui.dialogs.stage_form import StageForm
    from cope_tui.dialogs.start_meeting import StartMeeting
    from cope_tui.content.stages import load_stages

    pilot = walk.pilot
    await until(pilot, lambda: bool(walk.app.screen.query("#client-table")))
    await walk.look("client list")
    await walk.press("client list, search typed", "C")
    await walk.press("client list", "escape")
    clients = store.clients()
    if not full:  # the closed client: a handover, goals, stages, meetings
        clients = sorted(clients, key=lambda c: (c.closed, len(c.goals)))[-1:]
    for client in clients:
        await walk.push(f"client {client.id}", ClientScreen(client.id))
        await walk.push("client form", ClientForm(client))
        await walk.back()
        await walk.push("start meeting", StartMeeting(client, first=False))
        await walk.back()
        await walk.push("stage form", StageForm(client, load_stages()))
        await walk.back()
        await walk.push("case plan", CasePlanScreen(client.id))
        await walk.press("case plan, next goal", "down")
        await walk.back()
        await walk.push("handover", HandoverScreen(client.id))
        await walk.back()
        screen = FollowThroughScreen(client.id)
        await walk.app.push_screen(screen)
        await screen.workers.wait_for_complete()
        for view in "1234" if full else "1":  # the views are the board's, below
            await walk.press(f"client follow-through {view}", view)
        await walk.back()
        await walk.app.push_screen(ExportPreview(client_id=client.id))
        await _markdown_shown(pilot)
        await walk.look("client export preview")
        await walk.back()
        await walk.back()
    screen = FollowThroughScreen()
    await walk.app.push_screen(screen)
    await screen.workers.wait_for_complete()
    for view in "1234":
        await walk.press(f"follow-through {view}", view)
    await walk.back()


async def walk_meetings(walk: Walk, store: Store, full: bool) -> None:
    from cope_tui.screens.export_preview import ExportPreview
    from cope_tui.screens.meeting import MeetingScreen

    meetings = store.meetings()
    draft = next(m for m in meetings if not m.finalised)
    final = next(m for m in meetings if m.finalised and m.addenda) if any(m.addenda for m in meetings) else meetings[0]
    for meeting in (draft, final):
        await walk.push(f"meeting {meeting.id}", MeetingScreen(meeting.id))
        for n in range(len(walk.app.session.meeting_guide.steps) if full or meeting is draft else 0):
            await walk.press(f"meeting {meeting.id} step {n + 1}", "ctrl+n")
        await walk.press("step list", "ctrl+l")
        await walk.open_and_close("help", "f1")
        await walk.open_and_close("rate goals", "f9")
        await walk.open_and_close("finalise or addendum", "ctrl+f")
        await walk.app.push_screen(ExportPreview(meeting_id=meeting.id))
        await _markdown_shown(walk.pilot)
        await walk.look("meeting export preview")
        await walk.back()
        await walk.back()


async def walk_search_and_palette(walk: Walk) -> None:
    await walk.press("search", "f4")
    await walk.press("search results", *"reversed")
    await until(walk.pilot, lambda: bool(walk.app.screen.query("OptionList, DataTable")))
    await walk.press("search results", "down")
    await walk.press("search closed", "escape")
    await walk.press("palette", "ctrl+p")
    await walk.press("palette, open client", *"open c")
    await walk.press("palette closed", "escape")


async def walk_exercises(walk: Walk, store: Store, full: bool) -> None:
    from cope_tui.screens.exercise import SECTIONS, ExerciseScreen
    from cope_tui.screens.exercises import ExercisesScreen

    await walk.push("exercise list", ExercisesScreen())
    for exercise in store.exercises()[: None if full else 1]:
        await walk.push(f"exercise {exercise.id}", ExerciseScreen(exercise.id))
        for sid, _, _ in SECTIONS[1:]:
            await walk.press(f"exercise section {sid}", "ctrl+n")
            for _ in range(3 if full else 0):
                await walk.press(f"exercise section {sid}, a row down", "down")
        await walk.app.screen.run_action("report")
        await _markdown_shown(walk.pilot)
        await walk.look("exercise report")
        await walk.back()
        await walk.back()
    await walk.back()


@pytest.mark.parametrize("full", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["short", "full"])
async def test_no_screen_writes_stored_controls_links_or_actions(hostile_db, full):
    session = Session.open(hostile_db)
    app = create_app(session)
    try:
        async with app.run_test(size=SIZE, notifications=True, tooltips=True) as pilot:
            walk = Walk(pilot)
            store = session.store
            await walk_clients(walk, store, full)
            await walk_meetings(walk, store, full)
            await walk_search_and_palette(walk)
            await walk_exercises(walk, store, full)
            assert not walk.found, "stored text reached the terminal:\n" + walk.report()
    finally:
        session.close()
