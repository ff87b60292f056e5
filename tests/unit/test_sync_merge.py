"""Field-by-field three-way merge: what each side changed is kept, clashes are kept side
by side, a finalised meeting never changes, and every machine reaches the same result."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cope_tui.sync.merge import CannotChoose, MISSING, canon, canon_content, choose, empty, merge_record, merge_values


def content(doc, conflicts=()):
    return {"doc": doc, "conflicts": list(conflicts)}


def merged(table, base, here, there, **kw):
    return merge_record(table, None if base is MISSING else content(base), content(here), content(there),
                        me=kw.get("me", "Here"), them=kw.get("them", "There"))


def test_two_teams_answering_different_guides_merge() -> None:
    base = {"id": "e1", "site": "North", "answers": {}}
    a = {**base, "answers": {"g1": {"q1": {"value": "yes", "comment": ""}}}}
    b = {**base, "answers": {"g7": {"q3": {"value": "no", "comment": "waiting room"}}}}
    out = merged("exercises", base, a, b)
    assert out["doc"]["answers"] == {**a["answers"], **b["answers"]}
    assert out["conflicts"] == []


def test_rows_added_on_both_sides_are_all_kept_and_a_removal_travels() -> None:
    base = {"id": "c1", "goals": [{"id": "g1", "text": "sleep"}, {"id": "g2", "text": "work"}], "significant_others": ["Ann"]}
    a = {**base, "goals": [*base["goals"][:1], {"id": "g3", "text": "housing"}], "significant_others": ["Ann", "Bo"]}
    b = {**base, "goals": [*base["goals"], {"id": "g4", "text": "debts"}], "significant_others": ["Ann", "Cy"]}
    out = merged("clients", base, a, b)
    assert [g["id"] for g in out["doc"]["goals"]] == ["g1", "g3", "g4"]  # g2 removed on one side
    assert out["doc"]["significant_others"] == ["Ann", "Bo", "Cy"]


def test_the_same_field_edited_on_both_sides_keeps_both() -> None:
    base = {"id": "m1", "steps": {"open": {"notes": "start", "fields": {"mood": "ok"}}}}
    a = {"id": "m1", "steps": {"open": {"notes": "start, and A's words", "fields": {"mood": "ok"}}}}
    b = {"id": "m1", "steps": {"open": {"notes": "start, and B's words", "fields": {"mood": "low"}}}}
    out = merged("meetings", base, a, b, them="Bea")
    assert out["doc"]["steps"]["open"] == {"notes": "start, and A's words", "fields": {"mood": "low"}}
    [clash] = out["conflicts"]
    assert clash["kind"] == "field" and clash["path"] == ["steps", "open", "notes"]
    assert clash["value"] == "start, and B's words" and clash["by"] == "Bea"
    taken = choose(out, clash["id"], take_other=True)
    assert taken["doc"]["steps"]["open"]["notes"] == "start, and B's words" and taken["conflicts"] == []
    kept = choose(out, clash["id"], take_other=False)
    assert kept["doc"] == out["doc"] and kept["conflicts"] == []
    with pytest.raises(CannotChoose, match="settled already"):
        choose(kept, clash["id"], take_other=True)


def test_a_meetings_clock_and_step_are_settled_alike_on_both_sides_without_asking() -> None:
    """Two workers with one draft open: the clock and the step each saved are nobody's
    words. Found at 80x24: a notes clash came with a clock clash, 23 s against 6 s, to
    choose as if it mattered. The notes are still asked about."""
    base = {"id": "m1", "active_seconds": 600, "current_step": "opening", "steps": {"open": {"notes": "x"}}}
    a = {**base, "active_seconds": 754, "current_step": "support", "steps": {"open": {"notes": "x, A"}}}
    b = {**base, "active_seconds": 812, "current_step": "needs", "steps": {"open": {"notes": "x, B"}}}
    ab, ba = merged("meetings", base, a, b), merged("meetings", base, b, a)
    assert ab["doc"]["active_seconds"] == ba["doc"]["active_seconds"] == 812  # the longer time
    assert ab["doc"]["current_step"] == ba["doc"]["current_step"]  # either step, the same on both sides
    assert [c["path"] for c in ab["conflicts"]] == [c["path"] for c in ba["conflicts"]] == [["steps", "open", "notes"]]
    # Only there: another record's field of that name is somebody's and is asked about.
    assert sorted(c["path"] for c in merged("clients", base, a, b)["conflicts"]) == [
        ["active_seconds"], ["current_step"], ["steps", "open", "notes"]]


def test_two_texts_in_conflict_can_both_be_kept_this_one_first() -> None:
    """Notes two workers added to at once: "both" keeps every word, ours first, one
    after the other on its own line; only texts can be joined."""
    base = {"id": "m1", "steps": {"open": {"notes": "start"}}, "mood": 2}
    a = {"id": "m1", "steps": {"open": {"notes": "start, and A's words\n"}}, "mood": 3}
    b = {"id": "m1", "steps": {"open": {"notes": "start, and B's words"}}, "mood": 4}
    out = merged("meetings", base, a, b, them="Bea")
    texts, numbers = sorted(out["conflicts"], key=lambda c: c["path"] != ["steps", "open", "notes"])
    both = choose(out, texts["id"], take_other=False, both=True)
    assert both["doc"]["steps"]["open"]["notes"] == "start, and A's words\nstart, and B's words"
    assert [c["id"] for c in both["conflicts"]] == [numbers["id"]]
    with pytest.raises(CannotChoose, match="Only two texts"):
        choose(out, numbers["id"], take_other=False, both=True)
    emptied = choose(merged("meetings", base, {**a, "steps": {"open": {"notes": ""}}}, b), texts["id"], take_other=False, both=True)
    assert emptied["doc"]["steps"]["open"]["notes"] == "start, and B's words"  # no blank line for an emptied text
    with pytest.raises(CannotChoose, match="finalised meeting never changes"):
        final = {**out, "doc": {**out["doc"], "finalised_at": "2025-03-01T10:00:00"}}
        choose(final, texts["id"], take_other=False, both=True)


def test_a_row_edited_in_the_same_cell_is_a_conflict_at_that_row() -> None:
    row = {"id": "r1", "values": {"what": "call GP", "by": "Mon"}}
    base = {"id": "m1", "steps": {"s": {"lists": {"actions": [row]}}}}
    a = {"id": "m1", "steps": {"s": {"lists": {"actions": [{"id": "r1", "values": {"what": "call GP", "by": "Tue"}}]}}}}
    b = {"id": "m1", "steps": {"s": {"lists": {"actions": [{"id": "r1", "values": {"what": "call GP", "by": "Wed"}}]}}}}
    out = merged("meetings", base, a, b)
    [clash] = out["conflicts"]
    assert clash["path"] == ["steps", "s", "lists", "actions", {"id": "r1"}, "values", "by"]
    taken = choose(out, clash["id"], take_other=True)
    assert taken["doc"]["steps"]["s"]["lists"]["actions"][0]["values"]["by"] == "Wed"


def test_without_a_common_base_nothing_is_dropped() -> None:
    out = merged("clients", MISSING, {"id": "c", "note": "x", "code": "C-1"}, {"id": "c", "note": "y", "stage": 2})
    assert out["doc"] == {"id": "c", "note": "x", "code": "C-1", "stage": 2}
    assert [c["value"] for c in out["conflicts"]] == ["y"]


def test_an_edit_beats_a_deletion_and_the_deletion_is_noted() -> None:
    base = {"id": "c", "note": "x"}
    out = merged("clients", base, None, {"id": "c", "note": "changed"}, me="Ann")
    assert out["doc"] == {"id": "c", "note": "changed"}
    assert [(c["kind"], c["by"]) for c in out["conflicts"]] == [("deleted", "Ann")]
    assert choose(out, out["conflicts"][0]["id"], take_other=True)["doc"] is None
    assert merged("clients", base, None, base)["doc"] is None  # untouched there: the deletion travels
    assert merged("clients", base, base, None)["doc"] is None
    assert merged("clients", None, None, base) == content(base)  # new there


FINAL = {"id": "m", "client_id": "c", "finalised_at": "2025-03-01T10:00:00", "steps": {"s": {"notes": "signed"}}, "addenda": []}
DRAFT = {"id": "m", "client_id": "c", "finalised_at": None, "steps": {"s": {"notes": "draft"}}, "addenda": []}


def test_a_finalised_meeting_never_changes_a_draft_edit_is_kept_beside_it() -> None:
    edited = {**DRAFT, "steps": {"s": {"notes": "draft, edited later"}}}
    for here, there in ((FINAL, edited), (edited, FINAL)):
        out = merged("meetings", DRAFT, here, there)
        assert out["doc"] == FINAL
        [clash] = out["conflicts"]
        assert clash["kind"] == "finalised" and clash["value"] == edited
        with pytest.raises(CannotChoose, match="finalised meeting never changes"):
            choose(out, clash["id"], take_other=True)
    assert merged("meetings", DRAFT, DRAFT, FINAL) == content(FINAL)  # nothing changed here


def test_a_draft_only_looked_at_while_it_was_finalised_elsewhere_is_no_conflict() -> None:
    """Its clock went on and was saved: that was another version of the finalised meeting,
    a conflict for every member in the name of one who typed nothing."""
    looked = {**DRAFT, "active_seconds": 812, "current_step": "s2"}
    for here, there in ((FINAL, looked), (looked, FINAL)):
        assert merged("meetings", DRAFT, here, there) == content(FINAL)
    typed = {**looked, "steps": {"s": {"notes": "draft, and a word"}}}
    assert merged("meetings", DRAFT, FINAL, typed)["conflicts"][0]["kind"] == "finalised"  # a word is one


def test_finalised_twice_the_same_on_both_machines_and_addenda_from_both_kept() -> None:
    later = {**FINAL, "finalised_at": "2025-03-01T11:00:00", "steps": {"s": {"notes": "signed, other words"}}}
    one = merged("meetings", DRAFT, FINAL, later, me="Ann", them="Bea")  # Ann finalised first
    other = merged("meetings", DRAFT, later, FINAL, me="Bea", them="Ann")
    assert one == other and one["doc"] == FINAL and one["conflicts"][0]["value"] == later
    add_a = {**FINAL, "addenda": [{"text": "a", "by": "A", "at": "t1"}]}
    add_b = {**FINAL, "addenda": [{"text": "b", "by": "B", "at": "t2"}]}
    out = merged("meetings", FINAL, add_a, add_b)
    assert [a["text"] for a in out["doc"]["addenda"]] == ["a", "b"] and out["conflicts"] == []


def test_conflicts_merge_as_a_set_and_a_settled_one_stays_settled() -> None:
    base_doc = {"id": "c", "note": "n"}
    c1 = {"id": "aa", "kind": "field", "path": ["note"], "value": "other", "by": "B"}
    base = content(base_doc, [c1])
    settled = content(base_doc, [])
    untouched = content(base_doc, [c1])
    out = merge_record("clients", base, settled, untouched, me="A", them="B")
    assert out["conflicts"] == []


scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["", "a", "b", "long text"]))
docs = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), scalars, max_size=4)


@settings(max_examples=100, deadline=None)
@given(base=docs, here=docs, there=docs)
def test_every_change_is_kept_in_the_record_or_beside_it(base, here, there) -> None:
    out = merged("clients", base, here, there)
    doc, found = out["doc"], {tuple(c["path"]): c["value"] for c in out["conflicts"]}
    for key in set(here) | set(there):
        h, t, b = here.get(key, MISSING), there.get(key, MISSING), base.get(key, MISSING)
        if h != b and h is not MISSING:
            assert doc.get(key, MISSING) == h  # this side's change always stays in the record
        if t != b and t is not MISSING and t != h:
            assert doc.get(key, MISSING) == t or found.get((key,)) == t  # the other's: in it or beside it


@settings(max_examples=60, deadline=None)
@given(base=docs, here=docs)
def test_an_untouched_side_takes_the_other_whole(base, here) -> None:
    assert merged("clients", base, here, base)["doc"] == here
    assert merged("clients", base, base, here)["doc"] == here
    assert merge_values(base, here, here, [], []) == here
    assert empty(here)["doc"] == here


json_values = st.recursive(
    scalars | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(doc=st.none() | st.dictionaries(st.text(max_size=4), json_values, max_size=5), conflicts=st.lists(json_values, max_size=3))
def test_a_content_made_canonical_in_parts_is_its_canonical_form(doc, conflicts) -> None:
    """The pull writes the doc's part as the record and the whole as the state's body:
    both must be exactly what canon() makes of them (the hash compares them later)."""
    whole, part = canon_content({"doc": doc, "conflicts": conflicts})
    assert whole == canon({"doc": doc, "conflicts": conflicts}) and part == canon(doc)
    assert orjson.loads(whole) == {"doc": doc, "conflicts": conflicts}
    odd = {"doc": doc, "conflicts": conflicts, "more": 1}  # not a synced content: still canon()
    assert canon_content(odd) == (canon(odd), canon(doc))


def test_both_texts_of_a_one_line_field_stay_on_one_line_and_a_code_or_date_is_one_value() -> None:
    """Found at 80x24: "b" on a clash of client notes gave a note of two lines, which the
    one-line Edit form showed as "edited by Bedited by A"; on a clash of codes the DB's
    check refused the joined code, in words about control characters."""
    base = {"id": "c1", "code": "C-1", "note": "first", "handover": {"journey": "began"}}
    a = {**base, "code": "C-1a", "note": "edited by B", "handover": {"journey": "began\nA"}}
    b = {**base, "code": "C-1b", "note": "edited by A", "handover": {"journey": "began\nB"}}
    out = merged("clients", base, a, b)
    by_path = {tuple(c["path"]): c["id"] for c in out["conflicts"]}
    note = choose(out, by_path[("note",)], take_other=False, both=True)
    assert note["doc"]["note"] == "edited by B / edited by A"
    story = choose(out, by_path[("handover", "journey")], take_other=False, both=True)
    assert story["doc"]["handover"]["journey"] == "began\nA\nB"  # written at length: a line each, the shared one once
    with pytest.raises(CannotChoose, match="one code"):
        choose(out, by_path[("code",)], take_other=False, both=True)
    m_base = {"id": "m1", "steps": {"close": {"fields": {"next_meeting": "2026-12-01"}}}}
    m_a = {"id": "m1", "steps": {"close": {"fields": {"next_meeting": "2026-12-03"}}}}
    m_b = {"id": "m1", "steps": {"close": {"fields": {"next_meeting": "2026-12-08"}}}}
    dates = merged("meetings", m_base, m_a, m_b)
    with pytest.raises(CannotChoose, match="one day"):
        choose(dates, dates["conflicts"][0]["id"], take_other=False, both=True)


def both_notes(base: str, ours: str, theirs: str) -> str:
    """One step's notes written on two sides from `base`, then both texts kept ("b")."""
    out = merged("meetings", *({"id": "m1", "steps": {"open": {"notes": n}}} for n in (base, ours, theirs)))
    return choose(out, out["conflicts"][0]["id"], take_other=False, both=True)["doc"]["steps"]["open"]["notes"]


def test_both_notes_keep_what_both_started_from_once() -> None:
    """Found at 80x24: two workers each added a sentence to one draft's notes; "b" kept
    "A opens the meeting." twice, once before each worker's sentence."""
    start = "A opens the meeting. "
    assert both_notes(start, start + "B adds this.", start + "A adds more.") == start + "B adds this.\nA adds more."
    # Lines in common go once; a sentence changed in the middle is kept whole, both ways.
    joined = both_notes(start, "Housing.\nRent paid in May.", "Housing.\nRent paid in June.")
    assert joined == "Housing.\nRent paid in May.\nRent paid in June."


def test_notes_that_are_only_a_date_can_still_both_be_kept() -> None:
    assert both_notes("", "2026-12-01", "2026-12-03") == "2026-12-01\n2026-12-03"
