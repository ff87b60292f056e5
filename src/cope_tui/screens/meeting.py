"""The live meeting: steps in a sidebar, the current step, and notes that have focus."""

from __future__ import annotations

import time

from rich.markup import escape
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ..store.autosave import SaveStatus
from ..content.meeting_guide import Step
from ..meetings.rules import MeetingError, held_decisions, set_step_state, settle, steps_of, undecided
from ..meetings.models import Meeting, StepState
from ..widgets.list_editor import ListEditor
from ..widgets.navigation import ShowExport
from ..widgets.save_status import save_status_text
from ..dialogs.notes_area import NotesArea
from ..widgets.focus_label import FocusLabel
from ..widgets.step_list import StepList
from ..widgets.step_panel import StepPanel
from ..widgets.synced_meeting import SyncedMeeting
from ..dialogs.key_names import with_keys

ICONS = {StepState.PENDING: "·", StepState.DONE: "✓", StepState.SKIPPED: "–"}
CURRENT = "▸"  # the open step, in the sidebar: a mark, not only a shade (NO_COLOR)
SHORT_ROWS = 32  # below this many rows the step panel packs its fields (see the -short styles)
WIDE_COLUMNS = 100  # from this many columns the sidebar is wide enough for every step on one line
NOTES_HINT = "tab: fields, lists"


