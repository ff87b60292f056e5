"""A dialog to add or edit one row of a list: one labelled input per column."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from ..content.meeting_guide import Column, ColumnKind, ListSpec
from ..meetings.rules import MeetingError, clean_values
from ..records import CellValue, parse_date
from .parts import focus_after

DATE_PLACEHOLDER = "YYYY-MM-DD, today, +7"
HINT = "ctrl+s save · esc cancel · tab next field"


class DateText(Validator):
    """Accepts what `models.parse_date` accepts; empty is left to `clean_values`."""

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.success()
        try:
            parse_date(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


def _field_id(col: Column) -> str:
    return f"field-{col.id}"


class RowEditor(ModalScreen[dict[str, CellValue] | None]):
    """Edit the values of one row; dismisses with the cleaned values, or None on cancel."""

    DEFAULT_CSS = """
    RowEditor {
        align: center middle;
    }
    RowEditor > #row-dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-color: $text;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    RowEditor #row-fields {
        height: auto;
        max-height: 16;
    }
    RowEditor .field {
        height: auto;
        width: 100%;
    }
    RowEditor .field-label {
        width: 16;
        padding-right: 1;
        color: $text-muted;
    }
    RowEditor .field:focus-within > .field-label {
        color: $accent;
        text-style: bold;
    }
    RowEditor .field Input, RowEditor .field Select, RowEditor .field Checkbox {
        width: 1fr;
    }
    RowEditor .field Input.-textual-compact {
        background: $boost;
    }
    RowEditor .field Input.-textual-compact:focus {
        background: $primary 20%;
    }
    RowEditor .field-readonly {
        width: 1fr;
        height: auto;
    }
    RowEditor .field-help {
        padding-left: 16;
        color: $text-muted;
        text-style: italic;
        height: auto;
    }
    RowEditor .field-error {
        padding-left: 16;
        color: $error;
        height: auto;
        display: none;
    }
    RowEditor .field-error.-shown {
        display: block;
    }
    RowEditor #row-error {
        color: $error;
        text-style: bold;
        height: auto;
        display: none;
        margin-top: 1;
    }
    RowEditor #row-error.-shown {
        display: block;
    }
    RowEditor #row-hint {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="row_editor.save"),
        Binding("escape", "cancel", "Cancel", id="row_editor.cancel"),
    ]

    def __init__(
        self,
        spec: ListSpec,
        values: dict[str, CellValue] | None = None,
        *,
        title: str = "",
    ) -> None:
        super().__init__()
        self.spec = spec
        self.values: dict[str, CellValue] = dict(values or {})
        self.title_text = title or spec.label

    # -- building ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="row-dialog") as dialog:
            dialog.border_title = self.title_text
            with VerticalScroll(id="row-fields"):
                for col in self.spec.columns:
                    label = col.label + (" *" if col.required else "")
                    with Horizontal(classes="field", id=f"row-{col.id}"):
                        yield Label(label, classes="field-label", markup=False)
                        yield self._input_for(col)
                    if col.help and not col.readonly:
                        yield Static(col.help, classes="field-help", markup=False)
                    if col.kind is ColumnKind.DATE and not col.readonly:
                        yield Static("", classes="field-error", id=f"error-{col.id}", markup=False)
            yield Static("", id="row-error", markup=False)
            yield Static(HINT, id="row-hint")

    def _input_for(self, col: Column) -> Widget:
        value = self.values.get(col.id)
        wid = _field_id(col)
        if col.readonly:
            return Static("" if value is None else str(value), classes="field-readonly", id=wid, markup=False)
        if col.kind is ColumnKind.BOOL:
            return Checkbox("", bool(value), id=wid, compact=True)
        if col.kind is ColumnKind.CHOICE:
            initial = value if value in col.choices else Select.NULL
            return Select(
                [(choice, choice) for choice in col.choices],
                prompt="(choose)" if col.required else "(none)",
                allow_blank=not col.required,
                value=initial,
                id=wid,
                compact=True,
            )
        text = "" if value is None else str(value)
        if col.kind is ColumnKind.INT:
            return Input(text, type="integer", valid_empty=True, select_on_focus=False, id=wid, compact=True)
        if col.kind is ColumnKind.DATE:
            return Input(
                text,
                placeholder=DATE_PLACEHOLDER,
                validators=[DateText()],
                valid_empty=True,
                select_on_focus=False,
                id=wid,
                compact=True,
            )
        # Editing keeps the text: the cursor goes to the end instead of selecting it all.
        return Input(text, select_on_focus=False, id=wid, compact=True)

    def on_mount(self) -> None:
        fields = self._editable()
        if fields:
            self.set_focus(fields[0])

    # -- helpers ----------------------------------------------------------------

    def _editable(self) -> list[Widget]:
        """The editable widgets, in column order."""
        return [self.query_one(f"#{_field_id(col)}") for col in self.spec.columns if not col.readonly]

    def collect(self) -> dict[str, CellValue]:
        """The values as currently typed, before cleaning."""
        raw: dict[str, CellValue] = {}
        for col in self.spec.columns:
            if col.readonly:
                raw[col.id] = self.values.get(col.id)
                continue
            widget = self.query_one(f"#{_field_id(col)}")
            if isinstance(widget, Checkbox):
                raw[col.id] = widget.value
            elif isinstance(widget, Select):
                raw[col.id] = widget.selection
            elif isinstance(widget, Input):
                raw[col.id] = widget.value
        return raw

    def _show_error(self, message: str) -> None:
        error = self.query_one("#row-error", Static)
        error.update(message)
        error.set_class(bool(message), "-shown")

    def _column_named_in(self, message: str) -> Column | None:
        """The column an error message is about: it starts with the column's label."""
        named = [c for c in self.spec.columns if not c.readonly and message.startswith(c.label)]
        return max(named, key=lambda c: len(c.label)) if named else None

    # -- events -----------------------------------------------------------------

    @on(Input.Changed)
    def _live_check(self, event: Input.Changed) -> None:
        if event.input.id is None or not event.input.id.startswith("field-"):
            return
        col_id = event.input.id.removeprefix("field-")
        errors = self.query(f"#error-{col_id}")
        if not errors:
            return
        result = event.validation_result
        message = ""
        if result is not None and not result.is_valid:
            message = " ".join(result.failure_descriptions)
        errors.first(Static).update(message)
        errors.first().set_class(bool(message), "-shown")

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        fields = self._editable()
        if fields and event.input is fields[-1]:
            self.action_save()
        else:
            focus_after(event.input)

    # -- actions ----------------------------------------------------------------

    def action_save(self) -> None:
        try:
            cleaned = clean_values(self.spec, self.collect())
        except MeetingError as exc:
            message = str(exc)
            col = self._column_named_in(message)
            live = self.query(f"#error-{col.id}.-shown") if col is not None else ()
            self._show_error("" if live else message)  # said once: under the field, if there
            if col is not None:
                widget = self.query_one(f"#{_field_id(col)}")
                self.set_focus(widget)
                widget.scroll_visible()
            return
        self.dismiss(cleaned)

    def action_cancel(self) -> None:
        self.dismiss(None)
