"""Dialogs for the action plan: one problem (`ProblemForm`) and one culture item (`PlanItemForm`).

The dialogs only collect and check what was typed; they dismiss with plain values and
the panel that opened them writes those into the exercise, so a cancelled dialog never
leaves a half-edited problem behind. A bad date is refused at its field with the
message `parse_date` gives, because facilitators type dates live ('+7', 'tomorrow').
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from ..cope.exercise import PRIORITIES, STATUSES, PlanItem, Problem, set_status
from ..records import parse_date
from .parts import focus_after

DATE_PLACEHOLDER = "YYYY-MM-DD, today, +7, +2w"
HINT = "ctrl+s save · esc cancel · tab next field"
EMPTY_TEXT = "Describe the problem (it cannot be empty)."


class _DateField(Validator):
    """Accepts what `parse_date` accepts, or nothing (no date yet)."""

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.success()
        try:
            parse_date(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


def _date_text(value: date | None) -> str:
    return value.isoformat() if value else ""


class FormDialog(ModalScreen):
    """Labelled fields in a centred dialog, with a per-field error line and ctrl+s to save.

    Subclasses yield their fields from `fields()` using `field()` and implement `save()`.
    """

    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > #form-dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    FormDialog #form-fields { height: auto; max-height: 18; }
    FormDialog .form-info { color: $text-muted; height: auto; margin-bottom: 1; }
    FormDialog .field { height: auto; width: 100%; }
    FormDialog .field-label { width: 16; padding-right: 1; color: $text-muted; }
    FormDialog .field:focus-within > .field-label { color: $accent; text-style: bold; }
    FormDialog .field Input, FormDialog .field Select { width: 1fr; }
    FormDialog .field Input.-textual-compact { background: $boost; }
    FormDialog .field Input.-textual-compact:focus { background: $primary 20%; }
    FormDialog .field-error { padding-left: 16; color: $error; text-style: bold; height: auto; display: none; }
    FormDialog .field-error.-shown { display: block; }
    FormDialog #form-hint { color: $text-muted; margin-top: 1; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, title: str, info: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.info = info

    def compose(self) -> ComposeResult:
        with Vertical(id="form-dialog") as dialog:
            dialog.border_title = self.title_text
            with VerticalScroll(id="form-fields"):
                if self.info:
                    yield Static(self.info, classes="form-info", markup=False)
                yield from self.fields()
            yield Static(HINT, id="form-hint")

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    @staticmethod
    def field(field_id: str, label: str, widget: Widget) -> ComposeResult:
        """One labelled row plus its (hidden until needed) error line."""
        widget.id = f"field-{field_id}"
        with Horizontal(classes="field", id=f"row-{field_id}"):
            yield Label(label, classes="field-label", markup=False)
            yield widget
        yield Static("", classes="field-error", id=f"error-{field_id}", markup=False)

    @staticmethod
    def text_input(value: str, placeholder: str = "") -> Input:
        # Editing keeps the text: the cursor goes to the end instead of selecting it all.
        return Input(value, placeholder=placeholder, select_on_focus=False, compact=True)

    @staticmethod
    def date_input(value: date | None) -> Input:
        return Input(
            _date_text(value),
            placeholder=DATE_PLACEHOLDER,
            validators=[_DateField()],
            valid_empty=True,
            select_on_focus=False,
            compact=True,
        )

    def on_mount(self) -> None:
        first = self.query(".field Input, .field Select").first()
        self.set_focus(first)

    # -- reading fields -----------------------------------------------------------

    def text(self, field_id: str) -> str:
        return self.query_one(f"#field-{field_id}", Input).value.strip()

    def choice(self, field_id: str) -> str:
        return str(self.query_one(f"#field-{field_id}", Select).value)

    def date(self, field_id: str) -> date | None:
        """The typed date, or None; a bad date is shown at its field and raises ValueError."""
        raw = self.text(field_id)
        if not raw:
            return None
        try:
            return parse_date(raw)
        except ValueError as exc:
            self.refuse(field_id, str(exc))
            raise

    def refuse(self, field_id: str, message: str) -> None:
        """Show why the field's value cannot be saved and put the cursor there."""
        self.show_error(field_id, message)
        widget = self.query_one(f"#field-{field_id}")
        self.set_focus(widget)
        widget.scroll_visible()

    def show_error(self, field_id: str, message: str) -> None:
        # Inputs inside other widgets (a Select's search) have no error line of their own.
        for error in self.query(f"#error-{field_id}").results(Static):
            error.update(message)
            error.set_class(bool(message), "-shown")

    # -- events -------------------------------------------------------------------

    @on(Input.Changed)
    def _live_check(self, event: Input.Changed) -> None:
        """Date fields say at once why a date is not one; other fields clear their error."""
        field_id = (event.input.id or "").removeprefix("field-")
        if not field_id:
            return
        event.stop()
        result = event.validation_result
        message = ""
        if result is not None and not result.is_valid:
            message = " ".join(result.failure_descriptions)
        self.show_error(field_id, message)

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(".field Input").results(Input))
        if inputs and event.input is inputs[-1]:
            self.action_save()
        else:
            focus_after(event.input)

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)