def clock(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class MeetingScreen(SyncedMeeting, Screen[None]):
    # Here rather than in app.tcss: the first screen's start-up parses only what it uses.
    DEFAULT_CSS = """
    MeetingScreen #meeting-body { height: 1fr; }
    MeetingScreen #sidebar { width: 25; border-right: solid $primary; }
    MeetingScreen.-wide #sidebar { width: 30; }
    MeetingScreen #steps { height: 1fr; border: none; }
    MeetingScreen #save-status { height: 2; padding: 0 1; color: $text-muted; }
    MeetingScreen #main { width: 1fr; }
    MeetingScreen #step-holder { display: none; }
    MeetingScreen .step-panel { height: 1fr; padding: 0 1; scrollbar-gutter: stable; }
    MeetingScreen .step-panel .intro { color: $text-muted; height: auto; }
    MeetingScreen .step-panel .prompts { height: auto; margin-bottom: 1; }
    MeetingScreen .step-panel .banner { height: auto; color: $warning; border: round $warning; padding: 0 1; }
    MeetingScreen .step-panel .field-label, MeetingScreen .step-panel .list-label { text-style: bold; height: 1; margin-top: 1; }
    MeetingScreen .step-panel Input { height: 3; }
    MeetingScreen .step-panel ListEditor { height: auto; max-height: 10; }
    MeetingScreen #notes-label { height: 1; padding: 0 1; background: $boost; width: 100%; }
    MeetingScreen #notes { height: 9; border: none; }
    MeetingScreen #notes:focus { border: none; }
    MeetingScreen .step-panel .prompts { margin-top: 1; margin-bottom: 0; }
    MeetingScreen .step-panel Guidance { height: auto; }
    MeetingScreen .step-panel Guidance:focus .prompts { text-style: bold; }
    /* A short terminal (24 rows): one-row fields, no gaps, fewer note rows, so a step's
       fields and lists show without scrolling; focus still shows on the field's label. */
    MeetingScreen.-short .step-panel Input { height: 1; border: none; padding: 0 1; background: $boost; }
    MeetingScreen.-short .step-panel .field-label, MeetingScreen.-short .step-panel .list-label { margin-top: 0; }
    MeetingScreen.-short #notes { height: 7; }
    """

    # Step keys are priority bindings (see widgets/key_order.py): in a burst of keys, what is
    # typed after ctrl+n goes into the next step, never into the one just left.
    BINDINGS = [
        Binding("ctrl+n", "next_step", "Next step", id="meeting.next", priority=True),
        Binding("f8", "next_step", "Next step", show=False, id="meeting.next_alt", priority=True),
        Binding("ctrl+o", "prev_step", "Prev step", id="meeting.prev", priority=True),
        Binding("f5", "prev_step", "Prev step", show=False, id="meeting.prev_alt", priority=True),
        Binding("ctrl+t", "done_step", "Done", id="meeting.done", priority=True),
        Binding("ctrl+g", "skip_step", "Skip step", show=False, id="meeting.skip", priority=True),
        Binding("ctrl+l", "step_list", "Steps", id="meeting.steps"),
        Binding("ctrl+f", "finalise", "Finalise", id="meeting.finalise"),
        Binding("ctrl+f", "addendum", "Addendum", id="meeting.addendum"),
        Binding("ctrl+r", "export", "Export", show=False, id="meeting.export"),
        Binding("f9", "rate_goals", "Rate goals", show=False, id="meeting.goals"),
        Binding("escape", "back", "Back", id="meeting.back"),
    ]

    def __init__(self, meeting_id: str):
        super().__init__(classes="sensitive-screen")
        self.meeting_id = meeting_id
        meeting = None
        self.meeting: Meeting = meeting  # type: ignore[assignment]
        self._opened = time.monotonic()
        self._client_code: str | None = None

    @property
    def session(self):
        return self.app.session

    @property
    def read_only(self) -> bool:
        return self.meeting.finalised or self.session.store.read_only or self.erased

    def _read_only_note(self) -> str:
        """What is said when words are typed into the notes while they cannot change."""
        if self.session.store.read_only:
            return "The database is open read-only: nothing typed here is kept."
        if self.meeting.finalised:
            return with_keys(self, "This meeting is finalised and never changes: {meeting.finalise|ctrl+f} adds a dated addendum.")
        return ""

    def steps(self) -> list[Step]:
        return steps_of(self.session.meeting_guide, self.meeting)

    def compose(self) -> ComposeResult:
        # Read here, before any of its widgets exists to take focus or a key: the screen
        # could be focused (and its bindings run) before on_mount, with no meeting yet.
        self.meeting = self.session.store.meeting(self.meeting_id)  # type: ignore[assignment]
        yield Header()
        with Horizontal(id="meeting-body"):
            with Vertical(id="sidebar"):
                yield StepList(id="steps")
                yield Static("", id="save-status")
            with Vertical(id="main"):
                yield Static("", id="step-holder")
                yield FocusLabel("Notes", target="notes", id="notes-label")
                yield NotesArea(id="notes", soft_wrap=True, tab_behavior="focus", classes="sensitive")
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < SHORT_ROWS, "-short")
        self.set_class(event.size.width >= WIDE_COLUMNS, "-wide")

    def on_mount(self) -> None:
        self.set_class(self.app.size.height < SHORT_ROWS, "-short")
        self.set_class(self.app.size.width >= WIDE_COLUMNS, "-wide")
        meeting = self.meeting
        if meeting is None:
            self.notify("That meeting no longer exists.", severity="error")
            self.dismiss()
            return
        self._opened = time.monotonic()
        notes = self.query_one("#notes", NotesArea)
        notes.read_only, notes.read_only_note = self.read_only, self._read_only_note()
        ids = [s.id for s in self.steps()]
        current = meeting.current_step if meeting.current_step in ids else ids[0]
        self._fill_sidebar()
        self.open_step(current, save=False)
        if not meeting.finalised:
            self.set_interval(1, self._tick)
        self._tick()
        self.show_save_status(self.app.save_status)

    # ---- display ---------------------------------------------------------------

    def _elapsed(self) -> int:
        if self.meeting.finalised:
            return self.meeting.active_seconds
        return self.meeting.active_seconds + int(time.monotonic() - self._opened)

    def _tick(self) -> None:
        """Every second: the clock. The client's code is read from the DB only when the
        title is first made (or the record reloaded), not each second: that read waits
        for the DB's lock, which a sync's batch write holds, and typing would wait too."""
        if self._client_code is None:
            client = self.session.store.client(self.meeting.client_id)
            self._client_code = client.code if client else "?"
        code = self._client_code
        state = "finalised" if self.meeting.finalised else self.meeting.kind.value + " meeting"
        stage = f" · stage {self.meeting.stage}" if self.meeting.stage else ""
        self.title = f"{code} · {state}{stage}"
        self.sub_title = f"⏱ {clock(self._elapsed())}"

    def _fill_sidebar(self) -> None:
        options = self.query_one("#steps", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for step in self.steps():
            state = self.meeting.peek(step.id).state
            here = CURRENT if step.id == self.meeting.current_step else " "
            options.add_option(Option(f"{here}{ICONS[state]} {escape(step.title)}", id=step.id))
        if highlighted is not None:
            options.highlighted = highlighted

    def show_save_status(self, status: SaveStatus) -> None:
        if not self.is_mounted:
            return
        text = save_status_text(status, read_only=self.session.store.read_only)
        self.query_one("#save-status", Static).update(text)

    def _banner(self) -> str:
        m = self.meeting
        if not m.finalised:
            return ""
        lines = [f"Finalised by {escape(m.finalised_by or '?')} on {m.finalised_at:%Y-%m-%d %H:%M}. Read-only."]
        for add in m.addenda:
            lines.append(f"Addendum {add.at:%Y-%m-%d %H:%M} ({escape(add.by)}): {escape(add.text)}")
        if not m.addenda:
            lines.append(with_keys(self, "{meeting.addendum|ctrl+f} adds a dated addendum."))
        return "\n".join(lines)

    def _stage_note(self, step_id: str) -> str:
        """The prompts of the stage the meeting is held at, in the steps the stages file names."""
        from ..errors import ContentError
        from ..content.stages import load_stages

        try:
            stages = load_stages()
        except ContentError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return ""
        if step_id not in stages.show_in:
            return ""
        client = self.session.store.client(self.meeting.client_id)
        stage = stages.stage(self.meeting.stage or (client.stage if client else 1))
        heading = f"[b]{escape(stage.label)}[/b] [dim]· questions for this stage[/dim]"
        return "\n".join([heading, *(f"◦ {escape(p)}" for p in stage.prompts)])

    # ---- steps -----------------------------------------------------------------

    def open_step(self, step_id: str, *, save: bool = True) -> None:
        if save:
            self.capture()
        step = self.session.meeting_guide.step(step_id)
        self.meeting.current_step = step_id
        holder = self.query_one("#step-holder", Static)
        for old in self.query(StepPanel):
            old.remove()
        opening = step_id == self.steps()[0].id  # where areas left open earlier come back
        notes = self.query_one("#notes", TextArea)
        panel = StepPanel(
            step,
            self.meeting,
            read_only=self.read_only,
            banner=self._banner(),
            stage_note=self._stage_note(step_id),
            held=held_decisions(self.session.meeting_guide, self.meeting) if opening else [],
            notes=notes,
        )
        self.query_one("#main", Vertical).mount(panel, after=holder)
        record = self.meeting.peek(step_id)
        self._label_notes(step)
        notes.load_text(record.notes)
        notes.move_cursor(notes.document.end)
        self._fill_sidebar()
        options = self.query_one("#steps", OptionList)
        options.highlighted = [s.id for s in self.steps()].index(step_id)
        notes.focus()
        if save:
            self._save()

    def _label_notes(self, step: Step) -> None:
        """The notes' label names the step and its state, and how to reach the rest of it."""
        state = self.meeting.peek(step.id).state.value
        hint = "" if self.read_only else f" · {NOTES_HINT}"
        self.query_one("#notes-label", FocusLabel).set_text(
            f"{escape(step.notes_label)} [dim]({state}){hint}[/dim]"
        )

    # ---- focus -----------------------------------------------------------------

    @property
    def focus_chain(self) -> list:
        """Tab goes round the step (its fields, its lists, its prompts, the notes); the
        sidebar has its own key (ctrl+l), so tab never leaves the step for it by surprise.
        From the notes, the prompts are passed over: shift+tab reaches the last list at
        once, as it did before they were a stop."""
        chain = super().focus_chain
        here = self.focused.id if self.focused is not None else None
        if here == "steps":
            return chain
        return [w for w in chain if w.id != "steps" and not (here == "notes" and w.id == "guidance")]

    def on_descendant_focus(self, event) -> None:
        self._mark_focus()

    def on_descendant_blur(self, event) -> None:
        self._mark_focus()

    def _mark_focus(self) -> None:
        focused = self.focused
        target = focused.id if focused is not None else None
        for label in self.query(FocusLabel):
            label.mark(label.target == target)

    def _step_index(self) -> int:
        return [s.id for s in self.steps()].index(self.meeting.current_step)

    def action_next_step(self) -> None:
        steps = self.steps()
        index = self._step_index()
        if index + 1 < len(steps):
            self.open_step(steps[index + 1].id)
        elif self.meeting.finalised:
            self.notify(with_keys(self, "This is the last step. {meeting.addendum|ctrl+f} adds a dated addendum."))
        else:
            self.notify(with_keys(self, "This is the last step. {meeting.finalise|ctrl+f} finalises the meeting."))

    def action_prev_step(self) -> None:
        index = self._step_index()
        if index > 0:
            self.open_step(self.steps()[index - 1].id)

    def _set_state(self, state: StepState) -> bool:
        if self.read_only:
            self.notify("This meeting is finalised and read-only.", severity="warning")
            return False
        self.capture()
        try:
            set_step_state(self.session.meeting_guide, self.meeting, self.meeting.current_step, state)
        except MeetingError as exc:
            self.notify(str(exc), severity="warning", timeout=8)
            return False
        self._fill_sidebar()
        self._label_notes(self.session.meeting_guide.step(self.meeting.current_step))
        self._save()
        return True

    def action_done_step(self) -> None:
        record = self.meeting.peek(self.meeting.current_step)
        if record.state is StepState.DONE:
            if self._set_state(StepState.PENDING):
                self.open_step(self.meeting.current_step)
            return
        if self._set_state(StepState.DONE):
            steps = self.steps()
            index = self._step_index()
            if index + 1 < len(steps):
                self.open_step(steps[index + 1].id)
            else:
                self.open_step(self.meeting.current_step)
                # Said as the finalise dialog will: "all visited" while one was still
                # pending (left with ctrl+n) read as all done, and that dialog disagreed.
                pending = [s.title for s in steps if self.meeting.peek(s.id).state is StepState.PENDING]
                if pending:
                    self.notify(with_keys(self, f"That was the last step; still pending: {', '.join(pending)}. "
                                                "{meeting.finalise|ctrl+f} finalises all the same."))
                else:
                    self.notify(with_keys(self, "Every step is done or skipped. {meeting.finalise|ctrl+f} finalises the meeting."))

    def action_skip_step(self) -> None:
        if self._set_state(StepState.SKIPPED):
            self.action_next_step()

    def action_step_list(self) -> None:
        self.query_one("#steps", OptionList).focus()

    @on(OptionList.OptionSelected, "#steps")
    def _step_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_step(event.option.id)

    @on(StepList.Mark)
    def _mark_step(self, event: StepList.Mark) -> None:
        step_id = self.steps()[event.index].id
        if step_id != self.meeting.current_step:
            self.open_step(step_id)
            self.query_one("#steps", StepList).focus()
        self._set_state(StepState(event.state))

    # ---- a version from the team --------------------------------------------------

    def capture(self) -> None:
        """Copy the editors into the meeting and queue it for saving."""
        if self.meeting is None or self.read_only:
            return
        self.meeting.step(self.meeting.current_step).notes = self.query_one("#notes", TextArea).text
        for panel in self.query(StepPanel):
            panel.capture()
        self._save()

    def _save(self, *, at_once: bool = False) -> None:
        if self.read_only:
            return
        self._count_time()
        self.session.save_meeting(self.meeting, at_once=at_once)

    def _count_time(self) -> None:
        """Move the whole seconds the screen has been open into the meeting's time; the
        fraction stays on the clock, so the clock shown never goes back."""
        now = time.monotonic()
        self.meeting.active_seconds += int(now - self._opened)
        self._opened = now - (now - self._opened) % 1

    @on(TextArea.Changed, "#notes")
    def _notes_changed(self, event: TextArea.Changed) -> None:
        if self.meeting is None or self.read_only:
            return
        record = self.meeting.step(self.meeting.current_step)
        text = event.text_area.text  # read once: it is the whole note, joined
        if record.notes != text:
            record.notes = text
            self._save()

    @on(StepPanel.Changed)
    @on(ListEditor.Changed)
    def _step_changed(self, event: StepPanel.Changed | ListEditor.Changed) -> None:
        """A field typed in is saved when typing pauses; a row saved, deleted or marked,
        at once (a crash just after ctrl+s in a row took the row)."""
        step = self.session.meeting_guide.step(self.meeting.current_step)
        if settle(step, self.meeting):  # the last area decided: the step is done, as it says
            self._fill_sidebar()
            self._label_notes(step)
            if self.meeting.peek(step.id).state is StepState.DONE:
                self.notify(f"{step.title} is done: every item has a decision.", timeout=3)
            else:
                self.notify(f"{step.title} is pending again: an item has no decision.", timeout=3)
        self._save(at_once=isinstance(event, ListEditor.Changed))

    # ---- finalise, addendum, export, leave ------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.meeting is None:
            return True
        if action == "finalise":
            return not self.meeting.finalised
        if action == "addendum":
            return self.meeting.finalised and not self.session.store.read_only
        if action in ("done_step", "skip_step"):  # hidden in a finalised meeting, as they cannot act
            return not self.read_only
        return True

    def action_finalise(self) -> None:
        from ..dialogs.finalise import FinaliseDialog

        if self.session.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return
        self.capture()
        if self.app.refuse_while_in_conflict("meetings", self.meeting.id):
            return
        pending = [s.title for s in self.steps() if self.meeting.peek(s.id).state is StepState.PENDING]
        blockers = [s.title for s in self.steps() if undecided(s, self.meeting)]

        def done(by: str | None) -> None:
            if by is None:
                return
            from ..meetings.rules import finalise

            self._count_time()  # the minutes the dialog was open count: the clock stops, not goes back
            try:
                finalise(self.meeting, by)
            except MeetingError as exc:
                self.notify(str(exc), severity="error")
                return
            self.session.save_signed(self.meeting)  # the save, then its audit entry
            notes = self.query_one("#notes", NotesArea)
            notes.read_only, notes.read_only_note = True, self._read_only_note()
            self.open_step(self.meeting.current_step, save=False)
            self._fill_sidebar()
            self.refresh_bindings()
            self._tick()
            self.notify(with_keys(self, "Finalised. The meeting is now read-only; {meeting.addendum|ctrl+f} adds an addendum."))

        self.app.push_screen(FinaliseDialog(pending=pending, undecided=blockers), done)

    def action_addendum(self) -> None:
        from ..dialogs.finalise import AddendumDialog

        def done(result: tuple[str, str] | None) -> None:
            if result is None or self.erased:  # (show_synced)
                return
            from ..meetings.rules import add_addendum

            text, by = result
            try:
                addendum = add_addendum(self.meeting, text, by)
            except MeetingError as exc:
                self.notify(str(exc), severity="error")
                return
            self.session.save_signed(self.meeting, addendum)
            self.open_step(self.meeting.current_step, save=False)

        self.app.push_screen(AddendumDialog(by=self.meeting.finalised_by or ""), done)

    def action_rate_goals(self) -> None:
        """Progress on the case-plan goals, scored at this meeting (see goal_ratings.py)."""
        from ..dialogs.goal_ratings import GoalRatings

        self.capture()
        self.app.push_screen(GoalRatings(self.meeting))

    def action_export(self) -> None:
        self.capture()
        self.post_message(ShowExport(meeting_id=self.meeting_id, meeting=self.meeting))

    def action_back(self) -> None:
        self.capture()
        self.dismiss()
