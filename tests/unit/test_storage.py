"""Storage on real files: durability, damage, locks, privacy, read-only rules."""

from __future__ import annotations

import json
import os
import stat

import pytest
from tinydb import TinyDB
from tinydb.table import Table

from cope_tui.meetings.models import Addendum, Client, Meeting, MeetingKind
from cope_tui.records import now
from cope_tui.store.store import CorruptDatabase, DatabaseLocked, ForeignDatabase, ReadOnlyDatabase, RecordLocked, Store


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "cope.json"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_db_is_private_and_reopens(db):
    store = Store(db)
    client = Client(code="C-1")
    store.put_client(client)
    store.close()
    assert mode(db.parent) == 0o700
    assert mode(db) == 0o600
    assert mode(store.journal_path) == 0o600
    reopened = Store(db)
    assert [c.code for c in reopened.clients()] == ["C-1"]
    reopened.close()


def test_file_stays_readable_by_plain_tinydb(db):
    store = Store(db)
    store.put_client(Client(code="C-1"))
    store.close()
    class StrIds(Table):
        document_id_class = str  # our record ids are strings, which TinyDB supports

    plain = TinyDB(db)
    plain.table_class = StrIds
    assert [d["code"] for d in plain.table("clients").all()] == ["C-1"]
    plain.close()


def test_save_is_in_the_journal_before_any_compaction(db):
    store = Store(db)
    store.put_client(Client(code="C-1"))
    lines = store.journal_path.read_bytes().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["doc"]["code"] == "C-1"
    store.close()
    assert store.journal_path.read_bytes() == b""


def test_saving_a_record_as_it_is_writes_nothing(db):
    """Screens hand the store what they show on every section switch; only a change is a
    save (one fsync, one change for team sync to count)."""
    store = Store(db)
    client = Client(code="C-1")
    store.put_client(client)
    noted = []
    store.add_change_listener(lambda table, doc_id: noted.append(doc_id))
    before = store.journal_path.read_bytes()
    store.put_client(client)
    assert store.journal_path.read_bytes() == before and noted == []
    client.note = "more"
    store.put_client(client)
    assert len(store.journal_path.read_bytes().splitlines()) == 2 and noted == [client.id]
    store.close()


def test_torn_last_journal_line_is_ignored(db):
    store = Store(db)
    store.put_client(Client(code="kept"))
    store.close()
    with open(store.journal_path, "ab") as fh:
        fh.write(b'{"t":"clients","id":"x","doc":{"id":"x","co')
    reopened = Store(db)
    assert [c.code for c in reopened.clients()] == ["kept"]
    reopened.close()


def test_damaged_journal_middle_is_reported_not_overwritten(db):
    store = Store(db)
    store.close()
    bad = b'garbage\n{"t":"clients","id":"a","doc":{"id":"a","code":"A"}}\n'
    store.journal_path.write_bytes(bad)
    with pytest.raises(CorruptDatabase, match="journal"):
        Store(db)
    assert store.journal_path.read_bytes() == bad


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"this is not json {", CorruptDatabase),
        (b'{"_default": {"1": {"title": "someone else"}}}', ForeignDatabase),
        (b"[1, 2, 3]", ForeignDatabase),
    ],
)
def test_corrupt_or_foreign_file_is_named_and_left_alone(db, content, error):
    db.parent.mkdir(parents=True)
    db.write_bytes(content)
    with pytest.raises(error) as info:
        Store(db)
    assert str(db) in str(info.value)
    assert db.read_bytes() == content
    assert not (db.parent / (db.name + ".journal")).exists()


def test_second_writer_is_refused_with_holder_and_read_only_works(db):
    first = Store(db)
    first.put_client(Client(code="C-1"))
    with pytest.raises(DatabaseLocked) as info:
        Store(db)
    assert info.value.holder["pid"] == os.getpid()
    assert str(os.getpid()) in str(info.value)
    viewer = Store(db, read_only=True)
    assert [c.code for c in viewer.clients()] == ["C-1"]
    with pytest.raises(ReadOnlyDatabase):
        viewer.put_client(Client(code="C-2"))
    first.close()
    Store(db).close()  # the lock is free again


def test_finalised_meeting_only_gains_addenda(db):
    store = Store(db)
    meeting = Meeting(client_id="c", kind=MeetingKind.FIRST)
    meeting.step("opening").notes = "signed text"
    meeting.finalised_at, meeting.finalised_by = now(), "worker"
    store.put_meeting(meeting)
    meeting.addenda.append(Addendum(text="correction", by="worker"))
    store.put_meeting(meeting)
    meeting.step("opening").notes = "changed after signing"
    with pytest.raises(RecordLocked):
        store.put_meeting(meeting)
    assert store.meeting(meeting.id).step("opening").notes == "signed text"
    assert len(store.meeting(meeting.id).addenda) == 1
    store.close()


