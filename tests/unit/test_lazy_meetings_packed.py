"""Meetings saved in a session are kept packed (as their JSON) beyond the last few, and a
new DB holds its meetings lazily too: a team's first pull into a new member's DB held
every meeting as Python objects for the rest of the session (360 MB at 10,000). What
the store gives must stay exactly what a fresh load of its file gives."""

from __future__ import annotations

import orjson

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.store import lazy_meetings
from cope_tui.store.lazy_meetings import LazyMeetings, Packed
from cope_tui.store.store import Store
from helpers.demo_files import demo_file


def _exact(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _everything(store: Store) -> dict:
    by_id = {doc["id"]: doc for doc in store.raw_meetings()}
    return {
        "meetings": by_id,
        "got": {key: store.get("meetings", key) for key in by_id},
        "of_client": {c.id: sorted(m.id for m in store.meetings(c.id)) for c in store.clients()},
        "summaries": sorted(repr(s) for s in store.client_summaries()),
    }


def _packed(store: Store) -> int:
    return sum(isinstance(value, Packed) for value in store._data["meetings"]._over.values())


def test_a_new_database_holds_its_meetings_lazily_and_writes_each_clients_together(tmp_path) -> None:
    path = tmp_path / "new.json"
    store = Store(path, lazy=True)
    store.wait_ready()
    assert isinstance(store._data["meetings"], LazyMeetings)
    assert list(store._data)[-1] == "meetings"  # as a file holds them: folded in line by line
    write_demo(store, load_meeting_guide(), clients=5, meetings=60, seed=4)
    seen = _everything(store)
    store.close()
    assert _exact(_everything(Store(path, read_only=True))) == _exact(seen)
    again = Store(path, lazy=True, read_only=True)
    again.wait_ready()
    file = again._data["meetings"].file
    assert len(file.client_of) == 60
    in_file = sorted((span for spans in file.groups.values() for span in spans), key=lambda span: span[3])
    owners = [span[2] for span in in_file]  # the client of each line, in the file's order
    changes = sum(1 for a, b in zip(owners, owners[1:]) if a != b)
    assert changes == len(file.groups) - 1, "a client's lines are not together in the file"
    assert _exact(_everything(again)) == _exact(seen)


def test_meetings_saved_long_ago_in_a_session_are_packed_and_read_the_same(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(lazy_meetings, "LOOSE_KEPT", 5)
    db = demo_file(tmp_path / "demo.json", clients=4, meetings=30, seed=2)
    store = Store(db, lazy=True)
    store.wait_ready()
    assert _packed(store) == 0
    drafts = [doc for doc in store.raw_meetings() if not doc["finalised_at"]]
    assert drafts
    saves = 0
    for n in range(8):  # each draft saved again and again: the newest saves stay whole
        for doc in drafts:
            changed = orjson.loads(orjson.dumps(store.get("meetings", doc["id"])))
            changed["steps"][next(iter(changed["steps"]))]["notes"] = f"note {n}"
            store.put("meetings", doc["id"], changed)
            saves += 1
    assert _packed(store) == max(0, len(drafts) - 5)
    new_ones = []
    for n in range(12):  # meetings new this session, more than are kept whole
        doc = orjson.loads(orjson.dumps(drafts[0]))
        doc["id"] = f"new-meeting-{n:02d}"
        store.put("meetings", doc["id"], doc)
        new_ones.append(doc["id"])
    assert _packed(store) == len(drafts) + 12 - 5
    seen = _everything(store)
    assert all(seen["got"][key]["id"] == key for key in new_ones)
    assert all(seen["got"][doc["id"]]["steps"][next(iter(doc["steps"]))]["notes"] == "note 7" for doc in drafts)
    store.close()
    assert _exact(_everything(Store(db, read_only=True))) == _exact(seen)


def test_a_packed_meeting_keeps_its_version_until_saved_again(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(lazy_meetings, "LOOSE_KEPT", 1)
    db = demo_file(tmp_path / "demo.json", clients=2, meetings=6, seed=2)
    store = Store(db, lazy=True)
    store.wait_ready()
    docs = list(store.raw_meetings())
    def saved(doc):  # a save is a change: the same doc again writes nothing
        doc = doc | {"active_seconds": doc["active_seconds"] + 1}
        store.put("meetings", doc["id"], doc)
        return doc

    docs[:3] = [saved(doc) for doc in docs[:3]]
    first = dict(store.raw_versions("meetings"))
    assert isinstance(first[docs[0]["id"]], Packed)
    assert store.raw_version("meetings", docs[0]["id"]) is first[docs[0]["id"]]
    assert dict(store.raw_versions("meetings"))[docs[0]["id"]] is first[docs[0]["id"]]
    store.put("meetings", docs[0]["id"], dict(docs[0]))
    assert store.raw_version("meetings", docs[0]["id"]) is first[docs[0]["id"]]
    docs[0] = saved(docs[0])
    assert store.raw_version("meetings", docs[0]["id"]) is not first[docs[0]["id"]]
    store.close()


def test_a_new_database_stopped_before_its_first_fold_opens_again_with_every_meeting(tmp_path) -> None:
    """Killed with a draft open in a new DB (no main file yet, only the journal), the app's
    lazy load refused the DB at the next start: its check met the lazy table, not a dict."""
    import shutil

    path = tmp_path / "new.json"
    store = Store(path, lazy=True)
    store.wait_ready()
    write_demo(store, load_meeting_guide(), clients=3, meetings=12, seed=5)
    seen = _everything(store)
    assert not path.exists()  # nothing folded yet: as at a kill -9 now
    crashed = tmp_path / "crashed" / "new.json"
    crashed.parent.mkdir()
    for journal in tmp_path.glob("new.json.journal*"):
        shutil.copy(journal, crashed.parent / journal.name)
    store.close()
    for read_only in (True, False):
        again = Store(crashed, lazy=True, read_only=read_only)
        again.wait_ready()
        assert isinstance(again._data["meetings"], LazyMeetings)
        assert _exact(_everything(again)) == _exact(seen)
        again.close()
    assert _exact(_everything(Store(crashed, read_only=True))) == _exact(seen)
