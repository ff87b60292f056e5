"""Every list screen at a service's size: 1,000 clients and 10,000 meetings, typed at fast.

At this size the home list is filled a screenful first and the rest a moment later; two
fills in quick succession (a key typed into the search while the previous one is still
being filled, or `meet` refreshing right after the screen did) both added the rest of the
rows and the app crashed with DuplicateKey. The demo DB is written once per test session
(in a subprocess, like a user would) and copied for each test, so each app has its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from textual import events
from textual.widgets import DataTable, Input, OptionList

from cope_tui.app import create_app
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.clients import ClientsScreen
from cope_tui.screens.exercises import ExercisesScreen
from cope_tui.screens.follow_through import FollowThroughScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.screens.search import SearchScreen
from cope_tui.session import Session
from helpers.cli import CLI
from helpers.polling import until
from helpers.pilot import showing

SIZE = (80, 24)
CLIENTS, MEETINGS = 1000, 10000


@pytest.fixture(scope="session")
def big_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo at a service's size, written once; tests copy it (see `big_db`)."""
    base = tmp_path_factory.mktemp("big-demo")
    env = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(base / name.lower())
    env.pop("COPE_TUI_DB", None)
    db = base / "demo" / "big.json"
    done = subprocess.run(
        [*CLI, "demo", "--db", str(db)]
        + ["--clients", str(CLIENTS), "--meetings", str(MEETINGS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture
def big_db(big_demo: Path, tmp_path: Path) -> Path:
    """A private copy: the DB file with its summary (mtime kept, so the list paints from
    it first, as at a real start) and its audit log."""
    folder = tmp_path / "db"
    folder.mkdir(mode=0o700)
    for path in big_demo.parent.iterdir():
        if path.is_file() and not path.name.endswith(".lock"):
            shutil.copy2(path, folder / path.name)
    return folder / big_demo.name


def burst(app, text: str) -> None:
    """Keys posted at once, as a terminal hands over what was typed fast (Pilot's press waits per key)."""
    for char in text:
        app.post_message(events.Key("backspace", "\x08") if char == "\b" else events.Key(char, char))


def nothing_scheduled(app, screen) -> bool:
    """No worker running, and no one-shot timer pending on the screen (a long list adds its
    second batch of rows from one). Textual keeps a widget's timers in `_timers`."""
    pending = [t for t in screen._timers if t._repeat == 0 and t._task is not None and not t._task.done()]
    return not pending and all(w.is_finished for w in app.workers)


async def settled(pilot, screen) -> None:
    """The DB loaded, the screen's workers done and any late batch of rows added."""
    await until(pilot, lambda: pilot.app.session.store.ready)
    for _ in range(2):  # again after the messages it left: a finished worker's may set a timer
        await until(pilot, lambda: nothing_scheduled(pilot.app, screen))
        await pilot.pause()


def row_keys(table: DataTable) -> list[str]:
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]


def assert_listed_once(table: DataTable, expected: list[str]) -> None:
    keys = row_keys(table)
    assert len(keys) == len(set(keys)), "a row is listed twice"
    assert keys == expected


def expected_clients(session: Session, term: str) -> list[str]:
    return [c.id for c in session.store.client_summaries() if c.matches(term)]


async def home(pilot) -> ClientsScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ClientsScreen)
    await until(pilot, lambda: screen._table() is not None)
    return screen


async def home_list(pilot) -> tuple[ClientsScreen, DataTable]:
    """The home list with every client in it, focused: where a user's keys go."""
    screen = await home(pilot)
    await settled(pilot, screen)
    table = screen._table()
    table.focus()
    return screen, table


async def test_typing_fast_into_the_home_search_lists_each_client_once(big_db):
    session = Session.open(big_db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        burst(app, "C-")
        await settled(pilot, screen)
        assert screen.query_one("#client-search", Input).value == "C-"
        assert_listed_once(screen._table(), expected_clients(session, "c-"))
        burst(app, "00\b\b1")  # narrowed, widened again and narrowed, all before a batch lands
        await settled(pilot, screen)
        assert_listed_once(screen._table(), expected_clients(session, "c-1"))
        await pilot.press("ctrl+q")
    session.close()


async def test_the_home_list_refreshed_twice_at_once_lists_each_client_once(big_db):
    session = Session.open(big_db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await settled(pilot, screen)
        screen.refresh_clients()
        screen.refresh_clients()
        await settled(pilot, screen)
        assert_listed_once(screen._table(), expected_clients(session, ""))
        await pilot.press("ctrl+q")
    session.close()


async def test_meet_a_new_code_at_a_service_size(big_db):
    """`cope-tui meet C-NEW`: the screen's own fill and meet's refresh came 0.15 s apart."""
    session = Session.open(big_db)
    app = create_app(session, meet_code="C-NEW")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen))
        await pilot.press(*"first words")
        await settled(pilot, app.screen)
        await pilot.press("escape", "escape")
        screen = await home(pilot)
        await settled(pilot, screen)
        expected = expected_clients(session, "")
        assert len(expected) == CLIENTS + 1
        assert_listed_once(screen._table(), expected)
        await pilot.press("ctrl+q")
    session.close()


async def test_meet_right_after_the_lists_own_fill(big_db):
    """What `meet` does in a real terminal: the table is filled, and meet fills it again
    (the new client) before the first fill's second batch has landed."""
    session = Session.open(big_db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        screen.refresh_clients()
        screen.meet("C-NEW")
        await until(pilot, lambda: showing(app, MeetingScreen))
        await settled(pilot, app.screen)
        await pilot.press("escape", "escape")
        assert app.screen is screen
        await settled(pilot, screen)
        assert_listed_once(screen._table(), expected_clients(session, ""))
        await pilot.press("ctrl+q")
    session.close()


async def test_the_meetings_of_a_client_with_many_listed_once(big_db):
    session = Session.open(big_db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await settled(pilot, screen)
        busiest = max(session.store.client_summaries(), key=lambda c: c.meetings)
        app.push_screen(ClientScreen(busiest.id))

        def shown() -> bool:
            return isinstance(app.screen, ClientScreen) and any(t.row_count for t in app.screen.query(DataTable))

        await until(pilot, shown)
        client_screen = app.screen
        client_screen.refresh_view()
        client_screen.refresh_view()
        burst(app, "jjjj")  # keys the table does not use, typed while it fills
        await settled(pilot, client_screen)
        meetings = [m.id for m in reversed(session.store.meetings(busiest.id))]
        assert len(meetings) == busiest.meetings > 1
        assert_listed_once(client_screen.query_one("#meeting-table", DataTable), meetings)
        await pilot.press("ctrl+q")
    session.close()


async def test_follow_through_lists_switched_fast_list_each_item_once(big_db):
    session = Session.open(big_db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await settled(pilot, screen)
        await pilot.press("ctrl+t")
        ft_screen = app.screen
        assert isinstance(ft_screen, FollowThroughScreen)
        await until(pilot, lambda: ft_screen.board is not None)
        burst(app, "12341f2f3f41")  # every list, each before the last one's second batch
        ft_screen.on_screen_resume()  # and the lists read again twice, as a return to the screen does
        ft_screen.on_screen_resume()
        await settled(pilot, ft_screen)
        for view in ("1", "2", "3", "4"):
            await pilot.press(view)
            await settled(pilot, ft_screen)
            table = ft_screen.query_one("#ft-table", DataTable)
            keys = row_keys(table)
            assert len(keys) == len(set(keys)) == len(ft_screen._rows) > 0, view
        await pilot.press("ctrl+q")
    session.close()


async def test_search_typed_fast_answers_the_last_query(big_db):
    session = Session.open(big_db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await settled(pilot, screen)
        await pilot.press("f4")
        search = app.screen
        assert isinstance(search, SearchScreen)
        burst(app, "C-00 rent\b\b\b\bhous")
        await until(pilot, lambda: search.answered == "C-00 hous")
        await settled(pilot, search)
        results = search.query_one("#search-results", OptionList)
        assert results.option_count == len(search._shown) > 0
        ids = [(r.kind, r.client_code, r.label, r.when, r.place_title, r.part) for r in search._shown]
        assert len(ids) == len(set(ids))
        await pilot.press("ctrl+q")
    session.close()


async def test_exercises_list_refreshed_twice_lists_each_once(big_db):
    session = Session.open(big_db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await settled(pilot, screen)
        await pilot.press("f3")
        exercises = app.screen
        assert isinstance(exercises, ExercisesScreen)
        exercises.refresh_exercises()
        exercises.refresh_exercises()
        burst(app, "jjjj")
        await settled(pilot, exercises)
        assert_listed_once(exercises.query_one(DataTable), [e.id for e in session.store.exercises()])
        await pilot.press("ctrl+q")
    session.close()


async def test_back_from_a_client_far_down_the_list_keeps_the_place(big_db):
    """The list is filled again on the way back, 25 rows first and the rest a moment
    later. The cursor was put back on those 25: back from client 98 of 1,000, the user
    was near the top, on another client."""
    session = Session.open(big_db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await home_list(pilot)
        table.move_cursor(row=97)
        await pilot.pause()
        chosen = row_keys(table)[97]
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ClientScreen), what="the client")
        assert app.screen.client_id == chosen
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await settled(pilot, screen)
        assert table.cursor_row == 97 and row_keys(table)[97] == chosen
        assert_listed_once(table, expected_clients(session, ""))
        await pilot.press("ctrl+q")
    session.close()


async def test_end_and_home_go_to_the_last_and_first_row_of_a_long_list(big_db):
    """DataTable gives home and end to columns: in a list of rows both did nothing, and
    the last of 1,000 clients or 2,000 open actions was pages away."""
    session = Session.open(big_db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        _, table = await home_list(pilot)
        await pilot.press("end")
        assert table.row_count == CLIENTS and table.cursor_row == CLIENTS - 1
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("ctrl+t")
        ft_screen = app.screen
        assert isinstance(ft_screen, FollowThroughScreen)
        await settled(pilot, ft_screen)
        items = ft_screen.query_one("#ft-table", DataTable)
        assert app.focused is items and items.row_count > 1000
        await pilot.press("end")
        assert items.cursor_row == items.row_count - 1
        await pilot.press("home")
        assert items.cursor_row == 0
        await pilot.press("ctrl+q")
    session.close()


async def test_end_pressed_before_the_rest_of_a_long_list_arrives_goes_to_its_last_row(big_db):
    """A long list shows a screenful first and the rest 0.15 s later: `end` in between
    stopped at row 25 of 1,000, and before the table was built it moved sideways."""
    session = Session.open(big_db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")  # at once: the first frame's text, or the first screenful
        screen = await home(pilot)
        await settled(pilot, screen)
        table = screen._table()
        assert table.row_count == CLIENTS and table.cursor_row == CLIENTS - 1
        await pilot.press("home")
        screen.refresh_clients()  # a new fill: a screenful now, the rest on a timer
        table.action_scroll_bottom()  # `end`, before that timer can run
        assert table.row_count < CLIENTS, "the rest arrived already"
        await settled(pilot, screen)
        assert table.row_count == CLIENTS and table.cursor_row == CLIENTS - 1
        await pilot.press("home", "down", "down")
        screen.refresh_clients()
        await settled(pilot, screen)
        assert table.cursor_row == 2  # no `end` asked: the place is kept
        await pilot.press("ctrl+q")
    session.close()
