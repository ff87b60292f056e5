"""One COPE exercise: its sections in a sidebar, the chosen section's panel beside it.

Panels edit the exercise in place and post `ExerciseChanged`; this screen queues the save.
"""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..cope.exercise import Exercise
from ..export.exercise import exercise_markdown
from ..records import dump
from ..store.autosave import SaveStatus
from ..widgets.after_dialogs import AfterDialogs
from ..widgets.exercise.culture import CulturePanel
from ..widgets.exercise.flow import FlowPanel
from ..widgets.exercise.guides import GuidesPanel, OverviewPanel
from ..widgets.exercise.interviews import InterviewsPanel
from ..widgets.exercise.panel import ExerciseChanged, ExercisePanel
from ..widgets.exercise.plan import PlanPanel
from ..widgets.exercise.records import RecordsPanel
from ..widgets.save_status import save_status_text
from ..words import counted
from ..dialogs.key_names import with_keys
from ..widgets.document_view import DocumentView

# (id, title, its panel; None for the report, which is a screen of its own: ctrl+r)
SECTIONS: list[tuple[str, str, type[ExercisePanel] | None]] = [
    ("overview", "Overview & teams", OverviewPanel),
    ("guides", "Self-assessment", GuidesPanel),
    ("interviews", "Client interviews", InterviewsPanel),
    ("records", "Record review", RecordsPanel),
    ("flow", "Client flow", FlowPanel),
    ("plan", "Action plan", PlanPanel),
    ("culture", "Culture of service", CulturePanel),
    ("report", "Report", None),
]
REPORT_HINT = (
    "Report\n\n{exercise.report|ctrl+r} previews the exercise report: the guides, interviews, record review, "
    "client flow, action plan and culture of service, as Markdown.\n\n"
    "In the preview, {exercise_report.write|w} writes it to a file to share with the site."
)


def _section_prompt(title: str, open_: bool) -> str:
    """'▸' before the open section: under NO_COLOR the highlight moved with the arrow keys
    and nothing else showed which section was open."""
    return f"{'▸' if open_ else ' '}{escape(title)}"


def exercise_title(exercise: Exercise) -> str:
    kind = " · follow-up" if exercise.follow_up_of else ""
    return f"{exercise.site} · {exercise.start:%Y-%m-%d}{kind}"


