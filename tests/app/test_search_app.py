"""F4 search in the real app, by keyboard through Pilot, at 80x24."""

from __future__ import annotations


import pytest
from textual.widgets import OptionList, Static, TextArea

from cope_tui.app import create_app
from cope_tui.store.autosave import Saver
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.screens.search import SearchScreen
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.pilot import burst, palette_offers, search_answered, showing
from helpers.polling import until

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cope.json"
    store = Store(path)
    other = create_client(store, "C-2", note="Walks the dog every morning")
    meeting = start_meeting(store, load_meeting_guide(), other)
    meeting.step("support").notes = "Her neighbour helps with the allotment."
    finalise(meeting, "worker-1")
    store.put_meeting(meeting)
    store.close()
    return path


async def wait_for_results(pilot, app) -> str:
    """The search status once the query now typed has been answered."""
    await until(pilot, lambda: search_answered(app), what="the search to answer the query typed")
    return str(app.screen.query_one("#search-status", Static).render())


def other_meeting_id(session) -> str:
    other = session.store.client_by_code("C-2")
    return session.store.meetings(other.id)[0].id


async def test_f4_while_typing_notes_opens_the_other_meeting_at_its_step(db):
    before = stored(db, "C-2")
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        draft = app.screen
        assert isinstance(draft, MeetingScreen) and app.focused.id == "notes"
        await pilot.press(*"Talked about the allot")
        await pilot.press("f4")  # priority: the notes editor does not swallow it
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"ALLOTMENT neighbour")
        status = await wait_for_results(pilot, app)
        assert status.startswith("1 found")
        results = app.screen.query_one("#search-results", OptionList)
        assert "C-2" in str(results.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        opened = app.screen
        assert isinstance(opened, MeetingScreen) and opened is not draft
        assert opened.meeting_id == other_meeting_id(session)
        assert opened.meeting.current_step == "support"
        assert opened.query_one("#notes", TextArea).text == "Her neighbour helps with the allotment."
        assert opened.read_only and opened.query_one("#notes", TextArea).read_only

        await pilot.press("escape")  # back to the draft, notes as typed
        await pilot.pause()
        assert app.screen is draft
        assert draft.query_one("#notes", TextArea).text == "Talked about the allot"
        await pilot.press("ctrl+q")
    assert session.close()
    assert stored(db, "C-2") == before  # opening the finalised meeting at a step changed nothing


def stored(db, code: str) -> dict:
    store = Store(db, read_only=True)
    try:
        return store.get("meetings", store.meetings(store.client_by_code(code).id)[0].id)
    finally:
        store.close()


async def test_a_word_typed_just_before_f4_is_found_in_the_open_meeting(db):
    # An autosaver that waits long after typing: only opening search can have written the word.
    session = Session(Store(db), saver=Saver(delay=30.0, max_wait=30.0))
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        draft = app.screen
        await pilot.press(*"zebrafinch")  # typed at the first step...
        await pilot.press("ctrl+n")  # ...then on to the next one
        await pilot.press("f4")  # at once: no pause for the autosaver
        await pilot.press(*"zebrafinch")
        status = await wait_for_results(pilot, app)
        assert status.startswith("1 found")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is draft  # the open meeting is reused, never opened twice
        assert draft.meeting.current_step == "opening"
        assert draft.query_one("#notes", TextArea).text == "zebrafinch"
        assert sum(isinstance(s, MeetingScreen) for s in app.screen_stack) == 1
        await pilot.press("ctrl+q")
    assert session.close()


async def test_escape_closes_and_f4_toggles_and_a_client_opens_on_its_screen(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is home
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen is home

        await pilot.press("f4")
        await pilot.press(*"dog morning")
        status = await wait_for_results(pilot, app)
        assert status.startswith("1 found")
        await pilot.press("tab", "enter")  # from the results list too
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen) and app.screen.client_id == session.store.client_by_code("C-2").id

        await pilot.press("f4")  # reopens on the last query, selected so typing replaces it
        await pilot.pause()
        assert app.screen.query_one("#search-input").value == "dog morning"
        await pilot.press(*"nothing-like-this")
        status = await wait_for_results(pilot, app)
        assert status.startswith("Nothing holds every word of 'nothing-like-this'")
        assert app.screen.query_one("#search-results", OptionList).option_count == 0
        await pilot.press("escape", "ctrl+q")
    session.close()


async def test_the_command_palette_lists_search_and_privacy_blocks_it(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.press(*"search all")
        await until(pilot, lambda: palette_offers(app, "search"), what="the palette to offer search")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("f2")  # privacy: search must not show anything over it
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        assert not isinstance(app.screen, SearchScreen)
        await pilot.press("f2", "ctrl+q")
    session.close()


async def test_enter_typed_before_the_results_arrive_opens_the_first_match(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f4", *"walks the dog", "enter")  # no pause: the query is still pending
        await until(pilot, lambda: showing(app, ClientScreen), what="the first match to open")
        assert app.screen.client_id == session.store.client_by_code("C-2").id
        await pilot.press("ctrl+q")
    session.close()


def long_coded(tmp_path, codes: list[str]):
    """A DB of clients with these (long) codes, each with a meeting whose notes mention
    the allotment: a search for it finds a long head line per client."""
    path = tmp_path / "cope.json"
    store = Store(path)
    for code in codes:
        meeting = start_meeting(store, load_meeting_guide(), create_client(store, code))
        meeting.step("strengths").notes = "Goes to the allotment when worried."
        store.put_meeting(meeting)
    store.close()
    return path


async def test_a_long_result_head_is_cut_to_one_line_not_wrapped(tmp_path):
    """Found at 1,000 clients: "... review meeting · Strengths & coping · Helpful coping"
    wrapped its last word onto the snippet's line, at the list's left edge."""
    session = Session.open(long_coded(tmp_path, ["C-" + "7" * 30]))
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4", *"allotment")
        await wait_for_results(pilot, app)
        results = app.screen.query_one("#search-results", OptionList)
        head, snippet = str(results.get_option_at_index(0).prompt).split("\n")
        assert "allotment" in snippet and head.endswith("…")
        assert len(head) <= results.scrollable_content_region.width
        await pilot.press("escape", "ctrl+q")
    session.close()


async def test_the_result_heads_are_cut_again_when_the_terminal_is_resized(tmp_path):
    """Cut to the width the list had when the results came: after a resize to a narrower
    terminal the heads wrapped, and at a wider one the room stayed unused."""
    session = Session.open(long_coded(tmp_path, [f"C-{n}" + "7" * 50 for n in range(2)]))
    app = create_app(session)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.press("f4", *"allotment")
        await wait_for_results(pilot, app)
        results = app.screen.query_one("#search-results", OptionList)
        head = lambda: str(results.get_option_at_index(1).prompt).split("\n")[0]  # noqa: E731
        wide = len(head())
        await pilot.press("down")
        await pilot.resize_terminal(70, 24)
        await until(pilot, lambda: len(head()) < wide, what="the heads cut again")
        assert len(head()) <= results.scrollable_content_region.width
        assert results.highlighted == 1  # the result the user was on
        await pilot.press("escape", "ctrl+q")
    session.close()


async def test_down_typed_before_the_results_arrive_moves_in_them(tmp_path):
    """`down down enter` typed in one burst after the words: the moves were dropped (no
    results yet) and enter opened the first match instead of the third."""
    from cope_tui.search import index_for

    db = long_coded(tmp_path, ["C-A", "C-B", "C-C", "C-D"])
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f4", *"allotment", "down", "down", "enter")  # no pause: still pending
        await until(pilot, lambda: showing(app, MeetingScreen), what="a match to open")
        found = index_for(session.store).search("allotment")
        assert found is not None and len(found.results) == 4
        assert app.screen.meeting_id == found.results[2].record_id
        await pilot.press("ctrl+q")
    session.close()


async def test_letters_typed_after_an_early_enter_go_to_what_opens_not_the_search(tmp_path):
    """`allotment down enter QQ` in one burst: QQ went into the search (the query became
    "allotmentQQ", found nothing, and enter opened nothing). They belong to the meeting
    that opens: into its notes."""
    from cope_tui.search import index_for

    db = long_coded(tmp_path, ["C-A", "C-B", "C-C"])
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await until(pilot, lambda: showing(app, SearchScreen), what="the search")
        burst(app, *"allotment", "down", "enter", "Q", "Q")  # at once, as a terminal hands over fast typing
        await until(pilot, lambda: showing(app, MeetingScreen), what="the second match to open")
        found = index_for(session.store).search("allotment")
        assert app.screen.meeting_id == found.results[1].record_id
        await until(pilot, lambda: "QQ" in app.screen.query_one("#notes", TextArea).text, what="QQ in the notes")
        await pilot.press("ctrl+q")
    session.close()
