"""The one form dialog: labelled fields in a titled frame, each with an error line.

Every form (a client, a goal, a team, a row of a list, a problem, a culture item) works
the same way: enter moves to the next field and saves on the last one, ctrl+s saves,
esc cancels. A date field says at once why what is typed is not a date (facilitators
type '+7' or 'tomorrow' live); a refused save shows why under the field and puts the
cursor there, so nothing typed is ever lost to a mistake.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ScreenResultType
from textual.widget import Widget
from textual.actions import SkipAction
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static, TextArea

from ..records import parse_date
from .base import Dialog
from .parts import DATE_PLACEHOLDER, DateText, focus_after
from .key_names import with_keys

HINT = "enter next field · space choose · {form.save|ctrl+s} save · esc cancel"
HINT_TYPED = "enter next field · {form.save|ctrl+s} save · esc cancel"  # a form with nothing to choose or tick
HINT_LAST = "enter or {form.save|ctrl+s} save · space choose · esc cancel"  # the focus on the last field
HINT_TYPED_LAST = "enter or {form.save|ctrl+s} save · esc cancel"
HINT_LINES = "enter new line · tab next field · {form.save|ctrl+s} save · esc cancel"  # in a text area
DROPDOWN_ROWS = 12  # a Select's dropdown shows at most this many options (Textual's max-height)


class FormDialog(Dialog[ScreenResultType]):
    """Subclasses yield their rows from `fields()` with `field()` and implement
    `action_save()`, which refuses with `refuse()` (one field) or `refuse_form()`.

    PREFIX names the frame's parts (#form-dialog, #form-fields, #form-error, #form-hint);
    ERROR_ID names a field's error line from the field's name.
    """

    PREFIX = "form"
    ERROR_ID = "error-{}"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="form.save"),
        # A choice or a tick takes enter as "next field" too; space (or ↑/↓) opens or ticks it.
        # Otherwise enter opened the choice, and the words typed next were lost to it.
        Binding("enter", "next_field", show=False, priority=True, id="form.next_field"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, title: str, info: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.info = info
        self._field_ids: dict[str, str] = {}  # a field's name -> its widget's id

    def compose(self) -> ComposeResult:
        with Vertical(id=f"{self.PREFIX}-dialog", classes="frame") as frame:
            frame.border_title = self.title_text
            # Not a tab stop of its own: tab past the last field landed on it, where the hint
            # still said "enter next field", enter did nothing and letters went nowhere.
            with VerticalScroll(id=f"{self.PREFIX}-fields", classes="form-fields", can_focus=False):
                if self.info:
                    yield Static(self.info, classes="form-info", markup=False)
                yield from self.fields()
            yield Static("", id=f"{self.PREFIX}-error", classes="form-error", markup=False)
            yield Static(with_keys(self, HINT), id=f"{self.PREFIX}-hint", classes="form-hint")

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def field(self, name: str, label: str, widget: Widget, *, help: str = "") -> ComposeResult:
        """One labelled row, a line of help if given, and its error line (hidden until needed).
        A widget without an id gets `field-NAME`."""
        if widget.id is None:
            widget.id = f"field-{name}"
        self._field_ids[name] = widget.id
        with Horizontal(classes="field", id=f"row-{name}"):
            yield Label(label, classes="field-label", markup=False)
            yield widget
        if help:
            yield Static(help, classes="field-help", markup=False)
        yield Static("", classes="field-error", id=self.ERROR_ID.format(name), markup=False)

    @staticmethod
    def text_input(value: str, placeholder: str = "", *, id: str | None = None, classes: str | None = None) -> Input:
        # Editing keeps the text: the cursor goes to the end instead of selecting it all.
        return Input(value, placeholder=placeholder, select_on_focus=False, compact=True, id=id, classes=classes)

    @staticmethod
    def date_input(value: date | str | None, *, id: str | None = None) -> Input:
        text = value.isoformat() if isinstance(value, date) else value or ""
        return Input(
            text,
            placeholder=DATE_PLACEHOLDER,
            validators=[DateText()],
            valid_empty=True,
            select_on_focus=False,
            compact=True,
            id=id,
        )

    def on_mount(self) -> None:
        editable = self.editable()
        if editable:
            self.set_focus(editable[0])
        for select in self.query(Select):
            self.watch(select, "expanded", partial(self._room_for_dropdown, select), init=False)
        self._show_hint()

    def on_descendant_focus(self) -> None:
        self._show_hint()

    def _show_hint(self) -> None:
        """On the last field the hint says enter saves: "enter next field" there saved the
        form, and the words typed on went to the screen under it as its keys."""
        editable = self.editable()
        last = bool(editable) and self.focused is editable[-1]
        if isinstance(self.focused, TextArea):  # its enter is a new line (a goal's indicators)
            text = HINT_LINES
        elif self.query("Select, Checkbox"):
            text = HINT_LAST if last else HINT
        else:
            text = HINT_TYPED_LAST if last else HINT_TYPED
        self.query_one(f"#{self.PREFIX}-hint", Static).update(with_keys(self, text))

    def _room_for_dropdown(self, select: Select, expanded: bool) -> None:
        """An open dropdown is drawn over the screen below its field; the frame grows while
        it is open so the list stays inside the dialog's border, over its own hint rather
        than over the screen beneath (the frame stays centred: only its size changes)."""
        frame = self.query_one(f"#{self.PREFIX}-dialog")
        if not expanded:
            frame.styles.min_height = None
            return
        overlay = select.query_one(OptionList)  # its dropdown
        rows = min(overlay.option_count, DROPDOWN_ROWS) + 2  # its border, top and bottom
        needed = select.region.bottom + rows - frame.region.y + 1  # and the frame's own border
        if needed > frame.region.height:
            frame.styles.min_height = needed

    # -- reading fields -----------------------------------------------------------

    def widget(self, name: str) -> Widget:
        return self.query_one(f"#{self._field_ids[name]}")

    def editable(self) -> list[Widget]:
        """The fields that take input, in order (a read-only value is shown, not edited)."""
        return [w for w in map(self.widget, self._field_ids) if w.can_focus]

    def text(self, name: str) -> str:
        return self.query_one(f"#{self._field_ids[name]}", Input).value.strip()

    def choice(self, name: str) -> str:
        return str(self.query_one(f"#{self._field_ids[name]}", Select).value)

    def date(self, name: str) -> date | None:
        """The typed date, or None; a bad date is shown at its field and raises ValueError."""
        raw = self.text(name)
        if not raw:
            return None
        try:
            return parse_date(raw)
        except ValueError as exc:
            self.refuse(name, str(exc))
            raise

    # -- saying why ---------------------------------------------------------------

    def refuse(self, name: str, message: str) -> None:
        """Show why the field's value cannot be saved and put the cursor there."""
        self.show_error(name, message)
        widget = self.widget(name)
        self.set_focus(widget)
        widget.scroll_visible()

    def show_error(self, name: str, message: str) -> None:
        for error in self.query(f"#{self.ERROR_ID.format(name)}").results(Static):
            error.update(message)
            error.set_class(bool(message), "-shown")

    def error_shown(self, name: str) -> bool:
        return bool(self.query(f"#{self.ERROR_ID.format(name)}.-shown"))

    def refuse_form(self, message: str) -> None:
        """A reason that belongs to no one field (or is already said under it: empty)."""
        error = self.query_one(f"#{self.PREFIX}-error", Static)
        error.update(message)
        error.set_class(bool(message), "-shown")

    # -- events -------------------------------------------------------------------

    @on(Input.Changed)
    def _live_check(self, event: Input.Changed) -> None:
        """A date field says at once why a date is not one; other fields clear their error."""
        name = next((n for n, i in self._field_ids.items() if i == event.input.id), None)
        if name is None:
            return  # an input inside another widget (a Select's search)
        event.stop()
        result = event.validation_result
        message = ""
        if result is not None and not result.is_valid:
            message = " ".join(result.failure_descriptions)
        self.show_error(name, message)

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        result = event.validation_result
        if result is not None and not result.is_valid:
            return  # a date that is not one: the cursor stays to fix it, under the reason
        editable = self.editable()
        if editable and event.input is editable[-1]:
            self.action_save()
        else:
            focus_after(event.input)

    def action_next_field(self) -> None:
        focused = self.focused
        if not isinstance(focused, (Select, Checkbox)) or (isinstance(focused, Select) and focused.expanded):
            raise SkipAction()  # a one-line field (app.submit_field), a text area, an open choice
        editable = self.editable()
        if editable and focused is editable[-1]:
            self.action_save()
        else:
            focus_after(focused)

    def action_save(self) -> None:
        raise NotImplementedError
