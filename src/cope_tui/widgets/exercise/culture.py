"""The culture-of-service plan: each checklist item of the three stages as who / what / by when.

The stages and items come from the shipped content (blueprints, construction,
maintenance); the exercise stores only what was planned, in
`exercise.culture[stage][item]`, creating a PlanItem the first time an item is touched
so an untouched checklist stays empty in the record.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ...content.cope_guides import CultureStage, load_culture
from ...cope.exercise import PlanItem, culture_item
from ...dialogs.parts import clip
from ..kept_row import Column, redraw_rows
from ..row_table import RowTable
from .panel import ExercisePanel
from .plan_cells import OVERDUE_MARK, PAD, date_width, item_overdue, plan_item_widths, table_room
from .plan_culture import CulturePlan, CultureRow

CULTURE_COLUMNS = (("mark", OVERDUE_MARK), ("done", "Done"), ("text", "Item"), ("who", "Who"), ("what", "What"),
                   ("when", "By when"))
_EDITING = frozenset({"edit", "toggle_done"})
_STAGE = Binding.Group("Stage", compact=True)


class CulturePanel(ExercisePanel):
    """One stage's items at a time. Keys: 1/2/3 stage, enter/e plan an item, space done."""

    TITLE = "Culture of service"
    DEFAULT_CSS = """
    CulturePanel #culture-change { height: auto; max-height: 3; color: $text-muted; }
    CulturePanel #culture-stages { height: 1; }
    CulturePanel #culture-intro { height: auto; color: $text-muted; text-style: italic; }
    CulturePanel #culture-summary { height: auto; color: $text-muted; }
    CulturePanel #culture-table { height: 1fr; }
    CulturePanel #culture-detail { height: auto; max-height: 3; color: $text-muted; }
    """

    BINDINGS = [
        Binding("1", "stage(0)", "Blueprints", id="culture.stage_1", group=_STAGE),
        Binding("2", "stage(1)", "Construction", id="culture.stage_2", group=_STAGE),
        Binding("3", "stage(2)", "Maintenance", id="culture.stage_3", group=_STAGE),
        Binding("e", "edit", "Plan item", id="culture.edit"),
        Binding("space", "toggle_done", "Done", id="culture.toggle_done"),
        # Reached only when the editing keys above are disabled (check_action): they say why.
        Binding("e,space", "refuse_read_only", show=False, id="culture.refuse_read_only"),
    ]

    def __init__(self, exercise, *, read_only: bool = False, id: str | None = None):
        super().__init__(exercise, read_only=read_only, id=id)
        self.stages: tuple[CultureStage, ...] = load_culture().stages
        self.stage_index = 0
        self.culture_plan = CulturePlan(exercise)  # planning an item is the same as in the action plan

    @property
    def stage(self) -> CultureStage:
        return self.stages[self.stage_index]

    def compose(self) -> ComposeResult:
        yield Static(load_culture().change, id="culture-change", markup=False)
        yield Static("", id="culture-stages")
        yield Static("", id="culture-intro", markup=False)
        yield Static("", id="culture-summary", markup=False)
        yield RowTable(id="culture-table", cursor_type="row", zebra_stripes=False)
        yield Static("", id="culture-detail", markup=False)

    @property
    def table(self) -> DataTable:
        return self.query_one("#culture-table", DataTable)

    def on_mount(self) -> None:
        self.refresh_rows()

    def on_show(self) -> None:
        self.refresh_rows()

    def focus_default(self) -> None:
        """Called by the exercise screen when the section opens: keys go to the table."""
        self.table.focus()

    # -- what is shown ------------------------------------------------------------

    def redraw(self) -> None:
        self.culture_plan.exercise = self.exercise
        self.refresh_rows()

    def planned(self, item_id: str) -> PlanItem | None:
        return culture_item(self.exercise, self.stage.id, item_id)

    def current_index(self) -> int:
        return max(0, min(self.table.cursor_row, len(self.stage.items) - 1))

    def _stage_line(self) -> Text:
        """The three stages, the current one bracketed and bold (it reads without colour)."""
        line = Text()
        for i, stage in enumerate(self.stages):
            label = f"{i + 1} {stage.title}"
            if i == self.stage_index:
                line.append(f"[{label}]", style="bold reverse")
            else:
                line.append(f" {label} ", style="dim")
            line.append("  ")
        return line

    def summary(self) -> str:
        items = [self.planned(i.id) for i in self.stage.items]
        done = sum(1 for p in items if p is not None and p.done)
        planned = sum(1 for p in items if p is not None and (p.who or p.what or p.by_when))
        late = sum(1 for p in items if item_overdue(p))
        return (
            f"{self.stage.title}: {done} of {len(items)} done · {planned} planned · "
            f"{OVERDUE_MARK} overdue {late}"
        )

    def refresh_rows(self, select: int | None = None) -> None:
        """Redraw the current stage, keeping the cursor on the same row (or `select`)."""
        if not self.is_mounted:
            return
        table = self.table
        keep = table.cursor_row if select is None else select
        items = [(i, self.planned(i.id)) for i in self.stage.items]
        plans = [p for _, p in items if p]
        fixed = len(OVERDUE_MARK) + len("Done") + date_width(plans) + 6 * PAD
        room = table_room(table, self.size.width or self.app.size.width) - fixed
        widths = plan_item_widths(room, [i.text for i, _ in items], plans)
        text_limit, who, what = widths["text"], widths["who"], widths["what"]
        overdue_style = Style(bold=True, color=self.app.theme_variables.get("error"))
        columns = [Column(label, key=key) for key, label in CULTURE_COLUMNS]
        rows: list[tuple[str, list[object]]] = []
        for item, plan in items:
            late = item_overdue(plan)
            style = overdue_style if late else Style(dim=True) if plan is not None and plan.done else Style()
            cells = [
                OVERDUE_MARK if late else "",
                "[x]" if plan is not None and plan.done else "[ ]",
                clip(item.text, text_limit),
                clip(plan.who, who) if plan else "",
                clip(plan.what, what) if plan else "",
                plan.by_when.isoformat() if plan and plan.by_when else "",
            ]
            rows.append((item.id, [Text(c, style=style) for c in cells]))
        redraw_rows(table, columns, rows)
        table.move_cursor(row=max(0, min(keep, len(items) - 1)), animate=False)
        self.query_one("#culture-stages", Static).update(self._stage_line())
        self.query_one("#culture-intro", Static).update(" ".join(self.stage.intro.split()))
        self.query_one("#culture-summary", Static).update(self.summary())
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        """The highlighted item in full, with its plan: the table cuts long text short."""
        item = self.stage.items[self.current_index()]
        plan = self.planned(item.id)
        detail = item.text
        if plan is not None and plan.what:
            detail += f" — {plan.who or 'someone'}: {plan.what}"
        self.query_one("#culture-detail", Static).update(detail)

    @on(DataTable.RowHighlighted, "#culture-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    @on(DataTable.RowSelected, "#culture-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        """enter plans the item (the table owns enter)."""
        event.stop()
        self.action_edit()

    # -- bindings -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refuse_read_only":
            return self.read_only
        if action in _EDITING:
            return not self.read_only
        return True

    def action_refuse_read_only(self) -> None:
        self.refuse_if_read_only()

    # -- actions ------------------------------------------------------------------

    def action_stage(self, index: int) -> None:
        if index == self.stage_index or not 0 <= index < len(self.stages):
            return
        self.stage_index = index
        self.refresh_rows(select=0)

    def action_edit(self) -> None:
        if self.refuse_if_read_only():
            return
        index = self.current_index()

        def edited() -> None:
            self.changed()
            self.refresh_rows(index)

        row = CultureRow(self.stage, self.stage.items[index])
        self.culture_plan.edit(row, self.app.push_screen, edited)

    def action_toggle_done(self) -> None:
        if self.refuse_if_read_only():
            return
        index = self.current_index()
        self.culture_plan.toggle_done(CultureRow(self.stage, self.stage.items[index]))
        self.changed()
        self.refresh_rows(index)
