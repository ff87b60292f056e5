"""Issue 14 point 3: the search index's text of the file's meetings is kept beside a plain
DB (NAME.json.search) so the next session's first search does not decode every meeting.
What it answers must be what a fresh index answers; a client whose lines changed is read
again; erasure, restore and encryption leave no such file behind with a client's words."""

from __future__ import annotations

import os
import stat
import threading
import time

import orjson
import pytest
import zstandard

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.search import KEPT_TAG, SearchIndex
from cope_tui.store import backups, rekey
from cope_tui.store import kept as kept_files
from cope_tui.store.kept import Blob
from cope_tui.store.lazy_meetings import LazyMeetings
from cope_tui.store.store import Store

MARKER = "zebraquokka"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "demo.json"
    store = Store(path)
    write_demo(store, load_meeting_guide(), clients=6, meetings=40, seed=3)
    doc = next(d for d in store.raw_meetings() if not d.get("finalised_at"))  # a draft: finalised ones never change
    steps = {k: dict(v) for k, v in doc["steps"].items()}
    first = next(iter(steps))
    steps[first]["notes"] = f"{steps[first].get('notes') or ''} {MARKER}"
    store.put_meeting_doc(doc["id"], {**doc, "steps": steps})
    store.close()  # compaction: the file, its summary and its stamp
    return path


def _lazy(path, **kw) -> Store:
    store = Store(path, lazy=True, **kw)
    store.wait_ready()
    assert isinstance(store._data["meetings"], LazyMeetings)
    return store


def _kept_written(path, timeout: float = 30.0) -> dict:
    """Wait for the background writer, then read the file as the next session would."""
    end = time.monotonic() + timeout
    while any(t.name == "cope-search-keep" for t in threading.enumerate()):
        assert time.monotonic() < end, "the kept text was never written"
        time.sleep(0.01)
    return kept_files.read(path, "search", KEPT_TAG)


def _answers(index: SearchIndex, query: str) -> list[tuple[str, str, str]]:
    found = index.search(query, limit=1000)
    return [(r.kind, r.record_id, r.snippet) for r in found.results]


QUERIES = ("housing", MARKER, "a", "rent job", "zz-nothing")


def test_the_next_session_answers_from_the_kept_text_as_a_fresh_index_does(db, monkeypatch) -> None:
    store = _lazy(db)
    fresh = SearchIndex(store)
    want = {q: _answers(fresh, q) for q in QUERIES}
    kept = _kept_written(db)
    assert len(kept) == 6 and sum(len(part[0]) for _, part in kept.values()) == 40
    assert stat.S_IMODE(os.stat(kept_files.sidecar(db, "search")).st_mode) == 0o600
    store.close()

    store = _lazy(db)
    decoded = []
    real = store.file_meetings().decode
    monkeypatch.setattr(store.file_meetings(), "decode", lambda cid: decoded.append(cid) or real(cid))
    again = SearchIndex(store)
    again.refresh()
    assert decoded == []  # every client's text came from the kept file (results decode theirs)
    assert {q: _answers(again, q) for q in QUERIES} == want
    assert want[MARKER]
    store.close()


def test_a_client_whose_lines_changed_is_read_again(db) -> None:
    store = _lazy(db)
    SearchIndex(store).refresh()
    _kept_written(db)
    doc = next(d for d in store.raw_meetings() if MARKER in orjson.dumps(d).decode())
    steps = {k: dict(v) for k, v in doc["steps"].items()}
    for step in steps.values():
        if MARKER in (step.get("notes") or ""):
            step["notes"] = step["notes"].replace(MARKER, "walrusotter")
    store.put_meeting_doc(doc["id"], {**doc, "steps": steps})
    store.close()  # compacted: that client's lines differ now

    store = _lazy(db)
    index = SearchIndex(store)
    assert _answers(index, MARKER) == []
    assert [r[1] for r in _answers(index, "walrusotter")] == [doc["id"]]
    store.close()


def test_a_damaged_or_foreign_kept_file_is_ignored(db) -> None:
    store = _lazy(db)
    want = _answers(SearchIndex(store), MARKER)
    _kept_written(db)
    store.close()
    head = orjson.dumps({"tag": KEPT_TAG})
    shapes = (b'{"tag": "other"}', head + b"\n[1, 2]", head + b'\n["c", "d", [["m", 5, "o"]]]', head + b'\n["c", "d", 7]')
    for junk in (b"", b"\x00garbage", *map(zstandard.ZstdCompressor().compress, shapes)):
        kept_files.sidecar(db, "search").write_bytes(junk)
        store = _lazy(db)
        assert _answers(SearchIndex(store), MARKER) == want
        store.close()


