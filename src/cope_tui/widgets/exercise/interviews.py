"""Client interviews: the facilitator records anonymous interviews one after another.

Interviews are typed in live, between clients, so everything is one key on the
highlighted question; the full question is shown under the table because it is
read aloud and the table has to cut it at 80 columns. Nothing here can hold a
client's name: an interview is only a number and a time.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ...content.cope_guides import InterviewQuestion, load_interview
from ...cope.exercise import (
    INTERVIEWEES,
    Answer,
    Exercise,
    Interview,
    add_interview,
    interview_number,
    interview_numbers,
    problem_from_interview,
    set_interviewee,
)
from ...dialogs.parts import clip
from ...dialogs.text_prompt import TextPrompt
from ..kept_row import Column, redraw_rows
from ..row_table import RowTable
from .list_detail import ListDetailPanel
from .panel import ExercisePanel
from ...dialogs.key_names import with_keys

FLAG = "⚑"
IN_PLAN = "✓"
USUAL_INTERVIEWS = 10
ANSWER_TEXT = {"yes": "yes", "no": "no", "not_sure": "not sure"}
ANSWER_NAMES = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
OPEN_HINT = "This question takes the client's own words: press {interviews.comment|c} or enter to type them."


def plan_sources(panel: ExercisePanel) -> set[str]:
    """Sources already raised in this exercise (not carried over), to mark them as done."""
    return {p.source for p in panel.exercise.problems if p.carried_from is None}


class InterviewsPanel(ListDetailPanel):
    """Anonymous client interviews: a list of interviews, and the questions of the selected one."""

    TITLE = "Client interviews"
    DEFAULT_CSS = """
    InterviewsPanel .panel-intro { height: auto; color: $text-muted; }
    InterviewsPanel #interviews-hint { height: 1; text-style: bold; }
    InterviewsPanel #interview-list { height: auto; max-height: 6; margin-bottom: 1; }
    InterviewsPanel #interview-questions { height: 1fr; min-height: 4; }
    InterviewsPanel #interview-detail { height: auto; max-height: 3; color: $text-muted; }
    """

    _ANSWER = Binding.Group("Answer")
    # y/n/s/c/p act on the highlighted question, so check_action offers them only while
    # the questions have focus; enter there (a DataTable selection) also opens the comment.
    BINDINGS = [
        Binding("y", "answer('yes')", "Yes", id="interviews.yes", group=_ANSWER),
        Binding("n", "answer('no')", "No", id="interviews.no", group=_ANSWER),
        Binding("s", "answer('not_sure')", "Not sure", id="interviews.not_sure", group=_ANSWER),
        Binding("c", "comment", "Comment", id="interviews.comment"),
        Binding("p", "raise_problem", "Problem", id="interviews.problem"),
        Binding("a", "add", "Add", id="interviews.add", tooltip="Add the next interview"),
        Binding("x", "delete", "Delete", id="interviews.delete", tooltip="Delete the selected interview"),
        Binding("w", "who", "Who", id="interviews.who", tooltip="Client, non-user, community member or co-worker"),
        # Reached only while read-only (check_action hides the real ones): says why.
        Binding("y,n,s,c,p,a,x,w", "refuse_read_only", show=False, id="interviews.refuse"),
    ]

    def __init__(self, exercise: Exercise, *, read_only: bool = False, id: str | None = None):
        super().__init__(exercise, read_only=read_only, id=id)
        self.questionnaire = load_interview()
        self._shown_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            "Anonymous: no names. The client may skip or stop.",
            classes="panel-intro",
            markup=False,
        )
        yield Static("", id="interviews-hint", markup=False)
        yield RowTable(id="interview-list", cursor_type="row")
        yield RowTable(id="interview-questions", cursor_type="row", classes="sensitive")
        yield Static("", id="interview-detail", classes="sensitive", markup=False)

    LIST_ID, DETAIL_ID = "interview-list", "interview-questions"
    EDITING = ("add", "delete", "who")
    ON_DETAIL = ("answer", "comment", "raise_problem")

    def entries(self) -> list[Interview]:
        return self.exercise.interviews

    @property
    def current_interview(self) -> Interview | None:
        return self.current

    @property
    def current_question(self) -> InterviewQuestion:
        questions = self.questionnaire.questions
        return questions[max(0, min(self._detail.cursor_row, len(questions) - 1))]

    def _answer(self, interview: Interview, question: InterviewQuestion) -> Answer:
        return interview.answers.get(question.id) or Answer()

    def _counts(self, interview: Interview) -> tuple[int, int]:
        """(answered, flagged); an open question counts as answered once its words are typed."""
        answers = [(q, self._answer(interview, q)) for q in self.questionnaire.questions]
        answered = sum(1 for q, a in answers if a.value is not None or (q.kind == "open" and a.comment))
        return answered, sum(1 for q, a in answers if q.flags(a.value))

    # -- display --------------------------------------------------------------------

    def _fill_list(self, select: int | None = None) -> None:
        table = self._list
        keep = table.cursor_row if select is None else select
        interviews = self.exercise.interviews
        rows: list[tuple[str, list[object]]] = []
        if not interviews:
            hint = "(none)" if self.read_only else with_keys(self, "(none yet: press {interviews.add|a})")
            rows.append(("__empty__", ["", Text(hint, style="dim italic"), "", "", ""]))
        total = len(self.questionnaire.questions)
        numbers = interview_numbers(self.exercise)
        for interview in interviews:
            answered, flagged = self._counts(interview)
            cells = [str(numbers[interview.id]), f"{interview.at:%d %b %H:%M}", f"{answered} of {total}",
                     f"{FLAG} {flagged}" if flagged else "", interview.interviewee]
            rows.append((interview.id, cells))
        # The flag for a header, as the questions below have: "Flagged" was wider than its
        # cells ("⚑ 2"), and at 80 columns "community member" lost its last letter.
        redraw_rows(table, [Column(label) for label in ("No.", "When", "Answered", FLAG, "Who")], rows)
        if interviews:
            table.move_cursor(row=max(0, min(keep, len(interviews) - 1)), animate=False)
        count = len(interviews)
        # One line, cut at the panel's edge: at 80 columns "That is enough." was cut to "That is".
        self.query_one("#interviews-hint", Static).update(
            f"{count} interviews so far: enough (about ten are usual)."
            if count >= USUAL_INTERVIEWS
            else f"About ten interviews are usual: {count} so far."
        )
        self._show_current()

    def _fill_detail(self, keep: int) -> None:
        table = self._detail
        interview = self.current_interview
        width = table.size.width or max(0, self.size.width - 2) or self.app.size.width - 2
        width -= table.styles.scrollbar_size_vertical  # 13 questions rarely fit: leave room
        # Fixed columns: "#", answer, flag; each column also takes two cells of padding.
        free = max(24, width - (2 + 8 + 2) - 5 * 2)
        comment_width = max(8, free // 3)
        question_width = max(16, free - comment_width)
        columns = [Column("#", 2), Column("Question", question_width), Column("Answer", 8), Column(FLAG, 2),
                   Column("Comment", comment_width)]
        if interview is None:
            hint = "(no interview selected)" if self.read_only else with_keys(self, "(no interview yet: press {interviews.add|a})")
            empty = ["", Text(clip(hint, question_width), style="dim italic"), "", "", ""]
            redraw_rows(table, columns, [("__empty__", empty)])
            self._show_detail()
            self.refresh_bindings()
            return
        raised = plan_sources(self)
        rows: list[tuple[str, list[object]]] = []
        for number, question in enumerate(self.questionnaire.questions, 1):
            answer = self._answer(interview, question)
            if question.kind == "open":
                shown = Text("open", style="dim italic")
            elif answer.value is None:
                shown = Text("–", style="dim")
            else:
                shown = Text(ANSWER_TEXT[answer.value])
            mark = FLAG if question.flags(answer.value) else ""
            if f"interview:{interview.id}:{question.id}" in raised:
                mark += IN_PLAN
            cells = [str(number), clip(question.text, question_width), shown, Text(mark, style="bold"),
                     clip(answer.comment, comment_width)]
            rows.append((question.id, cells))
        redraw_rows(table, columns, rows)
        table.move_cursor(row=max(0, min(keep, len(self.questionnaire.questions) - 1)), animate=False)
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        """The full question and comment of the highlighted row, which the table had to cut."""
        detail = self.query_one("#interview-detail", Static)
        interview = self.current_interview
        if interview is None:
            detail.update("")
            return
        question = self.current_question
        answer = self._answer(interview, question)
        text = f"Interview {interview_number(self.exercise, interview)}, question {self.questionnaire.questions.index(question) + 1}: {question.text}"
        if answer.comment:
            text += f"\n  {'Said' if question.kind == 'open' else 'Comment'}: {answer.comment}"
        if f"interview:{interview.id}:{question.id}" in plan_sources(self):
            text += "  (in the action plan)"
        detail.update(text)

    def detail_selected(self) -> None:
        self.action_comment()

    # -- actions --------------------------------------------------------------------

    def action_add(self) -> None:
        if self.refuse_if_read_only():
            return
        number = add_interview(self.exercise).number
        self.changed()
        self._fill_list(len(self.exercise.interviews) - 1)
        self.screen.set_focus(self._detail)
        self.notify(f"Interview {number} started. Remember: no names. " + with_keys(self, "{interviews.who|w}: who was interviewed."))

    def action_who(self) -> None:
        """Step through who the interview heard: COPE also asks non-users, the community and co-workers."""
        if self.refuse_if_read_only():
            return
        interview = self.current_interview
        if interview is None:
            return
        set_interviewee(interview, INTERVIEWEES[(INTERVIEWEES.index(interview.interviewee) + 1) % len(INTERVIEWEES)])
        self._saved()
        self.notify(f"Interview {interview_number(self.exercise, interview)}: {interview.interviewee}", timeout=2)

    def delete_question(self, entry: Interview) -> tuple[str, str]:
        return (
            f"Delete interview {interview_number(self.exercise, entry)} and its answers? "
            "Problems already raised from it stay in the action plan.",
            "Delete interview",
        )

    def action_answer(self, value: str) -> None:
        if self.refuse_if_read_only():
            return
        interview = self.current_interview
        if interview is None:
            return
        question = self.current_question
        if question.kind == "open":
            self.notify(with_keys(self, OPEN_HINT), severity="warning")
            return
        interview.answers.setdefault(question.id, Answer()).value = value  # type: ignore[assignment]
        self._saved()
        self._next_question(question)  # keep pace, as the self-assessment does: y n y answers three
        if question.flags(value):
            self.notify(f"{ANSWER_NAMES[value]}: flagged {FLAG}. "
                        + with_keys(self, "Press {interviews.problem|p} to add it to the action plan."))

    def action_comment(self) -> None:
        if self.refuse_if_read_only():
            return
        interview = self.current_interview
        if interview is None:
            return
        question = self.current_question
        current = self._answer(interview, question).comment
        is_open = question.kind == "open"

        def done(text: str | None) -> None:
            if text is None or interview not in self.exercise.interviews or text == current:
                return
            interview.answers.setdefault(question.id, Answer()).comment = text
            self._saved()
            if is_open:  # the answer itself: on to the next question
                self._next_question(question)

        what = "The client's own words" if is_open else "A short comment"
        self.app.push_screen(
            TextPrompt(
                f"Interview {interview_number(self.exercise, interview)}: {'answer' if is_open else 'comment'}",
                f"{question.text}\n{what}, without names.",
                current,
            ),
            done,
        )

    def _next_question(self, question: InterviewQuestion) -> None:
        questions = self.questionnaire.questions
        index = questions.index(question)
        if index + 1 < len(questions):
            self._detail.move_cursor(row=index + 1)

    def action_raise_problem(self) -> None:
        if self.refuse_if_read_only():
            return
        interview = self.current_interview
        if interview is None:
            return
        question = self.current_question
        answer = self._answer(interview, question)
        if question.kind == "open":
            if not answer.comment:
                first = "Type the client's answer first ({interviews.comment|c}), then raise it as a problem."
                self.notify(with_keys(self, first), severity="warning")
                return
        elif not question.flags(answer.value):
            self.notify(f"Only a flagged answer ({FLAG}) becomes a problem; this one is not.", severity="warning")
            return
        if self.add_to_plan(lambda: problem_from_interview(self.exercise, interview, question.id)):
            self._saved()
