"""The demo carries lists into the next meeting with the meetings' own code (issue 12,
point 4): its own copy had drifted and carried a ticked-off action item in as still open."""

from __future__ import annotations

from datetime import date, datetime

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import MeetingWriter
from cope_tui.meetings import follow_through
from cope_tui.meetings.models import Client, Meeting, Row
from cope_tui.meetings.rules import new_meeting

MEETING_GUIDE = load_meeting_guide()
SEED = 1  # a seed whose review meeting does not mark carried actions done itself


def _last_meeting(client: Client) -> tuple[Meeting, Row, Row]:
    """A finished first meeting with two open action items."""
    meeting = new_meeting(MEETING_GUIDE, client, None)
    step_id, list_id, _done = follow_through.layout(MEETING_GUIDE).actions[0]
    kept = Row(values={"who": "client", "what": "call the landlord", "done": False}, origin=meeting.id)
    ticked = Row(values={"who": "worker", "what": "send the form", "done": False}, origin=meeting.id)
    meeting.rows(step_id, list_id).extend([kept, ticked])
    return meeting, kept, ticked


def _carried(meeting: Meeting) -> dict[str, dict]:
    step_id, list_id, _done = follow_through.layout(MEETING_GUIDE).actions[0]
    return {row.id: dict(row.values) for row in meeting.peek_rows(step_id, list_id)}


def test_the_demo_carries_a_ticked_action_in_as_done_like_a_real_meeting():
    client = Client(code="C-1")
    last, kept, ticked = _last_meeting(client)
    follow_through.tick(client, ticked.id, on=date.today())

    real = new_meeting(MEETING_GUIDE, client, last)
    demo = MeetingWriter(None, MEETING_GUIDE, SEED).meeting(client, last, datetime(2026, 3, 2, 10, 0), date(2026, 3, 16), unfinished=True)

    assert _carried(real)[ticked.id]["done"] is True
    assert _carried(demo)[ticked.id]["done"] is True  # the old copy left it open
    assert _carried(demo)[kept.id]["what"] == "call the landlord"
