"""Issue 13, point 5: the boundaries refusal named the first open area cut mid-word
("...who decides what, who an"); it names the area whole, with the count's plural right."""

from __future__ import annotations

import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.meetings.models import StepState
from cope_tui.meetings.rules import MeetingError, set_step_state
from cope_tui.session import create_client, start_meeting
from cope_tui.store.store import Store


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "cope.json")
    yield store
    store.close()


def _refusal(guide, meeting) -> str:
    with pytest.raises(MeetingError) as refused:
        set_step_state(guide, meeting, "boundaries", StepState.DONE)
    return str(refused.value)


def test_the_first_open_area_is_named_whole(store) -> None:
    guide = load_meeting_guide()
    meeting = start_meeting(store, guide, create_client(store, "C-1"))
    rows = meeting.rows("boundaries", "boundaries")
    first = str(rows[0].values["area"])
    assert len(first) > 60  # the longest area, the one that was cut
    message = _refusal(guide, meeting)
    assert first in message
    assert f"{len(rows)} items still need a decision" in message


def test_one_open_area_is_counted_in_the_singular(store) -> None:
    guide = load_meeting_guide()
    meeting = start_meeting(store, guide, create_client(store, "C-1"))
    rows = meeting.rows("boundaries", "boundaries")
    for row in rows[:-1]:
        row.values["decision"] = "agreed"
    message = _refusal(guide, meeting)
    assert "1 item still needs a decision" in message and str(rows[-1].values["area"]) in message
