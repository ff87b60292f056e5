"""The main file's one-meeting-per-line layout, and loading only some clients' meetings."""

from __future__ import annotations

import orjson
import pytest

from cope_tui.store.record_lines import MeetingLines, dump_tables
from cope_tui.store.store import Store


def _meeting(mid: str, cid: str, note: str = "") -> dict:
    started = f"2026-01-0{mid[-1]}T10:00:00"  # a stored meeting always has its start (record_check)
    return {"id": mid, "client_id": cid, "kind": "review", "started": started, "steps": {"opening": {"notes": note}}}


def _data() -> dict:
    return {
        "meta": {"app": {"app": "cope-tui", "schema": 1}},
        "clients": {"c1": {"id": "c1", "code": "A"}, "c2": {"id": "c2", "code": "B"}},
        "meetings": {
            "m1": _meeting("m1", "c1", 'a line\nbreak, a "quote" and },\n"m9":{"id":"m9"'),
            "m2": _meeting("m2", "c2", "second"),
            "m3": _meeting("m3", "c1", "third"),
        },
        "exercises": {},
    }


def test_the_layout_is_the_same_json_with_a_line_per_meeting() -> None:
    data = _data()
    raw = dump_tables(data)
    assert orjson.loads(raw) == data
    assert raw.count(b"\n") == 4  # before each meeting and before the closing braces
    lines = MeetingLines.index(raw)
    assert lines is not None
    assert [(key, client) for key, _id, client, _, _ in lines.spans] == [("m1", "c1"), ("m2", "c2"), ("m3", "c1")]
    assert set(lines.sizes()) == {"c1", "c2"}


def test_only_the_chosen_clients_meetings_are_parsed() -> None:
    lines = MeetingLines.index(dump_tables(_data()))
    seen = []

    def choose(clients, sizes, total):
        seen.append((sorted(clients), sorted(sizes), total))
        return {"c1"}

    got = lines.meetings(lines.tables(), choose)
    assert sorted(got) == ["m1", "m3"]
    assert got["m1"] == _data()["meetings"]["m1"]
    assert seen == [(["c1", "c2"], ["c1", "c2"], 3)]


def test_the_journal_changes_win_over_the_file() -> None:
    lines = MeetingLines.index(dump_tables(_data()))
    data = lines.tables()
    meetings = data["meetings"]
    meetings["m4"] = _meeting("m4", "c1", "new since")  # as Journal.replay applies entries
    meetings["m3"] = _meeting("m3", "c1", "edited since")
    meetings.pop("m1", None)  # deleted since
    got = lines.meetings(data, lambda clients, sizes, total: {"c1"})
    assert sorted(got) == ["m3", "m4"]
    assert got["m3"]["steps"]["opening"]["notes"] == "edited since"
    counted = []
    lines.meetings(lines.tables() | {"meetings": meetings}, lambda c, s, total: counted.append(total) or None)
    assert counted == [3]  # m2, m3, m4


def test_an_odd_key_is_written_escaped_and_the_file_is_then_parsed_whole() -> None:
    data = _data()
    data["meetings"]['m"4\\'] = _meeting('m"4\\', "c2", "odd id")
    raw = dump_tables(data)
    assert orjson.loads(raw) == data
    assert MeetingLines.index(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        orjson.dumps(_data()),  # the older layout: one line
        dump_tables(_data()).replace(b'"client_id":"c2"', b'"kind":"x","client_id":"c2"', 1),
        dump_tables(_data()).replace(b'\n"m2"', b'\n"m\\u0032"', 1),
        dump_tables(_data()).replace(b"},\n", b"}\n", 1),  # a separator lost
        dump_tables(_data())[:-1],  # cut short
        b"",
        b"{}",
    ],
)
def test_anything_else_is_left_to_the_whole_file_parse(raw: bytes) -> None:
    assert MeetingLines.index(raw) is None


def test_a_store_written_now_uses_the_layout_and_a_choosing_store_reads_part(tmp_path) -> None:
    db = tmp_path / "db.json"
    store = Store(db)
    for key, table in _data().items():
        for doc_id, doc in table.items():
            if key != "meta":
                store.put(key, doc_id, doc)
    store.close()
    assert MeetingLines.index(db.read_bytes()) is not None
    store = Store(db)
    store.put("meetings", "m5", _meeting("m5", "c2", "in the journal only"))
    store.journal.close()
    store.lock.release()  # as if the app were still running: the save is only in the journal
    part = Store(db, read_only=True, choose_meetings=lambda clients, sizes, total: {"c2"})
    assert sorted(m["id"] for m in part.raw_meetings()) == ["m2", "m5"]
    assert part.read_identity != b""
    whole = Store(db, read_only=True)
    assert sorted(m["id"] for m in whole.raw_meetings()) == ["m1", "m2", "m3", "m5"]
