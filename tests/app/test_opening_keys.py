"""A meeting's opening, typed into from its first key.

A review meeting's opening showed the areas still open from earlier meetings above its
purpose, and tab from the notes went to that list first: a facilitator who pressed tab
and typed the purpose lost the words, and worse, `a`, `d` and `e` in them agreed,
deferred or edited an area. The opening's text fields now come first on screen and in
the tab order, and a letter a list has no key for goes to the notes instead of nowhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cope_tui.app import create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from helpers.polling import until
from helpers.stored import review_with_open_areas
from helpers.pilot import showing

SIZE = (80, 24)
PURPOSE = "Review of the plan"


def focused_id(app) -> str | None:
    return getattr(app.focused, "id", None)


async def in_opening(app, pilot) -> MeetingScreen:
    await until(
        pilot, lambda: showing(app, MeetingScreen) and focused_id(app) == "notes", 10, "the meeting's notes"
    )
    # The review brings the open areas into its opening.
    await until(pilot, lambda: app.screen.query("#list-boundaries"), 10, "the areas still open, shown")
    return app.screen


@asynccontextmanager
async def review_opening(tmp_path) -> AsyncIterator[tuple]:
    """(app, pilot, screen, the areas' decisions) at the opening of a review that brings
    back areas left open; quits and closes the DB afterwards."""
    session = Session.open(review_with_open_areas(tmp_path))
    app = create_app(session, meet_code="C-1")
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await in_opening(app, pilot)
            yield app, pilot, screen, decisions(screen)
            await pilot.press("ctrl+q")
    finally:
        session.close()


def decisions(screen: MeetingScreen) -> list:
    return [row.values.get("decision") for row in screen.query_one("#list-boundaries").row_list]


async def test_tab_from_the_notes_reaches_the_purpose_first_and_goes_down_the_screen(tmp_path):
    async with review_opening(tmp_path) as (app, pilot, screen, before):
        await pilot.press("tab", *PURPOSE)
        assert focused_id(app) == "field-purpose"
        assert screen.query_one("#field-purpose").value == PURPOSE
        assert decisions(screen) == before, "no key of the purpose decided an area"
        stops = []
        for _ in range(6):
            stops.append(focused_id(app))
            await pilot.press("tab")
        assert stops == ["field-purpose", "field-objectives", "list-boundaries", "list-agenda", "guidance", "notes"]
        tops = [screen.query_one(f"#{stop}").virtual_region.y for stop in stops[:-1]]
        assert tops == sorted(tops), "tab goes down the step as the screen shows it"


async def test_letters_a_list_has_no_key_for_go_to_the_notes(tmp_path):
    async with review_opening(tmp_path) as (app, pilot, screen, before):
        await pilot.press(*"Seen at home")  # the notes have the keyboard when the step opens
        screen.query_one("#list-boundaries").focus()
        await until(pilot, lambda: focused_id(app) == "list-boundaries", 10, "the open areas' list")
        await pilot.press(*"Mum rang")  # M has no key on the list: it and the rest are notes
        assert focused_id(app) == "notes"
        assert screen.query_one("#notes").text.endswith("Seen at home Mum rang"), "a word of its own"
        assert app.screen is screen, "no dialog opened"
        assert decisions(screen) == before
    assert opening_notes_of_review(tmp_path / "cope.json").endswith("Seen at home Mum rang"), "and they are saved"


def opening_notes_of_review(db) -> str:
    from cope_tui.store.store import Store

    store = Store(db, read_only=True)
    try:
        (review,) = [m for m in store.meetings() if not m.finalised]
        return review.peek("opening").notes
    finally:
        store.close()
