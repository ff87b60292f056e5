"""The action plan and culture-of-service panels and their dialogs, driven by keys at 80x24."""

from __future__ import annotations

from datetime import date, timedelta

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input, Select, Static

from cope_tui.content.cope_guides import load_culture
from cope_tui.cope.exercise import Exercise, new_exercise, raise_problem
from cope_tui.dialogs.confirm import Confirm
from cope_tui.dialogs.problem_form import PlanItemForm, ProblemForm
from cope_tui.widgets.exercise.culture import CulturePanel
from cope_tui.widgets.exercise.panel import ExerciseChanged, ExercisePanel
from cope_tui.widgets.exercise.plan import CARRIED_MARK, OVERDUE_MARK, PlanPanel

SIZE = (80, 24)
PAST = date.today() - timedelta(days=10)
SOON = date.today() + timedelta(days=5)
LATER = date.today() + timedelta(days=30)


class PanelApp(App):
    """Mounts one panel and counts the ExerciseChanged messages it posts."""

    def __init__(self, panel: ExercisePanel) -> None:
        super().__init__()
        self.panel = panel
        self.changes = 0
        self.notices: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.panel

    def on_mount(self) -> None:
        self.panel.focus_default()

    def on_exercise_changed(self, message: ExerciseChanged) -> None:
        self.changes += 1

    def notify(self, message, **kwargs) -> None:  # type: ignore[override]
        self.notices.append(str(message))
        super().notify(message, **kwargs)


def exercise_with_problems() -> Exercise:
    ex = new_exercise("Riverside clinic", date.today() - timedelta(days=30))
    a = raise_problem(ex, "guide:privacy:q1", "Consulting room door does not close")
    a.priority, a.by_when = "low", LATER
    b = raise_problem(ex, "record:r1:consent", "Consent missing from records")
    b.priority, b.by_when = "high", SOON
    c = raise_problem(ex, "flow", "Clients wait two hours at registration")
    c.priority, c.by_when = "medium", PAST
    return ex


def row_keys(table: DataTable) -> list[str]:
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


def cell(table: DataTable, row_key: str, column: str) -> str:
    value = table.get_cell(row_key, column)
    return getattr(value, "plain", str(value))


def summary(panel: PlanPanel) -> str:
    return str(panel.query_one("#plan-summary", Static).render())


async def test_add_problem_bad_date_refused_then_good() -> None:
    ex = exercise_with_problems()
    app = PanelApp(PlanPanel(ex))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, ProblemForm)
        assert app.focused is form.query_one("#field-text", Input)
        await pilot.press(*"Toilets", "space", *"dirty")
        # An empty text is refused at its field, so is a bad date.
        form.query_one("#field-by_when", Input).value = "next week"
        await pilot.press("ctrl+s")
        assert app.screen is form
        error = form.query_one("#error-by_when", Static)
        assert "'next week' is not a date" in str(error.render())
        assert error.has_class("-shown")
        assert app.focused is form.query_one("#field-by_when", Input)
        assert len(ex.problems) == 3 and app.changes == 0

        form.query_one("#field-by_when", Input).value = "+7"
        form.query_one("#field-priority", Select).value = "high"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ProblemForm)
        added = ex.problems[-1]
        assert (added.text, added.source, added.priority) == ("Toilets dirty", "manual", "high")
        assert added.by_when == date.today() + timedelta(days=7)
        assert app.changes == 1
        table = app.panel.table
        assert table.row_count == 4
        # The cursor lands on the new problem.
        assert row_keys(table)[table.cursor_row] == added.id
        assert cell(table, added.id, "source") == "manual"


async def test_empty_text_refused() -> None:
    ex = new_exercise("Riverside clinic", date.today())
    app = PanelApp(PlanPanel(ex))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        form = app.screen
        await pilot.press("ctrl+s")
        assert app.screen is form
        assert "cannot be empty" in str(form.query_one("#error-text", Static).render())
        await pilot.press("escape")
        assert ex.problems == [] and app.changes == 0


async def test_edit_status_through_form_keeps_history() -> None:
    ex = exercise_with_problems()
    app = PanelApp(PlanPanel(ex))
    async with app.run_test(size=SIZE) as pilot:
        table = app.panel.table
        first = ex.problem(row_keys(table)[0])
        assert first.priority == "high"  # sorted by priority
        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, ProblemForm)
        assert form.query_one("#field-text", Input).value == first.text
        form.query_one("#field-status", Select).value = "in progress"
        form.query_one("#field-note", Input).value = "nurse in charge started"
        form.query_one("#field-cause", Input).value = "no checklist"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert first.status == "in progress" and first.cause == "no checklist"
        assert [(h.status, h.note) for h in first.history] == [("in progress", "nurse in charge started")]
        assert app.changes == 1
        assert cell(table, first.id, "status") == "in prog"
        # Saving without a change is no change.
        await pilot.press("e")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.changes == 1 and len(first.history) == 1


