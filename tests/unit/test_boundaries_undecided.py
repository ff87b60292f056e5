"""Issue 12, point 10: an area marked discussed but not decided keeps Boundaries open.

The meeting guide (content/meeting.toml) says the step "is done once every area is
agreed, or deferred with a reason"; its checklist has a `discussed` tick and a
`decision`. Only the decision counts: a tick means the area was talked about, not that
anything was agreed. No test had an area ticked discussed and left undecided, so
counting the tick as a decision passed unnoticed.
"""

from __future__ import annotations

import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.meetings.models import StepState
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import MeetingError, clean_values, set_step_state, undecided
from cope_tui.store.store import Store


@pytest.fixture
def guide():
    return load_meeting_guide()


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "cope.json")
    yield store
    store.close()


def test_the_boundaries_checklist_has_a_tick_and_a_separate_decision(guide) -> None:
    spec = guide.step("boundaries").list_spec("boundaries")
    assert guide.step("boundaries").done_rule == "all_decided"
    assert (spec.toggle, spec.decision) == ("discussed", "decision")


def test_an_area_discussed_but_undecided_is_named_and_keeps_the_step_open(store, guide) -> None:
    meeting = start_meeting(store, guide, create_client(store, "C-1"))
    step = guide.step("boundaries")
    spec = step.list_spec("boundaries")
    rows = meeting.rows("boundaries", "boundaries")
    for row in rows[:-1]:
        row.values.update(clean_values(spec, {**row.values, "discussed": True, "decision": "agreed"}))
    last = rows[-1]
    last.values.update(clean_values(spec, {**last.values, "discussed": True}))
    assert last.values["discussed"] is True and not last.values.get("decision")

    assert undecided(step, meeting) == [last.values["area"]]
    with pytest.raises(MeetingError, match="1 item"):
        set_step_state(guide, meeting, "boundaries", StepState.DONE)
    assert meeting.step("boundaries").state is not StepState.DONE

    last.values.update(clean_values(spec, {**last.values, "decision": "deferred", "reason": "Wants time to think"}))
    assert undecided(step, meeting) == []
    set_step_state(guide, meeting, "boundaries", StepState.DONE)
    assert meeting.step("boundaries").state is StepState.DONE


def test_every_area_discussed_and_none_decided_names_all_seven(store, guide) -> None:
    meeting = start_meeting(store, guide, create_client(store, "C-2"))
    step = guide.step("boundaries")
    spec = step.list_spec("boundaries")
    for row in meeting.rows("boundaries", "boundaries"):
        row.values.update(clean_values(spec, {**row.values, "discussed": True}))
    assert len(undecided(step, meeting)) == 7
    with pytest.raises(MeetingError, match="7 item"):
        set_step_state(guide, meeting, "boundaries", StepState.DONE)
