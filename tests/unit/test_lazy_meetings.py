"""Issue 14 point 2: the app's store keeps the file's meetings as their lines and decodes a
client's meetings only when one is read (store/lazy_meetings.py). What it gives must be
exactly what the eager load gives, before and after saves, and a line that cannot be
decoded must be reported as a damaged file, never raise anything else."""

from __future__ import annotations

import orjson
import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.store import record_check, summary
from cope_tui.store.errors import CorruptDatabase
from cope_tui.store.lazy_meetings import LazyMeetings
from cope_tui.store.store import Store
from helpers.demo_files import demo_file


def _exact(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


@pytest.fixture
def db(tmp_path):
    return demo_file(tmp_path / "demo.json", clients=6, meetings=40, seed=3)


def _lazy(path, **kw) -> Store:
    store = Store(path, lazy=True, **kw)
    store.wait_ready()
    assert isinstance(store._data["meetings"], LazyMeetings)  # the path under test is taken
    return store


def _everything(store: Store) -> dict:
    by_id = {doc["id"]: doc for doc in store.raw_meetings()}
    return {
        "meetings": by_id,
        "got": {key: store.get("meetings", key) for key in by_id},
        "of_client": {c.id: [m.id for m in store.meetings(c.id)] for c in store.clients()},
        "summaries": [repr(s) for s in store.client_summaries()],
        "versions": sorted(key for key, _ in store.raw_versions("meetings")),
    }


def test_a_lazily_held_meeting_is_the_one_the_eager_load_gives(db) -> None:
    eager = Store(db, read_only=True)
    want = _everything(eager)
    lazy = _lazy(db, read_only=True)
    got = _everything(lazy)
    assert _exact(got) == _exact(want)
    assert len(got["meetings"]) == 40
    assert [m.model_dump() for m in lazy.meetings()] == [m.model_dump() for m in eager.meetings()]


def test_lines_read_again_from_the_open_file_give_the_same_meetings(db) -> None:
    """Once ready, the file's bytes are let go and each client's lines are read again from
    the file as it was opened, even after a compaction has put another in its place."""
    want = _everything(Store(db, read_only=True))
    lazy = _lazy(db)
    held = lazy._data["meetings"].file
    assert held.released.wait(30)
    assert held.raw == b""
    held._cache.clear()
    assert _exact(_everything(lazy)) == _exact(want)
    other = db.with_name("other.json")
    other.write_bytes(b"{}")
    other.replace(db)  # as a compaction or a restore replaces the file: whole, by rename
    held._cache.clear()
    assert _exact(_everything(lazy)) == _exact(want)
    lazy.close()


def test_a_file_changed_in_place_under_the_app_is_reported_not_misread(db) -> None:
    """Writing into the very file (not the store's way: it replaces files whole) changes
    lines the app reads again; the digest catches it and says so, naming the file."""
    lazy = _lazy(db, read_only=True)
    held = lazy._data["meetings"].file
    assert held.released.wait(30)
    held._cache.clear()
    victim = next(iter(held.groups))
    span = held.groups[victim][0]
    with open(db, "r+b") as f:
        f.seek(span[3])
        line = f.read(span[4] - span[3])
        f.seek(span[3])
        f.write(line.replace(b'"finalised_at":', b'"finalised_aT":', 1) if b'"finalised_at":' in line else line[:-2] + b" }")
    with pytest.raises(CorruptDatabase, match="changed in place"):
        lazy.meetings(victim)
    other = next(cid for cid in held.groups if cid != victim and all(s[3] > span[4] or s[4] < span[3] for s in held.groups[cid]))
    assert lazy.meetings(other)


def test_saves_and_deletions_lie_on_top_and_reach_the_file(db) -> None:
    store = _lazy(db)
    docs = {doc["id"]: doc for doc in store.raw_meetings()}
    draft = next(d for d in docs.values() if not d["finalised_at"])
    changed = orjson.loads(orjson.dumps(draft))
    changed["steps"][next(iter(changed["steps"]))]["notes"] = "moved to the ground floor flat"
    gone = next(d for d in docs.values() if d["id"] != draft["id"] and d["client_id"] == draft["client_id"])
    store.put("meetings", draft["id"], changed)
    store.delete("meetings", gone["id"])
    seen = _everything(store)
    assert seen["got"][draft["id"]]["steps"] == changed["steps"]
    assert gone["id"] not in seen["meetings"] and store.get("meetings", gone["id"]) is None
    assert len(seen["meetings"]) == 39
    assert sum(s.meetings for s in store.client_summaries()) == 39
    store.close()  # folds the journal in: the file now holds what the lazy store showed
    assert _exact(_everything(Store(db, read_only=True))) == _exact(seen)


def test_a_meeting_keeps_its_version_until_it_is_saved_again(db) -> None:
    store = _lazy(db)
    first = dict(store.raw_versions("meetings"))
    again = dict(store.raw_versions("meetings"))
    assert all(first[k] is again[k] for k in first)
    key = next(iter(first))
    store.put("meetings", key, store.get("meetings", key))  # the same again: not a save
    assert dict(store.raw_versions("meetings"))[key] is first[key]
    changed = store.get("meetings", key) | {"active_seconds": store.get("meetings", key)["active_seconds"] + 1}
    store.put("meetings", key, changed)
    after = dict(store.raw_versions("meetings"))
    assert after[key] is not first[key]
    assert all(after[k] is first[k] for k in first if k != key)
    store.close()


def test_a_damaged_line_is_reported_as_a_damaged_file(db) -> None:
    """Lines are trusted because a store checked and stamped the file; should one still
    not decode (simulated: a line damaged and the stamp written again), readers get
    CorruptDatabase naming the file, and other clients' meetings still read."""
    eager = Store(db, read_only=True)
    meetings = eager.raw_meetings()
    victim = meetings[0]
    raw = db.read_bytes()
    line_at = raw.index(b'{"id":"' + victim["id"].encode())
    kind_at = raw.index(b'"kind":"', line_at)
    damaged = raw[:kind_at] + b'"kind":!' + raw[kind_at + 8 :]
    db.write_bytes(damaged)
    summary.write(db, eager.client_summaries(), checked=record_check.stamp(damaged))
    store = _lazy(db, read_only=True)
    with pytest.raises(CorruptDatabase, match="demo.json"):
        store.get("meetings", victim["id"])
    with pytest.raises(CorruptDatabase):
        store.meetings(victim["client_id"])
    other = next(m for m in meetings if m["client_id"] != victim["client_id"])
    assert store.get("meetings", other["id"]) == other


def test_a_copied_file_is_still_held_lazily_by_its_stamp(db, tmp_path) -> None:
    """A copy gets a new mtime: the summary still describes exactly its bytes (the stamp
    says so), so the app neither parses every meeting nor counts them again."""
    import os
    import shutil

    copy = tmp_path / "copy" / "demo.json"
    copy.parent.mkdir()
    for name in ("demo.json", "demo.json.summary"):
        shutil.copyfile(db.parent / name, copy.parent / name)
    os.utime(copy, ns=(1, 1))
    store = _lazy(copy, read_only=True)
    assert sum(s.meetings for s in store.client_summaries()) == 40
    copy.write_bytes(copy.read_bytes().replace(b'"kind":"', b'"kind": "', 1))  # other bytes: checked in full
    assert not isinstance(Store(copy, read_only=True, lazy=True)._data["meetings"], LazyMeetings)


def test_one_clients_board_and_meetings_decode_only_that_clients_lines(db, monkeypatch) -> None:
    from cope_tui.meetings import follow_through as ft
    from cope_tui.store.lazy_meetings import FileMeetings

    store = _lazy(db, read_only=True)
    decoded: list[str] = []
    real = FileMeetings.decode
    monkeypatch.setattr(FileMeetings, "decode", lambda self, cid: decoded.append(cid) or real(self, cid))
    client = store.clients()[2]
    board = ft.build(store, load_meeting_guide(), client_id=client.id)
    assert {m.id for m in store.meetings(client.id)}
    assert set(decoded) == {client.id}
    assert all(item.client_id == client.id for item in (*board.actions, *board.referrals))


def test_a_clients_export_is_the_same_and_reads_only_their_meetings(db, monkeypatch) -> None:
    from cope_tui.export.documents import client_markdown
    from cope_tui.store.lazy_meetings import FileMeetings

    guide = load_meeting_guide()
    eager = Store(db, read_only=True)
    store = _lazy(db, read_only=True)
    decoded: list[str] = []
    real = FileMeetings.decode
    monkeypatch.setattr(FileMeetings, "decode", lambda self, cid: decoded.append(cid) or real(self, cid))
    monkeypatch.setattr("cope_tui.store.lazy_meetings.CACHED_CLIENTS", 0)  # every read decodes
    for client in eager.clients():
        decoded.clear()
        assert client_markdown(guide, store, client) == client_markdown(guide, eager, client)
        assert set(decoded) <= {client.id}


@pytest.mark.parametrize("order", ["together", "apart"])
def test_a_clients_lines_read_again_whether_written_together_or_apart(tmp_path, order) -> None:
    """A compaction writes each client's lines one after another (one read, one hash);
    a file written otherwise has them apart, and they must read back the same."""
    from cope_tui.store.lazy_meetings import FileMeetings

    clients = ["a", "b", "a", "b"] if order == "apart" else ["a", "a", "b", "b"]
    raw, spans = b"", []
    for n, client_id in enumerate(clients):
        line = orjson.dumps({"id": f"m{n}", "client_id": client_id, "steps": {}})
        raw += f'"{n}":'.encode()
        spans.append((str(n), f"m{n}", client_id, len(raw), len(raw) + len(line)))
        raw += line + b",\n"
    path = tmp_path / "lines.json"
    path.write_bytes(raw)
    handle = open(path, "rb", buffering=0)
    held = FileMeetings.of(path, raw, spans, {}, "", handle)
    want = {cid: held.client(cid) for cid in ("a", "b")}
    held._cache.clear()
    held.let_go()
    assert held.raw == b"" and held.digests.keys() == {"a", "b"}
    read: list[int] = []

    class Counting:  # what is read again: a client's lines, never what lies between them
        def seek(self, at):
            handle.seek(at)

        def read(self, n):
            read.append(n)
            return handle.read(n)

    held._handle = Counting()
    assert {cid: held.client(cid) for cid in ("a", "b")} == want
    lines = sum(s[4] - s[3] for s in spans)
    assert sum(read) == (lines if order == "apart" else lines + len(b',\n"1":') * 2)
    held._handle = handle
    held._cache.clear()
    path.write_bytes(raw.replace(b'"m0"', b'"m9"'))  # in place (same inode): client a changed
    with pytest.raises(CorruptDatabase, match="changed in place"):
        held.client("a")
    assert held.client("b") == want["b"]


def test_a_compaction_copies_unchanged_clients_lines_and_writes_the_same_file(db) -> None:
    """Folding the journal in used to decode and encode every meeting again (10 s and 1 GB
    at 50,000 meetings, at every close); unchanged clients' lines are now copied as the
    file holds them. The file written must be byte for byte the one a full encoding gives."""
    from cope_tui.store import record_lines

    store = _lazy(db)
    table = store._data["meetings"]
    assert table.file.released.wait(30)
    docs = {doc["id"]: doc for doc in store.raw_meetings()}
    draft = next(d for d in docs.values() if not d["finalised_at"])
    changed = orjson.loads(orjson.dumps(draft))
    changed["steps"][next(iter(changed["steps"]))]["notes"] = "rent paid up to date"
    gone = next(d for d in docs.values() if d["client_id"] != draft["client_id"])
    new = orjson.loads(orjson.dumps(changed)) | {"id": "feedfacefeedface", "started": "2026-01-02T09:00:00"}
    store.put("meetings", draft["id"], changed)
    store.delete("meetings", gone["id"])
    store.put("meetings", new["id"], new)
    whole = {name: (t.whole() if hasattr(t, "whole") else t) for name, t in store._data.items()}
    copied = record_lines.dump_tables(store._data)
    assert bytes(copied) == record_lines.dump_tables(whole)
    reads: list[str] = []
    real = table.file.client
    table.file.client = lambda cid: reads.append(cid) or real(cid)
    record_lines.dump_tables(store._data)
    assert set(reads) == {draft["client_id"], gone["client_id"]}  # only the changed clients decoded
    import shutil

    from cope_tui.store import backups

    shutil.rmtree(backups.backup_dir(db))  # the next point is then a full copy, from this buffer
    store.close()
    points = backups.point_paths(db)
    assert len(points) == 1 and points[0].name.endswith(".full.zst")
    assert backups.materialise(db, points[0])[0] == db.read_bytes()
    after = Store(db, read_only=True)
    assert after.get("meetings", draft["id"])["steps"] == changed["steps"]
    assert after.get("meetings", gone["id"]) is None and after.get("meetings", new["id"]) == new
    assert len(after.raw_meetings()) == 40


def test_a_clients_digest_stays_when_the_numbers_before_their_lines_change(tmp_path) -> None:
    """A compaction numbers the lines afresh: a deleted meeting shifts every later number.
    What was kept for a client whose lines are the same must still be taken, so the
    digest covers the lines alone."""
    from cope_tui.store.lazy_meetings import FileMeetings

    def held(first_number: int) -> FileMeetings:
        raw, spans = b"", []
        for n, client_id in enumerate(["a", "a", "b"], first_number):
            line = orjson.dumps({"id": f"m{n - first_number}", "client_id": client_id, "steps": {}})
            raw += f'"{n}":'.encode()
            spans.append((str(n), f"m{n - first_number}", client_id, len(raw), len(raw) + len(line)))
            raw += line + b",\n"
        found = FileMeetings.of(tmp_path / "x.json", raw, spans, {})
        found.let_go()
        return found

    assert held(1).digests == held(907).digests


def test_reading_a_clients_lines_apart_holds_only_their_lines(tmp_path) -> None:
    """After a day's change a client's lines lie apart (the changed one at the end of the
    file): reading them again must not take in everything between (a whole 216 MB file
    held for a moment, at 50,000 meetings)."""
    import tracemalloc

    from cope_tui.store.lazy_meetings import FileMeetings

    raw, spans = b"", []
    for n, client_id in enumerate(["a"] + ["b"] * 2000 + ["a"]):
        line = orjson.dumps({"id": f"m{n}", "client_id": client_id, "steps": {}, "pad": "x" * 2000})
        raw += f'"{n}":'.encode()
        spans.append((str(n), f"m{n}", client_id, len(raw), len(raw) + len(line)))
        raw += line + b",\n"
    path = tmp_path / "apart.json"
    path.write_bytes(raw)
    held = FileMeetings.of(path, raw, spans, {}, "", open(path, "rb", buffering=0))
    held.let_go()
    tracemalloc.start()
    try:
        assert [m["id"] for m in held.client("a").values()] == ["m0", "m2001"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(raw) > 4_000_000 and peak < 200_000