class ExerciseScreen(AfterDialogs, Screen[None]):
    DEFAULT_CSS = """
    ExerciseScreen #exercise-body { height: 1fr; }
    ExerciseScreen #exercise-sidebar { width: 22; border-right: solid $primary; }
    ExerciseScreen #sections { height: 1fr; border: none; }
    ExerciseScreen #exercise-save-status { height: 2; padding: 0 1; color: $text-muted; }
    ExerciseScreen #exercise-main { width: 1fr; }
    ExerciseScreen .section-note { padding: 1 2; height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+n", "next_section", "Next section", id="exercise.next", priority=True),
        Binding("f8", "next_section", "Next section", show=False, id="exercise.next_alt", priority=True),
        Binding("ctrl+o", "prev_section", "Prev section", id="exercise.prev", priority=True),
        Binding("f5", "prev_section", "Prev section", show=False, id="exercise.prev_alt", priority=True),
        Binding("ctrl+l", "section_list", "Sections", id="exercise.sections"),
        Binding("ctrl+r", "report", "Report", id="exercise.report"),
        Binding("escape", "back", "Back", id="exercise.back"),
    ]

    def __init__(self, exercise_id: str, *, section: str = "overview"):
        super().__init__()
        self.exercise_id = exercise_id
        self.exercise: Exercise | None = None
        self.section = section

    @property
    def session(self):
        return self.app.session

    @property
    def read_only(self) -> bool:
        return self.session.store.read_only

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="exercise-body"):
            with Vertical(id="exercise-sidebar"):
                yield OptionList(*(Option(_section_prompt(title, False), id=sid) for sid, title, _ in SECTIONS), id="sections")
                yield Static("", id="exercise-save-status")
            yield Vertical(id="exercise-main")
        yield Footer()

    async def on_mount(self) -> None:
        exercise = self.session.store.exercise(self.exercise_id)
        if exercise is None:
            self.notify("That exercise no longer exists.", severity="error")
            self.dismiss()
            return
        self.exercise = exercise
        self.refresh_title()
        await self.open_section(self.section)
        self.show_save_status(self.app.save_status)

    def refresh_title(self) -> None:
        if self.exercise is None:
            return
        ex = self.exercise
        self.title = exercise_title(ex)
        open_ = sum(1 for p in ex.problems if p.status in ("open", "in progress"))
        self.sub_title = f"{counted(open_, 'open problem')}"

    # ---- sections --------------------------------------------------------------

    def _ids(self) -> list[str]:
        return [sid for sid, _, _ in SECTIONS]

    def _build(self, section_id: str) -> Widget:
        panel_class = SECTIONS[self._ids().index(section_id)][2]
        if panel_class is None:
            return Static(Text(with_keys(self, REPORT_HINT)), classes="section-note exercise-section")
        panel = panel_class(self.exercise, read_only=self.read_only)
        panel.add_class("exercise-section")
        return panel

    async def open_section(self, section_id: str) -> None:
        """Swap the main area to another section; the exercise object is shared, not copied.

        Awaited so the panel is composed before it takes focus, even when keys come fast."""
        if self.exercise is None:
            return
        self.capture()
        self.section = section_id
        main = self.query_one("#exercise-main", Vertical)
        await main.query(".exercise-section").remove()
        widget = self._build(section_id)
        await main.mount(widget)
        sections = self.query_one("#sections", OptionList)
        for sid, title, _ in SECTIONS:  # the open one marked in text, as the meeting's step is
            sections.replace_option_prompt(sid, _section_prompt(title, sid == section_id))
        sections.highlighted = self._ids().index(section_id)
        self._focus_section(widget)

    def _focus_section(self, widget: Widget) -> None:
        default = getattr(widget, "focus_default", None)
        if default is not None:
            default()
            return
        for child in widget.query("*"):
            if child.focusable:
                child.focus()
                return
        self.query_one("#sections", OptionList).focus()

    async def _step(self, delta: int) -> None:
        ids = self._ids()
        index = ids.index(self.section) + delta
        if 0 <= index < len(ids):
            await self.open_section(ids[index])
        else:
            self.notify("This is the last section." if delta > 0 else "This is the first section.")

    async def action_next_section(self) -> None:
        await self._step(1)

    async def action_prev_section(self) -> None:
        await self._step(-1)

    def action_section_list(self) -> None:
        self.query_one("#sections", OptionList).focus()

    @on(OptionList.OptionSelected, "#sections")
    async def _section_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            await self.open_section(event.option.id)

    # ---- a team's sync -----------------------------------------------------------

    def take_synced(self, table: str, doc: dict | None) -> bool:
        """Show the version a sync merged (another team's answers, before the DB holds
        them), unless this screen holds an edit the DB does not have yet (a panel changed
        the exercise and its save waits) or a dialog is open over it or just closed (see
        AfterDialogs): then the screen keeps its own copy, and the record is merged once
        the screen is closed. Runs on the UI thread, so no key is handled between the look
        and the swap."""
        if table != "exercises" or doc is None or self.exercise is None or not self.may_take_synced:
            return False
        if self.session.unsaved("exercises", self.exercise_id):
            return False
        if dump(self.exercise) != self.session.store.get("exercises", self.exercise_id):
            return False  # changed here, its save not even queued yet (ExerciseChanged in flight)
        try:
            exercise = Exercise.model_validate(doc)
        except ValueError:
            return False
        self.exercise = exercise
        for panel in self.query(ExercisePanel):
            panel.show_exercise(exercise)
        self.refresh_title()
        return True

    # ---- saving ----------------------------------------------------------------

    @on(ExerciseChanged)
    def _changed(self, event: ExerciseChanged) -> None:
        event.stop()
        if self.exercise is None:
            return
        self.session.save_exercise(self.exercise, at_once=True)  # an answer, a row: each one asked for
        self.refresh_title()

    def capture(self) -> None:
        """Let the open panel commit what it holds, then queue the exercise (the app calls
        this on exit and on hang-up)."""
        if self.exercise is None or self.read_only:
            return
        for panel in self.query(".exercise-section"):
            commit = getattr(panel, "capture", None)
            if commit is not None:
                commit()
        self.session.save_exercise(self.exercise)

    def show_save_status(self, status: SaveStatus) -> None:
        if not self.is_mounted:
            return
        text = save_status_text(status, read_only=self.read_only)
        self.query_one("#exercise-save-status", Static).update(text)

    # ---- report and leaving ----------------------------------------------------

    def action_report(self) -> None:
        if self.exercise is None:
            return
        self.capture()
        self.app.push_screen(ExerciseReport(self.exercise.model_copy(deep=True)))

    def action_back(self) -> None:
        self.capture()
        self.dismiss()


class ExerciseReport(Screen[None]):
    """The exercise's report as Markdown, built off the UI thread; w writes it to a file."""

    BINDINGS = [
        Binding("w", "write", "Write file", id="exercise_report.write"),
        Binding("ctrl+s", "write", "Write file", show=False, id="exercise_report.write_alt"),
        Binding("escape", "back", "Back", id="exercise_report.back"),
    ]

    def __init__(self, exercise: Exercise):
        super().__init__()
        self.exercise = exercise
        self.text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DocumentView("_Building the report…_", id="preview")  # links shown as text: none opens
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Report · {exercise_title(self.exercise)}"
        self.query_one("#preview").focus()
        self._build()

    @work(thread=True, exclusive=True)
    def _build(self) -> None:
        try:
            text = exercise_markdown(self.app.session.store, self.exercise)
        except Exception as exc:  # noqa: BLE001  (a report bug must not cost the facilitator the screen)
            text = f"The report could not be built: {exc}"
        self.app.call_from_thread(self._show, text)

    def _show(self, text: str) -> None:
        if not self.is_attached:  # esc before the report was built: its widgets are gone
            return
        self.text = text
        self.query_one(DocumentView).show(text)

    def action_write(self) -> None:
        from ..dialogs.write_file import WriteDialog
        from ..export.documents import file_name
        from ..paths import export_folder

        if not self.text:
            return
        suggested = export_folder() / file_name(f"cope-{self.exercise.site}-{self.exercise.start:%Y-%m-%d}")

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Wrote {path} (readable by you only). It is plain text: keep it safe.")

        self.app.push_screen(WriteDialog(self.text, suggested, what="report", audit=self._audit), chosen)

    def _audit(self, path: Path) -> str | None:
        """Noted in the audit log as `cope-tui export --exercise` notes it (in the worker)."""
        from ..store.audit import log_export

        what = f"exercise {self.exercise.id}"
        return log_export(self.app.session.store, what=what, target=path.name, data=self.text)

    def action_back(self) -> None:
        self.dismiss()
