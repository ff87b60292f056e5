"""The sync state of a DB encrypted by the CLI from another shell (subprocess) writes
nothing plain."""

from __future__ import annotations


import pytest

from cope_tui.store import crypto
from cope_tui.sync.state import SyncState
from helpers.sync import state_journal, state_step


def test_a_state_opened_before_the_db_was_encrypted_writes_nothing_plain(tmp_path, cli_env) -> None:
    """Issue 11's point 5 for the sync state: `encrypt` run from another shell (past a
    deleted lock file) while a sync engine holds the state must not leave a plain line or
    a plain state file, with the records' text, beside the encrypted DB."""
    from cope_tui.store.store import Store
    from cope_tui.sync.errors import SyncError
    from helpers.cli import convert, plain_lines

    DB_PASS = "correct horse battery staple"
    db = tmp_path / "data" / "Ann.json"
    store = Store(db)
    store.close()
    state = SyncState(db, store.codec)
    state.commit(state_step("r1", "before"))
    convert(cli_env, "encrypt", db, DB_PASS)
    with pytest.raises(SyncError, match="encrypted, decrypted or replaced"):
        state.commit(state_step("r2", "SECRET-AFTER"))
    with pytest.raises(SyncError, match="encrypted, decrypted or replaced"):
        state.compact()
    state.close()
    leaks = [p.name for p in db.parent.rglob("*") if p.is_file() and b"SECRET-AFTER" in p.read_bytes()]
    assert leaks == []
    assert plain_lines(state_journal(db)) == []
    again = SyncState(db, crypto.unlock(crypto.read_header(db), DB_PASS))
    assert set(again.records) == {"r1"}  # what was committed before is kept, now sealed
    again.close()
