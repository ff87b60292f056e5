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