async def test_space_cycles_status_and_x_drops() -> None:
    ex = exercise_with_problems()
    app = PanelApp(PlanPanel(ex))
    async with app.run_test(size=SIZE) as pilot:
        table = app.panel.table
        await pilot.press("down")
        problem = ex.problem(row_keys(table)[1])
        await pilot.press("space")
        assert problem.status == "in progress"
        await pilot.press("space")
        assert problem.status == "done"
        assert [h.status for h in problem.history] == ["in progress", "done"]
        assert row_keys(table)[table.cursor_row] == problem.id  # cursor kept
        await pilot.press("space")
        assert problem.status == "open"
        assert app.changes == 3

        await pilot.press("x")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert problem.status == "open"
        await pilot.press("x")
        await pilot.press("y")
        await pilot.pause()
        assert problem.status == "dropped"
        assert problem.history[-1].status == "dropped"
        assert app.changes == 4
        assert "dropped 1" in summary(app.panel)


async def test_sort_and_filter_change_rows() -> None:
    ex = exercise_with_problems()
    ex.problems[0].status = "done"  # the low-priority one
    app = PanelApp(PlanPanel(ex))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.panel
        table = panel.table

        def texts() -> list[str]:
            return [ex.problem(k).text.split()[0] for k in row_keys(table)]

        assert texts() == ["Consent", "Clients", "Consulting"]  # priority
        assert "sort: priority" in summary(panel)
        await pilot.press("o")
        assert texts() == ["Clients", "Consent", "Consulting"]  # by when
        assert "sort: by when" in summary(panel)
        await pilot.press("o")
        assert texts() == ["Consent", "Clients", "Consulting"]  # status: open first, then done
        await pilot.press("o")
        assert texts() == ["Consulting", "Consent", "Clients"]  # source: guide, record, flow
        await pilot.press("f")
        assert table.row_count == 2 and "Consulting" not in texts()  # open + in progress
        assert "filter: open + in progress" in summary(panel)
        await pilot.press("f")
        assert texts() == ["Clients"]  # overdue
        await pilot.press("f")
        assert texts() == ["Consulting"]  # done
        await pilot.press("f")
        assert row_keys(table) == ["__empty__"]  # dropped: none
        assert panel.current() is None
        assert panel.check_action("cycle_status", ()) is None  # dimmed: no row
        await pilot.press("f")
        assert table.row_count == 3
        assert app.changes == 0  # sorting and filtering change nothing stored


async def test_overdue_marker_and_counts() -> None:
    ex = exercise_with_problems()
    app = PanelApp(PlanPanel(ex))
    async with app.run_test(size=SIZE):
        table = app.panel.table
        late = next(p for p in ex.problems if p.by_when == PAST)
        assert cell(table, late.id, "mark").startswith(OVERDUE_MARK)
        assert table.get_cell(late.id, "text").style.bold  # stands out without colour
        others = [p for p in ex.problems if p is not late]
        assert all(OVERDUE_MARK not in cell(table, p.id, "mark") for p in others)
        line = summary(app.panel)
        assert "open 3" in line and f"{OVERDUE_MARK} overdue 1" in line


async def test_follow_up_marks_carried() -> None:
    first = exercise_with_problems()
    first.problems[0].status = "done"
    second = new_exercise("Riverside clinic", date.today(), follow_up_of=first)
    second.problems[0].status = "done"
    app = PanelApp(PlanPanel(second))
    async with app.run_test(size=SIZE):
        table = app.panel.table
        assert table.row_count == 2
        for p in second.problems:
            assert CARRIED_MARK in cell(table, p.id, "mark")
            assert cell(table, p.id, "source") == "carried"
        assert f"{CARRIED_MARK} 2 carried: 1 done, 1 open" in summary(app.panel)


