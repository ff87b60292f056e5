"""The client-flow panel: live stamps, typed times, refusals, analysis and chart, at 80x24."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.app import App, ComposeResult
from textual.keys import _character_to_key
from textual.widgets import DataTable, Static

from cope_tui.cope import exercise as cope
from cope_tui.cope.flow_register import client_line, contacts_text, hhmm, register_rows, visit_type
from cope_tui.dialogs.confirm import Confirm
from cope_tui.dialogs.flow import FlowDialog
from cope_tui.widgets.exercise.flow import FlowPanel
from cope_tui.widgets.exercise.panel import ExerciseChanged

SIZE = (80, 24)


class FlowApp(App[None]):
    """The panel alone, counting ExerciseChanged and recording every notice."""

    def __init__(self, exercise: cope.Exercise, *, read_only: bool = False) -> None:
        super().__init__()
        self.exercise = exercise
        self.read_only = read_only
        self.changes = 0
        self.notes: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield FlowPanel(self.exercise, read_only=self.read_only)

    def on_exercise_changed(self, event: ExerciseChanged) -> None:
        self.changes += 1

    def notify(self, message: str, *, severity: str = "information", **kwargs) -> None:  # type: ignore[override]
        self.notes.append((severity, message))
        super().notify(message, severity=severity, **kwargs)  # type: ignore[arg-type]


def blank() -> cope.Exercise:
    return cope.new_exercise("Site", date(2026, 3, 2))


def prefilled() -> cope.Exercise:
    """Three finished visits at fixed times (flow_date unset, so nothing is live)."""
    ex = blank()
    cope.add_visit(ex, "first", "08:00")  # #1: nurse 20 min, leaves 08:40 -> 40 total, 20 waiting
    cope.add_visit(ex, "follow-up", "08:10")  # #2: counsellor 30 min, done 08:45 -> 35 total, 5 waiting
    cope.add_visit(ex, "first", "09:05")  # #3: nurse 20 min, leaves 09:35 -> 30 total, 10 waiting
    cope.add_contact(ex, 1, "nurse", "08:20", "08:40")
    cope.add_contact(ex, 2, "counsellor", "08:15", "08:45")
    cope.add_contact(ex, 3, "nurse", "09:10", "09:30")
    ex.visits[2].departure = "09:35"
    return ex


def register(app: FlowApp) -> DataTable:
    return app.query_one("#flow-register", DataTable)


def cells(app: FlowApp, row: int) -> list[str]:
    return [str(cell) for cell in register(app).get_row_at(row)]


def warnings(app: FlowApp) -> list[str]:
    return [message for severity, message in app.notes if severity == "warning"]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*(_character_to_key(char) for char in text))


# ---- live stamps ---------------------------------------------------------------------------


async def test_a_stamps_a_first_arrival_now_and_A_a_follow_up() -> None:
    ex = blank()
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        assert "a stamps an arrival now" in str(app.query_one("#flow-client", Static).content)
        assert app.query_one(FlowPanel).check_action("start_contact", ()) is None  # dimmed: no client
        before = hhmm("now")
        await pilot.press("a")
        await pilot.pause()
        after = hhmm("now")
        assert [(v.number, v.visit_type) for v in ex.visits] == [(1, "first")]
        assert before <= ex.visits[0].arrival <= after
        assert ex.flow_date == date.today()  # the first stamp dates the day
        assert app.changes == 1
        assert cells(app, 0)[:4] == ["1", "first", ex.visits[0].arrival, "waiting"]
        status = str(app.query_one("#flow-status", Static).content)
        assert f"Flow {date.today():%Y-%m-%d}: 1 here, 1 waiting, 0 with staff" in status

        await pilot.press("A")
        await pilot.pause()
        assert [(v.number, v.visit_type) for v in ex.visits] == [(1, "first"), (2, "follow-up")]
        assert app.changes == 2
        assert app.query_one(FlowPanel).current_client() == 2  # the cursor follows the new client


async def test_the_first_arrival_stamped_with_team_sync_on_says_to_stamp_on_one_machine() -> None:
    """Two machines stamping arrivals each give their own #N to another client, and the
    merge takes the two for one: said where arrivals are stamped, not only in the README."""
    alone = FlowApp(blank())
    async with alone.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert not any("this machine only" in message for _, message in alone.notes)
    team = FlowApp(blank())
    team.sync_runner = object()  # the app's runner, present while team sync is set up
    async with team.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert "stamp arrivals on this machine only" in team.notes[-1][1]
        await pilot.press("a")
        await pilot.pause()
        assert team.notes[-1][1].startswith("Client #2 arrived") and "machine" not in team.notes[-1][1]


async def test_s_starts_a_contact_with_the_staff_typed_and_e_ends_it() -> None:
    ex = blank()
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "s")
        await pilot.pause()
        assert isinstance(app.screen, FlowDialog)
        await type_text(pilot, "nurse")
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, FlowDialog)
        [contact] = ex.contacts
        assert (contact.client, contact.staff, contact.end) == (1, "nurse", None)
        assert contact.start >= ex.visits[0].arrival
        assert cells(app, 0)[3] == "with nurse"
        assert app.changes == 2
        assert "1 with staff" in str(app.query_one("#flow-status", Static).content)

        await pilot.press("e")
        await pilot.pause()
        assert contact.end is not None and contact.end >= contact.start
        assert cells(app, 0)[3] == "waiting"
        assert app.changes == 3

        # Next time the last used staff type is offered, ready for enter.
        await pilot.press("s")
        await pilot.pause()
        assert app.screen.query_one("#form-staff").value == "nurse"
        await pilot.press("escape")
        await pilot.pause()
        assert len(ex.contacts) == 1 and app.changes == 3


async def test_e_without_an_open_contact_and_d_with_one_are_refused() -> None:
    ex = blank()
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "e")
        await pilot.pause()
        assert "is not with staff now" in warnings(app)[-1]
        await pilot.press("s")
        await type_text(pilot, "doctor")
        await pilot.press("enter", "d")
        await pilot.pause()
        assert "still with doctor" in warnings(app)[-1]
        assert ex.visits[0].departure is None
        await pilot.press("e", "d")
        await pilot.pause()
        assert ex.visits[0].departure is not None
        assert cells(app, 0)[3] == "done"
        changes = app.changes
        await pilot.press("d")
        await pilot.pause()
        assert "already left" in warnings(app)[-1]
        assert app.changes == changes == 4  # a, s, e, d
        await pilot.press("e")  # not "s starts a contact": s is refused once they have left
        await pilot.pause()
        assert "is not with staff now; left at" in warnings(app)[-1]


async def test_s_on_a_client_with_staff_or_gone_is_refused_before_the_staff_is_asked() -> None:
    """The staff type was asked for, and only its enter said the client was busy or gone."""
    ex = blank()
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "s")
        await type_text(pilot, "doctor")
        await pilot.press("enter", "s")
        await pilot.pause()
        assert not isinstance(app.screen, FlowDialog)
        assert "is still with doctor; e ends that contact first" in warnings(app)[-1]
        await pilot.press("e", "d", "s")
        await pilot.pause()
        assert not isinstance(app.screen, FlowDialog)
        assert "already left at" in warnings(app)[-1]
        assert len(ex.contacts) == 1


# ---- typed times ---------------------------------------------------------------------------


async def _open_typed(pilot, app: FlowApp, choice: str) -> None:
    """t, then the menu entry whose id is `choice`."""
    await pilot.press("t")
    await pilot.pause()
    menu = app.screen
    assert isinstance(menu, FlowDialog)
    ids = [key for key, _ in menu.choices]
    await pilot.press(*["down"] * ids.index(choice), "enter")
    await pilot.pause()


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ("08:30", "08:50", "already with nurse"),  # overlaps 08:20-08:40
        ("09:10", "09:00", "ends (09:00) before it starts"),
        ("07:50", "07:55", "before client 1 arrived"),
        ("25:00", "", "not a time of day"),
    ],
)
async def test_an_impossible_typed_contact_is_refused_and_nothing_changes(start, end, reason) -> None:
    ex = prefilled()
    before = [c.model_dump() for c in ex.contacts]
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        await _open_typed(pilot, app, "contact")
        form = app.screen
        assert isinstance(form, FlowDialog) and form.title_text == "#1: add a contact"
        form.query_one("#form-staff").value = "doctor"
        form.query_one("#form-start").value = start
        form.query_one("#form-end").value = end
        form.query_one("#form-end").focus()  # enter on the last field saves
        await pilot.press("enter")
        await pilot.pause()
        assert reason in warnings(app)[-1]
        assert app.screen is form  # still open, to be fixed rather than retyped
        assert [c.model_dump() for c in ex.contacts] == before
        await pilot.press("escape")
        await pilot.pause()
        assert [c.model_dump() for c in ex.contacts] == before
        assert app.changes == 0


async def test_typed_arrival_contact_and_fixes_from_a_paper_form() -> None:
    ex = prefilled()
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        await _open_typed(pilot, app, "follow-up")
        assert app.screen.query_one("#form-number").value == "4"
        await pilot.press("tab")
        await type_text(pilot, "9.40")
        await pilot.press("enter")
        await pilot.pause()
        assert (ex.visits[-1].number, ex.visits[-1].visit_type, ex.visits[-1].arrival) == (4, "follow-up", "09:40")
        assert ex.flow_date is None  # typed times do not date the day: only 'now' stamps do
        assert app.changes == 1
        panel = app.query_one(FlowPanel)
        assert panel.current_client() == 4

        # Fixing #4's visit: departure before arrival is refused, then a good one is kept.
        await _open_typed(pilot, app, "fix-visit")
        form = app.screen
        form.query_one("#form-departure").value = "09:30"
        form.query_one("#form-departure").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "before arriving" in warnings(app)[-1]
        assert ex.visits[-1].departure is None
        form.query_one("#form-departure").value = "1000"
        await pilot.press("enter")
        await pilot.pause()
        assert ex.visits[-1].departure == "10:00"
        assert app.changes == 2

        # Fixing #1's last contact so it would start before #1 arrived is refused.
        await pilot.press("up", "up", "up")
        assert panel.current_client() == 1
        await _open_typed(pilot, app, "fix-contact")
        form = app.screen
        assert form.query_one("#form-start").value == "08:20"
        form.query_one("#form-start").value = "07:30"
        await pilot.press("enter", "enter", "enter")  # staff, start, end: the last saves
        await pilot.pause()
        assert "before client 1 arrived" in warnings(app)[-1]
        assert ex.contacts[0].start == "08:20"
        form.query_one("#form-start").value = "08:25"
        await pilot.press("enter")
        await pilot.pause()
        assert (ex.contacts[0].start, ex.contacts[0].end) == ("08:25", "08:40")
        assert app.changes == 3


async def test_x_deletes_the_last_contact_then_the_client_after_confirming() -> None:
    ex = prefilled()
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, Confirm) and "nurse 08:20-08:40" in app.screen.message
        await pilot.press("n")
        await pilot.pause()
        assert len(ex.contacts) == 3 and app.changes == 0
        await pilot.press("x", "y")
        await pilot.pause()
        assert [c.client for c in ex.contacts] == [2, 3]
        await pilot.press("x")
        await pilot.pause()
        assert "client #1 (arrived 08:00)" in app.screen.message
        await pilot.press("y")
        await pilot.pause()
        assert [v.number for v in ex.visits] == [2, 3]
        assert app.changes == 2
        assert register(app).row_count == 2


# ---- computed views ------------------------------------------------------------------------


async def test_register_shows_computed_times_for_prefilled_visits() -> None:
    app = FlowApp(prefilled())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # #, Type, Arr, Status, Total, Seen, Wait, then the contacts as room allows
        assert cells(app, 0)[:7] == ["1", "first", "08:00", "done", "40", "20", "20"]
        assert cells(app, 1)[:7] == ["2", "f-up", "08:10", "done", "35", "30", "5"]
        assert cells(app, 2)[:7] == ["3", "first", "09:05", "done", "30", "20", "10"]
        assert "#1 first visit, arrived 08:00: nurse 08:20-08:40" in str(
            app.query_one("#flow-client", Static).content
        )
        await pilot.press("down")
        await pilot.pause()
        assert "#2 follow-up visit" in str(app.query_one("#flow-client", Static).content)


async def test_2_shows_the_analysis_by_visit_type_and_hour() -> None:
    app = FlowApp(prefilled())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        by_type = app.query_one("#flow-by-type", DataTable)
        rows = [[str(c) for c in by_type.get_row_at(i)] for i in range(by_type.row_count)]
        # visit, clients, finished, mean total, mean seen, mean wait, max wait
        assert rows == [
            ["first", "2", "2", "35.0", "20.0", "15.0", "20"],
            ["follow-up", "1", "1", "35.0", "30.0", "5.0", "5"],
            ["all", "3", "3", "35.0", "23.3", "11.7", "20"],
        ]
        by_hour = app.query_one("#flow-by-hour", DataTable)
        rows = [[str(c) for c in by_hour.get_row_at(i)] for i in range(by_hour.row_count)]
        assert rows == [
            ["08:00-08:59", "2", "2", "37.5", "25.0", "12.5", "20"],
            ["09:00-09:59", "1", "1", "30.0", "20.0", "10.0", "10"],
        ]
        panel = app.query_one(FlowPanel)
        assert not panel.check_action("start_contact", ())  # client keys only in the register
        assert panel.check_action("arrive", ("first",))


async def test_3_shows_the_chart_fitting_80_columns() -> None:
    app = FlowApp(prefilled())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        chart = str(app.query_one("#flow-chart", Static).content)
        lines = chart.splitlines()
        assert any(line.startswith("#1 ") for line in lines) and "#3 " in chart
        assert "20+20 min" in chart and "░" in chart and "█" in chart
        assert max(len(line) for line in lines) <= 76


# ---- read-only -----------------------------------------------------------------------------


async def test_read_only_refuses_every_edit_and_hides_the_keys() -> None:
    ex = prefilled()
    before = ex.model_dump()
    app = FlowApp(ex, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(FlowPanel)
        for action, params in (("arrive", ("first",)), ("start_contact", ()), ("typed", ()), ("delete", ())):
            assert panel.check_action(action, params) is False
        for key in ("a", "A", "s", "e", "d", "t", "x"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, (FlowDialog, Confirm))
        assert len(warnings(app)) == 7 and all("read-only" in w for w in warnings(app))
        assert ex.model_dump() == before and app.changes == 0
        await pilot.press("2", "3", "1")  # viewing still works
        assert panel.current_view == "register"


# ---- pure rules ----------------------------------------------------------------------------


def test_register_rows_grow_live_until_the_client_leaves() -> None:
    ex = blank()
    cope.add_visit(ex, "first", "08:00")
    cope.add_contact(ex, 1, "nurse", "08:20")
    [(number, row)] = register_rows(ex, now=8 * 60 + 50)
    assert number == 1 and row[3:7] == ["with nurse", "50", "30", "20"]
    [(_, row)] = register_rows(ex, now=None)  # not today: unknown while the contact is open
    assert row[3:7] == ["with nurse", "…", "0", "…"]


def test_contacts_text_keeps_the_latest_and_client_line_says_all() -> None:
    ex = prefilled()
    cope.add_contact(ex, 2, "doctor", "08:50")
    two = [c for c in ex.contacts if c.client == 2]
    assert contacts_text(two) == "counsellor 08:15-08:45, doctor 08:50-…"
    assert contacts_text(two, 20) == "…, doctor 08:50-…"
    assert client_line(ex, 2).endswith("counsellor 08:15-08:45, doctor 08:50-…")
    assert client_line(ex, None) == ""


def test_visit_type_spellings() -> None:
    assert visit_type(" First ") == "first"
    assert visit_type("follow up") == "follow-up"
    assert visit_type("fu") == "follow-up"
    with pytest.raises(cope.ExerciseError):
        visit_type("second")


async def test_now_stamps_are_refused_in_another_days_register() -> None:
    ex = prefilled()
    ex.flow_date = day = date.today() - timedelta(days=1)
    before = ex.model_dump()
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        assert f"{day:%Y-%m-%d} (not today)" in str(app.query_one("#flow-status", Static).content)
        for key in ("a", "A", "s", "e", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert "not today; t types its times" in warnings(app)[-1]
        assert not isinstance(app.screen, FlowDialog)
        assert ex.model_dump() == before and app.changes == 0


async def test_p_raises_a_waiting_time_problem_from_the_day() -> None:
    ex = prefilled()
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        field = app.screen.query_one("#prompt-input")
        assert "longest 20 min (client 1, arrived 08:00)" in field.value
        await pilot.press("enter")
        await pilot.pause()
        assert [p.source for p in ex.problems] == ["flow:1"]
        assert "waited 12 min on average" in ex.problems[0].text
        assert app.changes == 1
        await pilot.press("p", "enter")  # a second flow problem is its own
        await pilot.pause()
        assert [p.source for p in ex.problems] == ["flow:1", "flow:2"]
    ro = FlowApp(prefilled(), read_only=True)
    async with ro.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await pilot.pause()
        assert ro.exercise.problems == [] and ro.changes == 0


async def test_a_busy_register_redrawn_stays_where_the_user_is() -> None:
    """Thirty clients: the register scrolls. The clock's tick and a sync redraw it; it
    must not show its first rows for a frame each time (it was cleared and rebuilt)."""
    ex = blank()
    for n in range(30):
        cope.add_visit(ex, "first", f"{8 + n // 6:02}:{n % 6 * 10:02}")
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        panel, table = app.query_one(FlowPanel), register(app)
        table.focus()
        await pilot.press(*["down"] * 29)
        await pilot.pause()
        assert panel.current_client() == 30 and table.scroll_y > 0
        assert cells(app, 29)[3] == "waiting"
        seen: list[float] = []
        app.watch(table, "scroll_y", lambda y: seen.append(y), init=False)
        ex.visits[-1].departure = "13:30"  # as a sync brings it
        panel.redraw()
        await pilot.pause()
        assert cells(app, 29)[2:5] == ["12:50", "done", "40"]
        assert 0 not in seen
        assert panel.current_client() == 30


async def test_enter_moves_through_a_typed_contact_and_saves_on_the_last_field() -> None:
    """Enter saved from any field: a start time typed in the first field (the staff type)
    and enter saved it there. Now enter moves on, as in every other form."""
    ex = prefilled()
    before = len(ex.contacts)
    app = FlowApp(ex)
    async with app.run_test(size=SIZE) as pilot:
        await _open_typed(pilot, app, "contact")
        form = app.screen
        assert form.focused is form.query_one("#form-staff")
        await pilot.press("ctrl+u", *"doctor", "enter")
        assert form.focused is form.query_one("#form-start") and len(ex.contacts) == before
        await pilot.press(*"0905", "enter")
        assert form.focused is form.query_one("#form-end") and len(ex.contacts) == before
        await pilot.press(*"0915", "enter")
        await pilot.pause()
        added = ex.contacts[-1]
        assert (len(ex.contacts), added.staff, added.start, added.end) == (before + 1, "doctor", "09:05", "09:15")
