"""Issue 14 points 2 and 3: the follow-through board is worked out a client at a time
(meetings/board_parts.py), kept in memory by a version of each client's meetings and
beside a plain DB (NAME.json.board) by the digest of their lines. Whichever way a
client's part comes, the board must be the one a full read of every meeting gives."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
import zstandard

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.meetings import board_parts
from cope_tui.meetings import follow_through as ft
from cope_tui.store import kept
from cope_tui.store.lazy_meetings import LazyMeetings
from cope_tui.store.store import Store
from helpers.demo_files import demo_file

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def guide():
    return load_meeting_guide()


@pytest.fixture
def db(tmp_path):
    return demo_file(tmp_path / "demo.json", clients=8, meetings=70, seed=5)


def _lazy(path) -> Store:
    store = Store(path, lazy=True)
    store.wait_ready()
    assert isinstance(store._data["meetings"], LazyMeetings)
    return store


def _shown(board: ft.Board) -> dict:
    return {
        "open": [repr(i) for i in board.open_actions()],
        "done": [repr(i) for i in board.done_actions()],
        "referrals": [repr(i) for i in board.shown_referrals()],
        "meetings": [repr(m) for m in board.meetings],
        "counts": board.counts(),
    }


def _kept_written(timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while any(t.name == "cope-board-keep" for t in threading.enumerate()):
        assert time.monotonic() < end, "the board's parts were never kept"
        time.sleep(0.01)


def _counting_reads(store: Store, monkeypatch) -> list[str]:
    read: list[str] = []
    real = store.raw_meetings_of
    monkeypatch.setattr(store, "raw_meetings_of", lambda cid: read.append(cid) or real(cid))
    return read


def test_the_board_from_parts_is_the_board_of_a_full_read(db, guide, monkeypatch) -> None:
    eager = Store(db, read_only=True)
    want = _shown(ft.build(eager, guide, today=TODAY))
    assert want["open"] and want["done"] and want["referrals"] and want["meetings"]
    eager.close()

    store = _lazy(db)
    assert _shown(ft.build(store, guide, today=TODAY)) == want  # worked out
    read = _counting_reads(store, monkeypatch)
    assert _shown(ft.build(store, guide, today=TODAY)) == want  # from memory
    assert read == []
    _kept_written()
    store.close()
    assert kept.sidecar(db, "board").exists()

    store = _lazy(db)
    read = _counting_reads(store, monkeypatch)
    assert _shown(ft.build(store, guide, today=TODAY)) == want  # from the kept file
    assert read == []
    store.close()


def test_a_changed_client_is_read_again_and_only_that_one(db, guide, monkeypatch) -> None:
    store = _lazy(db)
    ft.build(store, guide, today=TODAY)
    draft = next(d for d in store.raw_meetings() if not d.get("finalised_at"))
    store.delete("meetings", draft["id"])
    read = _counting_reads(store, monkeypatch)
    after = _shown(ft.build(store, guide, today=TODAY))
    assert read == [draft["client_id"]]
    store.close()
    eager = Store(db, read_only=True)
    assert after == _shown(ft.build(eager, guide, today=TODAY))
    eager.close()


def test_a_damaged_or_lying_kept_board_is_not_believed(db, guide) -> None:
    store = _lazy(db)
    want = _shown(ft.build(store, guide, today=TODAY))
    _kept_written()
    store.close()
    tag = f"{board_parts.KEPT_TAG} {ft.layout(guide)!r}"
    found = kept.read(db, "board", tag)
    assert len(found) == 8
    broken = {cid: (digest, {**part, "latest": {"x": [1, 2, 3]}}) for cid, (digest, part) in found.items()}
    other_lines = {cid: ("0" * 32, part) for cid, (_digest, part) in found.items()}
    for forged in (broken, other_lines):
        kept.write(db, "board", tag, forged)
        store = _lazy(db)
        assert _shown(ft.build(store, guide, today=TODAY)) == want
        _kept_written()
        store.close()
    kept.sidecar(db, "board").write_bytes(zstandard.ZstdCompressor().compress(b"not json"))
    store = _lazy(db)
    assert _shown(ft.build(store, guide, today=TODAY)) == want
    store.close()


def test_erasure_removes_what_the_board_kept(db, guide) -> None:
    store = _lazy(db)
    ft.build(store, guide, today=TODAY)
    _kept_written()
    assert kept.sidecar(db, "board").exists()
    client = store.clients()[0]
    store.erase_client(client.id)
    assert not kept.sidecar(db, "board").exists()
    board = ft.build(store, guide, today=TODAY)
    assert all(i.client_id != client.id for i in board.actions + board.referrals)
    _kept_written()
    store.close()
    found = kept.read(db, "board", f"{board_parts.KEPT_TAG} {ft.layout(guide)!r}")
    assert client.id not in found


def test_parts_read_from_the_kept_file_share_their_texts(db, guide) -> None:
    """Every date, id and "worker" parsed is an object of its own; the board reads every
    client's part at once, so equal texts are made one object as they are read (the same
    board, less memory), and a part nested past any sense is refused, not a crash."""
    store = _lazy(db)
    want = _shown(ft.build(store, guide, today=TODAY))
    _kept_written()
    store.close()
    found = kept.read(db, "board", f"{board_parts.KEPT_TAG} {ft.layout(guide)!r}")
    pool: dict[str, str] = {}
    parts = [board_parts.from_json(part, pool) for _digest, part in found.values()]
    rows = [row for part in parts for _k, _d, rs in part.latest.values() for row in rs]
    whos = [row["values"]["who"] for row in rows if isinstance(row.get("values", {}).get("who"), str)]
    assert len(whos) > len(set(whos)) > 0
    assert len({id(w) for w in whos}) == len(set(whos))  # one object per distinct text
    store = _lazy(db)
    assert _shown(ft.build(store, guide, today=TODAY)) == want
    store.close()
    deep: object = "x"
    for _ in range(5000):
        deep = [deep]
    assert board_parts.from_json({"rows": deep}, {}) is None
