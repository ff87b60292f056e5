"""When the sync state's journal is folded into its whole file: once it outgrows the file
and mostly holds versions written over since. A journal of records each written once (a
first pull: 10,000 of them, 100 MB) would be rewritten whole for nothing: the next open
reads it as fast as the file it would become."""

from __future__ import annotations

import pytest

from cope_tui.store import crypto
from cope_tui.sync import state
from cope_tui.sync.body import opened

NOTE = "x" * 200


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(state, "COMPACT_BYTES", 4096)


def _open(db):
    return state.SyncState(db, crypto.PlainCodec())


def _step(first: int, count: int, note: str = NOTE) -> dict:
    return {f"rid{i}": {"t": "clients", "id": f"c{i}", "body": {"doc": {"note": note}}} for i in range(first, first + count)}


def test_a_journal_of_records_written_once_is_not_rewritten(tmp_path, small) -> None:
    db = tmp_path / "ann.json"
    db.write_text("{}")
    held = _open(db)
    for n in range(10):
        held.commit(_step(n * 20, 20), {"since": str(n)})
    assert held.journal.size > 10 * 4096
    held.compact_if_due()
    assert not held.path.exists()  # nothing gained by folding: each record is there once
    held.close()
    again = _open(db)
    assert len(again.records) == 200 and again.meta["since"] == "9"
    again.close()


def test_a_journal_mostly_written_over_is_folded_in_counting_what_an_earlier_run_wrote(tmp_path, small) -> None:
    db = tmp_path / "ann.json"
    db.write_text("{}")
    held = _open(db)
    for n in range(2):
        held.commit(_step(0, 20, f"{NOTE} {n}"))
    held.compact_if_due()
    assert not held.path.exists()  # twice each: not yet
    held.close()
    again = _open(db)  # the journal's steps are counted when it is read back
    again.commit(_step(0, 20, f"{NOTE} again"))
    again.compact_if_due()
    assert again.path.exists() and again.journal.size == 0
    assert {opened(rec["body"])["doc"]["note"] for rec in again.records.values()} == {f"{NOTE} again"}
    again.close()
