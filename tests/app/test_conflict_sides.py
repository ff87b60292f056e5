"""The chooser's two sides, read as a worker reads them (sync/shown.py), to the end.

Found at 80x24: a meeting deleted by one worker and typed in by another showed as a JSON
dump cut after twelve lines, ids and clock first; the words typed were never on screen,
and nothing scrolled. These tests open the dialog on such a conflict and on two versions
of a finalised meeting, with the real app under Pilot."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static

from cope_tui.app import create_app
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.dialogs.conflicts import ConflictsDialog
from cope_tui.session import Session
from cope_tui.sync.report import Conflict
from helpers.pilot import showing
from helpers.polling import until

GUIDE = load_meeting_guide()
OPENING, LAST = GUIDE.steps[0], GUIDE.steps[-1]
TYPED = "Words typed while the meeting went on, " * 12 + "and the last of them."


def a_meeting(notes: str = TYPED) -> dict:
    steps = {step.id: {"state": "pending", "notes": f"{step.title} went fine.", "fields": {}, "lists": {}} for step in GUIDE.steps}
    steps[LAST.id]["notes"] = notes
    return {"id": "m1", "client_id": "c1", "kind": "first", "mode": "in person", "present": [], "steps": steps,
            "started": "2026-12-06T10:00:00", "active_seconds": 4242, "current_step": LAST.id, "addenda": []}


CONFLICTS = [
    Conflict("c1", "meetings", "m1", "deleted", [], None, "Ann", a_meeting(), "C-1, 2026-12-06"),
    Conflict("c2", "meetings", "m2", "finalised", [], a_meeting("Another ending."), "Bea", a_meeting(), "C-2, 2026-11-30"),
]


def side(app, name: str) -> str:
    return str(app.screen.query_one(f"#conflicts-{name}", Static).render())


async def opened(pilot, app) -> None:
    await until(pilot, lambda: app.screen.is_mounted)
    app.push_screen(ConflictsDialog(CONFLICTS))
    await until(pilot, lambda: showing(app, ConflictsDialog))


async def test_a_deleted_meeting_shows_its_words_named_and_scrolls_to_their_end(tmp_path) -> None:
    app = create_app(Session.open(tmp_path / "db.json"))
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        here = side(app, "here")
        assert f"{OPENING.title} notes: {OPENING.title} went fine." in here
        assert "4242" not in here and "active" not in here and "client_id" not in here
        assert side(app, "there") == "(nothing: absent or deleted)"
        hint = app.screen.query_one("#conflicts-hint")
        assert hint.region.bottom <= 24 and "pgdn" in str(hint.render())
        scroller = app.screen.query_one("#conflicts-here-side", VerticalScroll)
        assert scroller.max_scroll_y > 0  # more than the pane holds at 80x24
        for _ in range(20):
            await pilot.press("pagedown")
        await pilot.pause()
        assert scroller.scroll_y == scroller.max_scroll_y  # the end of the words is reachable
        assert app.screen.query_one(OptionList).highlighted == 0  # the page keys left the list alone
        await pilot.press("[")
        await pilot.pause()
        assert scroller.scroll_y < scroller.max_scroll_y


async def test_two_versions_of_a_finalised_meeting_show_what_differs_and_use_the_room(tmp_path) -> None:
    app = create_app(Session.open(tmp_path / "db.json"))
    async with app.run_test(size=(120, 44)) as pilot:
        await opened(pilot, app)
        await pilot.press("down")
        await until(pilot, lambda: "differ" in side(app, "here"))
        here, there = side(app, "here"), side(app, "there")
        assert "1 part differs" in here and "and the last of them." in here.replace("\n", " ")
        assert f"{LAST.title} notes: Another ending." in there
        assert OPENING.title not in here and OPENING.title not in there  # the same on both sides
        await pilot.press("up")
        await until(pilot, lambda: "differ" not in side(app, "here"))
        region = app.screen.query_one("#conflicts-here-side").region
        assert region.height > 14 and region.width > 45  # taller and wider than at 80x24 (12 rows, 36 columns)


async def test_two_conflicts_with_one_id_open_without_stopping_the_app(tmp_path) -> None:
    """A state written before conflict ids were made unique across records can hold two
    of one id: F11 stopped the app with DuplicateID every time."""
    twice = [CONFLICTS[0], Conflict("c1", "meetings", "m3", "deleted", [], None, "Ann", a_meeting(), "C-3, 2026-12-06")]
    app = create_app(Session.open(tmp_path / "db.json"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.is_mounted)
        app.push_screen(ConflictsDialog(twice))
        await until(pilot, lambda: showing(app, ConflictsDialog))
        assert app.screen.query_one(OptionList).option_count == 2
        await pilot.press("down")
        await pilot.pause()
        assert "C-3" in str(app.screen.query_one(OptionList).get_option_at_index(1).prompt)
    assert app.return_code in (0, None)
