"""The first two sections of an exercise: who takes part, and the self-assessment guides.

`OverviewPanel` sets up teams and gives each its guides; `GuidesPanel` is where a team's
answers are typed, one key per answer, with the cursor moving on so a facilitator can
keep pace with a conversation. Both follow the `ExercisePanel` contract: change the
exercise in place, then `changed()`; the screen saves.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from ...content.cope_guides import Guide, load_guides
from ...cope.exercise import Exercise, ExerciseError, Team, problem_from_question, progress, set_answer, team_progress
from ...dialogs.parts import clip
from ..row_table import RowTable
from .panel import ExercisePanel
from ...words import counted
from ...dialogs.key_names import with_keys

ANSWER_LABELS = {"yes": "yes", "no": "no", "not_sure": "not sure", None: "·"}
FLAG = "⚑"


def guide_numbers(guide_ids: list[str]) -> str:
    numbers = {g.id: g.number for g in load_guides().guides}
    return " ".join(str(numbers[g]) for g in guide_ids if g in numbers) or "-"


class _PanelTable(RowTable):
    """A row table whose keys are actions of the panel around it."""

    def _panel(self):
        return self.query_ancestor(ExercisePanel)

    def action_panel(self, name: str, *args: object) -> None:
        getattr(self._panel(), name)(*args)


class TeamTable(_PanelTable):
    BINDINGS = [
        Binding("a,n,insert", "panel('add_team')", "Add team", id="overview.add_team"),
        Binding("enter,e", "panel('edit_team')", "Edit team", show=False, id="overview.edit_team"),
        Binding("g", "panel('assign_guides')", "Guides", id="overview.guides"),
        Binding("x,delete", "panel('remove_team')", "Remove team", id="overview.remove_team"),
        Binding("d", "panel('edit_details')", "Edit details", show=False, id="overview.details"),
        Binding("q", "panel('edit_quality')", "Quality here", id="overview.quality"),
    ]


class OverviewPanel(ExercisePanel):
    """Site, dates and facilitator, the state of the exercise, and the teams with their guides."""

    TITLE = "Overview & teams"
    DEFAULT_CSS = """
    OverviewPanel #overview-facts { height: auto; margin-bottom: 1; }
    OverviewPanel #team-table { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="overview-facts")
        yield TeamTable(id="team-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="overview-hint", classes="hint")

    def on_mount(self) -> None:
        self.refresh_view()

    def on_resize(self) -> None:
        self.refresh_view()

    def focus_default(self) -> None:
        self.query_one(TeamTable).focus()

    def redraw(self) -> None:
        self.refresh_view()

    def _facts(self) -> str:
        ex = self.exercise
        when = f"{ex.start:%Y-%m-%d}" + (f" to {ex.end:%Y-%m-%d}" if ex.end else "")
        lines = [f"{ex.site} · {when} · facilitator: {ex.facilitator or '-'}"]
        quality = " ".join(ex.quality.split())
        lines.append(f"Quality here: {clip(quality, 88)}" if quality else
                     "Quality here: not written yet (q: what good service means at this site)")
        if ex.follow_up_of:
            carried = sum(1 for p in ex.problems if p.carried_from)
            lines.append(f"Follow-up: {counted(carried, 'problem')} carried from the last exercise.")
        guides = load_guides().guides
        counts = [progress(ex, g.id) for g in guides]
        answered, total = sum(c[0] for c in counts), sum(c[1] for c in counts)
        complete = sum(1 for c in counts if c[0] == c[1])
        flags = sum(c[2] for c in counts)
        lines.append(f"Guides: {answered}/{total} answers, {complete} of {len(guides)} guides done, {flags} flagged.")
        open_ = sum(1 for p in ex.problems if p.status in ("open", "in progress"))
        overdue = sum(1 for p in ex.problems if p.overdue(date.today()))
        lines.append(f"Problems: {open_} open of {len(ex.problems)}, {overdue} overdue.")
        return "\n".join(lines)

    def refresh_view(self) -> None:
        self.query_one("#overview-facts", Static).update(Text(self._facts()))
        table = self.query_one(TeamTable)
        keep = table.cursor_row
        width = max(self.size.width - 2, 40)
        # Team, members (flexible), guide numbers, progress; 2 cells of padding each.
        team_w, guides_w, done_w = 14, 10, 7
        members_w = max(width - team_w - guides_w - done_w - 8 - 2, 8)
        table.clear(columns=True)
        table.add_column("Team", key="team", width=team_w)
        table.add_column("Members", key="members", width=members_w)
        table.add_column("Guides", key="guides", width=guides_w)
        table.add_column("Done", key="done", width=done_w)
        for team in self.exercise.teams:
            answered, total = team_progress(self.exercise, team)
            table.add_row(
                Text(clip(team.name, team_w)),
                Text(clip(", ".join(team.members) or "-", members_w)),
                Text(clip(guide_numbers(team.guides), guides_w)),
                Text(f"{answered}/{total}" if total else "-"),
                key=team.id,
            )
        if self.exercise.teams:
            table.move_cursor(row=min(keep, len(self.exercise.teams) - 1))
            hint = ("{overview.add_team|a} add · enter edit · {overview.guides|g} guides · {overview.remove_team|x} remove · "
                    "{overview.details|d} details")
        else:
            hint = ("No teams yet: {overview.add_team|a} adds one (name, members), then {overview.guides|g} gives it guides. "
                    "{overview.details|d} edits the details.")
        self.query_one("#overview-hint", Static).update(with_keys(self, hint))

    def _team(self) -> Team | None:
        table = self.query_one(TeamTable)
        if not self.exercise.teams or table.cursor_row < 0:
            return None
        return self.exercise.teams[min(table.cursor_row, len(self.exercise.teams) - 1)]

    def _done(self) -> None:
        self.changed()
        self.refresh_view()

    # ---- actions (keys live on TeamTable) --------------------------------------------

    def add_team(self) -> None:
        from ...dialogs.exercise_form import TeamForm

        if self.refuse_if_read_only():
            return

        def added(result: tuple[str, list[str]] | None) -> None:
            if result is not None:
                self.exercise.teams.append(Team(name=result[0], members=result[1]))
                self._done()
                self.query_one(TeamTable).move_cursor(row=len(self.exercise.teams) - 1)

        self.app.push_screen(TeamForm(taken=[t.name for t in self.exercise.teams]), added)

    def edit_team(self) -> None:
        from ...dialogs.exercise_form import TeamForm

        team = self._team()
        if team is None:
            self.add_team()
            return
        if self.refuse_if_read_only():
            return

        def edited(result: tuple[str, list[str]] | None) -> None:
            if result is not None:
                team.name, team.members = result
                self._done()

        taken = [t.name for t in self.exercise.teams if t is not team]
        self.app.push_screen(TeamForm(team, taken), edited)

    def assign_guides(self) -> None:
        from ...dialogs.exercise_form import GuidePicker

        team = self._team()
        if team is None:
            self.notify(with_keys(self, "Add a team first ({overview.add_team|a}), then give it guides."), severity="warning")
            return
        if self.refuse_if_read_only():
            return

        def picked(guides: list[str] | None) -> None:
            if guides is not None:
                team.guides = guides
                self._done()

        others = [t for t in self.exercise.teams if t is not team]
        self.app.push_screen(GuidePicker(team, others), picked)

    def remove_team(self) -> None:
        from ...dialogs.confirm import Confirm

        team = self._team()
        if team is None or self.refuse_if_read_only():
            return

        def answered(yes: bool | None) -> None:
            if yes and team in self.exercise.teams:
                self.exercise.teams.remove(team)
                self._done()

        self.app.push_screen(
            Confirm(f"Remove team '{team.name}'? Answers already given stay with their guides.", title="Remove team"),
            answered,
        )

    def edit_quality(self) -> None:
        """The opening exercise: the team says, in its own words, what quality means here."""
        from ...dialogs.text_prompt import TextPrompt

        if self.refuse_if_read_only():
            return

        def written(text: str | None) -> None:
            if text is not None and text != self.exercise.quality:
                self.exercise.quality = text
                self._done()

        self.app.push_screen(
            TextPrompt(
                "What quality means here",
                "Before the guides: what does good service look like at this site, for clients and staff?",
                self.exercise.quality,
            ),
            written,
        )

    def edit_details(self) -> None:
        from ...dialogs.exercise_form import ExerciseForm

        if self.refuse_if_read_only():
            return

        def edited(exercise: Exercise | None) -> None:
            if exercise is not None:
                self._done()  # the screen retitles itself on ExerciseChanged

        self.app.push_screen(ExerciseForm(exercise=self.exercise), edited)


class QuestionTable(_PanelTable):
    BINDINGS = [
        Binding("y", "panel('answer', 'yes')", "Yes", id="guides.yes"),
        Binding("n", "panel('answer', 'no')", "No", id="guides.no"),
        Binding("s", "panel('answer', 'not_sure')", "Not sure", id="guides.not_sure"),
        Binding("c", "panel('comment')", "Comment", id="guides.comment"),
        Binding("enter", "panel('comment')", "Comment", show=False, id="guides.comment_enter"),
        Binding("p", "panel('raise_problem')", "Problem", id="guides.problem"),
        Binding("delete,backspace", "panel('answer', None)", "Clear answer", show=False, id="guides.clear"),
    ]


class GuidesPanel(ExercisePanel):
    """The ten guides with live progress above, the chosen guide's questions below."""

    TITLE = "Self-assessment"
    DEFAULT_CSS = """
    GuidesPanel #guide-list { height: 5; border: none; }
    GuidesPanel #guide-head { height: 1; background: $boost; text-style: bold; }
    GuidesPanel #question-table { height: 1fr; }
    GuidesPanel #question-detail { height: 5; color: $text-muted; }
    """

    def __init__(self, exercise: Exercise, *, read_only: bool = False, id: str | None = None):
        super().__init__(exercise, read_only=read_only, id=id)
        self.guides: tuple[Guide, ...] = load_guides().guides
        self.guide: Guide = self.guides[0]
        self._width = 0

    def compose(self) -> ComposeResult:
        yield OptionList(id="guide-list")
        yield Static("", id="guide-head")
        yield QuestionTable(id="question-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="question-detail")
        hint = ("{guides.yes|y} yes · {guides.no|n} no · {guides.not_sure|s} not sure · {guides.comment|c} comment · "
                "{guides.problem|p} problem")
        yield Static(with_keys(self, hint), classes="hint")

    def on_mount(self) -> None:
        self._fill_guides()
        self.query_one("#guide-list", OptionList).highlighted = 0
        self._fill_questions()

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._width = self.size.width
            self._fill_guides()
            self._fill_questions()

    def focus_default(self) -> None:
        self.query_one(QuestionTable).focus()

    # ---- display ---------------------------------------------------------------

    def redraw(self) -> None:
        self._fill_guides()
        self._fill_questions()

    def _teams_of(self, guide_id: str) -> str:
        return ", ".join(t.name for t in self.exercise.teams if guide_id in t.guides)

    def _guide_prompt(self, guide: Guide) -> Text:
        answered, total, flags = progress(self.exercise, guide.id)
        flag = f"{FLAG}{flags}" if flags else ""
        label = f"{answered:>2}/{total} {flag:<3} {guide.number:>2}. {guide.title}"
        team = self._teams_of(guide.id)
        if team:
            label += f" · {team}"
        return Text(clip(label, max(self.size.width - 4, 30)))

    def _fill_guides(self) -> None:
        options = self.query_one("#guide-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(Option(self._guide_prompt(g), id=g.id) for g in self.guides)
        options.highlighted = highlighted if highlighted is not None else 0

    def _in_plan(self, question_id: str) -> bool:
        source = f"guide:{self.guide.id}:{question_id}"
        return any(p.source == source for p in self.exercise.problems)

    def _flag_cell(self, question_id: str) -> str:
        value = self.exercise.answer(self.guide.id, question_id).value
        if not self.guide.question(question_id).flags(value):
            return ""
        return FLAG + ("✓" if self._in_plan(question_id) else "")

    def _widths(self) -> tuple[int, int]:
        """Question and comment column widths: a comment column only when there is room."""
        free = max(self.size.width - 2 - 2, 40) - (2 + 8 + 2) - 10  # scrollbar, fixed columns, padding
        if free >= 70:
            return free - 30, 30
        return free - 1, 1

    def _row(self, index: int, question_id: str) -> list[Text]:
        question_w, comment_w = self._widths()
        answer = self.exercise.answer(self.guide.id, question_id)
        comment = ("✎" if answer.comment else "") if comment_w == 1 else clip(answer.comment, comment_w)
        return [
            Text(str(index + 1)),
            Text(clip(self.guide.question(question_id).text, question_w)),
            Text(ANSWER_LABELS[answer.value]),
            Text(self._flag_cell(question_id)),
            Text(comment),
        ]

    def _fill_questions(self) -> None:
        table = self.query_one(QuestionTable)
        keep = table.cursor_row
        question_w, comment_w = self._widths()
        table.clear(columns=True)
        for key, label, width in (
            ("n", "#", 2),
            ("q", "Question", question_w),
            ("a", "Answer", 8),
            ("f", FLAG, 2),
            ("c", "Comment" if comment_w > 1 else "✎", comment_w),
        ):
            table.add_column(label, key=key, width=width)
        for index, question in enumerate(self.guide.questions):
            table.add_row(*self._row(index, question.id), key=question.id)
        table.move_cursor(row=min(max(keep, 0), len(self.guide.questions) - 1))
        self._show_head()
        self._show_detail()

    def _show_head(self) -> None:
        answered, total, flags = progress(self.exercise, self.guide.id)
        team = self._teams_of(self.guide.id)
        head = f"{self.guide.number}. {self.guide.title}: {answered}/{total} answered, {flags} flagged"
        if team:
            head += f" · {team}"
        self.query_one("#guide-head", Static).update(Text(clip(head, max(self.size.width - 2, 30))))

    def _show_detail(self) -> None:
        """The full question and comment of the cursor row, or the guide's intro."""
        detail = self.query_one("#question-detail", Static)
        question_id = self._question_id()
        if question_id is None or self.query_one("#guide-list", OptionList).has_focus:
            detail.update(Text(self.guide.intro))
            return
        question = self.guide.question(question_id)
        answer = self.exercise.answer(self.guide.id, question_id)
        lines = [question.text]
        if answer.comment:
            lines.append(f"Comment: {answer.comment}")
        if question.flags(answer.value):
            lines.append(
                f"{FLAG} In the action plan." if self._in_plan(question_id)
                else f"{FLAG} Flagged: " + with_keys(self, "{guides.problem|p} adds it to the action plan.")
            )
        detail.update(Text("\n".join(lines)))

    def _question_id(self) -> str | None:
        table = self.query_one(QuestionTable)
        if table.row_count == 0 or table.cursor_row < 0:
            return None
        return self.guide.questions[min(table.cursor_row, len(self.guide.questions) - 1)].id

    def _refresh_question(self, question_id: str) -> None:
        table = self.query_one(QuestionTable)
        index = [q.id for q in self.guide.questions].index(question_id)
        for column, cell in zip(("n", "q", "a", "f", "c"), self._row(index, question_id), strict=True):
            table.update_cell(question_id, column, cell)
        options = self.query_one("#guide-list", OptionList)
        options.replace_option_prompt_at_index(self.guides.index(self.guide), self._guide_prompt(self.guide))
        self._show_head()
        self._show_detail()

    @on(OptionList.OptionHighlighted, "#guide-list")
    def _guide_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        guide = next((g for g in self.guides if g.id == event.option.id), None)
        if guide is not None and guide is not self.guide:
            self.guide = guide
            self.query_one(QuestionTable).move_cursor(row=0)
            self._fill_questions()

    @on(OptionList.OptionSelected, "#guide-list")
    def _guide_chosen(self) -> None:
        self.query_one(QuestionTable).focus()

    @on(DataTable.RowHighlighted, "#question-table")
    def _question_highlighted(self) -> None:
        self._show_detail()

    def on_descendant_focus(self) -> None:
        self._show_detail()

    # ---- actions (keys live on QuestionTable) ------------------------------------------

    def answer(self, value: str | None) -> None:
        question_id = self._question_id()
        if question_id is None or self.refuse_if_read_only():
            return
        try:
            set_answer(self.exercise, self.guide.id, question_id, value)
        except ExerciseError as exc:
            self.notify(str(exc), severity="error")
            return
        self.changed()
        self._refresh_question(question_id)
        table = self.query_one(QuestionTable)
        if value is not None and table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)  # keep pace: on to the next question

    def comment(self) -> None:
        from ...dialogs.exercise_form import CommentDialog

        question_id = self._question_id()
        if question_id is None or self.refuse_if_read_only():
            return
        guide, current = self.guide, self.exercise.answer(self.guide.id, question_id)

        def done(text: str | None) -> None:
            if text is None:
                return
            set_answer(self.exercise, guide.id, question_id, current.value, text)
            self.changed()
            if guide is self.guide:
                self._refresh_question(question_id)

        self.app.push_screen(CommentDialog(guide.question(question_id).text, current.comment), done)

    def raise_problem(self) -> None:
        question_id = self._question_id()
        if question_id is None or self.refuse_if_read_only():
            return
        guide_id = self.guide.id
        if self.add_to_plan(lambda: problem_from_question(self.exercise, guide_id, question_id)):
            self.changed()
            self._refresh_question(question_id)