def test_newer_format_opens_read_only(db):
    db.parent.mkdir(parents=True)
    db.write_text(json.dumps({"meta": {"app": {"app": "cope-tui", "schema": 99}}, "clients": {}, "meetings": {}}))
    store = Store(db)
    assert store.read_only and "newer" in store.read_only_reason
    with pytest.raises(ReadOnlyDatabase):
        store.put_client(Client(code="x"))
    store.close()
    assert json.loads(db.read_text())["meta"]["app"]["schema"] == 99


def test_lazy_open_paints_from_the_summary_then_loads(db):
    store = Store(db)
    for i in range(3):
        store.put_client(Client(code=f"C-{i}"))
    store.close()
    lazy = Store(db, lazy=True)
    assert not lazy.ready
    assert [s.code for s in lazy.client_summaries()] == ["C-0", "C-1", "C-2"]
    lazy.start_loading().join()
    assert lazy.ready and len(lazy.clients()) == 3
    lazy.put_client(Client(code="C-3"))
    assert [s.code for s in lazy.client_summaries()] == ["C-0", "C-1", "C-2", "C-3"]
    lazy.close()


def test_lazy_open_distrusts_a_stale_summary(db):
    store = Store(db)
    store.put_client(Client(code="C-0"))
    store.close()
    store = Store(db)
    store.put_client(Client(code="C-1"))  # in the journal only, as after a crash
    store.journal.close()
    store.lock.release()
    lazy = Store(db, lazy=True)
    assert lazy.ready, "journal lines were waiting: the summary cannot be trusted"
    assert [s.code for s in lazy.client_summaries()] == ["C-0", "C-1"]
    lazy.close()


def test_reading_a_lazy_store_before_loading_loads_it(db):
    store = Store(db)
    store.put_client(Client(code="C-0"))
    store.close()
    lazy = Store(db, lazy=True)
    assert not lazy.ready
    assert [c.code for c in lazy.clients()] == ["C-0"]
    lazy.close()


def test_background_compaction_keeps_every_save(db):
    store = Store(db, compact_bytes=4096)
    for i in range(300):
        store.put_client(Client(id=f"c{i}", code=f"C-{i}", note="n" * 200))
    store._join_compactor()
    assert store.journal.size < 300 * 250, "the journal was never folded into the main file"
    assert db.exists()
    store.journal.close()
    store.lock.release()  # as if killed: no final compaction
    again = Store(db)
    assert len(again.clients()) == 300
    again.close()


def test_temp_files_of_a_killed_writer_are_removed_by_the_next_writer(db):
    Store(db).close()
    stale = [db.parent / f".{db.name}.4242.tmp", db.parent / f".{db.name}.summary.4242.tmp"]
    for path in stale:
        path.write_text("client text from a writer killed mid-compaction")
    viewer = Store(db, read_only=True)  # a viewer holds no lock and must not touch them
    viewer.close()
    assert all(path.exists() for path in stale)
    Store(db).close()
    assert not any(path.exists() for path in stale)


def test_a_meeting_id_of_another_client_is_never_overwritten(db):
    from cope_tui.store.store import StoreError

    store = Store(db)
    mine = Meeting(client_id="a", kind=MeetingKind.FIRST)
    mine.step("opening").notes = "draft of client a"
    store.put_meeting(mine)
    theirs = Meeting(id=mine.id, client_id="b", kind=MeetingKind.FIRST)
    with pytest.raises(StoreError, match="another client"):
        store.put_meeting(theirs)
    assert store.meeting(mine.id).step("opening").notes == "draft of client a"
    assert len(Meeting(client_id="x", kind=MeetingKind.FIRST).id) == 16
    store.close()


def test_tinydb_queries_see_every_save(db):
    from tinydb import Query

    store = Store(db)
    store.put_client(Client(code="C-1", note="likes mornings"))
    found = store.db.table("clients").search(Query().code == "C-1")
    assert [d["note"] for d in found] == ["likes mornings"]
    store.put_client(Client(code="C-2", note="likes mornings"))
    assert len(store.db.table("clients").search(Query().note == "likes mornings")) == 2
    store.close()


def test_a_full_disk_while_folding_the_journal_in_at_open_does_not_poison_the_store(tmp_path, monkeypatch):
    """Opening folds a left-over journal into the file; if the disk refuses that write,
    the records are loaded all the same and saving goes on once space returns."""
    import errno

    from cope_tui.store import store as storage

    db = tmp_path / "cope.json"
    store = Store(db)
    store.put("clients", "c1", {"id": "c1", "code": "C-1"})
    store.journal.close()  # as if killed: the save is only in the journal
    store.lock.release()

    real = storage.write_private

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "write_private", disk_full)
    again = Store(db, lazy=True)
    again.start_loading()
    again.wait_ready()  # a failed fold-in is not a failed load
    assert again.get("clients", "c1")["code"] == "C-1"
    monkeypatch.setattr(storage, "write_private", real)  # space is back
    again.put("clients", "c2", {"id": "c2", "code": "C-2"})
    assert again.close()
    reopened = Store(db, read_only=True)
    assert {c.code for c in reopened.clients()} == {"C-1", "C-2"}
