"""The culture-of-service items as rows of the action plan (PlanPanel's `c` mode).

All three stages (blueprints, construction, maintenance) are listed in one table so a
service plans its culture-of-service work where it plans its problems. Storage is the
same as the Culture of service section: `exercise.culture[stage][item]`, a PlanItem
created the first time an item is touched, so an untouched checklist stays empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable

from ...content.cope_guides import ChecklistItem, CultureStage, load_culture
from ...cope.exercise import Exercise, PlanItem, culture_item, plan_culture_item
from ...dialogs.parts import clip
from ...dialogs.problem_form import PlanItemForm
from ..kept_row import Column, redraw_rows
from .plan_cells import OVERDUE_MARK, PAD, date_width, item_overdue, plan_item_widths
COLUMNS: tuple[tuple[str, str], ...] = (
    ("mark", OVERDUE_MARK),
    ("stage", "Stage"),
    ("done", "Done"),
    ("text", "Item"),
    ("who", "Who"),
    ("what", "What"),
    ("when", "By when"),
)


@dataclass(frozen=True)
class CultureRow:
    stage: CultureStage
    item: ChecklistItem

    @property
    def key(self) -> str:
        return f"{self.stage.id}:{self.item.id}"


def is_planned(plan: PlanItem | None) -> bool:
    return plan is not None and bool(plan.who or plan.what or plan.by_when)


class CulturePlan:
    """The culture rows of one exercise; PlanPanel draws them and forwards its keys here."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.rows = [CultureRow(s, i) for s in load_culture().stages for i in s.items]

    def planned(self, row: CultureRow) -> PlanItem | None:
        return culture_item(self.exercise, row.stage.id, row.item.id)

    def store(self, row: CultureRow) -> PlanItem:
        return plan_culture_item(self.exercise, row.stage.id, row.item.id)

    def row(self, key: str | None) -> CultureRow | None:
        return next((r for r in self.rows if r.key == key), None)

    def summary(self) -> str:
        plans = [self.planned(r) for r in self.rows]
        planned = sum(1 for p in plans if is_planned(p))
        done = sum(1 for p in plans if p is not None and p.done)
        late = sum(1 for p in plans if item_overdue(p))
        return (
            f"culture plan: {planned} planned, {done} done, {late} overdue\n"
            f"{len(self.rows)} items in three stages · {{plan.culture|c}} back to problems"
        )

    def detail(self, row: CultureRow | None) -> str:
        if row is None:
            return ""
        plan = self.planned(row)
        detail = f"[{row.stage.title}] {row.item.text}"
        if plan is not None and plan.what:
            detail += f" — {plan.who or 'someone'}: {plan.what}"
        return detail

    def fill(self, table: DataTable, width: int, overdue_style: Style, keep_key: str | None, keep_row: int) -> None:
        """Redraw `table` with every item, the cursor on `keep_key` (else near `keep_row`)."""
        plans = [(r, self.planned(r)) for r in self.rows]
        planned = [p for _, p in plans if p]
        fixed = len(OVERDUE_MARK) + len("Done") + date_width(planned) + 7 * PAD
        stages = [r.stage.id for r in self.rows]
        widths = plan_item_widths(width - fixed, [r.item.text for r in self.rows], planned, stages)
        text_limit, who, what = widths["text"], widths["who"], widths["what"]
        shown: list[tuple[str, list[object]]] = []
        for row, plan in plans:
            late = item_overdue(plan)
            done = plan is not None and plan.done
            style = overdue_style if late else Style(dim=True) if done else Style()
            cells = [
                OVERDUE_MARK if late else "",
                clip(row.stage.id, widths["stage"]),
                "[x]" if done else "[ ]",
                clip(row.item.text, text_limit),
                clip(plan.who, who) if plan else "",
                clip(plan.what, what) if plan else "",
                plan.by_when.isoformat() if plan and plan.by_when else "",
            ]
            shown.append((row.key, [Text(c, style=style) for c in cells]))
        redraw_rows(table, [Column(label, key=key) for key, label in COLUMNS], shown)
        index = next((i for i, r in enumerate(self.rows) if r.key == keep_key), None)
        if index is None:
            index = max(0, min(keep_row, len(self.rows) - 1))
        table.move_cursor(row=index, animate=False)

    def edit(self, row: CultureRow, push_screen: Callable, done: Callable[[], None]) -> None:
        """Open the who / what / by when dialog for `row`; `done` runs after a change."""

        def edited(result: PlanItem | None) -> None:
            if result is None:
                return
            before = self.planned(row) or PlanItem()
            if (before.who, before.what, before.by_when) == (result.who, result.what, result.by_when):
                return
            stored = self.store(row)
            stored.who, stored.what, stored.by_when = result.who, result.what, result.by_when
            done()

        push_screen(PlanItemForm(row.item.text, self.planned(row)), edited)

    def toggle_done(self, row: CultureRow) -> PlanItem:
        stored = self.store(row)
        stored.done = not stored.done
        return stored
