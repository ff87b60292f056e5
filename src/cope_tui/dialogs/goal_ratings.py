"""Progress on every open goal at one meeting: a score from 0 to 10 and a note each."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from ..meetings.case_plan import CasePlanError, check_can_rate, clean_note, open_goals, parse_score, rate, rating_at, sparkline, trend, unrate
from ..meetings.models import Client, Goal, Meeting
from .base import Dialog
from .parts import clip, focus_after
from .key_names import with_keys

GOAL_TEXT = 52  # one line per goal, so four goals fit at 80x24


class GoalRatings(Dialog[int | None]):
    """Dismisses with how many goals carry a score at this meeting, or None if cancelled.

    Every row is checked before anything is stored, so one bad score changes nothing and
    the dialog stays open with what was typed. On a finalised meeting it only shows the
    scores given, because ratings are part of what was signed.
    """


    BINDINGS = [
        Binding("ctrl+s", "save", "Save ratings", priority=True, id="ratings.save"),
        Binding("escape", "cancel", "Cancel", id="ratings.cancel"),
    ]

    def __init__(self, meeting: Meeting):
        super().__init__(classes="sensitive-screen")
        self.meeting = meeting
        self.client: Client | None = None
        self.goals: list[Goal] = []
        self.refused = ""

    @property
    def session(self):
        return self.app.session

    @property
    def client_id(self) -> str:
        """Names the client as open here: a sync leaves it alone until the scores are saved
        (this copy is saved whole), then merges it with the team's."""
        return self.meeting.client_id

    def compose(self) -> ComposeResult:
        self.session.flush()  # rate the client as last saved, including edits made elsewhere
        self.client = self.session.store.client(self.meeting.client_id)
        day = f"{self.meeting.started:%Y-%m-%d}"
        with Vertical(classes="dialog"):
            yield Label(f"Progress on the goals · meeting of {day}", classes="dialog-title")
            if self.client is None:
                self.refused = "The client of this meeting no longer exists."
            else:
                try:
                    check_can_rate(self.client, self.meeting)
                except CasePlanError as exc:
                    self.refused = str(exc)
                if self.session.store.read_only:
                    self.refused = "The database is open read-only; ratings cannot be changed."
            if self.refused:
                yield Static(self.refused, classes="warning", markup=False)
                yield Static(self._given(), id="ratings-given")
                yield Static("esc closes", classes="hint")
                return
            assert self.client is not None
            self.goals = open_goals(self.client)
            if not self.goals:
                yield Static(
                    "No open goals to rate. Goals come from stage 3 (the preferred scenario and the change "
                    "goals): add them on the client's case plan (g on the client screen).",
                    classes="help",
                )
                yield Static("esc closes", classes="hint")
                return
            yield Static("0 = no progress, 10 = reached; add a note. Blank leaves it unrated.", classes="help")
            with VerticalScroll(id="ratings-body"):
                for number, goal in enumerate(self.goals, 1):
                    given = rating_at(goal, self.meeting.id)
                    spark = sparkline(trend(goal), 12)
                    yield Static(f"[b]{number}.[/b] {escape(clip(goal.text, GOAL_TEXT))}  [dim]{spark}[/dim]", classes="goal-line")
                    with Horizontal(classes="rating-row"):
                        # Named for the words kept if the app stops: "0-10" did not say of which goal.
                        named = f"Goal {number}, {clip(goal.text, 40)}"
                        yield Input(
                            str(given.score) if given else "",
                            placeholder="0-10",
                            id=f"score-{goal.id}",
                            classes="rating-score",
                            select_on_focus=False,
                            name=f"{named}: score (0-10)",
                        )
                        yield Input(
                            given.note if given else "",
                            placeholder="note: what moved, what did not",
                            id=f"note-{goal.id}",
                            classes="rating-note sensitive",
                            select_on_focus=False,
                            name=f"{named}: note",
                        )
            yield Static("", id="ratings-error", markup=False)
            yield Static(with_keys(self, self.hint_here()), classes="hint", id=self.HINT_ID)

    def hint_here(self) -> str | None:
        """Enter on the last goal's note saves them all."""
        if not self.goals or self.refused:
            return None
        if getattr(self.focused, "id", None) == f"note-{self.goals[-1].id}":
            return "enter or {ratings.save|ctrl+s} save all · esc cancel"
        return "enter next field · {ratings.save|ctrl+s} save all · esc cancel"

    def _given(self) -> str:
        """The scores given at this meeting, as plain text for the read-only view."""
        if self.client is None:
            return ""
        lines = []
        for goal in self.client.goals:
            given = rating_at(goal, self.meeting.id)
            if given is not None:
                note = f": {given.note}" if given.note else ""
                lines.append(f"{escape(goal.text)} — {given.score}/10{escape(note)}")
        return "\n".join(lines) or "No goal was rated at this meeting."

    def on_mount(self) -> None:
        if self.goals:
            self.query_one(f"#score-{self.goals[0].id}", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return bool(self.goals) and not self.refused
        return True

    @on(Input.Changed, ".rating-score")
    def _clear_error(self) -> None:
        self.query_one("#ratings-error", Static).update("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.goals and event.input.id == f"note-{self.goals[-1].id}":
            self.action_save()
        else:
            focus_after(event.input)

    def _read(self) -> list[tuple[Goal, int | None, str]]:
        """Every row checked; raises CasePlanError naming the goal and what to type."""
        rows = []
        for number, goal in enumerate(self.goals, 1):
            score_in = self.query_one(f"#score-{goal.id}", Input)
            note = self.query_one(f"#note-{goal.id}", Input).value.strip()
            text = score_in.value.strip()
            try:
                if not text:
                    if note:
                        raise CasePlanError("give it a score from 0 to 10 as well as the note, or clear the note.")
                    rows.append((goal, None, ""))
                    continue
                rows.append((goal, parse_score(text), clean_note(note)))
            except CasePlanError as exc:
                score_in.focus()
                raise CasePlanError(f"Goal {number}: {exc}") from None
        return rows

    def action_save(self) -> None:
        if not self.goals or self.refused or self.client is None:
            return
        error = self.query_one("#ratings-error", Static)
        try:
            rows = self._read()
            for goal, score, note in rows:
                if score is None:
                    unrate(self.client, goal.id, self.meeting)
                else:
                    rate(self.client, goal.id, self.meeting, score, note)
        except CasePlanError as exc:
            error.update(escape(str(exc)))
            return
        self.session.save_client(self.client)
        self.session.flush()  # the screen below re-reads the client on return
        self.dismiss(sum(1 for _, score, _ in rows if score is not None))

    def capture(self) -> None:
        """The terminal is closing (or the app quitting) with the dialog open: keep every row
        that is valid as typed. A row still refused (a bad score, a note without a score)
        keeps what was stored before."""
        if not self.goals or self.refused or self.client is None:
            return
        all_taken = True
        for goal in self.goals:
            score = self.query_one(f"#score-{goal.id}", Input).value.strip()
            note = self.query_one(f"#note-{goal.id}", Input).value.strip()
            try:
                if score:
                    rate(self.client, goal.id, self.meeting, score, note)
                elif note:
                    all_taken = False  # a note without a score is not taken: its words stay kept
                else:
                    unrate(self.client, goal.id, self.meeting)
            except CasePlanError:
                all_taken = False
        self.session.save_client(self.client)
        if all_taken:
            self.let_kept_go()
