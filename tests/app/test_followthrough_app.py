"""Follow-through in the real app, keyboard only, checked against the saved file."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from textual.widgets import DataTable

from cope_tui.app import create_app
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise, new_row
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.clients import ClientsScreen
from cope_tui.screens.follow_through import FollowThroughScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.polling import until

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    """Two clients with finalised meetings: one overdue and one later item each."""
    path = tmp_path / "cope.json"
    guide = load_meeting_guide()
    store = Store(path)
    spec = guide.step("outcomes").list_spec("actions")
    today = date.today()
    for n, code in enumerate(("C-ann", "C-bob")):
        client = create_client(store, code)
        meeting = start_meeting(store, guide, client)
        meeting.started = datetime.combine(today - timedelta(days=7), datetime.min.time()) + timedelta(hours=9 + n)
        for what, days in ((f"{code} overdue task", -2), (f"{code} later task", 5)):
            due = (today + timedelta(days=days)).isoformat()
            meeting.rows("outcomes", "actions").append(new_row(meeting, spec, {"who": "client", "what": what, "due": due}))
        meeting.step("outcomes").fields["next_meeting"] = (today + timedelta(days=3 + n)).isoformat()
        finalise(meeting, "worker-1")
        store.put_meeting(meeting)
    store.close()
    return path


def one_client_with_actions(path, code: str, actions: list[dict[str, str]]):
    """A DB with one client and one finalised meeting holding these action rows."""
    guide = load_meeting_guide()
    store = Store(path)
    spec = guide.step("outcomes").list_spec("actions")
    meeting = start_meeting(store, guide, create_client(store, code))
    meeting.rows("outcomes", "actions").extend(new_row(meeting, spec, row) for row in actions)
    finalise(meeting, "worker-1")
    store.put_meeting(meeting)
    store.close()
    return path


def texts(table: DataTable) -> list[str]:
    """Each row's cells joined, so a test can look for what a user sees."""
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def open_table(pilot) -> DataTable:
    """The follow-through screen's table once its lists (built in a thread) are shown."""
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, FollowThroughScreen)
    await screen.workers.wait_for_complete()
    await pilot.pause()
    assert screen.board is not None
    return screen.query_one(DataTable)


async def test_ctrl_t_lists_every_client_and_a_tick_survives_a_restart(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ClientsScreen)
        await pilot.press("ctrl+t")
        table = await open_table(pilot)
        rows = texts(table)
        assert len(rows) == 4
        assert rows[0].startswith((date.today() - timedelta(days=2)).isoformat()) and "! 2 d" in rows[0]
        assert any("C-ann overdue task" in r for r in rows) and any("C-bob later task" in r for r in rows)
        assert app.screen.sub_title.startswith("2 overdue")

        # Tick the first overdue item off: it leaves the open list for the done list, dated today.
        first = texts(table)[0]
        ticked = "C-ann overdue task" if "C-ann overdue task" in first else "C-bob overdue task"
        await pilot.press("space")
        await pilot.pause()
        assert table.row_count == 3 and not any(ticked in r for r in texts(table))
        await pilot.press("2")
        await pilot.pause()
        done = texts(table)
        assert len(done) == 1 and ticked in done[0] and done[0].startswith(date.today().isoformat())
        assert "ticked" in done[0]

        # Back home: the header counts the one still overdue.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)
        for _ in range(100):  # worked out again off the UI thread once the list is painted
            if app.screen.sub_title == "1 overdue":
                break
            await pilot.pause(0.05)
        assert app.screen.sub_title == "1 overdue"
    assert session.close()

    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t", "2")
        table = await open_table(pilot)
        (row,) = texts(table)
        assert ticked in row and row.startswith(date.today().isoformat())
        # Untick it by mistake-correction: back on the open list.
        await pilot.press("x")
        await pilot.pause()
        assert table.row_count == 0
        await pilot.press("1")
        await pilot.pause()
        assert table.row_count == 4
    session.close()
    store = Store(db, read_only=True)
    try:
        assert all(not c.followups for c in store.clients())
    finally:
        store.close()


async def test_t_on_a_client_lists_only_theirs_and_enter_opens_the_meeting(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # the list is sorted by code: C-bob is second
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("t")
        table = await open_table(pilot)
        rows = texts(table)
        assert len(rows) == 2 and all("C-bob" in r for r in rows)
        assert "Client" not in [str(c.label) for c in table.columns.values()]
        assert "C-bob" in app.screen.title

        await pilot.press("4")  # next meetings: only theirs
        await pilot.pause()
        (row,) = texts(table)
        assert row.startswith((date.today() + timedelta(days=4)).isoformat())
        await pilot.press("space")  # not ticked: the toast names what enter opens here
        await pilot.pause()
        assert any("enter opens the meeting that set it" in str(n.message) for n in app._notifications)  # not "the client"

        await pilot.press("f")  # the filter key cycles back to the open list
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FollowThroughScreen) and table.row_count == 1
    assert session.close()


async def test_meeting_rows_cannot_be_ticked_and_read_only_refuses(db):
    session = Session.open(db, read_only=True)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        table = await open_table(pilot)
        await pilot.press("space")
        await pilot.pause()
        assert table.row_count == 4  # nothing ticked: the DB is read-only
        assert any("read-only" in str(n.message) for n in app._notifications)
        await pilot.press("4", "space")
        await pilot.pause()
        assert any("not ticked off" in str(n.message) and "enter opens the client" in str(n.message) for n in app._notifications)
    session.close()


