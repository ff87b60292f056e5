"""A conflict's versions as the chooser shows them (sync/shown.py): parts named as the
screens name them, typed words in full, bookkeeping left out, only the differences of
two whole records, and nothing from a payload reaching the terminal raw."""

from __future__ import annotations

import copy

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.sync.shown import NOTHING, readable

GUIDE = load_meeting_guide()
OPENING, LAST = GUIDE.steps[0], GUIDE.steps[-1]
STEP, SPEC = next((step, spec) for step, spec in GUIDE.all_lists() if step.id not in (OPENING.id, LAST.id))


def meeting() -> dict:
    return {
        "id": "m1", "client_id": "c1", "kind": "first", "mode": "in person", "present": ["partner"],
        "started": "2026-12-06T10:00:00", "active_seconds": 912, "current_step": OPENING.id, "content_hash": None,
        "steps": {
            LAST.id: {"state": "pending", "notes": "Last step words", "fields": {}, "lists": {}},
            OPENING.id: {"state": "done", "notes": "First words " * 40, "fields": {}, "lists": {}},
            STEP.id: {"state": "pending", "notes": "", "fields": {}, "lists": {
                SPEC.id: [{"id": "r1", "item": None, "values": {"a": "call the GP", "b": True}, "added": "2026-12-06", "origin": None}],
            }},
        },
        "addenda": [],
    }


def test_a_whole_meeting_reads_as_its_named_parts_in_the_guides_order() -> None:
    text = readable("meetings", meeting())
    lines = text.splitlines()
    assert f"{OPENING.title} notes: {'First words ' * 40}".strip() in [line.strip() for line in lines]
    assert f"{SPEC.label} ({STEP.title}), a row: call the GP · yes" in lines
    assert "present: partner" in lines and "kind: first" in lines
    first, last = text.index(f"{OPENING.title} notes"), text.index(f"{LAST.title} notes")
    assert first < last  # the guide's order, whatever order the keys came in
    for quiet in ("912", "active", "client", "content", "current", "m1", "r1", "pending"):
        assert quiet not in text


def test_two_whole_records_show_only_what_differs() -> None:
    ours, theirs = meeting(), meeting()
    theirs["steps"][LAST.id]["notes"] = "Their last words"
    theirs["addenda"].append({"text": "A correction", "by": "Bea", "at": "2026-12-07T09:00:00"})
    text = readable("meetings", ours, theirs)
    assert text.splitlines() == [
        "4 parts differ; the rest is the same on both sides.",
        "3 parts only in the other version.",
        f"{LAST.title} notes: Last step words",
    ]
    assert "A correction" in readable("meetings", theirs, ours)


def test_a_fields_value_is_its_text_and_a_list_names_its_rows() -> None:
    assert readable("meetings", "Ann's words", "Bea's words", ["steps", OPENING.id, "notes"]) == "Ann's words"
    assert readable("clients", None) == NOTHING and readable("clients", "") == "(empty)"
    rows = meeting()["steps"][STEP.id]["lists"][SPEC.id]
    changed = copy.deepcopy(rows)
    changed[0]["values"]["a"] = "call the school"
    at = ["steps", STEP.id, "lists", SPEC.id]
    assert readable("meetings", changed, rows, at).splitlines()[1] == f"{SPEC.label} ({STEP.title}), a row: call the school · yes"


def test_hostile_text_and_names_from_a_payload_are_made_harmless() -> None:
    doc = {"note": "ok \x1b]52;c;cGFzdGU=\x07\x1b[2J then \u202eevil", "\x1b[31mfield": "x"}
    text = readable("clients", doc)
    assert "\x1b" not in text and "\x07" not in text
    assert all(line.isprintable() or "\u202e" in line for line in text.splitlines())
    assert "ok" in text and "then" in text


def test_a_payload_nested_past_any_record_is_named_not_walked() -> None:
    deep: object = "bottom"
    for _ in range(900):  # as deep as a JSON parser lets a member send
        deep = {"x": deep}
    assert "(nested too deep to show here)" in readable("clients", deep, {"x": 1})
    assert readable("meetings", [{"id": "r1", "values": ["not", "a", "dict"], "text": "kept"}]) == "a row: kept"
