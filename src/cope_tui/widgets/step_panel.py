"""One guided step: its intro, prompts, short fields and lists, built from content."""

from __future__ import annotations

from rich.markup import escape
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static, TextArea

from ..content.meeting_guide import ListSpec, Step
from ..meetings.rules import MeetingError, check_field
from ..meetings.models import Meeting
from ..dialogs.parts import focus_after
from .focus_label import FocusLabel
from .list_editor import ListEditor


class Guidance(Vertical, can_focus=True):
    """The step's prompts, the stage's questions and the skills: the step's last stop.

    They are text, and the panel scrolls only to what has the keyboard: at 80x24 they sat
    below the fields and lists, out of reach of every key (no key is free for a scroll
    while the notes have it: the editor owns the rest). Tab brings them into view, and
    the arrow and page keys scroll the panel on through them."""

    BINDINGS = [
        Binding("up", "scroll_panel(-1)", "Scroll up", show=False, id="prompts.up"),
        Binding("down", "scroll_panel(1)", "Scroll down", show=False, id="prompts.down"),
        Binding("pageup", "scroll_panel(-1, True)", "Page up", show=False, id="prompts.page_up"),
        Binding("pagedown", "scroll_panel(1, True)", "Page down", show=False, id="prompts.page_down"),
    ]

    def __init__(self, *parts: Widget) -> None:
        super().__init__(*parts, id="guidance")

    def action_scroll_panel(self, rows: int, page: bool = False) -> None:
        """A row, or the panel's own page (as tall as the panel is at this size)."""
        if isinstance(self.parent, VerticalScroll):
            step = self.parent.scrollable_content_region.height if page else 1
            self.parent.scroll_relative(y=rows * step, animate=False)


