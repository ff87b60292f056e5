"""A dialog to add or edit one row of a list: one labelled field per column."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static

from ..content.meeting_guide import Column, ColumnKind, ListSpec
from ..meetings.rules import MeetingError, clean_values
from ..records import CellValue
from .form import FormDialog
from .yes_no import YesNo


class RowEditor(FormDialog[dict[str, CellValue] | None]):
    """Edit the values of one row; dismisses with the cleaned values, or None on cancel."""

    PREFIX = "row"

    def __init__(
        self,
        spec: ListSpec,
        values: dict[str, CellValue] | None = None,
        *,
        title: str = "",
    ) -> None:
        super().__init__(title or spec.label)
        self.spec = spec
        self.values: dict[str, CellValue] = dict(values or {})

    def fields(self) -> ComposeResult:
        for col in self.spec.columns:
            label = col.label + (" *" if col.required else "")
            help = "" if col.readonly else col.help
            yield from self.field(col.id, label, self._input_for(col), help=help)

    def _input_for(self, col: Column) -> Widget:
        value = self.values.get(col.id)
        if col.readonly:
            return Static("" if value is None else str(value), classes="field-readonly", markup=False)
        if col.kind is ColumnKind.BOOL:
            return YesNo(bool(value), compact=True)
        if col.kind is ColumnKind.CHOICE:
            initial = value if value in col.choices else Select.NULL
            return Select(
                [(choice, choice) for choice in col.choices],
                prompt="(choose)" if col.required else "(none)",
                allow_blank=not col.required,
                value=initial,
                compact=True,
            )
        text = "" if value is None else str(value)
        if col.kind is ColumnKind.INT:
            return Input(text, type="integer", valid_empty=True, select_on_focus=False, compact=True)
        if col.kind is ColumnKind.DATE:
            return self.date_input(text)
        return self.text_input(text)

    def collect(self) -> dict[str, CellValue]:
        """The values as currently typed, before cleaning."""
        raw: dict[str, CellValue] = {}
        for col in self.spec.columns:
            if col.readonly:
                raw[col.id] = self.values.get(col.id)
                continue
            widget = self.widget(col.id)
            if isinstance(widget, Checkbox):
                raw[col.id] = widget.value
            elif isinstance(widget, Select):
                raw[col.id] = widget.selection
            elif isinstance(widget, Input):
                raw[col.id] = widget.value
        return raw

    def _column_named_in(self, message: str) -> Column | None:
        """The column an error message is about: it starts with the column's label."""
        named = [c for c in self.spec.columns if not c.readonly and message.startswith(c.label)]
        return max(named, key=lambda c: len(c.label)) if named else None

    def action_save(self) -> None:
        try:
            cleaned = clean_values(self.spec, self.collect())
        except MeetingError as exc:
            message = str(exc)
            col = self._column_named_in(message)
            said = col is not None and self.error_shown(col.id)
            self.refuse_form("" if said else message)  # said once: under the field, if there
            if col is not None:
                widget = self.widget(col.id)
                self.set_focus(widget)
                widget.scroll_visible()
            return
        self.dismiss(cleaned)
