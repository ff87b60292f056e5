"""COPE as the method has it: what quality means at the site, who each interview heard, the
next exercise's date, problems that need outside help and the share solved without it, and
how change from inside differs from change ordered from above. Each part is stored (old
records still open), exported and found by search."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from cope_tui.content.cope_guides import load_culture
from cope_tui.cope.exercise import (
    INTERVIEWEES,
    Exercise,
    ExerciseError,
    Interview,
    new_exercise,
    raise_problem,
    set_interviewee,
    set_next_exercise,
    set_status,
    solved_share,
)
from cope_tui.export.exercise import exercise_markdown
from cope_tui.records import dump
from cope_tui.search import SearchIndex
from cope_tui.store.record_check import record_problem
from cope_tui.store.store import Store

START = date(2026, 3, 2)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "db.json")
    yield s
    s.close()


def _doc(model) -> dict:
    return orjson.loads(orjson.dumps(dump(model)))


def test_what_quality_means_here_is_kept_exported_and_found(store):
    exercise = new_exercise("Riverside", START)
    exercise.quality = "Clients are greeted within five minutes and leave knowing their next step."
    store.put_exercise(exercise)
    text = exercise_markdown(store, exercise)
    assert "## What quality means here" in text
    assert "greeted within five minutes" in text
    assert text.index("What quality means here") < text.index("## Teams")  # it opens the report
    found = SearchIndex(store).search("greeted")
    assert found.total == 1 and found.results[0].place == "overview"


def test_each_interview_says_who_was_interviewed(store):
    assert INTERVIEWEES == ("client", "non-user", "community member", "co-worker")
    exercise = new_exercise("Riverside", START)
    for number in (1, 2, 3):
        exercise.interviews.append(Interview(number=number))
    assert exercise.interviews[0].interviewee == "client"
    set_interviewee(exercise.interviews[1], "community member")
    set_interviewee(exercise.interviews[2], "co-worker")
    with pytest.raises(ExerciseError, match="client, non-user"):
        set_interviewee(exercise.interviews[0], "the manager")
    text = exercise_markdown(store, exercise)
    assert "Who was interviewed: 1 client, 1 community member, 1 co-worker." in text


def test_the_committee_sets_the_next_exercise_date(store):
    exercise = new_exercise("Riverside", START)
    with pytest.raises(ExerciseError, match="2026-03-02"):
        set_next_exercise(exercise, date(2026, 1, 1))
    set_next_exercise(exercise, date(2026, 9, 1))
    assert exercise.next_exercise == date(2026, 9, 1)
    assert "- Next exercise: 2026-09-01" in exercise_markdown(store, exercise)
    set_next_exercise(exercise, None)
    assert "- Next exercise: not set yet" in exercise_markdown(store, exercise)


def _follow_up(store) -> tuple[Exercise, Exercise]:
    first = new_exercise("Riverside", START)
    own = [raise_problem(first, "manual", f"inside {n}") for n in range(4)]
    outside = [raise_problem(first, "manual", f"outside {n}") for n in range(2)]
    for problem in outside:
        problem.outside_help = True
    set_status(own[0], "done")  # solved before the follow-up
    store.put_exercise(first)
    follow = new_exercise("Riverside", date(2026, 9, 1), follow_up_of=first)
    assert all(p.outside_help == p.text.startswith("outside") for p in follow.problems)  # carried with the flag
    for problem in follow.problems:
        if problem.text in ("inside 1", "inside 2", "outside 0"):
            set_status(problem, "done")
    store.put_exercise(follow)
    return first, follow


def test_the_follow_up_gives_the_share_solved_split_by_outside_help(store):
    first, follow = _follow_up(store)
    assert solved_share(first, follow) == {False: (3, 4), True: (1, 2)}
    text = exercise_markdown(store, follow)
    assert "Needing no outside help: 3 of 4 solved (75%)" in text
    assert "Needing outside help: 1 of 2 solved (50%)" in text
    assert "about three in four" in text  # the published yardstick, for comparison


def test_the_action_plan_says_which_problems_need_outside_help(store):
    exercise = new_exercise("Riverside", START)
    raise_problem(exercise, "manual", "No water supply").outside_help = True
    raise_problem(exercise, "manual", "Chairs in the wrong room")
    text = exercise_markdown(store, exercise)
    assert "| Outside help |" in text
    assert "| yes |" in next(line for line in text.splitlines() if "No water supply" in line)
    assert "| yes |" not in next(line for line in text.splitlines() if "Chairs in the wrong" in line)


def test_the_culture_view_says_how_change_from_inside_differs():
    change = load_culture().change.lower()
    assert "inside" in change and "above" in change
    assert len(change) < 600


def test_the_culture_report_explains_change_from_inside(store):
    exercise = new_exercise("Riverside", START)
    text = exercise_markdown(store, exercise)
    assert load_culture().change.split()[0] in text.split("## Culture of service", 1)[1]


def test_exercises_stored_before_these_fields_still_open():
    exercise = new_exercise("Riverside", START)
    exercise.interviews.append(Interview(number=1))
    raise_problem(exercise, "manual", "Long queue")
    doc = _doc(exercise)
    for key in ("quality", "next_exercise"):
        doc.pop(key)
    doc["interviews"][0].pop("interviewee")
    doc["problems"][0].pop("outside_help")
    assert record_problem("exercises", doc["id"], doc) is None
    old = Exercise.model_validate(doc)
    assert old.quality == "" and old.next_exercise is None
    assert old.interviews[0].interviewee == "client" and old.problems[0].outside_help is False
    doc["interviews"][0]["interviewee"] = "landlord"
    assert record_problem("exercises", doc["id"], doc) is not None  # only the four kinds


def test_a_problem_from_an_interview_says_who_was_heard():
    from cope_tui.content.cope_guides import load_interview
    from cope_tui.cope.exercise import Answer, problem_from_interview

    exercise = new_exercise("Riverside", START)
    question = next(q for q in load_interview().questions if q.kind == "yes_no")
    heard = Interview(number=4, interviewee="co-worker", answers={question.id: Answer(value=question.problem_when)})
    client = Interview(number=5, answers={question.id: Answer(value=question.problem_when)})
    exercise.interviews += [heard, client]
    assert problem_from_interview(exercise, heard, question.id).text.startswith("Interview 4 (co-worker):")
    assert problem_from_interview(exercise, client, question.id).text.startswith("Client interview 5:")
