"""A mistake can be undone (issue 13, point 11): a client added by mistake (no finalised
meeting) is deleted, and a draft meeting discarded, each after a confirmation that names
it; the audit log records who, when, what kind and the ids, never any content."""

from __future__ import annotations

import orjson
import pytest

from cope_tui.app import create_app
from cope_tui.dialogs.confirm import Confirm
from cope_tui.meetings.rules import finalise
from cope_tui.screens.client import ClientScreen
from cope_tui.session import Session, create_client, start_meeting
from cope_tui.settings import Settings
from cope_tui.store import audit
from cope_tui.store.store import Store
from helpers.polling import until
from helpers.pilot import showing

SIZE = (80, 24)
SECRET = "zebra-note-4711"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def _seed(db, *, signed: bool = False) -> tuple[str, str]:
    session = Session.open(db, lazy=False)
    client = create_client(session.store, "C-0042", note=f"Mistyped {SECRET}")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    meeting.step("opening").notes = f"Said {SECRET}"
    if signed:
        finalise(meeting, "worker")
    session.store.put_meeting_doc(meeting.id, orjson.loads(orjson.dumps(meeting.model_dump(mode="json"))))
    session.close()
    return client.id, meeting.id


def _log(db) -> list[dict]:
    path = audit.log_path(db)
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


def _stored(db):
    store = Store(db, read_only=True)
    try:
        return store.client_by_code("C-0042"), store.raw_meetings()
    finally:
        store.close()


async def _home(pilot, app) -> None:
    await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "client-table", what="the list, focused")


def _confirm_text(app) -> str:
    return str(app.screen.query_one("#confirm-message").render())


async def _asked_to_delete(pilot, app) -> None:
    """On the list: delete pressed on the client, the question shown."""
    await _home(pilot, app)
    await pilot.press("delete")
    await until(pilot, lambda: showing(app, Confirm), what="the confirmation")


async def test_delete_on_the_list_deletes_a_client_added_by_mistake(db):
    client_id, meeting_id = _seed(db)
    session = Session.open(db)
    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await _asked_to_delete(pilot, app)
        assert "C-0042" in _confirm_text(app) and "1 draft meeting" in _confirm_text(app)
        await pilot.press("y")
        await until(pilot, lambda: not app.screen.query_one("#client-table").row_count, what="the list without it")
    session.close()
    client, meetings = _stored(db)
    assert client is None and meetings == []
    (entry,) = [e for e in _log(db) if e["kind"] == "delete-client"]
    assert entry["client_id"] == client_id and entry["meeting_ids"] == [meeting_id] and entry["by"] and entry["at"]
    assert SECRET.encode() not in audit.log_path(db).read_bytes() and b"C-0042" not in audit.log_path(db).read_bytes()


async def test_no_at_the_confirmation_keeps_the_client(db):
    _seed(db)
    session = Session.open(db)
    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await _asked_to_delete(pilot, app)
        await pilot.press("n")
        await pilot.pause()
    session.close()
    client, meetings = _stored(db)
    assert client is not None and len(meetings) == 1
    assert not [e for e in _log(db) if e["kind"] == "delete-client"]


async def test_a_client_with_a_finalised_meeting_is_not_deleted(db):
    _seed(db, signed=True)
    session = Session.open(db)
    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await _home(pilot, app)
        await pilot.press("delete")
        await until(pilot, lambda: any("finalised" in n.message for n in app._notifications), what="the refusal")
        assert not isinstance(app.screen, Confirm)
    session.close()
    client, meetings = _stored(db)
    assert client is not None and len(meetings) == 1


async def _asked_to_discard(pilot, app) -> None:
    """From the list: the client opened, x pressed on their draft, the question shown."""
    await _home(pilot, app)
    await pilot.press("enter")
    await until(pilot, lambda: showing(app, ClientScreen), what="the client screen")
    await pilot.press("x")
    await until(pilot, lambda: showing(app, Confirm), what="the confirmation")


async def test_x_on_the_client_screen_discards_a_draft_meeting(db):
    client_id, meeting_id = _seed(db)
    session = Session.open(db)
    app = create_app(session, settings=Settings(), meet_code=None)
    async with app.run_test(size=SIZE) as pilot:
        await _asked_to_discard(pilot, app)
        text = _confirm_text(app)
        assert "C-0042" in text and "draft" in text
        await pilot.press("y")
        await until(pilot, lambda: showing(app, ClientScreen) and not app.screen.query_one("#meeting-table").row_count,
                    what="the meeting gone from the list")
    session.close()
    client, meetings = _stored(db)
    assert client is not None and meetings == []
    (entry,) = [e for e in _log(db) if e["kind"] == "discard-meeting"]
    assert (entry["meeting_id"], entry["client_id"]) == (meeting_id, client_id) and entry["by"]
    assert SECRET.encode() not in audit.log_path(db).read_bytes()


@pytest.mark.parametrize("meanwhile", ["finalised elsewhere", "a new meeting arrives"])
async def test_a_sync_changing_the_client_while_asked_deletes_nothing(db, meanwhile):
    """The yes was to "C-0042 and its 1 draft meeting". A team sync while the question
    is open finalises that draft (a signed record: deleting it raised out of the dialog's
    answer, and the app stopped) or brings a teammate's meeting (deleted unseen)."""
    client_id, meeting_id = _seed(db)
    session = Session.open(db)
    app = create_app(session, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await _asked_to_delete(pilot, app)
        store = session.store
        if meanwhile == "finalised elsewhere":
            draft = store.meeting(meeting_id)
            finalise(draft, "teammate")
            store.put_meeting_doc(meeting_id, orjson.loads(orjson.dumps(draft.model_dump(mode="json"))))
        else:
            start_meeting(store, session.meeting_guide, store.client(client_id))
        await pilot.press("y")
        await until(pilot, lambda: any("nothing was deleted" in n.message or "never deleted" in n.message
                                       for n in app._notifications), what="the refusal")
        assert app.is_running and app.screen.query_one("#client-table").row_count == 1
    session.close()
    client, meetings = _stored(db)
    assert client is not None and len(meetings) == (1 if meanwhile == "finalised elsewhere" else 2)
    assert not [e for e in _log(db) if e["kind"] == "delete-client"]


@pytest.mark.parametrize("meanwhile", ["finalised elsewhere", "typed into elsewhere"])
async def test_a_draft_changed_by_a_sync_while_asked_is_not_discarded(db, meanwhile):
    """x asked about the draft as it was; the answer discarded the copy read before the
    question. A draft finalised by a teammate meanwhile (a signed record) was deleted,
    and so were a teammate's words merged into it."""
    _client_id, meeting_id = _seed(db)
    session = Session.open(db)
    app = create_app(session, settings=Settings(), meet_code=None)
    async with app.run_test(size=SIZE) as pilot:
        await _asked_to_discard(pilot, app)
        draft = session.store.meeting(meeting_id)
        if meanwhile == "finalised elsewhere":
            finalise(draft, "teammate")
        else:
            draft.step("opening").notes += "\nA teammate's line."
        session.store.put_meeting_doc(meeting_id, orjson.loads(orjson.dumps(draft.model_dump(mode="json"))))
        await pilot.press("y")
        await until(pilot, lambda: any("nothing was discarded" in n.message for n in app._notifications),
                    what="the refusal")
        assert app.screen.query_one("#meeting-table").row_count == 1
    session.close()
    _client, meetings = _stored(db)
    assert len(meetings) == 1 and not [e for e in _log(db) if e["kind"] == "discard-meeting"]
