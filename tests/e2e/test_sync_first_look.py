"""The first sync of an engine looks at every record once (the app or another command may
have saved records while no engine was listening), in the order the DB keeps them: the
app's store decodes a client's meetings together, and looking them up one id at a time,
in id order, decoded each client again for each of its meetings (a sync with nothing to
send took 6.6 s of the app's CPU at 10,000 meetings; 1.6 s now, most of it the reading
of the DB). Only what differs from its last synced version is sent."""

from __future__ import annotations

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.store.lazy_meetings import FileMeetings
from cope_tui.store.store import Store
from cope_tui.sync.couch import Couch
from cope_tui.sync.engine import SyncEngine
from helpers.sync import members, remote, team_key  # noqa: F401  (fixtures)


def test_a_first_sync_with_little_to_send_decodes_each_client_once(members, remote, team_key, monkeypatch) -> None:
    ann = members("Ann")
    write_demo(ann.store, load_meeting_guide(), clients=30, meetings=300, seed=31)
    assert ann.engine.sync().sent > 300
    path = ann.store.path
    ann.close()
    Store(path).close()  # the journal folded in: the next open keeps meetings as lines

    decoded: list[str] = []
    decode = FileMeetings.decode

    def counted(self, client_id):
        decoded.append(client_id)
        return decode(self, client_id)

    monkeypatch.setattr(FileMeetings, "decode", counted)
    store = Store(path, lazy=True)  # as the app opens it
    couch = Couch(remote.url, auth=remote.auth)
    try:
        meeting = next(m for m in store.meetings() if not m.finalised)
        meeting.step("opening").notes += " typed while no sync was running"
        store.put_meeting(meeting)  # saved by the app before its sync started
        decoded.clear()
        engine = SyncEngine(store, couch, team_key, "Ann")
        try:
            assert engine.sync().sent == 1  # only the one edit goes
        finally:
            engine.close()
        assert len(decoded) <= 30 + 1, f"{len(decoded)} client decodes for 30 clients"
    finally:
        couch.close()
        store.close()


def test_a_first_push_from_the_apps_store_decodes_each_client_once_more(tmp_path, remote, team_key, monkeypatch) -> None:
    """Joining a team from the app: every record goes, in the order the DB keeps them."""
    path = tmp_path / "Ann.json"
    ann = Store(path)
    write_demo(ann, load_meeting_guide(), clients=30, meetings=300, seed=32)
    ann.close()
    Store(path).close()
    decoded: list[str] = []
    decode = FileMeetings.decode
    monkeypatch.setattr(FileMeetings, "decode", lambda self, client_id: decoded.append(client_id) or decode(self, client_id))
    store = Store(path, lazy=True)
    couch = Couch(remote.url, auth=remote.auth)
    try:
        engine = SyncEngine(store, couch, team_key, "Ann")
        try:
            assert engine.sync().sent > 300
        finally:
            engine.close()
        assert len(decoded) <= 2 * 30 + 1, f"{len(decoded)} client decodes for 30 clients"
    finally:
        couch.close()
        store.close()


def test_the_first_look_gives_way_between_records(members, remote, team_key) -> None:
    """It hashes every record (5 s at 50,000 meetings): the app's typist goes first, as in
    the rest of the sync."""
    ann = members("Ann")
    write_demo(ann.store, load_meeting_guide(), clients=5, meetings=40, seed=33)
    ann.engine.sync()
    path = ann.store.path
    ann.close()
    store = Store(path)
    couch = Couch(remote.url, auth=remote.auth)
    engine = SyncEngine(store, couch, team_key, "Ann")
    looked: list[int] = []
    engine.give_way = lambda: looked.append(1)
    try:
        assert engine.sync().sent == 0
        assert len(looked) >= 45  # every record of the first look, clients and meetings
    finally:
        engine.close()
        couch.close()
        store.close()
