"""The action plan of a COPE exercise: every problem, who fixes it and by when.

This is the table the committee works through at the end of an exercise and again at
the follow-up, so it is built for scanning: overdue problems carry a "!" and stand
out without colour, carried problems a "↻", and one line says how the plan stands.
Status changes always go through `set_status` so the dated history is kept.
`c` switches the table to the culture-of-service items of all three stages
(plan_culture.py) and back.
"""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ...cope.exercise import (
    PRIORITIES,
    STATUSES,
    Problem,
    raise_problem,
    set_status,
    source_label,
)
from .plan_committee import ask_next_exercise
from ...dialogs.confirm import Confirm
from ...dialogs.parts import clip
from ...dialogs.problem_form import ProblemForm, ProblemValues
from ..kept_row import Column, redraw_rows
from ..row_table import RowTable
from .panel import ExercisePanel
from .plan_cells import CARRIED_MARK, OVERDUE_MARK, PAD, TEXT_FLOOR, natural_width, share_width, table_room
from .plan_culture import CulturePlan
from ...dialogs.key_names import with_keys

EMPTY_ROW = "__empty__"
WHO_LABEL = "Who"  # short: at 80 columns every cell counts ("By whom" in the form and the report)
PROBLEM_COLUMNS = (
    ("mark", OVERDUE_MARK),
    ("priority", "Pri"),
    ("status", "Status"),
    ("text", "Problem"),
    ("who", WHO_LABEL),
    ("when", "By when"),
    ("cause", "Cause"),
    ("rec", "Recommendation"),
    ("source", "Source"),
)
SORTS: tuple[str, ...] = ("priority", "by when", "status", "source")
FILTERS: tuple[str, ...] = ("all", "open + in progress", "overdue", "done", "dropped")
SOURCE_KINDS: tuple[str, ...] = ("carried", "guide", "interview", "record", "flow", "culture", "manual")
# space walks a problem forward; a finished or dropped one starts again at open.
NEXT_STATUS = {"open": "in progress", "in progress": "done", "done": "open", "dropped": "open"}
SHORT = {"in progress": "in prog", "medium": "med"}
WHO_MAX = 14
NOTE_MAX = 30

_EDITING = frozenset({"add", "edit", "cycle_status", "drop", "outside_help", "next_exercise"})
_NEEDS_ROW = frozenset({"edit", "cycle_status", "drop", "outside_help"})
# Problem-only keys, hidden while the table shows the culture plan.
_PROBLEM_ONLY = frozenset({"add", "cycle_status", "drop", "cycle_sort", "cycle_filter", "outside_help"})
MODES: tuple[str, ...] = ("Problems", "Culture of service")


def source_kind(problem: Problem) -> str:
    """Where a problem came from, in a word: carried problems say so first."""
    if problem.carried_from is not None:
        return "carried"
    return problem.source.split(":", 1)[0] or "manual"


def shown(problem: Problem, filter_name: str, today: date | None = None) -> bool:
    if filter_name == "open + in progress":
        return problem.status in ("open", "in progress")
    if filter_name == "overdue":
        return problem.overdue(today)
    if filter_name in ("done", "dropped"):
        return problem.status == filter_name
    return True


def sort_key(sort_name: str):
    """A key for `sorted`; ties keep the plan's own order (sorting is stable)."""

    def priority(p: Problem) -> int:
        return PRIORITIES.index(p.priority)

    def when(p: Problem) -> tuple[bool, date]:
        return (p.by_when is None, p.by_when or date.max)

    if sort_name == "by when":
        return lambda p: (when(p), priority(p))
    if sort_name == "status":
        return lambda p: (STATUSES.index(p.status), priority(p))
    if sort_name == "source":
        return lambda p: (SOURCE_KINDS.index(k) if (k := source_kind(p)) in SOURCE_KINDS else 99, p.source)
    return lambda p: (priority(p), when(p))


