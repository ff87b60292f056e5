"""Meeting rules: first vs review, carry-forward, decisions, finalising, dates, codes."""

from __future__ import annotations

from datetime import date

import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import MeetingError, add_addendum, clean_values, finalise, new_row, open_actions, set_step_state, steps_of, undecided
from cope_tui.meetings.models import MeetingKind, StepState
from cope_tui.records import parse_date
from cope_tui.store.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "db.json")
    yield s
    s.close()


@pytest.fixture
def guide():
    return load_meeting_guide()


def test_first_meeting_then_reviews(store, guide):
    client = create_client(store, "C-1")
    first = start_meeting(store, guide, client)
    second = start_meeting(store, guide, client)
    assert first.kind is MeetingKind.FIRST and second.kind is MeetingKind.REVIEW
    assert "boundaries" in [s.id for s in steps_of(guide, first)]
    assert "boundaries" not in [s.id for s in steps_of(guide, second)]
    assert len(first.rows("boundaries", "boundaries")) == 7
    assert first.current_step == "opening"


def test_client_lists_carry_forward_with_their_dates(store, guide):
    client = create_client(store, "C-1")
    first = start_meeting(store, guide, client)
    strengths = guide.step("strengths").list_spec("strengths")
    actions = guide.step("outcomes").list_spec("actions")
    agenda = guide.step("opening").list_spec("agenda")
    first.rows("strengths", "strengths").append(new_row(first, strengths, {"strength": "keeps going"}))
    first.rows("outcomes", "actions").append(new_row(first, actions, {"who": "client", "what": "call clinic", "done": False}))
    first.rows("outcomes", "actions").append(new_row(first, actions, {"who": "worker", "what": "send form", "done": True}))
    first.rows("opening", "agenda").append(new_row(first, agenda, {"item": "housing"}))
    store.put_meeting(first)
    second = start_meeting(store, guide, client)
    carried = second.rows("strengths", "strengths")
    assert [r.values["strength"] for r in carried] == ["keeps going"]
    assert carried[0].origin == first.id and carried[0].added == date.today()
    assert [r.values["what"] for r in second.rows("outcomes", "actions")] == ["call clinic"]
    assert second.rows("opening", "agenda") == []
    assert [row.values["what"] for _, row in open_actions(guide, second)] == ["call clinic"]
    carried[0].values["strength"] = "edited later"
    assert store.meeting(first.id).rows("strengths", "strengths")[0].values["strength"] == "keeps going"


def test_boundaries_need_a_decision_on_every_area(store, guide):
    meeting = start_meeting(store, guide, create_client(store, "C-1"))
    step = guide.step("boundaries")
    spec = step.list_spec("boundaries")
    with pytest.raises(MeetingError, match="7 item"):
        set_step_state(guide, meeting, "boundaries", StepState.DONE)
    with pytest.raises(MeetingError, match="Reason"):
        clean_values(spec, {"decision": "deferred", "reason": ""})
    for row in meeting.rows("boundaries", "boundaries"):
        row.values.update(clean_values(spec, {**row.values, "decision": "agreed"}))
    assert undecided(step, meeting) == []
    set_step_state(guide, meeting, "boundaries", StepState.DONE)
    assert meeting.step("boundaries").state is StepState.DONE


def test_values_are_checked_with_messages(guide):
    actions = guide.step("outcomes").list_spec("actions")
    with pytest.raises(MeetingError, match="is needed"):
        clean_values(actions, {"who": "", "what": "x"})
    with pytest.raises(MeetingError, match="not a date"):
        clean_values(actions, {"who": "a", "what": "x", "due": "31/02/2026"})
    ok = clean_values(actions, {"who": "a", "what": "x", "due": "2026-03-01"})
    assert ok["due"] == "2026-03-01" and ok["done"] is False
    agenda = guide.step("opening").list_spec("agenda")
    with pytest.raises(MeetingError, match="whole number"):
        clean_values(agenda, {"item": "a", "minutes": "ten"})


def test_parse_date_forms():
    today = date(2026, 11, 24)
    assert parse_date("2026-12-01", today=today) == date(2026, 12, 1)
    assert parse_date("today", today=today) == today
    assert parse_date("tomorrow", today=today) == date(2026, 11, 25)
    assert parse_date("+7", today=today) == date(2026, 12, 1)
    assert parse_date("+2w", today=today) == date(2026, 12, 8)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("next tuesday", today=today)


def test_finalise_and_addenda(store, guide):
    meeting = start_meeting(store, guide, create_client(store, "C-1"))
    with pytest.raises(MeetingError):
        add_addendum(meeting, "too early", "me")
    with pytest.raises(MeetingError, match="who"):
        finalise(meeting, "  ")
    finalise(meeting, "worker-1")
    assert meeting.finalised and meeting.finalised_by == "worker-1"
    with pytest.raises(MeetingError, match="read-only"):
        set_step_state(guide, meeting, "opening", StepState.DONE)
    add_addendum(meeting, "date of birth corrected", "worker-1")
    store.put_meeting(meeting)
    assert store.meeting(meeting.id).addenda[0].text == "date of birth corrected"


def test_client_codes_are_checked(store):
    create_client(store, "C-1")
    with pytest.raises(ValueError, match="empty"):
        create_client(store, "   ")
    with pytest.raises(ValueError, match="already exists"):
        create_client(store, "c-1")
    with pytest.raises(ValueError, match="control"):
        create_client(store, "bad\x1bcode")