async def test_culture_edit_and_toggle() -> None:
    ex = new_exercise("Riverside clinic", date.today())
    stage = load_culture().stage("construction")
    item = stage.items[1]
    app = PanelApp(CulturePanel(ex))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.panel
        table = panel.table
        assert table.row_count == len(load_culture().stage("blueprints").items)
        await pilot.press("2")
        assert panel.stage.id == "construction"
        assert row_keys(table) == [i.id for i in stage.items]
        await pilot.press("down", "enter")
        form = app.screen
        assert isinstance(form, PlanItemForm)
        await pilot.press(*"Matron")
        form.query_one("#field-what", Input).value = "Run a half-day session"
        form.query_one("#field-by_when", Input).value = "someday"
        await pilot.press("ctrl+s")
        assert app.screen is form and "not a date" in str(form.query_one("#error-by_when", Static).render())
        assert ex.culture == {} and app.changes == 0
        form.query_one("#field-by_when", Input).value = PAST.isoformat()
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = ex.culture["construction"][item.id]
        assert (stored.who, stored.what, stored.by_when, stored.done) == ("Matron", "Run a half-day session", PAST, False)
        assert app.changes == 1
        assert cell(table, item.id, "who") == "Matron"
        assert cell(table, item.id, "mark") == OVERDUE_MARK
        assert "overdue 1" in str(panel.query_one("#culture-summary", Static).render())

        await pilot.press("space")
        assert stored.done is True and app.changes == 2
        assert cell(table, item.id, "done") == "[x]" and cell(table, item.id, "mark") == ""
        assert row_keys(table)[table.cursor_row] == item.id  # cursor kept
        # Toggling an untouched item creates its plan.
        await pilot.press("3", "space")
        first = load_culture().stage("maintenance").items[0]
        assert ex.culture["maintenance"][first.id].done is True
        assert app.changes == 3


