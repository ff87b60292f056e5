"""Client interviews and record review panels, driven by keys at 80x24."""

from __future__ import annotations

from datetime import date, datetime, timezone

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Static

from cope_tui.content.cope_guides import load_interview, load_record_review
from cope_tui.cope.exercise import Answer, Exercise, Interview, RecordCheck, new_exercise
from cope_tui.dialogs.confirm import Confirm
from cope_tui.widgets.exercise.interviews import FLAG, IN_PLAN, InterviewsPanel, TextPrompt
from cope_tui.widgets.exercise.list_detail import ListDetailPanel
from cope_tui.widgets.exercise.panel import ExercisePanel
from cope_tui.widgets.exercise.records import RecordsPanel

SIZE = (80, 24)
QUESTIONS = [q.id for q in load_interview().questions]
ITEMS = load_record_review().items


class PanelApp(App[None]):
    """Mounts one panel as the exercise screen would, and records what it says."""

    def __init__(self, panel_class: type[ExercisePanel], exercise: Exercise, *, read_only: bool = False) -> None:
        super().__init__()
        self.panel_class = panel_class
        self.exercise = exercise
        self.read_only = read_only
        self.changes = 0
        self.messages: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.panel_class(self.exercise, read_only=self.read_only, id="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query(DataTable).first().focus()

    def on_exercise_changed(self) -> None:
        self.changes += 1

    def notify(self, message: str, **kwargs) -> None:  # type: ignore[override]
        self.messages.append(str(message))
        super().notify(message, **kwargs)

    def shown_actions(self) -> set[str]:
        """Actions the footer offers right now (enabled and visible)."""
        active = self.screen.active_bindings.values()
        return {a.binding.action.split("(")[0] for a in active if a.enabled and a.binding.show}


def exercise() -> Exercise:
    return new_exercise("Site", date(2026, 3, 2))


def table(app: App, table_id: str) -> DataTable:
    return app.query_one(f"#{table_id}", DataTable)


def row_text(app: App, table_id: str, row: int) -> list[str]:
    return [str(cell) for cell in table(app, table_id).get_row_at(row)]


def static_text(app: App, static_id: str) -> str:
    return str(app.query_one(f"#{static_id}", Static).render())


# ---- interviews ----------------------------------------------------------------------


async def test_interview_add_answer_comment_and_problem() -> None:
    ex = exercise()
    app = PanelApp(InterviewsPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        assert "0 so far" in static_text(app, "interviews-hint")
        await pilot.press("a")
        await pilot.pause()
        assert [i.number for i in ex.interviews] == [1]
        interview = ex.interviews[0]
        assert app.focused is table(app, "interview-questions")
        assert table(app, "interview-questions").cursor_row == 0
        assert "1 so far" in static_text(app, "interviews-hint")
        assert app.changes == 1
        assert {"answer", "comment", "raise_problem", "add", "delete"} <= app.shown_actions()

        # q02 (flagged on "no"), q03 (flagged on "yes"), q04 not sure: each answer moves on.
        await pilot.press("down", "n", "y", "s")
        await pilot.pause()
        assert interview.answers["q02"].value == "no"
        assert interview.answers["q03"].value == "yes"
        assert interview.answers["q04"].value == "not_sure"
        assert table(app, "interview-questions").cursor_row == 4  # on to the next (issue 13)
        assert row_text(app, "interview-questions", 1)[3] == FLAG
        assert row_text(app, "interview-questions", 3)[2] == "not sure"
        assert row_text(app, "interview-list", 0)[3] == f"{FLAG} 2"
        assert app.changes == 4
        await pilot.press("up")  # back to q04

        # A comment on q04, saved with ctrl+s.
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"rushed", "ctrl+s")
        await pilot.pause()
        assert interview.answers["q04"].comment == "rushed"
        assert interview.answers["q04"].value == "not_sure"
        assert "Comment: rushed" in static_text(app, "interview-detail")

        # Escape cancels without a change (typed words: the first esc only warns).
        changes = app.changes
        await pilot.press("c", "x", "escape")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("escape")
        await pilot.pause()
        assert interview.answers["q04"].comment == "rushed"
        assert app.changes == changes

        # An unflagged answer does not become a problem; a flagged one does, once.
        await pilot.press("p")
        await pilot.pause()
        assert ex.problems == []
        assert "Only a flagged answer" in app.messages[-1]
        await pilot.press("up", "up", "p")
        await pilot.pause()
        assert len(ex.problems) == 1
        problem = ex.problems[0]
        assert problem.source == f"interview:{interview.id}:q02"
        assert problem.text.startswith("Client interview 1:")
        assert "Added to the action plan" in app.messages[-1]
        assert row_text(app, "interview-questions", 1)[3] == FLAG + IN_PLAN
        await pilot.press("p")
        await pilot.pause()
        assert len(ex.problems) == 1
        assert app.messages[-1] == "Already in the action plan."


async def test_open_question_takes_words_not_yes_no() -> None:
    ex = exercise()
    app = PanelApp(InterviewsPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "y")
        await pilot.pause()
        interview = ex.interviews[0]
        assert "q01" not in interview.answers
        assert "own words" in app.messages[-1]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"vaccination", "enter")
        await pilot.pause()
        assert interview.answers["q01"] == Answer(value=None, comment="vaccination")
        assert row_text(app, "interview-list", 0)[2] == f"1 of {len(QUESTIONS)}"
        assert table(app, "interview-questions").cursor_row == 1  # answered: on to the next
        await pilot.press("up", "p")
        await pilot.pause()
        assert [p.source for p in ex.problems] == [f"interview:{interview.id}:q01"]
        assert "vaccination" in ex.problems[0].text


