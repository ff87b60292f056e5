"""Demo follow-through relative to the day the demo is written.

The demo's meetings are dated from a fixed base, so on their own every promise in them
would be long overdue by the time anyone looks. Each client's latest meeting (when it is
not in the future) therefore gets its new action items due a few days before, on, or
after today, a next-meeting date around today, and some clients an item ticked off on
their record. Same seed and same day give the same data; no random draw is taken here,
so the rest of the demo is unchanged.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..meetings.follow_through import layout
from ..content.meeting_guide import MeetingGuide
from ..meetings.models import Client, FollowUp, Meeting
from ..store.store import Store

# Days from today for the latest meeting's own action items, cycled per client.
DUE_OFFSETS = (-3, 0, 4, 0, 9, -1, 2, 14, 0, 6)
# Days from today for the next meeting date set at the latest meeting.
NEXT_OFFSETS = (-2, 0, 1, 3, 5, 7, 10, 14, 21, 4)


def relative_to_today(
    store: Store, meeting_guide: MeetingGuide, client: Client, meeting: Meeting, index: int, today: date | None = None
) -> None:
    """Shape a client's latest meeting before it is stored (a finalised one cannot change after)."""
    today = today or date.today()
    day = meeting.started.date()
    if day > today:
        return
    lay = layout(meeting_guide)
    ticked = False
    for step_id, list_id, done_col in lay.actions:
        rows = meeting.steps.get(step_id)
        rows = rows.lists.get(list_id, []) if rows else []
        own = [r for r in rows if r.origin == meeting.id and not r.values.get(done_col)]
        for n, row in enumerate(own):
            row.values["due"] = (today + timedelta(days=DUE_OFFSETS[(index + n) % len(DUE_OFFSETS)])).isoformat()
        carried = [r for r in rows if r.origin != meeting.id and not r.values.get(done_col)]
        if carried and index % 4 == 1:
            client.followups[carried[0].id] = FollowUp(done_on=max(day, today - timedelta(days=1)))
            ticked = True
    if lay.next_meeting is not None:
        step_id, field_id = lay.next_meeting
        record = meeting.steps.get(step_id)
        if record is not None and record.fields.get(field_id):
            on = today + timedelta(days=NEXT_OFFSETS[index % len(NEXT_OFFSETS)])
            record.fields[field_id] = (on if on > day else day + timedelta(days=7)).isoformat()
    if ticked:
        store.put_client(client)