class StepPanel(VerticalScroll):
    """Writes field edits into the meeting's record and says so with `Changed`."""

    # Not a stop of its own: tab goes from the notes straight to the step's fields and lists
    # (each scrolls itself into view when it takes focus).
    can_focus = False

    class Changed(Message):
        """A field of the step changed; the meeting should be saved."""

    def __init__(
        self,
        step: Step,
        meeting: Meeting,
        *,
        read_only: bool,
        banner: str = "",
        stage_note: str = "",
        held: list[tuple[Step, ListSpec]] = (),  # type: ignore[assignment]
        notes: TextArea | None = None,
    ):
        super().__init__(classes="step-panel")
        self.held = list(held)  # areas an earlier meeting left open (rules.held_decisions)
        self.step = step
        self.meeting = meeting
        self.read_only = read_only
        self.banner = banner
        self.stage_note = stage_note  # the helping stage's prompts (markup), where the content asks
        self.notes = notes  # where letters typed on a list go when the list has no key for them

    def on_mount(self) -> None:
        for editor in self.query(ListEditor):
            self._show_detail(editor)

    def compose(self) -> ComposeResult:
        step = self.step
        record = self.meeting.peek(step.id)
        if self.banner:
            yield Static(self.banner, classes="banner sensitive")
        if step.intro:
            yield Static(escape(step.intro), classes="intro")
        # What is filled in comes before the guidance: on a 24-row terminal the panel has
        # about a dozen rows, and the fields and lists decide the next step; the questions
        # and skills stay a scroll away, below them. Top to bottom is also the tab order.
        for field in step.fields:
            yield FocusLabel(escape(field.label), target=f"field-{field.id}", classes="field-label")
            yield Input(
                record.fields.get(field.id, ""),
                placeholder=field.placeholder or field.help,
                id=f"field-{field.id}",
                classes="sensitive",
                disabled=self.read_only,
            )
            yield Static("", id=f"error-{field.id}", classes="error", markup=False)
        # After the text fields: a facilitator states the meeting's purpose first, then
        # picks up what the client was told would come back, before the agenda.
        for held, spec in self.held:
            yield from self._list(held, spec, f"Still open from earlier meetings: {spec.label}")
        for spec in step.lists:
            yield from self._list(step, spec, spec.label)
        yield from self._guidance(step)

    def _guidance(self, step: Step) -> ComposeResult:
        parts = []
        if step.prompts:
            parts.append(Static("\n".join(f"• {escape(p)}" for p in step.prompts), classes="prompts"))
        if self.stage_note:  # what sets this meeting apart from one at another stage
            parts.append(Static(self.stage_note, classes="prompts stage-prompts"))
        if step.skills:
            # How to work rather than what to ask: marked apart from the prompts, no heading line.
            lines = [f"◇ [b]{escape(s.name)}[/b] {escape(s.how)}" for s in step.skills]
            parts.append(Static("\n".join(lines), classes="prompts skills"))
        if parts:
            yield Guidance(*parts)

    def _list(self, step: Step, spec: ListSpec, label: str) -> ComposeResult:
        yield FocusLabel(escape(label), target=f"list-{spec.id}", classes="list-label")
        # The list's help, or while the list has the keyboard its highlighted row in
        # full: a narrow terminal cuts cells (an area of the boundaries to 'How we wil…').
        yield Static(spec.help, id=f"help-{spec.id}", classes="help sensitive", markup=False)
        yield ListEditor(
            spec,
            self.meeting.peek_rows(step.id, spec.id) if self.read_only else self.meeting.rows(step.id, spec.id),
            self.meeting,
            read_only=self.read_only,
            id=f"list-{spec.id}",
        )

    def on_key(self, event: events.Key) -> None:
        """A letter typed on a list that has no key for it goes into the step's notes, and
        they take the keyboard: a facilitator who thought a text field had it loses no
        word. The notes, not a field: every step has them, and they are where a step's
        typing goes when it opens. The list's own keys (n, e, a, d, x, space) keep their
        meaning; the footer shows them while the list has the keyboard."""
        editor, notes = self.app.focused, self.notes
        if not (isinstance(editor, ListEditor) and event.is_printable and event.character):
            return
        if notes is None or notes.read_only or editor.read_only:
            return
        bound = self.screen.active_bindings.get(event.key)
        if bound is not None and bound.enabled:
            return
        event.stop()
        event.prevent_default()
        self._into_notes(notes, event.character)

    def on_paste(self, event: events.Paste) -> None:
        """A paste on a list goes into the notes too (the list has no use for it, and it
        was lost without a word), as a paste there: the notes' own checks (their size
        limit) apply to it."""
        editor, notes = self.app.focused, self.notes
        if not isinstance(editor, ListEditor) or notes is None or notes.read_only or editor.read_only:
            return
        event.stop()
        event.prevent_default()
        self._into_notes(notes, "")
        paste = events.Paste(event.text)
        paste.stop()  # handled by the notes, not bubbling back here (where the focus may not have moved yet)
        notes.post_message(paste)

    @staticmethod
    def _into_notes(notes, text: str) -> None:
        """Focus the notes and add `text` as a word of its own: not glued to the last
        word of the notes ("homeMum rang")."""
        notes.focus()
        row, column = notes.cursor_location
        before = notes.document.get_line(row)[:column]
        notes.insert(text if not before or before[-1].isspace() else " " + text)

    @on(DataTable.RowHighlighted)
    @on(ListEditor.Changed)
    def _row_moved(self, event: DataTable.RowHighlighted | ListEditor.Changed) -> None:
        if isinstance(event.control, ListEditor):
            self._show_detail(event.control)

    def on_descendant_focus(self) -> None:
        for editor in self.query(ListEditor):
            self._show_detail(editor)

    def on_descendant_blur(self) -> None:
        self.on_descendant_focus()
        self._dates_as_stored()

    def _dates_as_stored(self) -> None:
        """A date typed as "+2w" or "tomorrow" shows as the date it stands for once the
        field is left: kept as typed, it was worked out again at every later save, and a
        save after midnight moved the next meeting a day on."""
        if self.read_only:
            return
        fields = self.meeting.peek(self.step.id).fields
        for field, text in self._typed():
            stored = fields.get(field.id, "")
            if field.kind != "date" or not stored or text == stored:
                continue
            try:
                same = check_field(field.kind, field.label, text) == stored
            except MeetingError:
                continue  # not a date: the text stays to be put right, under its reason
            box = self.query_one(f"#field-{field.id}", Input)
            if same and not box.has_focus:
                box.value = stored

    def _show_detail(self, editor: ListEditor) -> None:
        text = (editor.detail() if editor.has_focus else "") or editor.spec.help
        for help in self.query(f"#help-{editor.spec.id}").results(Static):
            help.update(f"» {text}" if editor.has_focus and text != editor.spec.help else text)
            help.display = bool(text)
        if editor.has_focus:
            # The line above grows with the row's text (three lines for a long decision) and
            # pushes the table down: scrolled to once it is laid out, or its rows sat below
            # the panel's bottom edge, out of sight while being edited.
            self.call_after_refresh(self._keep_in_view, editor, 2)

    def _keep_in_view(self, editor: ListEditor, refreshes: int) -> None:
        """After `refreshes` more refreshes: the first one lays out the longer line."""
        if refreshes > 1:
            self.call_after_refresh(self._keep_in_view, editor, refreshes - 1)
        elif editor.has_focus and editor.is_attached:
            editor.scroll_visible(animate=False)

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        event.stop()
        field_id = (event.input.id or "").removeprefix("field-")
        try:
            field = next(f for f in self.step.fields if f.id == field_id)
        except StopIteration:
            return
        error = self.query_one(f"#error-{field_id}", Static)
        if self.read_only:
            return
        try:
            value = check_field(field.kind, field.label, event.value)
        except MeetingError as exc:
            # Keep the typed text on screen; only a valid date reaches the record.
            error.update(str(exc))
            return
        error.update("")
        fields = self.meeting.step(self.step.id).fields
        if fields.get(field_id, "") != value:
            fields[field_id] = value
            self.post_message(self.Changed())

    def unsaved(self) -> bool:
        """Does a field show text its record does not hold (an invalid date being typed,
        or a change not handled yet)? Then a sync must not replace the record under it."""
        fields = self.meeting.peek(self.step.id).fields
        for field, text in self._typed():
            try:
                value = check_field(field.kind, field.label, text)
            except MeetingError:
                return True
            if fields.get(field.id, "") != value:
                return True
        return False

    def _typed(self):
        """Each field with the text in its box. A panel not composed yet has no boxes and
        nothing typed: keys typed ahead (ctrl+n as the meeting opens) left it before its
        first frame, and reading its boxes stopped the app."""
        shown = {widget.id: widget for widget in self.query(Input)}
        for field in self.step.fields:
            box = shown.get(f"field-{field.id}")
            if box is not None:
                yield field, box.value

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        focus_after(event.input)

    def capture(self) -> None:
        """Copy valid field text into the record (for a save on exit)."""
        fields = self.meeting.step(self.step.id).fields
        for field, text in self._typed():
            try:
                fields[field.id] = check_field(field.kind, field.label, text)
            except MeetingError:
                pass