async def test_interviews_number_on_and_delete_after_confirm() -> None:
    ex = exercise()
    app = PanelApp(InterviewsPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "a", "a")
        await pilot.pause()
        assert [i.number for i in ex.interviews] == [1, 2, 3]
        # Back to the list, onto interview 2.
        table(app, "interview-list").focus()
        await pilot.press("up")
        await pilot.pause()
        assert table(app, "interview-list").cursor_row == 1
        # Answer keys belong to the questions: on the list they are not offered.
        assert "answer" not in app.shown_actions()
        await pilot.press("y")
        await pilot.pause()
        assert all(i.answers == {} for i in ex.interviews)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await pilot.pause()
        assert [i.number for i in ex.interviews] == [1, 2, 3]
        changes = app.changes
        await pilot.press("x", "y")
        await pilot.pause()
        assert [i.number for i in ex.interviews] == [1, 3]
        assert app.changes == changes + 1
        assert table(app, "interview-list").cursor_row == 1  # now on interview 3
        assert "2 so far" in static_text(app, "interviews-hint")
        await pilot.press("a")
        await pilot.pause()
        assert [i.number for i in ex.interviews] == [1, 3, 4]


async def test_two_interview_2s_from_a_team_sync_are_listed_and_named_apart() -> None:
    """Two staff each took an interview 2 on their own laptops; the sync kept both."""
    ex = exercise()
    first = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    ex.interviews = [Interview(id="one", number=1, at=first), Interview(id="late", number=2, at=first.replace(hour=11)),
                     Interview(id="early", number=2, at=first.replace(hour=10))]
    app = PanelApp(InterviewsPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [row_text(app, "interview-list", n)[0] for n in range(3)] == ["1", "3", "2"]
        table(app, "interview-list").focus()
        await pilot.press("end", "up", "w")  # the later of the two: told by the number it is listed by
        await pilot.pause()
        assert app.messages[-1].startswith("Interview 3:")
        await pilot.press("a")
        await pilot.pause()
        assert ex.interviews[-1].number == 4 and app.messages[-1].startswith("Interview 4 started")


async def test_interviews_read_only_refuse_every_edit() -> None:
    ex = exercise()
    ex.interviews.append(Interview(number=1, answers={"q02": Answer(value="no")}))
    app = PanelApp(InterviewsPanel, ex, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        assert not {"add", "delete"} & app.shown_actions()
        await pilot.press("a", "x")
        await pilot.pause()
        assert isinstance(app.screen.query_one("#panel"), InterviewsPanel)  # no dialog opened
        await pilot.press("enter")  # on to the questions: reading is allowed
        await pilot.pause()
        assert app.focused is table(app, "interview-questions")
        assert not {"answer", "comment", "raise_problem"} & app.shown_actions()
        await pilot.press("down", "y", "c", "p", "enter")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert [i.number for i in ex.interviews] == [1]
        assert ex.interviews[0].answers == {"q02": Answer(value="no")}
        assert ex.problems == []
        assert app.changes == 0
        assert app.messages and all("read-only" in m for m in app.messages)


# ---- record review -------------------------------------------------------------------


async def test_records_add_mark_and_raise_problem() -> None:
    ex = exercise()
    app = PanelApp(RecordsPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        assert "0 of 10-20 records reviewed" in static_text(app, "records-hint")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("ctrl+s")  # empty is refused and the dialog stays open
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert "cannot be empty" in static_text(app.screen, "prompt-error")
        await pilot.press(*"R0413", "enter")
        await pilot.pause()
        assert [c.label for c in ex.record_checks] == ["R0413"]
        check = ex.record_checks[0]
        assert app.focused is table(app, "record-items")
        assert "1 of 10-20 records reviewed" in static_text(app, "records-hint")

        await pilot.press("p", "m", "n", "m")  # each mark moves on, as the guides' answers do
        await pilot.pause()
        assert check.marks == {
            ITEMS[0].id: "present",
            ITEMS[1].id: "missing",
            ITEMS[2].id: "not_applicable",
            ITEMS[3].id: "missing",
        }
        assert row_text(app, "record-list", 0) == ["R0413", "1", "2", "1", f"4 of {len(ITEMS)}"]
        assert app.changes == 5

        assert table(app, "record-items").cursor_row == 4
        assert "Back on it" in app.messages[-1]
        # Only a missing item becomes a problem.
        await pilot.press("up", "up", "r")  # on the n/a item
        await pilot.pause()
        assert ex.problems == []
        assert "Only a missing item" in app.messages[-1]
        await pilot.press("up", "r")
        await pilot.pause()
        assert len(ex.problems) == 1
        assert ex.problems[0].source == f"record:{check.id}:{ITEMS[1].id}"
        assert ITEMS[1].text in ex.problems[0].text
        assert "R0413" in ex.problems[0].text
        assert row_text(app, "record-items", 1)[2] == IN_PLAN
        await pilot.press("r")
        await pilot.pause()
        assert len(ex.problems) == 1


async def test_records_refuse_duplicate_then_delete_after_confirm() -> None:
    ex = exercise()
    ex.record_checks.extend([RecordCheck(label="A1"), RecordCheck(label="B2")])
    app = PanelApp(RecordsPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        assert "2 of 10-20" in static_text(app, "records-hint")
        await pilot.press("a", "a", "1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert "already in the review" in static_text(app.screen, "prompt-error")
        await pilot.press("escape", "escape")  # typed words: the first esc only warns
        await pilot.pause()
        assert [c.label for c in ex.record_checks] == ["A1", "B2"]
        assert table(app, "record-list").cursor_row == 1
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert [c.label for c in ex.record_checks] == ["A1"]
        assert app.changes == 1
        assert "1 of 10-20" in static_text(app, "records-hint")


async def test_records_read_only_refuse_every_edit() -> None:
    ex = exercise()
    ex.record_checks.append(RecordCheck(label="A1", marks={ITEMS[0].id: "missing"}))
    app = PanelApp(RecordsPanel, ex, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        assert not {"add", "delete"} & app.shown_actions()
        await pilot.press("a", "x", "enter", "p", "m", "n", "r")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert app.focused is table(app, "record-items")
        assert not {"mark", "raise_problem"} & app.shown_actions()
        assert ex.record_checks[0].marks == {ITEMS[0].id: "missing"}
        assert ex.problems == []
        assert app.changes == 0
        assert len(app.messages) == 6 and all("read-only" in m for m in app.messages)


# ---- a change redraws in place ---------------------------------------------------------


async def _never_back_to_the_top(app: PanelApp, pilot, keys: tuple[str, ...], *, detail_scrolled: bool) -> None:
    """The panel's list is scrolled down to its last entry, and its detail (when it
    is long enough) to its last rows; `keys` change the entry. No table may pass
    through the top on the way: clearing and rebuilding one showed its first rows for a
    frame, at each key."""
    panel = app.query_one("#panel", ListDetailPanel)
    lists, detail = panel._list, panel._detail
    app.set_focus(detail)
    await pilot.press(*["down"] * detail.row_count, *keys[:-1])
    await pilot.pause()
    assert lists.scroll_y > 0 and (detail.scroll_y > 0) == detail_scrolled  # the case
    seen: list[tuple[str, float]] = []

    def watcher(name: str):
        return lambda y: seen.append((name, y))  # one parameter: Textual passes the new value

    for name, watched in (("list", lists), ("detail", detail)):
        app.watch(watched, "scroll_y", watcher(name), init=False)
    changes = app.changes
    await pilot.press(keys[-1])
    await pilot.pause()
    assert app.changes == changes + 1  # the key did change the entry
    assert [(name, y) for name, y in seen if y == 0] == []


async def test_answering_low_in_long_lists_keeps_them_where_they_are() -> None:
    ex = exercise()
    ex.interviews.extend(Interview(number=n) for n in range(1, 12))
    app = PanelApp(InterviewsPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        await _never_back_to_the_top(app, pilot, ("up", "up", "y"), detail_scrolled=True)
        assert ex.interviews[-1].answers[QUESTIONS[-3]].value == "yes"  # the last two are open questions
        assert row_text(app, "interview-list", 10)[2] == "1 of 13"


async def test_marking_low_in_a_long_list_keeps_it_where_it_is() -> None:
    ex = exercise()
    ex.record_checks.extend(RecordCheck(label=f"R{n:04}") for n in range(1, 16))
    app = PanelApp(RecordsPanel, ex)
    async with app.run_test(size=SIZE) as pilot:
        await _never_back_to_the_top(app, pilot, ("m",), detail_scrolled=False)
        assert ex.record_checks[-1].marks == {ITEMS[-1].id: "missing"}
        assert row_text(app, "record-list", 14)[2] == "1"


async def test_a_sync_that_puts_a_colleagues_interview_first_leaves_the_cursor_on_its_own() -> None:
    """Two workers each added an interview 3; the sync numbered the colleague's 4 and put
    it before this worker's in the list. The cursor stayed on the third row, now theirs,
    and the answer typed next went into their interview."""
    ex = exercise()
    ex.interviews.extend(Interview(number=n) for n in (1, 2, 3))
    app = PanelApp(InterviewsPanel, ex)
    closed = next(q for q in load_interview().questions if q.kind != "open")
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one("#panel", InterviewsPanel)
        mine = ex.interviews[2]
        assert panel.current is mine
        merged = ex.model_copy(deep=True)
        merged.interviews.insert(2, Interview(number=4))  # as the team's order has it
        panel.show_exercise(merged)
        await pilot.pause()
        assert panel.current.id == mine.id
        app.set_focus(panel._detail)
        await pilot.pause()
        panel._detail.move_cursor(row=load_interview().questions.index(closed))
        await pilot.press("y")
        await pilot.pause()
        assert merged.interviews[3].answers[closed.id].value == "yes"
        assert closed.id not in merged.interviews[2].answers
