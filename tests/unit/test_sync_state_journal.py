"""The sync state's own journal (NAME.json.sync.journal) after the store's hardening.

Its lines are sync steps, not DB records: they are judged by what they are, both when
they replay and when a kill left the last one without its newline, so the state a
sync committed opens again, and damage is still reported by line.
"""

from __future__ import annotations


import orjson
import pytest

from cope_tui.store import crypto
from cope_tui.sync.errors import StateDamaged
from cope_tui.sync.state import SyncState
from helpers.sync import state_journal, state_step

PASS = "the sync state's long passphrase"


@pytest.mark.parametrize("sealed", [False, True], ids=["plain", "encrypted"])
def test_the_steps_a_sync_committed_are_there_at_the_next_open(tmp_path, sealed) -> None:
    db = tmp_path / "Ann.json"
    codec = crypto.new_codec(PASS) if sealed else crypto.PlainCodec()
    state = SyncState(db, codec)
    state.commit(state_step("r1", "first"), {"since": "7-abc"})
    state.commit({"r1": None, **state_step("r2", "second")})
    replica = state.meta["replica"]
    state.close()
    again = SyncState(db, codec)
    assert again.meta["since"] == "7-abc" and again.meta["replica"] == replica
    assert set(again.records) == {"r2"}
    again.close()


def test_a_whole_last_step_without_its_newline_is_kept_on_disk_too(tmp_path) -> None:
    db = tmp_path / "Ann.json"
    SyncState(db, crypto.PlainCodec()).close()
    journal = state_journal(db)
    whole = orjson.dumps({"t": "step", "id": "x1", "doc": {"r": state_step("r1", "kept"), "m": {}}})
    journal.write_bytes(journal.read_bytes() + whole)  # its newline never made it to the disk
    state = SyncState(db, crypto.PlainCodec())
    assert set(state.records) == {"r1"}
    state.commit(state_step("r2", "next"))
    state.close()
    assert journal.read_bytes().endswith(b"\n") and whole + b"\n" in journal.read_bytes()
    again = SyncState(db, crypto.PlainCodec())
    assert set(again.records) == {"r1", "r2"}  # not cut off at the open, nor glued to the next line
    again.close()


def test_a_torn_last_step_is_cut_off_and_the_steps_before_it_kept(tmp_path) -> None:
    db = tmp_path / "Ann.json"
    state = SyncState(db, crypto.PlainCodec())
    state.commit(state_step("r1", "kept"))
    state.close()
    journal = state_journal(db)
    journal.write_bytes(journal.read_bytes() + b'{"t": "step", "id": "x2", "doc": {"r"')
    again = SyncState(db, crypto.PlainCodec())
    assert set(again.records) == {"r1"}
    again.commit(state_step("r3", "after"))
    again.close()
    third = SyncState(db, crypto.PlainCodec())
    assert set(third.records) == {"r1", "r3"}
    third.close()


@pytest.mark.parametrize(
    "line",
    [b"{not json", b'{"t": "clients", "id": "r1", "doc": {}}', b'{"t": "step", "id": "x", "doc": {"r": []}}'],
    ids=["not-json", "a-db-record", "a-step-of-the-wrong-shape"],
)
def test_a_bad_line_that_ends_with_its_newline_is_damage_named_by_line(tmp_path, line) -> None:
    db = tmp_path / "Ann.json"
    state = SyncState(db, crypto.PlainCodec())
    state.commit(state_step("r1", "kept"))
    state.close()
    journal = state_journal(db)
    journal.write_bytes(journal.read_bytes() + line + b"\n")
    with pytest.raises(StateDamaged, match=r"damaged journal \(line 3: .*move it aside"):
        SyncState(db, crypto.PlainCodec())


def test_a_state_journal_deleted_under_a_sync_loses_no_step(tmp_path) -> None:
    """Same form, journal gone (deleted by hand while the app syncs): the next step goes
    to a fresh journal and the whole state is written out first."""
    db = tmp_path / "Ann.json"
    state = SyncState(db, crypto.PlainCodec())
    state.commit(state_step("r1", "first"))
    state_journal(db).unlink()
    state.commit(state_step("r2", "second"))
    state.close()
    again = SyncState(db, crypto.PlainCodec())
    assert set(again.records) == {"r1", "r2"}
    again.close()


def test_the_count_of_open_conflicts_follows_every_step_and_reopens_the_same(tmp_path) -> None:
    """Kept as records change, for the header that asks every 2 s on the UI thread."""
    db = tmp_path / "Ann.json"
    state = SyncState(db, crypto.PlainCodec())

    def with_conflicts(rid: str, n: int) -> dict:
        step = state_step(rid, "note")
        step[rid]["conflicts"] = [{"id": f"{rid}-{k}", "kind": "field", "path": ["note"]} for k in range(n)]
        return step

    state.commit({**with_conflicts("r1", 2), **with_conflicts("r2", 1)})
    assert state.conflict_count == 3
    state.commit(with_conflicts("r1", 0))  # settled
    state.commit({"r2": None, **with_conflicts("r3", 4)})  # forgotten, and another
    assert state.conflict_count == 4 == sum(len(r["conflicts"]) for r in state.records.values())
    state.compact()
    state.commit(with_conflicts("r4", 1))  # the whole file, then a journal step over it
    state.close()
    again = SyncState(db, crypto.PlainCodec(), read_only=True)
    assert again.conflict_count == 5
    again.close()
