"""Client record review (safe services): each of 10-20 records is checked against a
list of items marked present, missing or not applicable.

A record is known only by the number or code written on its file, so the review
can be shown to the whole COPE committee without naming a client. Marking is one
key on the highlighted item because a review covers well over a hundred marks.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ...content.cope_guides import RECORDS_MAX, RECORDS_MIN, ChecklistItem, load_record_review
from ...cope.exercise import Exercise, RecordCheck, raise_problem
from ...dialogs.parts import clip
from ...dialogs.text_prompt import TextPrompt
from .interviews import IN_PLAN, plan_sources
from ..kept_row import Column, redraw_rows
from ..row_table import RowTable
from .list_detail import ListDetailPanel
from ...dialogs.key_names import with_keys

MARK_TEXT = {"present": "present", "missing": "MISSING", "not_applicable": "n/a"}
NAME_REMINDER = "Use the record number or code, not a name."


class RecordsPanel(ListDetailPanel):
    """Record review: the records checked so far, and the checklist of the selected one."""

    TITLE = "Record review"
    DEFAULT_CSS = """
    RecordsPanel .panel-intro { height: auto; color: $text-muted; }
    RecordsPanel #records-hint { height: 1; text-style: bold; }
    RecordsPanel #record-list { height: auto; max-height: 6; margin-bottom: 1; }
    RecordsPanel #record-items { height: 1fr; min-height: 4; }
    RecordsPanel #record-detail { height: auto; max-height: 2; color: $text-muted; }
    """

    _MARK = Binding.Group("Mark")
    # p/m/n/r act on the highlighted item, so check_action offers them only while the
    # checklist has focus.
    BINDINGS = [
        Binding("p", "mark('present')", "Present", id="records.present", group=_MARK),
        Binding("m", "mark('missing')", "Missing", id="records.missing", group=_MARK),
        Binding("n", "mark('not_applicable')", "Not applicable", id="records.not_applicable", group=_MARK),
        Binding("r", "raise_problem", "Problem", id="records.problem"),
        Binding("a", "add", "Add", id="records.add", tooltip="Add a record to review"),
        Binding("x", "delete", "Delete", id="records.delete", tooltip="Delete the selected record"),
        # Reached only while read-only (check_action hides the real ones): says why.
        Binding("p,m,n,r,a,x", "refuse_read_only", show=False, id="records.refuse"),
    ]

    def __init__(self, exercise: Exercise, *, read_only: bool = False, id: str | None = None):
        super().__init__(exercise, read_only=read_only, id=id)
        self.review = load_record_review()
        self._shown_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            "Use record numbers, never names. Pick at random.",
            classes="panel-intro",
            markup=False,
        )
        yield Static("", id="records-hint", markup=False)
        yield RowTable(id="record-list", cursor_type="row")
        yield RowTable(id="record-items", cursor_type="row")
        yield Static("", id="record-detail", markup=False)

    LIST_ID, DETAIL_ID = "record-list", "record-items"
    ON_DETAIL = ("mark", "raise_problem")

    def entries(self) -> list[RecordCheck]:
        return self.exercise.record_checks

    @property
    def current_record(self) -> RecordCheck | None:
        return self.current

    @property
    def current_item(self) -> ChecklistItem:
        items = self.review.items
        return items[max(0, min(self._detail.cursor_row, len(items) - 1))]

    def counts(self, check: RecordCheck) -> dict[str, int]:
        """How many items of the record carry each mark (only items of the current checklist)."""
        found = {mark: 0 for mark in MARK_TEXT}
        for item in self.review.items:
            mark = check.marks.get(item.id)
            if mark in found:
                found[mark] += 1
        return found

    # -- display --------------------------------------------------------------------

    def _fill_list(self, select: int | None = None) -> None:
        table = self._list
        keep = table.cursor_row if select is None else select
        checks = self.exercise.record_checks
        rows: list[tuple[str, list[object]]] = []
        if not checks:
            hint = "(none)" if self.read_only else with_keys(self, "(none yet: press {records.add|a})")
            rows.append(("__empty__", [Text(hint, style="dim italic"), "", "", "", ""]))
        total = len(self.review.items)
        for check in checks:
            found = self.counts(check)
            cells = [clip(check.label, 24), str(found["present"]), str(found["missing"]),
                     str(found["not_applicable"]), f"{sum(found.values())} of {total}"]
            rows.append((check.id, cells))
        redraw_rows(table, [Column(label) for label in ("Record", "Present", "Missing", "N/A", "Marked")], rows)
        if checks:
            table.move_cursor(row=max(0, min(keep, len(checks) - 1)), animate=False)
        count = len(checks)
        status = ""
        if count > RECORDS_MAX:
            status = " More than needed."
        elif count >= RECORDS_MIN:
            status = " Enough for the review."
        self.query_one("#records-hint", Static).update(
            f"{count} of {RECORDS_MIN}-{RECORDS_MAX} records reviewed.{status}"
        )
        self._show_current()

    def _fill_detail(self, keep: int) -> None:
        table = self._detail
        check = self.current_record
        width = table.size.width or max(0, self.size.width - 2) or self.app.size.width - 2
        width -= table.styles.scrollbar_size_vertical
        item_width = max(16, width - 7 - 4 - 3 * 2)
        columns = [Column("Item", item_width), Column("Mark", 7), Column("Plan", 4)]
        if check is None:
            hint = "(no record selected)" if self.read_only else with_keys(self, "(no record yet: press {records.add|a})")
            redraw_rows(table, columns, [("__empty__", [Text(clip(hint, item_width), style="dim italic"), "", ""])])
            self._show_detail()
            self.refresh_bindings()
            return
        raised = plan_sources(self)
        rows: list[tuple[str, list[object]]] = []
        for item in self.review.items:
            mark = check.marks.get(item.id)
            shown = Text(MARK_TEXT[mark], style="bold" if mark == "missing" else "") if mark else Text("–", style="dim")
            plan = IN_PLAN if f"record:{check.id}:{item.id}" in raised else ""
            rows.append((item.id, [clip(item.text, item_width), shown, plan]))
        redraw_rows(table, columns, rows)
        table.move_cursor(row=max(0, min(keep, len(self.review.items) - 1)), animate=False)
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        """The full item text, which the table may have had to cut."""
        detail = self.query_one("#record-detail", Static)
        check = self.current_record
        if check is None:
            detail.update("")
            return
        item = self.current_item
        text = f"Record {check.label}: {item.text}"
        if f"record:{check.id}:{item.id}" in plan_sources(self):
            text += "  (in the action plan)"
        detail.update(text)

    # -- actions --------------------------------------------------------------------

    def _label_taken(self, label: str) -> str | None:
        wanted = label.casefold()
        if any(c.label.casefold() == wanted for c in self.exercise.record_checks):
            return f"Record {label} is already in the review; pick another record."
        return None

    def action_add(self) -> None:
        if self.refuse_if_read_only():
            return

        def added(label: str | None) -> None:
            if not label or self._label_taken(label):
                return
            self.exercise.record_checks.append(RecordCheck(label=label))
            self.changed()
            self._fill_list(len(self.exercise.record_checks) - 1)
            self.screen.set_focus(self._detail)

        self.app.push_screen(
            TextPrompt(
                "Add a record",
                f"The record's number or code, as written on the file.\n{NAME_REMINDER}",
                required="Type the record's number or code (it cannot be empty).",
                check=self._label_taken,
            ),
            added,
        )

    def delete_question(self, entry: RecordCheck) -> tuple[str, str]:
        return (
            f"Delete record {entry.label} and its marks? "
            "Problems already raised from it stay in the action plan.",
            "Delete record",
        )

    def action_mark(self, mark: str) -> None:
        if self.refuse_if_read_only():
            return
        check = self.current_record
        if check is None:
            return
        item = self.current_item
        if check.marks.get(item.id) != mark:
            check.marks[item.id] = mark  # type: ignore[assignment]
            self._saved()
            if mark == "missing":
                self.notify(with_keys(self, "Missing. Back on it (up), {records.problem|r} adds it to the action plan."))
        table = self._detail
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)  # keep pace, as the guides do: on to the next item

    def action_raise_problem(self) -> None:
        if self.refuse_if_read_only():
            return
        check = self.current_record
        if check is None:
            return
        item = self.current_item
        if check.marks.get(item.id) != "missing":
            first = "Only a missing item becomes a problem; mark it missing ({records.missing|m}) first."
            self.notify(with_keys(self, first), severity="warning")
            return
        source, text = f"record:{check.id}:{item.id}", f"Client record {check.label}: {item.text} (missing)"
        if self.add_to_plan(lambda: raise_problem(self.exercise, source, text)):
            self._saved()
