"""Erasure that reaches everything (issue 14, point 6), on real files: the client's words are
in no file of the data folder or the state folder afterwards, in any form."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from cope_tui.meetings.models import Client, Meeting, MeetingKind
from cope_tui.store import audit, backups, left_open, rekey
from cope_tui.store.store import Store, StoreError
from helpers.backup_points import records_now, state_of
from helpers.erasure import holding_anywhere

PASS = "correct horse battery staple"
MARK = "OSPREY-MARKER-4417"


def state_dir() -> Path:
    return Path(os.environ["XDG_STATE_HOME"])


def put_family(store: Store, code: str, words: str) -> Client:
    client = Client(code=code, note=f"note {words}")
    store.put_client(client)
    for kind in (MeetingKind.FIRST, MeetingKind.REVIEW):
        meeting = Meeting(client_id=client.id, kind=kind)
        meeting.step("opening").notes = f"said {words} today"
        store.put_meeting(meeting)
    return client


def used_db(db: Path, passphrase: str | None) -> tuple[Client, Client]:
    """Two clients, the first with MARK in every note, in every kind of file there is."""
    store = Store(db, compact_bytes=2000)
    gone = put_family(store, "GONE-1", MARK)
    kept = put_family(store, "KEPT-2", "nothing special")
    for client, words in ((gone, MARK), (kept, "nothing special")):  # a form left open for each
        doc = left_open.as_doc("Edit client", client.id, "2026-12-06T09:14+00:00", [("Note", f"typed {words}")])
        store.put(left_open.TABLE, left_open.PREFIX + client.code, doc)
    store.close()
    backups.keep_copy(db, reason="before-upgrade-from-0")  # a copy kept for a reason
    folder = backups.backup_dir(db)
    (folder / backups.backup_name(db, reason=None)).write_bytes(db.read_bytes())  # an older uncompressed one
    if passphrase:
        rekey.convert(db, rekey.ENCRYPT, passphrase)
    store = Store(db, passphrase=passphrase, compact_bytes=2000)
    for i in range(6):  # segments and journals holding the client's words
        gone.note = f"note {MARK} again {i}"
        store.put_client(gone)
        store._join_compactor()
    _sync_state(store, gone)
    store.journal.close()  # a kill: lines left in the journal
    store.lock.release()
    aside = db.with_name(db.name + ".damaged-20260101T000000.000000Z")
    aside.write_bytes(db.read_bytes())  # a copy kept aside by an earlier restore
    journal = db.with_name(db.name + ".journal")
    journal.with_name(journal.name + ".damaged-20260101T000000.000000Z").write_bytes(journal.read_bytes())
    journal.with_name(journal.name + ".old").write_bytes(journal.read_bytes())  # a compaction cut off
    # What a writer killed mid-write leaves: a temp file beside the DB and in the backups.
    db.with_name(f".{db.name}.k1ll3d.tmp").write_bytes(journal.read_bytes())
    (backups.backup_dir(db) / f".{db.name}.k1ll3d.tmp").write_bytes(journal.read_bytes())
    return gone, kept


def _sync_state(store: Store, client: Client) -> None:
    """What team sync keeps: every record's last synced version (its content)."""
    from cope_tui.sync.state import SyncState

    state = SyncState(store.path, store.codec)
    doc = store.get("clients", client.id)
    rec = {"t": "clients", "id": client.id, "rev": "1-a", "hist": ["a"], "body": {"doc": doc, "conflicts": []},
           "hash": "h", "conflicts": [], "older": [["0-b", {"doc": doc, "conflicts": []}]], "close": [], "leaves": []}
    state.commit({"rid-1": rec})
    state.compact()
    state.commit({"rid-1": rec})  # and once more in its journal
    state.close()


