"""Dialogs of the COPE exercises: start (or edit) an exercise, a team, its guides, a comment.

Each dialog checks what is typed where it is typed and says why something is refused,
so a facilitator never loses a form to a bad date. Only `ExerciseForm` in create mode
touches the store; the others hand their result back to the panel, which owns the change.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ..content.cope_guides import load_guides
from ..cope.exercise import Exercise, ExerciseError, Team, check_name, new_exercise
from ..records import parse_date
from .base import Dialog
from .form import FormDialog
from .parts import COMMA_LIST, clip, focus_after
from ..words import counted
from .key_names import with_keys

TEAMS_HELP = (
    "Teams (optional), one a line as  Team name: member, member\n"
    "Guides are given to teams later: Overview & teams, key g."
)


def teams_text(teams: list[Team]) -> str:
    """Teams as the form shows them, so a follow-up starts from the last teams."""
    return "\n".join(f"{t.name}: {', '.join(t.members)}" if t.members else t.name for t in teams)


def parse_teams(text: str, previous: list[Team] | None = None) -> list[Team]:
    """Read 'Team name: member, member' lines; a team named as before keeps its guides."""
    teams: list[Team] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        name, _, members = line.partition(":")
        name = name.strip()
        if not name:
            raise ExerciseError(f"Teams, line {number}: type the team's name before the ':'.")
        check_name(name, f"Teams, line {number}: the team's name")
        if name.casefold() in seen:
            raise ExerciseError(f"Teams, line {number}: '{name}' is listed twice; give each team its own name.")
        seen.add(name.casefold())
        old = next((t for t in previous or [] if t.name.casefold() == name.casefold()), None)
        teams.append(
            Team(
                name=name,
                members=[m.strip() for m in members.split(",") if m.strip()],
                guides=list(old.guides) if old else [],
            )
        )
    return teams


HINT_NEXT = "enter next field · {exercise_form.save|ctrl+s} save · esc cancel"
HINT_SAVE = "enter or {exercise_form.save|ctrl+s} save · esc cancel"
HINT_LINES = "enter new line · {exercise_form.save|ctrl+s} save · esc cancel"


class ExerciseForm(Dialog[Exercise | None]):
    """New exercise, new follow-up (`follow_up_of`), or the details of one (`exercise`).

    Laid out as label + field rows so it fits 80x24 with room for a message.
    """


    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="exercise_form.cancel"),
        Binding("ctrl+s", "save", "Save", id="exercise_form.save", priority=True),
    ]

    def __init__(self, *, follow_up_of: Exercise | None = None, exercise: Exercise | None = None):
        super().__init__()
        self.follow_up_of = follow_up_of
        self.exercise = exercise

    def _title(self) -> str:
        if self.exercise is not None:
            return "Exercise details"
        if self.follow_up_of is not None:
            prev = self.follow_up_of
            carried = sum(1 for p in prev.problems if p.status in ("open", "in progress"))
            return f"Follow-up of {prev.site} ({prev.start:%Y-%m-%d}): {counted(carried, 'open problem')} carried"
        return "New COPE exercise"

    def compose(self) -> ComposeResult:
        ex = self.exercise
        base = ex or self.follow_up_of
        start = ex.start.isoformat() if ex else date.today().isoformat()
        end = ex.end.isoformat() if ex and ex.end else ""
        with Vertical(classes="dialog"):
            yield Label(self._title(), classes="dialog-title", markup=False)
            with Horizontal(classes="form-row"):
                yield Label("Site")
                yield Input(base.site if base else "", id="site", placeholder="facility or clinic name")
            yield Static("", id="site-error", classes="error", markup=False)
            with Horizontal(classes="form-row"):
                yield Label("Start")
                yield Input(start, id="start", placeholder="YYYY-MM-DD, today, +N")
                yield Label("End", classes="short-label")
                yield Input(end, id="end", placeholder="optional")
            yield Static("", id="date-error", classes="error", markup=False)
            with Horizontal(classes="form-row"):
                yield Label("Facilitator")
                yield Input(base.facilitator if base else "", id="facilitator")
            if ex is None:
                yield Static(TEAMS_HELP, classes="hint")
                previous = self.follow_up_of.teams if self.follow_up_of else []
                yield TextArea(teams_text(previous), id="teams", soft_wrap=True, tab_behavior="focus")
                yield Static("", id="teams-error", classes="error", markup=False)
            yield Static(with_keys(self, HINT_NEXT), classes="hint", id=self.HINT_ID)

    def hint_here(self) -> str:
        """Enter saves on the details' last field, and is a new line in the list of teams."""
        if isinstance(self.focused, TextArea):
            return HINT_LINES
        if self.exercise is not None and getattr(self.focused, "id", None) == "facilitator":
            return HINT_SAVE
        return HINT_NEXT

    def on_mount(self) -> None:
        self.query_one("#site", Input).focus()

    # ---- checking at the field -----------------------------------------------------

    def _error(self, field: str, message: str) -> None:
        label = self.query_one(f"#{field}-error", Static)
        label.update(message)
        label.display = bool(message)  # no blank line while all is well: 24 rows are few

    @on(Input.Changed)
    def _clear_error(self, event: Input.Changed) -> None:
        target = "date" if event.input.id in ("start", "end") else event.input.id
        if target in ("site", "date"):
            self._error(target, "")

    def _dates(self) -> tuple[date, date | None] | None:
        """Both dates, or None after showing why one is refused and focusing it."""
        start_input, end_input = self.query_one("#start", Input), self.query_one("#end", Input)
        try:
            start = parse_date(start_input.value)
        except ValueError as exc:
            self._error("date", f"Start: {exc}")
            start_input.focus()
            return None
        end = None
        if end_input.value.strip():
            try:
                end = parse_date(end_input.value)
            except ValueError as exc:
                self._error("date", f"End: {exc}")
                end_input.focus()
                return None
            if end < start:
                self._error("date", f"The end ({end:%Y-%m-%d}) cannot be before the start ({start:%Y-%m-%d}).")
                end_input.focus()
                return None
        return start, end

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("start", "end") and self._dates() is None:
            return  # refused at the field: the message says why
        if event.input.id == "facilitator" and self.exercise is not None:
            self.action_save()
        else:
            focus_after(event.input)

    # ---- saving ----------------------------------------------------------------

    def action_save(self) -> None:
        site = self.query_one("#site", Input).value
        problem = "Type the site's name (it cannot be empty)." if not site.strip() else ""
        if not problem and (self.exercise is None or site.strip() != self.exercise.site):
            try:
                check_name(site.strip(), "The site's name")
            except ExerciseError as exc:
                problem = str(exc)
        if problem:
            self._error("site", problem)
            self.query_one("#site", Input).focus()
            return
        dates = self._dates()
        if dates is None:
            return
        start, end = dates
        facilitator = self.query_one("#facilitator", Input).value.strip()
        if self.exercise is not None:
            self.exercise.site, self.exercise.start, self.exercise.end = site.strip(), start, end
            self.exercise.facilitator = facilitator
            self.dismiss(self.exercise)
            return
        previous = self.follow_up_of.teams if self.follow_up_of else []
        try:
            teams = parse_teams(self.query_one("#teams", TextArea).text, previous)
        except ExerciseError as exc:
            self._error("teams", str(exc))
            self.query_one("#teams", TextArea).focus()
            return
        try:
            exercise = new_exercise(site, start, facilitator=facilitator, teams=teams, follow_up_of=self.follow_up_of)
        except ExerciseError as exc:
            self._error("date", str(exc))  # the only rule left is about the dates
            self.query_one("#start", Input).focus()
            return
        exercise.end = end
        try:
            self.app.session.store.put_exercise(exercise)
        except OSError as exc:
            self._error("teams", f"Could not save: {exc.strerror}. Try again.")
            return
        self.dismiss(exercise)


