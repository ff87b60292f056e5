"""A small keyboard dialog for the client-flow register: a few labelled inputs and/or a
list of choices (recently used staff types, or what `t` types times for)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from .base import Dialog


class FlowDialog(Dialog[int | str | None]):
    """A few labelled inputs and/or a list of choices, all by keyboard.

    Enter in an input tries `apply`, which raises ValueError with the reason: a refusal is a
    warning and the dialog stays open, so a typed paper form is fixed, not retyped; it
    dismisses with what `apply` returned (the client number). A choice fills the first
    input and saves, or, with no inputs, dismisses with the choice's id. Escape: None.
    """

    SAVE_KEY = "enter"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="flow_dialog.cancel"),
        Binding("down", "app.focus_next", "Next field", show=False, id="flow_dialog.next"),
        Binding("up", "app.focus_previous", "Previous field", show=False, id="flow_dialog.previous"),
    ]

    def __init__(self, title: str, fields: list[tuple[str, str, str]], apply: Callable[[dict[str, str]], int] | None,
                 *, choices: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__()
        self.title_text, self.fields, self.apply, self.choices = title, fields, apply, list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="frame") as dialog:
            dialog.border_title = self.title_text
            for key, label, value in self.fields:
                yield Label(label, markup=False)
                staff = [prompt for _, prompt in self.choices] if key == "staff" else []
                yield Input(value, id=f"form-{key}", compact=True, suggester=SuggestFromList(staff) if staff else None)
            if self.choices:
                if self.fields:
                    yield Label("Recently used (down, then enter):")
                yield OptionList(*(Option(prompt, id=key) for key, prompt in self.choices), id="form-choices")
            if len(self.fields) > 1:
                hint = "enter next field, on the last saves · esc cancels · up/down move"
            else:
                hint = "enter saves · esc cancels · up/down move" if self.fields else "enter chooses · esc cancels"
            yield Static(hint, classes="hint")

    def on_mount(self) -> None:
        self.query("Input, OptionList").first().focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter moves on to the next field and saves on the last, as in every other form:
        a start time typed into a typed contact's first field (its staff type) was saved
        there at once."""
        self._next_or_save(event.input)

    def _next_or_save(self, box: Input) -> None:
        boxes = list(self.query(Input))
        if box is boxes[-1]:
            self.save()
        else:
            boxes[boxes.index(box) + 1].focus()

    def save(self) -> None:
        assert self.apply is not None
        try:
            number = self.apply({key: self.query_one(f"#form-{key}", Input).value for key, _, _ in self.fields})
        except ValueError as exc:  # FlowError, ExerciseError, a bad number: each says why
            self.notify(str(exc), severity="warning")
            return
        self.dismiss(number)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if not self.fields:
            self.dismiss(event.option.id)
            return
        first = self.query_one(f"#form-{self.fields[0][0]}", Input)
        first.value = str(event.option.prompt)
        self._next_or_save(first)