@pytest.mark.parametrize("passphrase", [None, PASS], ids=["plain", "encrypted"])
def test_erasure_leaves_no_word_of_the_client_in_any_file(tmp_path, passphrase):
    db = tmp_path / "data" / "cope.json"
    gone, kept = used_db(db, passphrase)
    folders = [db.parent, state_dir()]
    holding = holding_anywhere(folders, MARK, passphrase, db)
    assert len(holding) >= 8 and any(p.endswith(".journal.old") for p in holding)  # the test can see them
    store = Store(db, passphrase=passphrase)
    done = store.erase_client(gone.id, by="tester")
    assert store.client(gone.id) is None and store.meetings(gone.id) == []
    assert done.records == 3 and done.meetings == 2
    store.close()
    assert holding_anywhere(folders, MARK, passphrase, db) == []
    assert not db.with_name(db.name + ".erasing").exists()
    # The other client is whole, in the DB and in every backup that had them.
    after = Store(db, passphrase=passphrase, read_only=True)
    assert [c.code for c in after.clients()] == ["KEPT-2"]
    assert [(k.client_id, k.fields) for k in left_open.kept(after)] == [(kept.id, (("Note", "typed nothing special"),))]
    after.close()
    for backup in backups.list_backups(db):
        if backup.path.name.endswith(".zst"):
            codes = [d["code"] for d in state_of(db, backup, passphrase)["clients"].values()]
            assert codes == ["KEPT-2"], backup.name
        assert backups.check_file(backup.path, __import__("cope_tui").store.crypto.Keyring(passphrase)).ok


def test_the_audit_entry_says_who_and_how_many_and_nothing_about_whom(tmp_path):
    db = tmp_path / "cope.json"
    store = Store(db)
    gone = put_family(store, "GONE-1", MARK)
    store.erase_client(gone.id, by="Amina Yusuf")
    store.close()
    lines = [orjson.loads(line) for line in audit.log_path(db).read_bytes().splitlines()]
    entry = lines[-1]
    assert entry["kind"] == "erase" and entry["records"] == 3 and entry["by"] == "Amina Yusuf" and entry["at"]
    text = orjson.dumps(entry).decode()
    assert "GONE-1" not in text and gone.id not in text and MARK not in text
    # The meetings' opaque ids, which the log's finalise entries hold already: doctor
    # tells the erased ones from ones deleted behind the app's back.
    assert len(entry["meetings"]) == 2 and all(isinstance(mid, str) for mid in entry["meetings"])


def test_an_erasure_cut_short_is_finished_by_the_next_open(tmp_path):
    db = tmp_path / "cope.json"
    store = Store(db)
    gone = put_family(store, "GONE-1", MARK)
    kept = put_family(store, "KEPT-2", "other")
    from cope_tui.store import erase

    ids = erase.ids_of_client(store._data, gone.id)
    erase.decide(db, ids, store.codec)  # decided, then killed before anything was rewritten
    store.journal.close()
    store.lock.release()
    assert holding_anywhere([tmp_path], MARK)
    store = Store(db)
    assert store.client(gone.id) is None and store.client(kept.id) is not None
    store.close()
    assert holding_anywhere([tmp_path, state_dir()], MARK) == []


def test_an_unknown_client_is_refused_and_nothing_changes(tmp_path):
    db = tmp_path / "cope.json"
    store = Store(db)
    put_family(store, "KEPT-2", "other")
    before = records_now(db)
    with pytest.raises(StoreError, match="no client"):
        store.erase_client("0123456789abcdef")
    store.close()
    assert records_now(db) == before and not audit.log_path(db).exists()


def test_an_erasure_cut_short_survives_decrypt_and_is_finished_after_it(tmp_path):
    db = tmp_path / "cope.json"
    store = Store(db)
    gone = put_family(store, "GONE-1", MARK)
    store.close()
    rekey.convert(db, rekey.ENCRYPT, PASS)
    store = Store(db, passphrase=PASS)
    from cope_tui.store import erase

    erase.decide(db, erase.ids_of_client(store._data, gone.id), store.codec)  # sealed, then a kill
    store.journal.close()
    store.lock.release()
    rekey.convert(db, rekey.DECRYPT, PASS)  # the marker is converted with everything else
    store = Store(db)
    assert store.client(gone.id) is None
    store.close()
    assert holding_anywhere([tmp_path, state_dir()], MARK) == []
