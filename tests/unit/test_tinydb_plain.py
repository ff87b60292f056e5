"""Issue 14 point 7: the main file is the user's TinyDB file. Plain TinyDB, with its
default settings, opens and queries it: integer document ids, the record's id inside."""

from __future__ import annotations

from tinydb import Query, TinyDB

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.store.store import Store


def test_plain_tinydb_queries_meetings_and_clients(tmp_path) -> None:
    db = tmp_path / "cope.json"
    store = Store(db)
    write_demo(store, load_meeting_guide(), clients=6, meetings=24, seed=2)
    firsts = sorted(m.id for m in store.meetings() if m.kind == "first")
    codes = sorted(c.code for c in store.clients())
    one = store.clients()[0]
    store.close()

    plain = TinyDB(db)  # default settings: JSONStorage, integer document ids
    try:
        found = plain.table("meetings").search(Query().kind == "first")
        assert sorted(doc["id"] for doc in found) == firsts
        assert all(isinstance(doc.doc_id, int) for doc in found)
        clients = plain.table("clients")
        assert sorted(doc["code"] for doc in clients.all()) == codes
        assert [d["code"] for d in clients.search(Query().id == one.id)] == [one.code]
        theirs = plain.table("meetings").search(Query().client_id == one.id)
        assert theirs and all(doc["client_id"] == one.id for doc in theirs)
    finally:
        plain.close()
