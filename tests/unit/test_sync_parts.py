"""A conflict's part of a record, named as the screens name it (sync/parts.py)."""

from __future__ import annotations

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.sync.parts import part_name
from cope_tui.sync.report import Conflict
from cope_tui.sync.runner import describe

GUIDE = load_meeting_guide()


def test_a_meetings_notes_fields_and_lists_are_named_by_the_guide() -> None:
    opening = GUIDE.steps[0]
    assert part_name("meetings", ["steps", opening.id, "notes"]) == f"{opening.title} notes"
    step, spec = GUIDE.all_lists()[0]
    assert part_name("meetings", ["steps", step.id, "lists", spec.id]) == f"{spec.label} ({step.title})"
    row = ["steps", step.id, "lists", spec.id, {"id": "3f2a9c"}, "values", "item"]
    assert part_name("meetings", row) == f"{spec.label} ({step.title}), a row"
    with_fields = next(s for s in GUIDE.steps if s.fields)
    field = with_fields.fields[0]
    assert part_name("meetings", ["steps", with_fields.id, "fields", field.id]) == f"{field.label} ({with_fields.title})"


def test_other_parts_read_as_words_and_a_hostile_name_is_escaped() -> None:
    assert part_name("clients", ["significant_others"]) == "significant others"
    assert part_name("clients", ["goals", {"id": "g1"}, "text"]) == "goals > a row > text"
    assert part_name("meetings", ["steps", "no-such-step", "notes"]) == "steps > no-such-step > notes"
    opening = GUIDE.steps[0].id
    assert part_name("meetings", ["steps", opening, {"id": "x"}, "notes"]) == f"steps > {opening} > a row > notes"
    named = part_name("exercises", ["answers", "\x1b[31mred\u202e"])
    assert "\x1b" not in named and "\u202e" not in named and named.isprintable()


def test_the_chooser_line_says_which_step_not_the_stored_path() -> None:
    opening = GUIDE.steps[0]
    clash = Conflict("c1", "meetings", "m1", "field", ["steps", opening.id, "notes"], "theirs", "Bea", "ours", "C-1, 2026-12-06")
    line = describe(clash, named=True)
    assert line.startswith(f"meeting C-1, 2026-12-06: {opening.title} notes in two versions, one by Bea")
    assert "steps >" not in line


def test_what_a_team_member_sent_reaches_the_terminal_escaped() -> None:
    """`cope-tui sync` prints these lines on stderr: a name, record id or conflict id
    sent by a member (sealed, so from the team, but typed by anyone) is shown, not run."""
    hostile = "\x1b]52;c;cm0gLXJm\x07\u202e"
    clash = Conflict(hostile, "clients", hostile, "deleted", [], None, f"Bea{hostile}", None)
    line = describe(clash)
    assert line.isprintable() and "\x1b" not in line and "\u202e" not in line
    assert "Bea" in line


def test_an_exercises_parts_are_named_as_its_screen_names_them() -> None:
    """The conflicts list read "answers > information > q03 > value" for a clash the merge
    found in two teams' answers: each part here comes from a real merge of two versions."""
    import copy
    from datetime import date

    from cope_tui.content.cope_guides import load_culture, load_guides, load_interview, load_record_review
    from cope_tui.cope.exercise import Answer, FlowVisit, Interview, Problem, RecordCheck, new_exercise
    from cope_tui.records import dump
    from cope_tui.sync.merge import merge_record

    guide, stage = load_guides().guides[1], load_culture().stages[0]
    question, item, asked = guide.questions[2].id, load_record_review().items[1].id, load_interview().questions[1].id
    ex = new_exercise("North clinic", date(2026, 11, 2), facilitator="", teams=[])
    ex.answers = {guide.id: {question: Answer(value="yes")}}
    ex.problems, ex.visits = [Problem(text="No sign outside")], [FlowVisit(number=2, arrival="09:00")]
    ex.interviews, ex.record_checks = [Interview(number=1)], [RecordCheck(label="R-1")]
    base = dump(ex)
    here, there = copy.deepcopy(base), copy.deepcopy(base)
    for side, value in ((here, "no"), (there, "unsure")):
        side["answers"][guide.id][question]["comment"] = value
        side["problems"][0]["status"] = "done" if value == "no" else "in progress"
        side["visits"][0]["departure"] = "10:00" if value == "no" else "10:30"
        side["interviews"][0]["answers"] = {asked: {"value": value, "comment": ""}}
        side["record_checks"][0]["marks"] = {item: value}
        side["culture"] = {stage.id: {stage.items[0].id: {"who": value, "what": "", "by_when": None, "done": False}}}
    merged = merge_record("exercises", {"doc": base, "conflicts": []}, {"doc": here, "conflicts": []},
                          {"doc": there, "conflicts": []}, me="Ann", them="Bea")
    named = sorted(part_name("exercises", c["path"]) for c in merged["conflicts"])
    assert named == sorted([
        f"Self-assessment guide {guide.number} ({guide.title}), question 3: comment",
        "Action plan, a problem: status",
        "Client flow, visit 2: departure",
        "Client interviews, an interview, question 2: answer",
        "Record review, a record, item 2",
        f"Culture of service, {stage.title}, item 1: who",
    ])
    # A part this version does not know (a newer one's) keeps the plain words.
    assert part_name("exercises", ["answers", "no-such-guide", "q01", "value"]) == "answers > no-such-guide > q01 > value"
    assert part_name("exercises", ["problems", {"id": "p1"}, "new_field"]) == "problems > a row > new field"
