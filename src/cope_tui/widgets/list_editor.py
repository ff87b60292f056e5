"""A compact, keyboard-driven table that edits one list of a meeting in place."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from ..content.meeting_guide import Column, ColumnKind, ListSpec
from ..meetings.rules import MeetingError, agreement_of, carried_from, decide, deferral_of, new_row
from ..records import CellValue
from ..meetings.models import Meeting, Row
from ..dialogs.confirm import Confirm
from ..dialogs.parts import clip
from ..dialogs.row_editor import RowEditor
from ..dialogs.text_prompt import TextPrompt
from .kept_row import Column as Shown
from .kept_row import redraw_rows
from .row_table import RowTable
from ..dialogs.key_names import with_keys

CELL_MIN = 8
ROOMY = 24  # below this many characters a text cell drops the wide_only columns
MAX_VISIBLE_ROWS = 8
CARRIED_MARK = "↻"
EMPTY_HINT = "(empty: press {list.add|n} to add)"
SHORT_EMPTY_HINT = "(empty: {list.add|n} adds)"
READ_ONLY_MESSAGE = "This meeting is finalised and read-only. Add a dated addendum to correct it."
FIXED_MESSAGE = "Checklist rows come from the meeting guide; they cannot be added, removed or moved."

_EDITING = frozenset({"add", "edit", "toggle", "delete", "move_up", "move_down", "agree", "defer"})
_NEEDS_ROW = frozenset({"toggle", "delete", "move_up", "move_down", "agree", "defer"})
_DECIDING = frozenset({"agree", "defer"})


def cell_text(kind: ColumnKind, value: CellValue, limit: int | None = None) -> str:
    """How a value shows in a cell: bools as [x]/[ ], empty as blank, text on one line,
    cut to `limit` cells when one is given."""
    if kind is ColumnKind.BOOL:
        return "[x]" if value else "[ ]"
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return text if limit is None else clip(text, limit)


def fit_limit(labels: list[str], naturals: list[int], available: int) -> int:
    """The widest text limit (from what the widest text needs down to CELL_MIN) at which
    the columns fit `available` cells.

    Narrow columns keep their natural width; only long text is cut, widest first. There
    is no fixed cap: a wide screen shows long text whole. A column never gets narrower
    than its header.
    """
    for limit in range(max([*naturals, CELL_MIN]), CELL_MIN - 1, -1):
        needed = sum(max(len(label), min(nat, limit)) + 2 for label, nat in zip(labels, naturals))
        if needed <= available:
            return limit
    return CELL_MIN


class ListEditor(RowTable):
    """One list of a meeting as a table; edits `rows` in place and posts `Changed`.

    Keys: n/insert add, enter/e edit, space toggles the list's toggle column,
    x/delete remove (after a confirm), [ ] or shift+up/down move a row. A list with a
    decision (the boundaries) takes `a` to agree the highlighted row and `d` to defer it
    with a reason; both move to the next row, so a checklist is agreed at the speed of talk.
    """

    DEFAULT_CSS = """
    ListEditor {
        height: auto;
        max-height: 9;  /* header + 8 rows, then it scrolls */
    }
    """

    _MOVE = Binding.Group("Move", compact=True)

    BINDINGS = [
        Binding("n,insert", "add", "Add", id="list.add"),
        Binding("enter,e", "edit", "Edit", id="list.edit"),
        Binding("a", "agree", "Agree", id="list.agree"),
        Binding("d", "defer", "Defer", id="list.defer"),
        Binding("space", "toggle", "Toggle", id="list.toggle"),
        Binding("x,delete", "delete", "Delete", id="list.delete"),
        Binding("left_square_bracket,shift+up", "move_up", "Move up", id="list.move_up", group=_MOVE),
        Binding("right_square_bracket,shift+down", "move_down", "Move down", id="list.move_down", group=_MOVE),
        # Reached only when the action above is disabled (check_action): they say why.
        Binding(
            "n,insert,enter,e,space,x,delete,left_square_bracket,right_square_bracket,shift+up,shift+down",
            "refuse_read_only",
            show=False,
            id="list.refuse_read_only",
        ),
        Binding(
            "n,insert,x,delete,left_square_bracket,right_square_bracket,shift+up,shift+down",
            "refuse_fixed",
            show=False,
            id="list.refuse_fixed",
        ),
    ]

    class Changed(Message):
        """The rows of a list changed (added, edited, toggled, removed or moved)."""

        def __init__(self, editor: ListEditor, list_id: str) -> None:
            super().__init__()
            self.editor = editor
            self.list_id = list_id

        @property
        def control(self) -> ListEditor:
            return self.editor

    def __init__(
        self,
        spec: ListSpec,
        rows: list[Row],
        meeting: Meeting,
        *,
        read_only: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self.spec = spec
        # The meeting's own list: edited in place, never replaced.
        self.row_list = rows
        self.meeting = meeting
        self._read_only = read_only
        self._limit: int | None = None
        self._shown: list[Column] = []

    # -- state ------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self._read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self._read_only = value
        if self.is_mounted:
            self.refresh_rows()

    @property
    def current_index(self) -> int | None:
        """Index in `row_list` of the highlighted row, or None when the list is empty."""
        if not self.row_list:
            return None
        return max(0, min(self.cursor_row, len(self.row_list) - 1))

    # -- display ----------------------------------------------------------------

    def on_mount(self) -> None:
        self.refresh_rows()

    def on_resize(self) -> None:
        if self._limit is not None and self._layout() != (self._shown, self._limit):
            self.refresh_rows()

    def _layout(self) -> tuple[list[Column], int]:
        """The columns the table shows and how many characters a text cell may hold: all
        columns when the text still gets ROOMY cells, else those not marked wide_only (a
        decision's upsides and risks at 80 columns left `move fl…` of the decision)."""
        shown = list(self.spec.columns)
        limit = self._cell_limit(shown)
        narrow = [c for c in shown if not c.wide_only]
        if limit < ROOMY and len(narrow) < len(shown):
            shown, limit = narrow, self._cell_limit(narrow)
        return shown, limit

    def _cell_limit(self, columns: list[Column]) -> int:
        """How many characters a text cell may show so the table fits its width."""
        width = self.size.width or self.app.size.width
        available = width - 3  # the carried-mark column
        if len(self.row_list) > MAX_VISIBLE_ROWS:
            available -= self.styles.scrollbar_size_vertical
        labels = [c.label for c in columns]
        naturals = [
            max((cell_len(cell_text(c.kind, r.values.get(c.id))) for r in self.row_list), default=0)
            for c in columns
        ]
        if not self.row_list:
            naturals[0] = len(with_keys(self, EMPTY_HINT))
        return fit_limit(labels, naturals, available)

    def refresh_rows(self, select: int | None = None) -> None:
        """Redraw every row from `row_list`; put the cursor on `select` (or keep it)."""
        keep = self.cursor_row if select is None else select
        self._shown, self._limit = shown, limit = self._layout()
        columns = [Shown(" ", key="__mark__"), *(Shown(col.label, key=col.id) for col in shown)]
        rows: list[tuple[str, list[object]]] = []
        if not self.row_list:
            if self.read_only or self.spec.fixed:
                hint = "(empty)"
            else:
                room = max(limit, len(shown[0].label))
                hint = with_keys(self, EMPTY_HINT)
                hint = hint if room >= len(hint) else with_keys(self, SHORT_EMPTY_HINT)
            rows.append(("__empty__", ["", Text(hint, style="dim italic"), *[""] * (len(shown) - 1)]))
        for index, row in enumerate(self.row_list):
            mark = CARRIED_MARK if carried_from(self.meeting, row) else ""
            cells = [
                Text(cell_text(c.kind, row.values.get(c.id), max(limit, len(c.label))))
                for c in shown
            ]
            rows.append((str(index), [Text(mark), *cells]))
        redraw_rows(self, columns, rows)  # in place when only cells changed: no flash of the top rows
        if self.row_list:
            self.move_cursor(row=max(0, min(keep, len(self.row_list) - 1)), animate=False)
        self.refresh_bindings()

    # -- bindings ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refuse_read_only":
            return self.read_only
        if action == "refuse_fixed":
            return self.spec.fixed and not self.read_only
        if action not in _EDITING:
            return True
        if self.read_only:
            return False
        if action in ("add", "delete") and self.spec.fixed:
            return False
        if action == "toggle" and self.spec.toggle is None:
            return False
        if action in _DECIDING and agreement_of(self.spec) is None:
            return False
        if action == "defer" and deferral_of(self.spec) is None:
            return False
        if action in ("move_up", "move_down") and not self.spec.reorderable:
            return False
        if action in _NEEDS_ROW and not self.row_list:
            return None  # shown dimmed: there is no row to act on yet
        return True

    def _refused(self) -> bool:
        """True (after telling the user) when the list cannot be edited."""
        if self.read_only:
            self.notify(READ_ONLY_MESSAGE, severity="warning")
            return True
        return False

    def action_refuse_read_only(self) -> None:
        self.notify(READ_ONLY_MESSAGE, severity="warning")

    def action_refuse_fixed(self) -> None:
        self.notify(FIXED_MESSAGE, severity="information")

    def _changed(self, select: int | None) -> None:
        self.refresh_rows(select)
        self.post_message(self.Changed(self, self.spec.id))

    # -- actions ----------------------------------------------------------------

    def action_add(self) -> None:
        if self._refused() or self.spec.fixed:
            return

        def added(values: dict[str, CellValue] | None) -> None:
            if values is None:
                return
            try:
                row = new_row(self.meeting, self.spec, values)
            except MeetingError as exc:
                self.notify(str(exc), severity="error")
                return
            self.row_list.append(row)
            self._changed(len(self.row_list) - 1)

        self.app.push_screen(RowEditor(self.spec, None, title=f"Add to {self.spec.label}"), added)

    def action_edit(self) -> None:
        if self._refused():
            return
        index = self.current_index
        if index is None:
            if not self.spec.fixed:
                self.action_add()
            return
        row = self.row_list[index]

        def edited(values: dict[str, CellValue] | None) -> None:
            if values is None:
                return
            row.values = values
            self._changed(self._index_of(row, index))

        self.app.push_screen(RowEditor(self.spec, dict(row.values), title=f"Edit {self.spec.label}"), edited)

    def action_toggle(self) -> None:
        if self._refused() or self.spec.toggle is None:
            return
        index = self.current_index
        if index is None:
            return
        row = self.row_list[index]
        row.values[self.spec.toggle] = not bool(row.values.get(self.spec.toggle))
        self._changed(index)

    def action_agree(self) -> None:
        index = self.current_index
        choice = agreement_of(self.spec)
        if self._refused() or index is None or choice is None:
            return
        self._decide(index, choice)

    def action_defer(self) -> None:
        index = self.current_index
        deferral = deferral_of(self.spec)
        if self._refused() or index is None or deferral is None:
            return
        row = self.row_list[index]
        choice, reason_id = deferral
        reason = self.spec.column(reason_id)
        first = self.spec.columns[0]

        def given(text: str | None) -> None:
            if text is not None and any(r is row for r in self.row_list):
                self._decide(self._index_of(row, index), choice, text)

        self.app.push_screen(
            TextPrompt(
                f"{choice.capitalize()}: {cell_text(first.kind, row.values.get(first.id), 40)}",
                reason.help or reason.label,
                str(row.values.get(reason_id) or ""),
                required=f"Type the {reason.label.lower()}: it is what the next meeting picks up.",
            ),
            given,
        )

    def _decide(self, index: int, choice: str, reason: str = "") -> None:
        """Decide the row and move on to the next one, as a facilitator goes down the list."""
        try:
            decide(self.spec, self.row_list[index], choice, reason)
        except MeetingError as exc:
            self.notify(str(exc), severity="error")
            return
        self._changed(min(index + 1, len(self.row_list) - 1))

    def detail(self) -> str:
        """The highlighted row in full, with its decision and reason: the cells the table
        cuts (an action's "What" at 80 columns) or leaves out when narrow, by name."""
        index = self.current_index
        if index is None:
            return ""
        values = self.row_list[index].values
        first = self.spec.columns[0]
        parts = [cell_text(first.kind, values.get(first.id), 10**6)]
        if self.spec.decision:
            parts.append(str(values.get(self.spec.decision) or "not decided yet"))
            deferral = deferral_of(self.spec)
            if deferral is not None and values.get(deferral[1]):
                parts.append(str(values[deferral[1]]))
        said = {first.id, self.spec.decision, (deferral_of(self.spec) or ("", ""))[1]}
        for column in self.spec.columns:
            value = values.get(column.id)
            if column.id in said or value in (None, "", False):
                continue
            whole = cell_text(column.kind, value, 10**6)
            limit = max(self._limit or 0, len(column.label))
            if column not in self._shown or cell_text(column.kind, value, limit) != whole:
                parts.append(f"{column.label}: {whole}")
        return " · ".join(parts)

    def action_delete(self) -> None:
        if self._refused() or self.spec.fixed:
            return
        index = self.current_index
        if index is None:
            return
        row = self.row_list[index]
        first = self.spec.columns[0]
        summary = cell_text(first.kind, row.values.get(first.id)) or "this row"

        def answered(yes: bool | None) -> None:
            if not yes or not any(r is row for r in self.row_list):
                return
            at = self._index_of(row, index)
            del self.row_list[at]
            self._changed(min(at, len(self.row_list) - 1) if self.row_list else 0)

        self.app.push_screen(
            Confirm(f"Delete '{summary}' from {self.spec.label}?", title="Delete row"), answered
        )

    def action_move_up(self) -> None:
        self._move(-1)

    def action_move_down(self) -> None:
        self._move(1)

    def _move(self, step: int) -> None:
        if self._refused() or not self.spec.reorderable:
            return
        index = self.current_index
        if index is None:
            return
        target = index + step
        if not 0 <= target < len(self.row_list):
            return
        rows = self.row_list
        rows[index], rows[target] = rows[target], rows[index]
        self._changed(target)

    def _index_of(self, row: Row, fallback: int) -> int:
        for i, candidate in enumerate(self.row_list):
            if candidate is row:
                return i
        return fallback
