"""The demo tells one consistent story: notes that speak of a deferral have one, the handover's
counts match the record, and the method's newer parts (supervision points, reflection, what
quality means, who was interviewed, outside help, the next exercise) all appear."""

from __future__ import annotations

import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.cope.exercise import INTERVIEWEES, solved_share
from cope_tui.demo.exercise import write_demo_exercise
from cope_tui.demo.phrases import DEFERRAL_NOTE
from cope_tui.demo.writer import write_demo
from cope_tui.export.exercise import exercise_markdown
from cope_tui.store.store import Store

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


@pytest.fixture(params=[1, 2, 5])
def demo(tmp_path, request):
    store = Store(tmp_path / "demo.json")
    write_demo(store, load_meeting_guide(), clients=10, meetings=50, seed=request.param)
    yield store
    store.close()


def _deferred(meeting) -> list:
    return [r for r in meeting.peek_rows("boundaries", "boundaries") if r.values.get("decision") == "deferred"]


def test_a_note_that_speaks_of_a_deferral_has_one(demo):
    spoke = 0
    for meeting in demo.meetings():
        notes = " ".join(step.notes for step in meeting.steps.values())
        deferred = _deferred(meeting)
        if DEFERRAL_NOTE in notes:
            spoke += 1
            assert deferred and all(r.values.get("reason") for r in deferred), meeting.id
        if deferred and meeting.peek("boundaries").notes:
            assert DEFERRAL_NOTE in meeting.peek("boundaries").notes  # and one that has it says so
    assert spoke  # the story does include a deferral


def test_the_handover_counts_match_the_record(demo):
    closed = [c for c in demo.clients() if c.closed]
    assert closed
    for client in closed:
        meetings = demo.meetings(client.id)
        journey = client.handover.journey
        assert f"{len(meetings)} meetings" in journey
        goals = len(client.goals)
        if goals:
            assert f"{NUMBER_WORDS.get(goals, goals)} goal{'s' if goals != 1 else ''}" in journey
            reached = sum(1 for g in client.goals if g.achieved)
            assert f"({reached} of them reached)" in journey
        else:
            assert "no goals were set" in journey
        assert client.handover.reflection.strip()


def test_the_demo_meetings_hold_points_for_supervision(demo):
    points = [m.peek("outcomes").fields.get("supervision") for m in demo.meetings()]
    assert any(points) and not all(points)  # now and then, as in real work


def test_the_demo_exercises_show_the_method(tmp_path):
    store = Store(tmp_path / "ex.json")
    try:
        counts = write_demo_exercise(store, seed=1)
        first, follow = store.exercise(counts["first"]), store.exercise(counts["follow_up"])
        assert first.quality.strip() and follow.quality.strip()
        assert {i.interviewee for i in first.interviews} == set(INTERVIEWEES)
        assert first.next_exercise == follow.start  # the committee set the date it was held
        assert follow.next_exercise is not None and follow.next_exercise > follow.start
        assert any(p.outside_help for p in first.problems)
        # The dropped problem was passed to the district office: it needed outside help.
        assert all(p.outside_help for p in first.problems if p.status == "dropped")
        share = solved_share(first, follow)
        assert share[False][1] and share[True][1]
        text = exercise_markdown(store, follow)
        assert "Needing outside help:" in text and follow.quality.split()[0] in text
    finally:
        store.close()


def test_no_stage_reason_counts_goals_the_record_does_not_have(demo):
    import re

    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
    for client in demo.clients():
        for change in client.stage_history:
            for said in re.findall(r"\b(one|two|three|four|five|\d+) goals?\b", change.reason.lower()):
                assert words.get(said, said) == len(client.goals), (client.code, change.reason)
