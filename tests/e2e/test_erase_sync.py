"""An erasure travels to the team as deletions at the next sync (issue 14, point 6), and the
local sync state keeps no word of the erased client."""

from __future__ import annotations

from cope_tui.meetings.models import Client, Meeting, MeetingKind
from cope_tui.sync.body import opened
from helpers.erasure import holding_anywhere
from helpers.sync import members, remote, team_key  # noqa: F401  (fixtures)

MARK = "AVOCET-MARKER-6620"


def test_an_erased_client_is_deleted_for_the_team_at_the_next_sync(members, tmp_path) -> None:
    ann, bob = members("Ann"), members("Bob")
    gone = Client(code="GONE-1", note=f"note {MARK}")
    ann.store.put_client(gone)
    meeting = Meeting(client_id=gone.id, kind=MeetingKind.FIRST)
    meeting.step("opening").notes = f"said {MARK}"
    ann.store.put_meeting(meeting)
    ann.store.put_client(Client(code="KEPT-2"))
    ann.engine.sync()
    bob.engine.sync()
    assert bob.store.client(gone.id) is not None and bob.store.meeting(meeting.id) is not None
    path = ann.store.path
    ann.close()  # the erase command holds the DB alone

    from cope_tui.store.store import Store

    store = Store(path)
    store.erase_client(gone.id, by="Ann")
    store.close()
    assert [p for p in holding_anywhere([tmp_path], MARK) if p.startswith(str(path))] == []

    ann = members("Ann")
    report = ann.engine.sync()
    assert report.sent >= 2  # the client's deletion and their meeting's
    bob.engine.sync()
    assert bob.store.client(gone.id) is None and bob.store.meeting(meeting.id) is None
    assert [c.code for c in bob.store.clients()] == ["KEPT-2"]
    ann.close()
    assert [p for p in holding_anywhere([tmp_path], MARK) if p.startswith(str(path))] == []


def test_the_sync_state_keeps_an_erased_records_revision_and_nothing_of_its_content(members) -> None:
    import orjson

    from cope_tui.store.store import Store

    ann = members("Ann")
    gone = Client(code="GONE-1", note=f"note {MARK}")
    ann.store.put_client(gone)
    ann.engine.sync()
    path = ann.store.path
    ann.close()
    store = Store(path)
    store.erase_client(gone.id, by="Ann")
    store.close()
    state = orjson.loads(path.with_name(path.name + ".sync").read_bytes())
    (rec,) = [r for r in state["records"].values() if r["id"] == gone.id]
    assert rec["rev"] and opened(rec["body"]) == {"doc": None, "conflicts": []} and rec["older"] == []
    assert "GONE-1" not in orjson.dumps(rec).decode() and rec["hash"] == "erased"


def erased_offline(members, ann, client_id: str):
    """Ann erases the client with the erase command (it holds the DB alone), then opens
    her DB and engine again, not synced since."""
    from cope_tui.store.store import Store

    path = ann.store.path
    ann.close()
    store = Store(path)
    store.erase_client(client_id, by="Ann")
    store.close()
    return members("Ann")



def finalised_for_both(ann, bob):
    """(client, meeting): Ann's client GONE-1 and its finalised meeting with the marker,
    synced to Bob."""
    from cope_tui.meetings.rules import finalise

    gone = Client(code="GONE-1", note="first note")
    ann.store.put_client(gone)
    meeting = Meeting(client_id=gone.id, kind=MeetingKind.FIRST)
    meeting.step("opening").notes = f"said {MARK}"
    finalise(meeting, "Ann")
    ann.store.put_meeting(meeting)
    ann.engine.sync()
    bob.engine.sync()
    return gone, meeting

