"""A stored meeting whose `started` key lost a bit (`rtarted`) passed the record check,
because the model gives a new meeting today's time; the export then failed on it. A stored
record always spells out these keys, so one missing is damage, named like any other."""

from __future__ import annotations

from cope_tui.meetings.models import Meeting
from cope_tui.store.record_check import record_problem


def test_a_meeting_without_its_start_is_damage():
    doc = Meeting(client_id="c1", kind="first").model_dump(mode="json")
    assert record_problem("meetings", doc["id"], doc) is None
    doc["rtarted"] = doc.pop("started")
    assert record_problem("meetings", doc["id"], doc) == "started: missing"
