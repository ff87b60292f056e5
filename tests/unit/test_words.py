"""Words on screen and in messages (issue 13, point 12): plurals right, no internal ids,
and a written export proposed in the user's documents folder (or home)."""

from __future__ import annotations

import io
import re
import tokenize
from datetime import date
from pathlib import Path

from cope_tui.content.cope_guides import load_guides, load_interview, load_record_review
from cope_tui.cope.exercise import Answer, Interview, RecordCheck, new_exercise, source_label
from cope_tui.paths import export_folder
from cope_tui.words import counted

SRC = Path(__file__).resolve().parents[2] / "src" / "cope_tui"


def test_counted_says_one_thing_or_many_things():
    assert counted(0, "open problem") == "0 open problems"
    assert counted(1, "file") == "1 file"
    assert counted(2, "entry", "entries") == "2 entries"


def test_no_message_says_thing_s():
    found = []
    for path in SRC.rglob("*.py"):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        for token in tokens:
            if token.type == tokenize.STRING and re.search(r"[a-z]\(s\)", token.string.replace("http(s)", "")):
                found.append(f"{path.relative_to(SRC)}:{token.start[0]}")
    assert found == []


def test_a_problem_says_where_it_came_from_in_words():
    ex = new_exercise("Site", date(2026, 3, 2))
    guide = load_guides().guides[1]
    text = source_label(ex, f"guide:{guide.id}:{guide.questions[1].id}")
    assert text == f"self-assessment guide {guide.number} ({guide.title}), question 2"
    question = load_interview().questions[2]
    ex.interviews.append(Interview(number=4, answers={question.id: Answer(value="no")}))
    assert source_label(ex, f"interview:{ex.interviews[0].id}:{question.id}") == "client interview 4, question 3"
    item = load_record_review().items[0]
    ex.record_checks.append(RecordCheck(label="File 17"))
    assert source_label(ex, f"record:{ex.record_checks[0].id}:{item.id}") == f"record review, File 17: {item.text}"
    assert source_label(ex, "flow") == source_label(ex, "flow:2") == "the client-flow day"
    assert source_label(ex, "manual") == "typed in by hand"
    for source in ("guide:gone:q99", "interview:gone:q1", "record:gone:x", "culture:a:b", "odd"):
        assert ":" not in source_label(ex, source), source


def test_a_written_export_is_proposed_in_documents_or_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert export_folder() == home
    (home / "Documents").mkdir()
    assert export_folder() == home / "Documents"