def test_lying_kept_text_for_other_lines_is_not_believed(db) -> None:
    store = _lazy(db)
    SearchIndex(store).refresh()
    kept = _kept_written(db)
    store.close()
    forged = {
        cid: ("0" * 32, Blob([[mid, order, 10] for mid, order, _n in part[0]], b"forgedword" * len(part[0])))
        for cid, (_d, part) in kept.items()
    }
    kept_files.write(db, "search", KEPT_TAG, forged)
    store = _lazy(db)
    assert _answers(SearchIndex(store), "forgedword") == []
    want = _answers(SearchIndex(store), MARKER)
    store.close()
    # The right digests, but lengths that do not add up to the text kept: not believed.
    short = {cid: (d, Blob([[m, o, n + 1] for m, o, n in part[0]], part[1])) for cid, (d, part) in kept.items()}
    kept_files.write(db, "search", KEPT_TAG, short)
    store = _lazy(db)
    assert want and _answers(SearchIndex(store), MARKER) == want
    store.close()


def test_erasure_leaves_no_kept_text_of_the_client(db) -> None:
    store = _lazy(db)
    index = SearchIndex(store)
    hit = _answers(index, MARKER)
    assert hit
    _kept_written(db)
    assert MARKER.encode() in zstandard.ZstdDecompressor().decompressobj().decompress(kept_files.sidecar(db, "search").read_bytes())
    client_id = store.get("meetings", hit[0][1])["client_id"]
    store.erase_client(client_id)
    assert not kept_files.sidecar(db, "search").exists()
    assert _answers(index, MARKER) == []
    store.keep("search", KEPT_TAG, {client_id: ("d", [(hit[0][1], MARKER, "")])}, meeting_ids=True)  # a late writer
    assert MARKER not in str(kept_files.read(db, "search", KEPT_TAG))
    store.close()


def test_no_kept_text_beside_an_encrypted_db(db) -> None:
    store = _lazy(db)
    SearchIndex(store).refresh()
    _kept_written(db)
    store.close()
    rekey.convert(db, rekey.ENCRYPT, PASSPHRASE)
    assert not kept_files.sidecar(db, "search").exists()  # encrypting leaves no plain words beside it
    store = Store(db, lazy=True, passphrase=PASSPHRASE)
    assert SearchIndex(store).search(MARKER).total == 1
    store.keep("search", KEPT_TAG, {"x": ("d", [("m", "words", "")])})
    store.close()
    assert not kept_files.sidecar(db, "search").exists()


def test_a_restore_removes_the_kept_text(db) -> None:
    store = _lazy(db)
    SearchIndex(store).refresh()
    _kept_written(db)
    store.close()
    point = backups.list_backups(db)[0]
    backups.restore(db, point)
    assert not kept_files.sidecar(db, "search").exists()


def test_text_being_kept_while_its_client_is_erased_is_never_put_in_place(db) -> None:
    """The text is written a client at a time outside the store's lock (saves must not
    wait for it); an erasure in the middle removes the kept files, and the file being
    written must not bring the client's words back afterwards."""
    store = _lazy(db)
    index = SearchIndex(store)
    hit = _answers(index, MARKER)
    _kept_written(db)
    client_id = store.get("meetings", hit[0][1])["client_id"]
    whole = kept_files.read(db, "search", KEPT_TAG)
    assert client_id in whole

    def parts_erasing_midway():
        for n, (cid, part) in enumerate(whole.items()):
            if n == 1:
                store.erase_client(client_id)
            yield cid, part

    store.keep("search", KEPT_TAG, parts_erasing_midway(), meeting_ids=True)
    assert not kept_files.sidecar(db, "search").exists()
    assert [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")] == []
    store.keep("search", KEPT_TAG, {cid: part for cid, part in whole.items()}, meeting_ids=True)  # after it: kept, without them
    assert client_id not in kept_files.read(db, "search", KEPT_TAG) and len(kept_files.read(db, "search", KEPT_TAG)) == 5
    store.close()


def test_the_kept_text_is_made_durable_outside_the_stores_lock(db, monkeypatch) -> None:
    """The app's screens read the store under its lock: a 15 MB file fsynced under it
    would hold them; only the rename (and the check that nothing was erased) is."""
    store = _lazy(db)
    _answers(SearchIndex(store), MARKER)
    _kept_written(db)
    whole = kept_files.read(db, "search", KEPT_TAG)
    under_lock: list[bool] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: under_lock.append(store._mutex._is_owned()) or real(fd))
    store.keep("search", KEPT_TAG, whole, meeting_ids=True)
    monkeypatch.undo()
    assert under_lock and not any(under_lock)
    assert kept_files.read(db, "search", KEPT_TAG) == whole
    store.close()
