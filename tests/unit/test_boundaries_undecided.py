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


def test_a_reviews_summary_shows_the_areas_it_carried_under_its_opening_not_as_a_pending_step(store, guide) -> None:
    """A review meeting has no Boundaries step: the areas deferred at the first meeting come
    back in its opening. Its summary listed them last, as "Boundaries — pending", a step
    the review does not have, though the area had been agreed there."""
    from cope_tui.export.documents import meeting_markdown
    from cope_tui.meetings.rules import finalise

    client = create_client(store, "C-3")
    first = start_meeting(store, guide, client)
    spec = guide.step("boundaries").list_spec("boundaries")
    rows = first.rows("boundaries", "boundaries")
    for row in rows:
        row.values.update(clean_values(spec, {**row.values, "discussed": True, "decision": "agreed"}))
    rows[-1].values.update(clean_values(spec, {**rows[-1].values, "decision": "deferred", "reason": "Later"}))
    finalise(first, "worker")
    store.put_meeting(first)
    review = start_meeting(store, guide, client)
    (held,) = review.rows("boundaries", "boundaries")
    held.values.update(clean_values(spec, {**held.values, "decision": "agreed"}))
    store.put_meeting(review)
    text = meeting_markdown(guide, store, review)
    assert "Boundaries — pending" not in text and "Boundaries — areas carried from earlier meetings" in text
    heads = [line for line in text.splitlines() if line.startswith("## ")]
    carried = heads.index("## Boundaries — areas carried from earlier meetings")
    assert heads[:carried] in ([], [h for h in heads if h.startswith("## Opening")]), heads  # where the app shows them
