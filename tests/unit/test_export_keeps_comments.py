"""The exercise report keeps every comment that was written (issue 13, point 8): before,
only flagged self-assessment questions showed theirs, so a comment on an unflagged or an
unanswered question, or on a yes/no interview question, never reached the report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cope_tui.content.cope_guides import load_guides, load_interview
from cope_tui.cope.exercise import Answer, Interview, new_exercise, set_answer
from cope_tui.export.exercise import exercise_markdown
from cope_tui.store.store import Store


def _report(tmp_path: Path, exercise) -> str:
    store = Store(tmp_path / "db.json")
    try:
        return exercise_markdown(store, exercise)
    finally:
        store.close()


def test_comments_on_unflagged_and_unanswered_questions_are_in_the_report(tmp_path):
    guide = load_guides().guides[0]
    first, second, third = guide.questions[:3]
    ex = new_exercise("Site", date(2026, 3, 2))
    fine = next(v for v in ("yes", "no") if not first.flags(v))
    set_answer(ex, guide.id, first.id, fine, "Posters are up in two languages")
    set_answer(ex, guide.id, second.id, None, "Ask the night shift before answering")
    bad = next(v for v in ("yes", "no") if third.flags(v))
    set_answer(ex, guide.id, third.id, bad, "Nobody knew the complaints box")
    text = _report(tmp_path, ex)
    for comment in ("Posters are up in two languages", "Ask the night shift before answering", "Nobody knew the complaints box"):
        assert text.count(comment) == 1, comment
    assert any(first.text in line and "Posters are up" in line for line in text.splitlines())
    assert any(second.text in line and "Ask the night shift" in line for line in text.splitlines())


def test_a_comment_on_a_yes_no_interview_question_is_in_the_report(tmp_path):
    question = next(q for q in load_interview().questions if q.kind == "yes_no")
    ex = new_exercise("Site", date(2026, 3, 2))
    ex.interviews.append(Interview(number=1, answers={question.id: Answer(value="yes", comment="Only on Mondays")}))
    text = _report(tmp_path, ex)
    assert text.count("Only on Mondays") == 1
