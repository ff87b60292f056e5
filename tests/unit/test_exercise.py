"""COPE exercise rules: flags, problems, follow-up carry-forward, client flow, storage."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cope_tui.cope.client_flow import FlowError
from cope_tui.content.cope_guides import load_guides
from cope_tui.cope.exercise import ExerciseError, Interview, Team, add_contact, add_visit, end_contact, flagged, flow_times, follow_up_summary, new_exercise, problem_from_interview, problem_from_question, progress, raise_problem, set_answer, set_status, team_progress
from cope_tui.store.store import Store

GUIDES = load_guides().guides


def first_question(guide_id: str, problem_when: str):
    guide = next(g for g in GUIDES if g.id == guide_id)
    return next(q for q in guide.questions if q.problem_when == problem_when)


def test_answers_flag_problems_and_count_progress():
    ex = new_exercise("Riverside clinic", date(2026, 3, 2), teams=[Team(name="Front desk", guides=["information", "access"])])
    q = first_question("information", "no")
    set_answer(ex, "information", q.id, "yes")
    assert flagged(ex, "information") == []
    set_answer(ex, "information", q.id, "no", "sign faded")
    assert flagged(ex, "information") == [q.id]
    answered, total, flags = progress(ex, "information")
    assert (answered, flags) == (1, 1) and total >= 8
    set_answer(ex, "access", first_question("access", "no").id, "not_sure")
    assert flagged(ex, "access") == []
    assert team_progress(ex, ex.teams[0])[0] == 2
    with pytest.raises(ExerciseError, match="no question"):
        set_answer(ex, "information", "q99", "yes")
    with pytest.raises(ExerciseError, match="not sure"):
        set_answer(ex, "information", q.id, "maybe")


def test_a_flagged_answer_becomes_one_problem_linked_to_its_source():
    ex = new_exercise("Riverside clinic", date(2026, 3, 2))
    q = first_question("privacy", "no")
    set_answer(ex, "privacy", q.id, "yes")
    with pytest.raises(ExerciseError, match="flagged"):
        problem_from_question(ex, "privacy", q.id)
    set_answer(ex, "privacy", q.id, "no", "curtain torn")
    problem = problem_from_question(ex, "privacy", q.id)
    assert problem.source == f"guide:privacy:{q.id}" and "curtain torn" in problem.text
    assert problem_from_question(ex, "privacy", q.id) is problem  # once per source
    interview = Interview(number=1)
    ex.interviews.append(interview)
    other = problem_from_interview(ex, interview, "q01")
    assert other.source.startswith("interview:") and len(ex.problems) == 2
    with pytest.raises(ExerciseError, match="empty"):
        raise_problem(ex, "manual", "  ")


def test_follow_up_carries_open_problems_and_reports_what_was_solved():
    first = new_exercise("Riverside clinic", date(2026, 3, 2))
    solved = raise_problem(first, "manual", "No soap at the sink")
    open_one = raise_problem(first, "manual", "Long queue before 9")
    dropped = raise_problem(first, "manual", "Old poster")
    set_status(solved, "done", "bought")
    set_status(dropped, "dropped")
    assert [h.status for h in solved.history] == ["done"]
    with pytest.raises(ExerciseError):
        new_exercise("Riverside clinic", date(2026, 1, 1), follow_up_of=first)
    follow = new_exercise("Riverside clinic", date(2026, 9, 1), follow_up_of=first)
    assert follow.follow_up_of == first.id
    assert [p.text for p in follow.problems] == [open_one.text]
    assert follow.problems[0].carried_from == open_one.id and follow.problems[0].id != open_one.id
    set_status(follow.problems[0], "done")
    summary = follow_up_summary(first, follow)
    assert summary["carried"] == 1 and summary["done"] == 1 and summary["solved before follow-up"] == 1
    assert open_one.status == "open", "the earlier exercise's record is not changed"


def test_overdue_items_stand_out():
    ex = new_exercise("Site", date(2026, 3, 2))
    problem = raise_problem(ex, "manual", "Broken scale")
    problem.by_when = date.today() - timedelta(days=1)
    assert problem.overdue()
    set_status(problem, "done")
    assert not problem.overdue()


def test_client_flow_register_and_contacts():
    ex = new_exercise("Site", date(2026, 3, 2))
    one = add_visit(ex, "first", "08:00")
    two = add_visit(ex, "follow-up", "08:10")
    assert (one.number, two.number) == (1, 2)
    contact = add_contact(ex, 1, "nurse", "08:20")
    with pytest.raises(FlowError, match="already with nurse"):
        add_contact(ex, 1, "doctor", "08:25", "08:30")
    end_contact(ex, contact.id, "08:40")
    with pytest.raises(FlowError, match="before client 2 arrived"):
        add_contact(ex, 2, "nurse", "08:00", "08:05")
    with pytest.raises(ExerciseError, match="staff"):
        add_contact(ex, 2, " ", "08:30")
    times = {t.number: t for t in flow_times(ex)}
    assert (times[1].total, times[1].contact, times[1].waiting) == (40, 20, 20)
    stamped = add_visit(ex, "first", "now")
    assert len(stamped.arrival) == 5


def test_exercises_are_stored_and_reloaded(tmp_path):
    store = Store(tmp_path / "db.json")
    ex = new_exercise("Riverside clinic", date(2026, 3, 2), facilitator="fac-1")
    raise_problem(ex, "manual", "No soap")
    store.put_exercise(ex)
    store.close()
    again = Store(tmp_path / "db.json")
    [loaded] = again.exercises()
    assert loaded.site == "Riverside clinic" and loaded.problems[0].text == "No soap"
    assert again.exercise(ex.id).facilitator == "fac-1"
    again.close()
