"""Interview numbers when staff interview on two machines at once (issue 15): each counts
on from the last interview it had synced, so the sync brings two interview 4s. Both are
kept (they are rows with ids); what they are shown by must still tell them apart, and be
the same on every member's screen, whatever order the merge left the list in."""

from __future__ import annotations

from datetime import date, datetime, timezone

from cope_tui.cope.exercise import (
    Answer,
    Interview,
    add_interview,
    interview_number,
    interview_numbers,
    new_exercise,
    problem_from_interview,
    source_label,
)
from cope_tui.content.cope_guides import load_interview
from cope_tui.export.exercise import exercise_markdown
from cope_tui.store.store import Store


def _at(hour: int) -> datetime:
    return datetime(2025, 5, 6, hour, tzinfo=timezone.utc)


def _exercise(order: list[int]):
    exercise = new_exercise("East clinic", date(2025, 5, 6))
    taken = [
        Interview(id="a1", number=1, at=_at(8)),
        Interview(id="a2", number=2, at=_at(9)),
        Interview(id="ann3", number=3, at=_at(11)),  # Ann's third, taken later
        Interview(id="bea3", number=3, at=_at(10)),  # Bea's third, on her own laptop
        Interview(id="bea4", number=4, at=_at(12)),
    ]
    exercise.interviews = [taken[i] for i in order]
    return exercise


def test_two_interviews_with_one_number_are_shown_apart_the_same_on_every_machine():
    here = interview_numbers(_exercise([0, 1, 2, 3, 4]))
    there = interview_numbers(_exercise([4, 3, 2, 1, 0]))
    assert here == there == {"a1": 1, "a2": 2, "bea3": 3, "bea4": 4, "ann3": 5}


def test_numbers_that_do_not_repeat_are_shown_as_they_are():
    exercise = _exercise([0, 1, 4])  # a gap (interview 3 deleted) stays a gap
    assert interview_numbers(exercise) == {"a1": 1, "a2": 2, "bea4": 4}


def test_the_next_interview_is_numbered_after_every_number_shown():
    exercise = _exercise([0, 1, 2, 3, 4])
    assert add_interview(exercise).number == 6
    assert sorted(interview_numbers(exercise).values()) == [1, 2, 3, 4, 5, 6]


def test_a_problem_and_the_report_name_the_number_shown(tmp_path):
    exercise = _exercise([0, 1, 2, 3, 4])
    question = next(q for q in load_interview().questions if q.kind != "open")
    ann3 = next(i for i in exercise.interviews if i.id == "ann3")
    ann3.answers[question.id] = Answer(value="no", comment="no seat while waiting")
    problem = problem_from_interview(exercise, ann3, question.id)
    assert problem.text.startswith("Client interview 5:")
    assert source_label(exercise, problem.source).startswith("client interview 5,")
    assert interview_number(exercise, ann3) == 5
    store = Store(tmp_path / "cope.json")
    try:
        store.put_exercise(exercise)
        assert "- Interview 5: no seat while waiting" in exercise_markdown(store, exercise)
    finally:
        store.close()
