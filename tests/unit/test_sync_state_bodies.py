"""The sync state keeps each record's last synced version as its canonical JSON bytes,
not as a tree of objects beside the DB's own copy (380 MB at 10,000 meetings before),
and reads the files written before, where a version is a JSON object, the same."""

from __future__ import annotations

import gc
import tracemalloc

import orjson

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.store import crypto
from cope_tui.store.store import Store
from cope_tui.sync.body import opened
from cope_tui.sync.merge import canon
from cope_tui.sync.state import SyncState
from helpers.sync import state_journal


def _rec(rid: str, doc: dict, older: dict | None = None) -> dict:
    return {"t": "meetings", "id": rid, "rev": "2-b", "hist": ["b", "a"], "body": {"doc": doc, "conflicts": []},
            "hash": "h", "conflicts": [], "older": [["1-a", {"doc": older, "conflicts": []}]] if older else [], "close": [], "leaves": []}


def test_a_version_is_held_as_its_canonical_bytes_and_reads_back_the_same(tmp_path) -> None:
    db = tmp_path / "Ann.json"
    doc, before = {"id": "m1", "b": [1, {"z": "é"}], "a": None}, {"id": "m1", "a": "first"}
    state = SyncState(db, crypto.PlainCodec())
    state.commit({"r1": _rec("m1", doc, before)})
    held = state.records["r1"]
    assert held["body"] == canon({"doc": doc, "conflicts": []}) and held["older"][0][1] == canon({"doc": before, "conflicts": []})
    state.compact()  # the whole file, then a step after it in the journal
    state.commit({"r2": _rec("m2", {"id": "m2"})})
    state.close()
    again = SyncState(db, crypto.PlainCodec())
    assert again.records["r1"]["body"] == held["body"] and again.records["r1"]["older"] == held["older"]
    assert opened(again.records["r1"]["body"]) == {"doc": doc, "conflicts": []}
    assert opened(again.records["r2"]["body"])["doc"] == {"id": "m2"}
    again.close()
    # On disk a version is one JSON string, not an object to build again at each read.
    line = orjson.loads(state_journal(db).read_bytes().splitlines()[-1])
    assert isinstance(line["doc"]["r"]["r2"]["body"], str)


def test_a_state_written_before_with_versions_as_objects_reads_the_same(tmp_path) -> None:
    db = tmp_path / "Ann.json"
    doc = {"id": "m1", "steps": {"opening": {"notes": "kept"}}}
    whole = {"meta": {"replica": "abc"}, "records": {"r1": _rec("m1", doc, {"id": "m1"})}}
    db.with_name(db.name + ".sync").write_bytes(orjson.dumps(whole))
    step = {"t": "step", "id": "s1", "doc": {"r": {"r2": _rec("m2", {"id": "m2"})}, "m": {}}}
    state_journal(db).write_bytes(orjson.dumps(step) + b"\n")
    state = SyncState(db, crypto.PlainCodec(), read_only=True)
    assert state.meta["replica"] == "abc"
    assert state.records["r1"]["body"] == canon({"doc": doc, "conflicts": []})
    assert opened(state.records["r1"]["older"][0][1]) == {"doc": {"id": "m1"}, "conflicts": []}
    assert opened(state.records["r2"]["body"])["doc"] == {"id": "m2"}


def test_the_state_of_many_meetings_costs_about_their_bytes_in_memory(tmp_path) -> None:
    """As objects, a meeting's version took four to five times its JSON in memory."""
    db = tmp_path / "Ann.json"
    store = Store(db)
    write_demo(store, load_meeting_guide(), clients=10, meetings=150, seed=5)
    meetings = list(store.raw("meetings"))
    store.close()
    state = SyncState(db, crypto.PlainCodec())
    state.commit({f"r{n}": _rec(m["id"], m) for n, m in enumerate(meetings)})
    state.close()
    size = sum(len(canon({"doc": m, "conflicts": []})) for m in meetings)
    gc.collect()
    tracemalloc.start()
    try:
        again = SyncState(db, crypto.PlainCodec(), read_only=True)
        gc.collect()
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(again.records) == len(meetings)
    assert held < 1.6 * size, (held, size)


def test_reading_a_big_journal_holds_little_more_than_what_it_keeps(tmp_path) -> None:
    """A journal is read a line at a time and each line's versions are made bytes at once:
    the whole file's lines, and every version's text, were all held until the last line
    (reading the state of 50,000 meetings peaked at 1.6 GB; 1.1 GB now, the DB's 356 MB
    included)."""
    db = tmp_path / "Ann.json"
    state = SyncState(db, crypto.PlainCodec())
    note = "a meeting's words " * 400
    for step in range(40):
        state.commit({f"r{step}-{n}": _rec(f"m{step}-{n}", {"id": f"m{step}-{n}", "notes": note}) for n in range(10)})
    state.close()
    size = state_journal(db).stat().st_size
    gc.collect()
    tracemalloc.start()
    try:
        again = SyncState(db, crypto.PlainCodec(), read_only=True)
        _held_now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(again.records) == 400
    assert peak < 2.6 * size, (peak, size)