class PlanPanel(ExercisePanel):
    """The problems of the exercise as a table.

    Keys: a add, enter/e edit, space next status, x drop (after a confirm),
    o next sort order, f next filter, c the culture plan instead (there enter/e
    plans an item, space marks it done).
    """

    TITLE = "Action plan"
    DEFAULT_CSS = """
    PlanPanel #plan-summary { height: auto; color: $text-muted; }
    PlanPanel #plan-table { height: 1fr; }
    PlanPanel #plan-detail { height: auto; max-height: 3; color: $text-muted; }
    """

    BINDINGS = [
        Binding("a", "add", "Add problem", id="plan.add"),
        Binding("e", "edit", "Edit", id="plan.edit"),
        Binding("space", "cycle_status", "Next status", id="plan.cycle_status"),
        Binding("x", "drop", "Drop", id="plan.drop"),
        Binding("o", "cycle_sort", "Sort", id="plan.sort"),
        Binding("f", "cycle_filter", "Filter", id="plan.filter"),
        Binding("space", "toggle_done", "Done", id="plan.culture_done"),
        Binding("c", "toggle_mode", "Culture plan", id="plan.culture"),
        Binding("h", "outside_help", "Outside help", id="plan.outside_help"),
        Binding("d", "next_exercise", "Next exercise", id="plan.next_exercise"),
        # Reached only when the editing keys above are disabled (check_action): they say why.
        Binding("a,e,space,x,h,d", "refuse_read_only", show=False, id="plan.refuse_read_only"),
    ]

    def __init__(self, exercise, *, read_only: bool = False, id: str | None = None):
        super().__init__(exercise, read_only=read_only, id=id)
        self.sort = SORTS[0]
        self.filter = FILTERS[0]
        self.mode = MODES[0]
        self.culture_plan = CulturePlan(exercise)

    @property
    def culture_mode(self) -> bool:
        return self.mode == MODES[1]

    def compose(self) -> ComposeResult:
        yield Static("", id="plan-summary", markup=False)
        yield RowTable(id="plan-table", cursor_type="row", zebra_stripes=False)
        yield Static("", id="plan-detail", markup=False)

    @property
    def table(self) -> DataTable:
        return self.query_one("#plan-table", DataTable)

    def on_mount(self) -> None:
        self.refresh_rows()

    def on_show(self) -> None:
        # Other panels raise problems while this one is hidden.
        self.refresh_rows()

    def focus_default(self) -> None:
        """Called by the exercise screen when the section opens: keys go to the table."""
        self.table.focus()

    # -- what is shown ------------------------------------------------------------

    def redraw(self) -> None:
        self.culture_plan.exercise = self.exercise
        self.refresh_rows()

    def visible(self) -> list[Problem]:
        """The problems the current filter lets through, in the current sort order."""
        today = date.today()
        return sorted((p for p in self.exercise.problems if shown(p, self.filter, today)), key=sort_key(self.sort))

    def current_key(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value

    def current(self) -> Problem | None:
        """The highlighted problem, or None when the table shows none (or shows culture items)."""
        key = self.current_key()
        if key is None or key == EMPTY_ROW or self.culture_mode:
            return None
        return next((p for p in self.exercise.problems if p.id == key), None)

    def current_culture(self):
        """The highlighted culture row (plan_culture.CultureRow), in culture mode."""
        return self.culture_plan.row(self.current_key()) if self.culture_mode else None

    def summary(self, rows: int) -> str:
        problems = self.exercise.problems
        counted = [(s, sum(1 for p in problems if p.status == s)) for s in STATUSES]
        counts = " · ".join(f"{s} {n}" for s, n in counted if n) or "no problems yet"  # a 0 wrapped alone
        overdue = sum(1 for p in problems if p.overdue())
        line = f"{OVERDUE_MARK} overdue {overdue} · {counts}"  # first: at 80 columns the line wraps
        when = self.exercise.next_exercise
        line += f"\noutside help {sum(1 for p in problems if p.outside_help)} ({{plan.outside_help|h}}) · next exercise "
        line += f"{when:%Y-%m-%d} ({{plan.next_exercise|d}})" if when else "not set ({plan.next_exercise|d})"
        if self.exercise.follow_up_of is not None:
            carried = [p for p in problems if p.carried_from is not None]
            done = sum(1 for p in carried if p.status == "done")
            still = sum(1 for p in carried if p.status in ("open", "in progress"))
            line += f"\n{CARRIED_MARK} {len(carried)} carried: {done} done, {still} open"
            dropped = sum(1 for p in carried if p.status == "dropped")
            if dropped:
                line += f", {dropped} dropped"
        line += f"\nsort: {self.sort} ({{plan.sort|o}}) · filter: {self.filter} ({{plan.filter|f}})"
        line += f" · {rows} of {len(problems)} shown"
        return with_keys(self, line)

    def _limits(self, rows: list[Problem]) -> dict[str, int]:
        """Cell widths. What a facilitator scans for (problem, who, when) fits 80 columns;
        cause, recommendation and source follow to the right (the detail line has them)."""
        width = table_room(self.table, self.size.width or self.app.size.width)
        marks = max((1 + (p.carried_from is not None) for p in rows), default=1)
        dates = max((10 for p in rows if p.by_when), default=len("By when"))
        statuses = max((len(SHORT.get(p.status, p.status)) for p in rows), default=0)
        fixed = marks + 4 + max(len("Status"), statuses) + max(len("By when"), dates) + 6 * PAD
        texts = max((cell_len(p.text) for p in rows), default=0)
        cut = share_width(width - fixed, {
            "text": (max(texts, len("Problem")), min(TEXT_FLOOR, texts) or len("Problem")),
            "who": (natural_width([p.by_whom for p in rows], WHO_LABEL, WHO_MAX), len(WHO_LABEL)),
        })
        return {
            **cut,
            "cause": natural_width([p.cause for p in rows], "Cause", NOTE_MAX),
            "rec": natural_width([p.recommendation for p in rows], "Recommendation", NOTE_MAX),
        }

    def _cells(self, p: Problem, limits: dict[str, int], overdue_style: Style) -> list[Text]:
        late = p.overdue()
        style = overdue_style if late else Style(dim=True) if p.status == "dropped" else Style()
        mark = (OVERDUE_MARK if late else " ") + (CARRIED_MARK if p.carried_from is not None else "")
        cells = [
            mark,
            SHORT.get(p.priority, p.priority),
            SHORT.get(p.status, p.status),
            clip(p.text, limits["text"]),
            clip(p.by_whom, limits["who"]),
            p.by_when.isoformat() if p.by_when else "",
            clip(p.cause, limits["cause"]),
            clip(p.recommendation, limits["rec"]),
            source_kind(p),
        ]
        return [Text(c, style=style) for c in cells]

    def refresh_rows(self, select: str | None = None) -> None:
        """Redraw from the exercise, keeping the cursor on the same problem (or `select`)."""
        if not self.is_mounted:
            return
        if self.culture_mode:
            self._refresh_culture(select)
            return
        table = self.table
        old = self.current()
        keep_id = select or (old.id if old else None)
        keep_row = table.cursor_row
        rows = self.visible()
        limits = self._limits(rows)
        overdue_style = Style(bold=True, color=self.app.theme_variables.get("error"))
        columns = [Column(label, key=key) for key, label in PROBLEM_COLUMNS]
        if not rows:
            hint = "(no problems yet: {plan.add|a} adds one)"
            if self.filter != "all":
                hint = "(none match: {plan.filter|f} changes the filter)"
            hint = with_keys(self, hint)
            redraw_rows(table, columns, [(EMPTY_ROW, ["", "", "", Text(hint, style="dim italic"), "", "", "", "", ""])])
        else:
            redraw_rows(table, columns, [(p.id, self._cells(p, limits, overdue_style)) for p in rows])
        index = next((i for i, p in enumerate(rows) if p.id == keep_id), min(keep_row, max(0, len(rows) - 1)))
        table.move_cursor(row=index, animate=False)
        self.query_one("#plan-summary", Static).update(self.summary(len(rows)))
        self._show_detail()
        self.refresh_bindings()

    def _refresh_culture(self, select: str | None = None) -> None:
        table = self.table
        keep_key = select or self.current_key()
        width = table_room(table, self.size.width or self.app.size.width)
        overdue_style = Style(bold=True, color=self.app.theme_variables.get("error"))
        self.culture_plan.fill(table, width, overdue_style, keep_key, table.cursor_row)
        self.query_one("#plan-summary", Static).update(with_keys(self, self.culture_plan.summary()))
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        """The highlighted problem in full: the table cuts long text short."""
        if self.culture_mode:
            self.query_one("#plan-detail", Static).update(self.culture_plan.detail(self.current_culture()))
            return
        p = self.current()
        detail = ""
        if p is not None:
            parts = [f"[{source_kind(p)}] {p.text}" + (" (needs outside help)" if p.outside_help else "")]
            if p.cause:
                parts.append(f"cause: {p.cause}")
            if p.recommendation:
                parts.append(f"do: {p.recommendation}")
            if p.history:
                last = p.history[-1]
                parts.append(f"{last.status} {last.at:%Y-%m-%d}" + (f" ({last.note})" if last.note else ""))
            detail = " — ".join(parts)
        self.query_one("#plan-detail", Static).update(detail)

    @on(DataTable.RowHighlighted, "#plan-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    @on(DataTable.RowSelected, "#plan-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        """enter on a row edits it (the table owns enter); on the empty hint it adds."""
        event.stop()
        if self.culture_mode:
            self.action_edit()
        elif self.current() is None:
            self.action_add()
        else:
            self.action_edit()

    # -- bindings -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refuse_read_only":
            return self.read_only
        if action == "toggle_done":
            return self.culture_mode and not self.read_only
        if self.culture_mode and action in _PROBLEM_ONLY:
            return False
        if action not in _EDITING:
            return True
        if self.read_only:
            return False
        if action in _NEEDS_ROW and self.is_mounted and not self.culture_mode and self.current() is None:
            return None  # shown dimmed: no problem to act on
        return True

    def action_refuse_read_only(self) -> None:
        self.refuse_if_read_only()

    def _done(self, problem: Problem | None = None) -> None:
        self.changed()
        self.refresh_rows(problem.id if problem else None)

    # -- actions ------------------------------------------------------------------

    def action_add(self) -> None:
        if self.refuse_if_read_only():
            return

        def added(values: ProblemValues | None) -> None:
            if values is None:
                return
            problem = raise_problem(self.exercise, "manual", values.text)
            values.apply(problem)
            if not shown(problem, self.filter):
                self.filter = FILTERS[0]
                self.notify("Filter set to all so the new problem shows.")
            self._done(problem)

        self.app.push_screen(ProblemForm(None), added)

    def action_toggle_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.table.move_cursor(row=0, animate=False)
        self.refresh_rows()
        self.notify(f"Action plan: {self.mode.lower()}", timeout=2)

    def action_toggle_done(self) -> None:
        if self.refuse_if_read_only():
            return
        row = self.current_culture()
        if row is not None:
            self.culture_plan.toggle_done(row)
            self._culture_done()

    def _culture_done(self) -> None:
        self.changed()
        self.refresh_rows()

    def action_edit(self) -> None:
        if self.refuse_if_read_only():
            return
        if self.culture_mode:
            row = self.current_culture()
            if row is not None:
                self.culture_plan.edit(row, self.app.push_screen, self._culture_done)
            return
        problem = self.current()
        if problem is None:
            return
        info = f"From {source_label(self.exercise, problem.source)}" + (" (carried from the previous exercise)" if problem.carried_from else "")

        def edited(values: ProblemValues | None) -> None:
            if values is not None and values.apply(problem):
                self._done(problem)

        self.app.push_screen(ProblemForm(problem, info=info), edited)

    def action_cycle_status(self) -> None:
        if self.refuse_if_read_only():
            return
        problem = self.current()
        if problem is None:
            return
        set_status(problem, NEXT_STATUS[problem.status])
        self.notify(f"Status: {problem.status}", timeout=2)
        self._done(problem)

    def action_drop(self) -> None:
        if self.refuse_if_read_only():
            return
        problem = self.current()
        if problem is None:
            return
        if problem.status == "dropped":
            self.notify("Already dropped; space reopens it.")
            return

        def answered(yes: bool | None) -> None:
            if yes and any(p is problem for p in self.exercise.problems):
                set_status(problem, "dropped")
                self._done(problem)

        self.app.push_screen(
            Confirm(f"Drop '{clip(problem.text, 50)}'? It stays in the plan, marked dropped.", title="Drop problem"),
            answered,
        )

    def action_outside_help(self) -> None:
        if self.refuse_if_read_only():
            return
        problem = self.current()
        if problem is None:
            return
        problem.outside_help = not problem.outside_help
        self.notify("Needs outside help" if problem.outside_help else "The site can solve it itself", timeout=2)
        self._done(problem)

    def action_next_exercise(self) -> None:
        if not self.refuse_if_read_only():
            ask_next_exercise(self, lambda: self._done(self.current()))

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.refresh_rows()

    def action_cycle_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.refresh_rows()