# ---- one problem ----------------------------------------------------------------------


@dataclass
class ProblemValues:
    """What the problem form collected; `apply` writes it, keeping the status history."""

    text: str
    cause: str
    recommendation: str
    by_whom: str
    by_when: date | None
    priority: str
    status: str
    note: str = ""

    def apply(self, problem: Problem) -> bool:
        """Write into `problem`; True when anything changed. Status goes through `set_status`."""
        before = problem.model_dump()
        problem.text = self.text
        problem.cause = self.cause
        problem.recommendation = self.recommendation
        problem.by_whom = self.by_whom
        problem.by_when = self.by_when
        problem.priority = self.priority  # type: ignore[assignment]
        set_status(problem, self.status, self.note)
        return problem.model_dump() != before


class ProblemForm(FormDialog):
    """Add or edit one action-plan problem; dismisses with `ProblemValues` or None."""

    def __init__(self, problem: Problem | None = None, *, info: str = "") -> None:
        title = "Edit problem" if problem is not None else "Add a problem"
        super().__init__(title, info)
        self.problem = problem

    def fields(self) -> ComposeResult:
        p = self.problem
        yield from self.field("text", "Problem *", self.text_input(p.text if p else "", "what is wrong"))
        yield from self.field("cause", "Cause", self.text_input(p.cause if p else "", "why it happens"))
        yield from self.field(
            "recommendation", "Recommendation", self.text_input(p.recommendation if p else "", "what to do")
        )
        yield from self.field("by_whom", "By whom", self.text_input(p.by_whom if p else "", "a role or name"))
        yield from self.field("by_when", "By when", self.date_input(p.by_when if p else None))
        yield from self.field(
            "priority",
            "Priority",
            Select([(x, x) for x in PRIORITIES], value=p.priority if p else "medium", allow_blank=False, compact=True),
        )
        yield from self.field(
            "status",
            "Status",
            Select([(x, x) for x in STATUSES], value=p.status if p else "open", allow_blank=False, compact=True),
        )
        yield from self.field("note", "Status note", self.text_input("", "why the status changed (optional)"))

    def action_save(self) -> None:
        text = " ".join(self.text("text").split())
        if not text:
            self.refuse("text", EMPTY_TEXT)
            return
        try:
            by_when = self.date("by_when")
        except ValueError:
            return
        self.dismiss(
            ProblemValues(
                text=text,
                cause=self.text("cause"),
                recommendation=self.text("recommendation"),
                by_whom=self.text("by_whom"),
                by_when=by_when,
                priority=self.choice("priority"),
                status=self.choice("status"),
                note=self.text("note"),
            )
        )


# ---- one culture-of-service item --------------------------------------------------------


class PlanItemForm(FormDialog):
    """Plan one culture-of-service item as who / what / by when; dismisses with a PlanItem or None.

    The returned item carries the old `done` mark, so the caller can store it as is.
    """

    def __init__(self, item_text: str, item: PlanItem | None = None) -> None:
        super().__init__("Plan this item", item_text)
        self.item = item or PlanItem()

    def fields(self) -> ComposeResult:
        yield from self.field("who", "Who", self.text_input(self.item.who, "a role or name"))
        yield from self.field("what", "What", self.text_input(self.item.what, "the concrete step"))
        yield from self.field("by_when", "By when", self.date_input(self.item.by_when))

    def action_save(self) -> None:
        try:
            by_when = self.date("by_when")
        except ValueError:
            return
        self.dismiss(PlanItem(who=self.text("who"), what=self.text("what"), by_when=by_when, done=self.item.done))
