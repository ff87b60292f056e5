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