async def test_read_only_refuses() -> None:
    ex = exercise_with_problems()
    before = ex.model_dump()
    app = PanelApp(PlanPanel(ex, read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.panel
        assert panel.check_action("add", ()) is False
        assert panel.check_action("cycle_sort", ()) is True
        for key in ("a", "e", "space", "x", "enter"):
            await pilot.press(key)
            assert not isinstance(app.screen, (ProblemForm, Confirm))
        assert sum("read-only" in n for n in app.notices) == 5
        await pilot.press("o", "f")  # looking around still works
        assert "sort: by when" in summary(panel)
        assert ex.model_dump() == before and app.changes == 0

    culture = CulturePanel(ex, read_only=True)
    app = PanelApp(culture)
    async with app.run_test(size=SIZE) as pilot:
        assert culture.check_action("edit", ()) is False
        for key in ("e", "space", "enter"):
            await pilot.press(key)
            assert not isinstance(app.screen, PlanItemForm)
        assert sum("read-only" in n for n in app.notices) == 3
        await pilot.press("2")
        assert culture.stage.id == "construction"
        assert ex.culture == {} and app.changes == 0


def culture_keys() -> list[str]:
    return [f"{s.id}:{i.id}" for s in load_culture().stages for i in s.items]


async def test_c_switches_to_culture_plan_and_back() -> None:
    ex = exercise_with_problems()
    app = PanelApp(PlanPanel(ex))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.panel
        table = panel.table
        await pilot.press("c")
        assert panel.culture_mode
        assert row_keys(table) == culture_keys()  # every item of the three stages
        stages = {cell(table, k, "stage") for k in row_keys(table)}
        assert stages == {"blueprints", "construction", "maintenance"}
        assert all(cell(table, k, "done") == "[ ]" for k in row_keys(table))
        assert "culture plan: 0 planned, 0 done, 0 overdue" in summary(panel)
        # Problem-only keys are hidden; editing keys stay.
        for action in ("add", "drop", "cycle_sort", "cycle_filter", "cycle_status"):
            assert panel.check_action(action, ()) is False
        assert panel.check_action("edit", ()) and panel.check_action("toggle_done", ())
        await pilot.press("a", "x", "o", "f")
        assert not isinstance(app.screen, (ProblemForm, Confirm))
        assert panel.sort == "priority" and panel.filter == "all"
        assert len(ex.problems) == 3 and app.changes == 0

        await pilot.press("c")
        assert not panel.culture_mode
        assert table.row_count == 3 and set(row_keys(table)) == {p.id for p in ex.problems}
        assert "sort: priority" in summary(panel)
        assert panel.check_action("toggle_done", ()) is False
        assert panel.check_action("add", ()) is True


async def test_culture_plan_edit_toggle_and_overdue() -> None:
    ex = new_exercise("Riverside clinic", date.today())
    stage = load_culture().stage("construction")
    item = stage.items[1]
    key = f"construction:{item.id}"
    app = PanelApp(PlanPanel(ex))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.panel
        table = panel.table
        await pilot.press("c")
        index = culture_keys().index(key)
        await pilot.press(*["down"] * index)
        assert row_keys(table)[table.cursor_row] == key
        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, PlanItemForm)
        await pilot.press(*"Matron")
        form.query_one("#field-what", Input).value = "Run a half-day session"
        form.query_one("#field-by_when", Input).value = "someday"
        await pilot.press("ctrl+s")
        assert app.screen is form and "not a date" in str(form.query_one("#error-by_when", Static).render())
        assert ex.culture == {} and app.changes == 0
        form.query_one("#field-by_when", Input).value = PAST.isoformat()
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = ex.culture["construction"][item.id]
        assert (stored.who, stored.what, stored.by_when, stored.done) == ("Matron", "Run a half-day session", PAST, False)
        assert app.changes == 1
        assert cell(table, key, "who") == "Matron"
        assert cell(table, key, "when") == PAST.isoformat()
        assert cell(table, key, "mark") == OVERDUE_MARK
        assert table.get_cell(key, "text").style.bold
        assert row_keys(table)[table.cursor_row] == key  # cursor kept
        assert "culture plan: 1 planned, 0 done, 1 overdue" in summary(panel)

        await pilot.press("space")
        assert stored.done is True and app.changes == 2
        assert cell(table, key, "done") == "[x]" and cell(table, key, "mark") == ""
        assert row_keys(table)[table.cursor_row] == key
        assert "culture plan: 1 planned, 1 done, 0 overdue" in summary(panel)
        await pilot.press("space")
        assert stored.done is False and cell(table, key, "mark") == OVERDUE_MARK
        # Saving without a change is no change; e edits too.
        await pilot.press("e")
        assert isinstance(app.screen, PlanItemForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.changes == 3
        # Toggling an untouched item creates its plan.
        await pilot.press("down", "space")
        after = culture_keys()[index + 1].split(":")
        assert ex.culture[after[0]][after[1]].done is True and app.changes == 4
        assert ex.problems == []


async def test_culture_plan_read_only_refuses() -> None:
    ex = exercise_with_problems()
    before = ex.model_dump()
    app = PanelApp(PlanPanel(ex, read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.panel
        await pilot.press("c")
        assert panel.culture_mode and panel.table.row_count == len(culture_keys())
        assert panel.check_action("edit", ()) is False
        assert panel.check_action("toggle_done", ()) is False
        for key in ("e", "space", "enter"):
            await pilot.press(key)
            assert not isinstance(app.screen, PlanItemForm)
        assert sum("read-only" in n for n in app.notices) == 3
        assert ex.model_dump() == before and app.changes == 0


async def test_a_long_plan_changed_low_down_stays_where_the_user_is() -> None:
    """Twenty problems, then the culture plan's every item: each scrolls at 80x24. A
    change to the last row must not show the first rows for a frame (the table was
    cleared and rebuilt at each key)."""
    ex = new_exercise("Riverside clinic", date.today() - timedelta(days=30))
    for n in range(20):
        raise_problem(ex, "manual", f"Problem number {n + 1}")
    app = PanelApp(PlanPanel(ex))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one("#plan-table", DataTable)
        seen: list[float] = []
        app.watch(table, "scroll_y", lambda y: seen.append(y), init=False)
        for mode_key, count in ((None, 20), ("c", None)):
            if mode_key:
                await pilot.press(mode_key)
                await pilot.pause()
            rows = table.row_count if count is None else count
            await pilot.press(*["down"] * rows)
            await pilot.pause()
            assert table.cursor_row == rows - 1 and table.scroll_y > 0
            seen.clear()
            changes = app.changes
            await pilot.press("space")
            await pilot.pause()
            assert app.changes == changes + 1
            assert 0 not in seen and table.cursor_row == rows - 1
        assert ex.problems[-1].status == "in progress"
        last_stage = load_culture().stages[-1]
        assert [item.done for item in ex.culture[last_stage.id].values()] == [True]


async def test_a_culture_stage_ticked_low_down_stays_where_the_user_is() -> None:
    ex = new_exercise("Riverside clinic", date.today() - timedelta(days=30))
    app = PanelApp(CulturePanel(ex))
    async with app.run_test(size=(80, 16)) as pilot:  # a short terminal: the stage's items scroll
        table = app.query_one("#culture-table", DataTable)
        await pilot.press(*["down"] * table.row_count)
        await pilot.pause()
        assert table.cursor_row == table.row_count - 1 and table.scroll_y > 0
        seen: list[float] = []
        app.watch(table, "scroll_y", lambda y: seen.append(y), init=False)
        await pilot.press("space")
        await pilot.pause()
        assert app.changes == 1 and 0 not in seen
        first_stage = load_culture().stages[0]
        assert [item.done for item in ex.culture[first_stage.id].values()] == [True]