async def test_leaving_while_a_long_list_is_still_being_filled_does_not_crash(tmp_path):
    """At 1,000 clients: tick an item off (the list is filled again, a screenful at once
    and the rest 0.1 s later), then esc at once. The rest arrived on a screen already
    gone, and the app stopped with an error report."""
    rows = [{"who": "client", "what": f"task {n}", "due": (date.today() - timedelta(days=n)).isoformat()} for n in range(80)]
    path = one_client_with_actions(tmp_path / "cope.json", "C-many", rows)
    session = Session.open(path)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        table = await open_table(pilot)
        await until(pilot, lambda: table.row_count == 80, what="the rest of the rows")
        await pilot.press("space", "escape")
        await until(pilot, lambda: isinstance(app.screen, ClientsScreen), what="the list of clients")
        await pilot.pause(0.4)  # the refill's second batch is due meanwhile
        # Back from search the lists are read again, in a thread, and esc came at once:
        # that read, or the rest of its rows, can land on the screen while it is taken down.
        await pilot.press("ctrl+t")
        gone = await open_table(pilot)
        screen = app.screen
        await pilot.press("escape")
        await until(pilot, lambda: not gone.is_attached, what="the lists taken down")
        screen._show_board(screen.board)
        screen._add(screen._rows[30:], screen._generation)
        await pilot.press("ctrl+t")
        table = await open_table(pilot)
        await until(pilot, lambda: table.row_count == 79, what="the rest of the rows")
    assert app.return_code in (0, None)
    session.close()


async def test_words_too_long_for_their_column_end_in_an_ellipsis(tmp_path):
    """"What" is 32 cells wide at 80 columns: a longer action is cut with "…", not cut
    bare into what looks like a whole (or a wrong) word; the line below shows it all."""
    what = "attend the peer group on Thursday evening at the library"
    due = (date.today() + timedelta(days=2)).isoformat()
    path = one_client_with_actions(tmp_path / "cope.json", "C-long", [{"who": "grandmother", "what": what, "due": due}])
    session = Session.open(path)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        table = await open_table(pilot)
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[-1] == "attend the peer group on Thursd…" and cells[-2] == "grandmot…"
        assert what in str(app.screen.query_one("#ft-detail").render())
    session.close()


async def test_a_wide_terminal_shows_the_action_whole_and_a_narrower_one_cuts_it_again(tmp_path):
    """"What" was 32 cells wide at any size: at 160 columns the action was still cut, with
    half the screen empty beside it. It takes the room the other columns leave."""
    what = "attend the peer group on Thursday evening at the library"
    due = (date.today() + timedelta(days=2)).isoformat()
    path = one_client_with_actions(tmp_path / "cope.json", "C-long", [{"who": "client", "what": what, "due": due}])
    session = Session.open(path)
    app = create_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("ctrl+t")
        table = await open_table(pilot)
        assert str(table.get_row_at(0)[-1]) == what
        await pilot.press("3")  # referrals: the service's column too
        await pilot.pause()
        assert table.columns[table.ordered_columns[0].key].width > 100
        await pilot.press("1")
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: str(table.get_row_at(0)[-1]) == "attend the peer group on Thursd…", 10, "cut again")
    session.close()


async def test_ticking_far_down_a_long_list_keeps_the_place(tmp_path):
    """The list is filled again after a tick, 30 rows at once and the rest 0.1 s later.
    The cursor was put back while only those 30 were there: it stopped at the 30th, and
    the user, ticking items off one after another, landed on another item near the top."""
    rows = [{"who": "client", "what": f"task {n:02}", "due": (date.today() - timedelta(days=90 - n)).isoformat()}
            for n in range(80)]
    path = one_client_with_actions(tmp_path / "cope.json", "C-many", rows)
    session = Session.open(path)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        table = await open_table(pilot)
        await until(pilot, lambda: table.row_count == 80, what="every row")
        table.move_cursor(row=60)
        await pilot.pause()
        assert "task 60" in texts(table)[60]
        await pilot.press("space")
        await until(pilot, lambda: table.row_count == 79, what="the list without the ticked item")
        await pilot.pause(0.3)  # the second batch of rows
        assert table.cursor_row == 60 and "task 61" in texts(table)[60]
        assert "task 61" in str(app.screen.query_one("#ft-detail").render())
    session.close()


async def test_the_end_of_a_cut_done_list_says_it_is_cut(tmp_path, monkeypatch):
    """The done list shows the most recent DONE_LIMIT; the line saying so came last in a
    detail three lines high at 80x24, and was cut off: the end looked like the end."""
    from cope_tui.screens import follow_through

    monkeypatch.setattr(follow_through, "DONE_LIMIT", 5)
    rows = [{"who": "client", "what": f"done task {n}", "done": True} for n in range(8)]
    path = one_client_with_actions(tmp_path / "cope.json", "C-done", rows)
    session = Session.open(path)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await open_table(pilot)
        await pilot.press("2")
        table = await open_table(pilot)
        await until(pilot, lambda: table.row_count == 5, what="the done list")
        await pilot.press("end")
        await pilot.pause()
        detail = app.screen.query_one("#ft-detail")
        assert detail.region.height == 3
        shown = [line.text for line in detail.render_lines(detail.region.reset_offset)]
        assert "Showing the 5 most recent of 8 done." in "".join(shown)
        await pilot.press("ctrl+q")
    session.close()
