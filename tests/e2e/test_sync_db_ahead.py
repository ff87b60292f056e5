"""A pull cut off after the DB took a batch and before the sync state said so, while the
team moved on (issue 15, point 5: a sync cut off at any moment resumes and loses
nothing).

Found by CI's kill -9 loop (seed 3079733186, once in many runs): a member's notes ended
without the last line typed elsewhere, that line kept only as a conflict. The DB held
revision X of a meeting, its state still the revision before; meanwhile the author
pushed a child of X. The next sync merged X (taken for a local edit) with the child against
the older base, and the notes clashed."""

from __future__ import annotations

import pytest

from cope_tui.meetings.models import Client, Meeting, MeetingKind
from cope_tui.sync.engine import SyncEngine
from cope_tui.sync.state import SyncState
from helpers.sync import members, remote, team_key  # noqa: F401  (fixtures)


def draft_with_a_line(ann) -> Meeting:
    """Ann's draft meeting, its opening notes "[line 0]", on the server."""
    client = Client(code="C-1")
    ann.store.put_client(client)
    meeting = Meeting(client_id=client.id, kind=MeetingKind.FIRST)
    meeting.step("opening").notes = "[line 0]"
    ann.store.put_meeting(meeting)
    ann.engine.sync()
    return meeting


def killed_at_the_state_step(member, meeting_id: str, team_key, monkeypatch) -> None:
    """The member's sync is killed as its state is about to record the meeting (the DB or
    the server has it by then); the next sync is a new engine, as in a new process."""
    real_commit = SyncState.commit

    def cut_off(self, records=None, meta=None, **kw):
        if records and any(rec and rec.get("id") == meeting_id for rec in records.values()):
            raise OSError(5, "Input/output error")
        return real_commit(self, records, meta, **kw)

    monkeypatch.setattr(SyncState, "commit", cut_off)
    with pytest.raises(OSError):
        member.engine.sync()
    monkeypatch.setattr(SyncState, "commit", real_commit)
    member.engine.close()
    member.engine = SyncEngine(member.store, member.couch, team_key, member.name)


def notes_and_conflicts(member, meeting_id: str) -> tuple[str, list]:
    return member.store.meeting(meeting_id).peek("opening").notes, member.engine.conflicts()


def test_a_pull_cut_off_before_its_state_step_takes_the_teams_next_version_whole(members, team_key, monkeypatch) -> None:
    ann, bea = members("Ann"), members("Bea")
    meeting = draft_with_a_line(ann)
    bea.engine.sync()
    ann.writes(meeting.id, "opening", "[line 0] [line 1]")  # revision X
    killed_at_the_state_step(bea, meeting.id, team_key, monkeypatch)
    assert bea.store.meeting(meeting.id).peek("opening").notes == "[line 0] [line 1]"  # the DB took X

    ann.writes(meeting.id, "opening", "[line 0] [line 1] [line 2]")  # a child of X
    bea.engine.sync()
    assert notes_and_conflicts(bea, meeting.id) == ("[line 0] [line 1] [line 2]", [])
    ann.engine.sync()
    assert notes_and_conflicts(ann, meeting.id) == ("[line 0] [line 1] [line 2]", [])


def test_a_push_cut_off_before_its_state_step_and_more_typed_is_no_conflict(members, team_key, monkeypatch) -> None:
    """The same cut on the way out: the server took this DB's version, the state never
    said so, and more was typed before the next sync. That version came back as if from
    a teammate and sat beside the record as a conflict "by" its own author."""
    ann, bea = members("Ann"), members("Bea")
    meeting = draft_with_a_line(ann)
    ann.writes_only(meeting.id, "opening", "[line 0] [line 1]")
    killed_at_the_state_step(ann, meeting.id, team_key, monkeypatch)
    ann.writes_only(meeting.id, "opening", "[line 0] [line 1] [line 2]")
    ann.engine.sync()
    assert notes_and_conflicts(ann, meeting.id) == ("[line 0] [line 1] [line 2]", [])
    bea.engine.sync()
    assert notes_and_conflicts(bea, meeting.id) == ("[line 0] [line 1] [line 2]", [])