class TeamForm(FormDialog[tuple[str, list[str]] | None]):
    """A team's name and members; names must differ from the other teams'."""

    ERROR_ID = "{}-error"

    def __init__(self, team: Team | None = None, taken: list[str] | None = None):
        super().__init__("Edit team" if team else "New team")
        self.team = team
        self.taken = {name.casefold() for name in taken or []}

    def fields(self) -> ComposeResult:
        t = self.team
        yield from self.field("team", "Team name", self.text_input(t.name if t else "", "e.g. Outpatients", id="team-name"))
        yield from self.field(
            "team-members",
            "Members",
            self.text_input(", ".join(t.members) if t else "", "names or roles, comma-separated", id="team-members",
                            classes=COMMA_LIST),
        )

    def action_save(self) -> None:
        name = self.text("team")
        error = ""
        if not name:
            error = "Type the team's name (it cannot be empty)."
        elif name.casefold() in self.taken:
            error = f"There is already a team called '{name}'."
        elif self.team is None or name != self.team.name:
            try:
                check_name(name, "The team's name")
            except ExerciseError as exc:
                error = str(exc)
        if error:
            self.refuse("team", error)
            return
        members = [m.strip() for m in self.text("team-members").split(",") if m.strip()]
        self.dismiss((name, members))


class GuidePicker(Dialog[list[str] | None]):
    """Tick the guides a team answers; guides held by other teams say so.

    Ticks are drawn as [x] / [ ] rather than coloured boxes, so they read in NO_COLOR too.
    """


    BINDINGS = [
        Binding("space", "toggle", "Tick / untick", id="guide_picker.toggle"),
        Binding("escape", "cancel", "Cancel", id="guide_picker.cancel"),
        Binding("ctrl+s", "save", "Save", id="guide_picker.save", priority=True),
    ]

    def __init__(self, team: Team, others: list[Team]):
        super().__init__()
        self.team = team
        self.held = {g: t.name for t in others for g in t.guides}
        self.picked = set(team.guides)
        self.guides = load_guides().guides

    def _prompt(self, index: int) -> str:
        guide = self.guides[index]
        tick = "[x]" if guide.id in self.picked else "[ ]"
        label = f"{tick} {guide.number:>2}. {guide.title}"
        if guide.id in self.held:
            label += f"  ({self.held[guide.id]})"
        return label

    def compose(self) -> ComposeResult:
        options = [Option(Text(self._prompt(i)), id=g.id) for i, g in enumerate(self.guides)]
        with Vertical(classes="dialog"):
            yield Label(f"Guides of {self.team.name}", classes="dialog-title", markup=False)
            yield OptionList(*options, id="guide-picks")
            hint = "space or enter tick / untick · {guide_picker.save|ctrl+s} save · esc cancel"
            yield Static(with_keys(self, hint), classes="hint")

    def on_mount(self) -> None:
        picks = self.query_one("#guide-picks", OptionList)
        picks.highlighted = 0
        picks.focus()

    @on(OptionList.OptionSelected, "#guide-picks")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle()

    def action_toggle(self) -> None:
        picks = self.query_one("#guide-picks", OptionList)
        index = picks.highlighted
        if index is None:
            return
        self.picked ^= {self.guides[index].id}
        picks.replace_option_prompt_at_index(index, Text(self._prompt(index)))

    def action_save(self) -> None:
        self.dismiss([g.id for g in self.guides if g.id in self.picked])


class CommentDialog(Dialog[str | None]):
    """One line of comment on an answer; the question is shown in full above it."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="comment.cancel"),
        Binding("ctrl+s", "save", "Save", id="comment.save", priority=True),
    ]

    def __init__(self, question: str, comment: str = ""):
        super().__init__()
        self.question = question
        self.comment = comment

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Comment", classes="dialog-title")
            yield Static(self.question, markup=False)
            # Named for the words kept if the app stops: "Comment" alone did not say on what.
            yield Input(self.comment, id="comment", placeholder="what the team said; empty removes the comment",
                        name=f"Comment on: {clip(self.question, 70)}")
            yield Static("enter save · esc cancel", classes="hint")

    @on(Input.Submitted, "#comment")
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        self.dismiss(self.query_one("#comment", Input).value.strip())