def orjson_lines(path):
    import orjson

    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_an_erasure_goes_for_every_member_even_over_a_finalised_meeting_or_an_edit(members, tmp_path) -> None:
    """A member's DB never lets a finalised meeting change, and kept its edits beside a
    deletion: so after an erasure Bob's DB kept the finalised meeting, sent it back as the
    team's version, and Ann's next sync brought the erased meeting back into her DB. An
    erasure is sealed as one, and every member's DB takes it."""
    from cope_tui.store.doctor import diagnose

    ann, bob = members("Ann"), members("Bob")
    gone, meeting = finalised_for_both(ann, bob)
    assert bob.store.meeting(meeting.id).finalised
    edited = bob.store.client(gone.id)
    edited.note = f"Bob's edit {MARK}"  # made while Ann erases, synced after
    bob.store.put_client(edited)

    path = ann.store.path
    ann = erased_offline(members, ann, gone.id)
    ann.engine.sync()
    report = bob.engine.sync()
    assert report.conflicts == []
    assert bob.store.client(gone.id) is None and bob.store.meeting(meeting.id) is None
    report = ann.engine.sync()
    assert ann.store.client(gone.id) is None and ann.store.meeting(meeting.id) is None
    assert report.received == 0 and report.conflicts == []
    bob_path = bob.store.path
    bob.close()
    # Bob's DB and sync state keep no word of it (his backups are his: see the README), and
    # his doctor knows the finalised meeting left by an erasure.
    files = [p for p in holding_anywhere([tmp_path], MARK) if p.startswith(str(bob_path)) and ".backups" not in p]
    assert files == []
    assert diagnose(bob_path).healthy
    entry = orjson_lines(bob_path.with_name(bob_path.name + ".audit"))[-1]
    assert entry["kind"] == "erase" and entry["meetings"] == [meeting.id] and entry["by"] == "Ann" and entry["via"] == "sync"
    ann.close()
    assert [p for p in holding_anywhere([tmp_path], MARK) if p.startswith(str(path))] == []


def test_an_edit_that_crosses_an_erasure_does_not_bring_the_record_back(members) -> None:
    """Cy edits the client and syncs while Ann, offline, erases them: Ann's next sync pulls
    Cy's edit before it pushes the erasure. Merged as an ordinary change against a deletion,
    it put the record back in Ann's DB."""
    ann, cy = members("Ann"), members("Cy")
    gone = Client(code="GONE-1", note="first note")
    ann.store.put_client(gone)
    ann.engine.sync()
    cy.engine.sync()
    edited = cy.store.client(gone.id)
    edited.note = f"Cy's edit {MARK}"
    cy.store.put_client(edited)
    cy.engine.sync()

    path = ann.store.path
    ann = erased_offline(members, ann, gone.id)
    report = ann.engine.sync()
    assert ann.store.client(gone.id) is None and report.conflicts == []
    cy.engine.sync()
    assert cy.store.client(gone.id) is None
    report = ann.engine.sync()
    assert ann.store.client(gone.id) is None and report.received == 0
    ann.close()
    assert [p for p in holding_anywhere([path.parent], MARK) if p.startswith(str(path))] == []


def test_a_finalised_meeting_still_on_a_screen_does_not_come_back_after_an_erasure(members) -> None:
    """Bob has the finalised meeting open while Ann's erasure reaches his DB; then he adds
    an addendum there, which saves the meeting his screen holds. That save put the erased
    meeting back in his DB and sent it to the team as a new version after the erasure: a
    member who joined later pulled it."""
    from cope_tui.meetings.rules import add_addendum
    from cope_tui.records import dump
    from cope_tui.store.audit import entry_writer
    from cope_tui.store.doctor import diagnose

    ann, bob = members("Ann"), members("Bob")
    gone, meeting = finalised_for_both(ann, bob)
    on_screen = bob.store.meeting(meeting.id)  # Bob's meeting screen holds this copy

    ann = erased_offline(members, ann, gone.id)
    ann.engine.sync()
    bob.engine.sync()
    assert bob.store.meeting(meeting.id) is None
    addendum = add_addendum(on_screen, f"late word {MARK}", "Bob")
    bob.store.put_meeting(on_screen)  # as the screen's save does, then its audit entry
    entry_writer(bob.store, dump(on_screen), dump(addendum))[1]()
    bob.engine.sync()
    assert bob.store.meeting(meeting.id) is None
    cy = members("Cy")
    cy.engine.sync()
    assert cy.store.meeting(meeting.id) is None and cy.store.client(gone.id) is None
    ann.engine.sync()
    assert ann.store.meeting(meeting.id) is None
    bob_path = bob.store.path
    bob.close()
    assert diagnose(bob_path).healthy  # the addendum's entry, then the erasure's own
    assert [p for p in holding_anywhere([bob_path.parent], MARK) if p.startswith(str(bob_path)) and ".backups" not in p] == []
