"""A writer whose lock file is deleted while it runs (a "stale lock" removed by hand, a
cleaner). Found by hand: a second app then opened as a writer beside the first, both
said "saved", and the first one's words were gone from every file but a backup."""

from __future__ import annotations

import os

import pytest

from cope_tui.meetings.models import Client
from cope_tui.store.anchored import LockLost
from cope_tui.store.errors import DatabaseLocked
from cope_tui.store.store import Store


def test_a_writer_stops_once_another_has_taken_a_new_lock(tmp_path):
    db = tmp_path / "cope.json"
    first = Store(db)
    first.put_client(Client(code="C-FIRST"))
    first.lock.path.unlink()
    second = Store(db)  # nothing said the first was there
    with pytest.raises(LockLost, match="Copy any text"):
        first.put_client(Client(code="C-LOST"))
    second.put_client(Client(code="C-SECOND"))
    assert first.close() is False  # its fold would write what it holds over the second's
    second.close()
    after = Store(db, read_only=True)
    assert sorted(c.code for c in after.clients()) == ["C-FIRST", "C-SECOND"]
    after.close()


def test_a_lock_deleted_with_nobody_else_there_is_taken_again(tmp_path):
    db = tmp_path / "cope.json"
    store = Store(db)
    store.lock.path.unlink()
    store.put_client(Client(code="C-1"))  # saved, and the lock made again on the way
    assert store.lock.path.exists() and str(os.getpid()) in store.lock.path.read_text()
    with pytest.raises(DatabaseLocked):
        Store(db)
    assert store.close() is True
    again = Store(db, read_only=True)
    assert [c.code for c in again.clients()] == ["C-1"]
    again.close()


def test_a_lost_lock_is_said_as_no_retry_can_help(tmp_path):
    """The quit said "Free some space and quit again" and the sidebar "retrying…" forever,
    while the message said nothing more is written."""
    from cope_tui.store.autosave import SaveStatus, _describe
    from cope_tui.widgets.save_status import save_status_text

    said = _describe(LockLost(tmp_path / "cope.json"))
    assert said.startswith("Nothing more is saved here") and "retried" not in said and "space" not in said
    assert "retrying" not in save_status_text(SaveStatus(1, said), read_only=False)
    assert "retrying" in save_status_text(SaveStatus(1, _describe(OSError(28, "No space left"))), read_only=False)
