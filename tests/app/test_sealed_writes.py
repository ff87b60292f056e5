"""Issue 11, point 5: nothing plain in an encrypted DB's files.

A process that opened the DB before another one encrypted it (a read-only window, an
export, a writer whose lock file was deleted) must notice the change and write sealed or
not at all, saying so. Real processes: the conversion always runs as `cope-tui encrypt`
or `decrypt` in a process of its own, beside the one that had the DB open.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import Input

from cope_tui.store import audit, crypto
from cope_tui.app import create_app
from cope_tui.meetings.models import Client
from cope_tui.screens.export_preview import ExportPreview, WriteDialog
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.audit_log import signed_meeting
from helpers.cli import convert, doctor, plain_lines
from helpers.polling import until
from helpers.pilot import showing

PASS = "correct horse battery staple"
CODE = "C-0142"
SIZE = (80, 24)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A plain DB with one client and a finalised meeting, so its audit log exists."""
    db = tmp_path / "data" / "cope.json"
    signed_meeting(db, code=CODE, notes="Talked about the rent.", by="worker-1")
    return db


async def test_a_read_only_app_left_open_writes_no_plain_line_after_encrypt(db, tmp_path, cli_env, monkeypatch):
    """The reproduction as reported: --read-only app open, `encrypt` from another shell,
    then an export from the app."""
    monkeypatch.chdir(tmp_path)
    session = Session.open(db, read_only=True)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: session.store.ready)
        convert(cli_env, "encrypt", db, PASS)  # another shell, while the window stays open
        assert crypto.line_form(audit.log_path(db).read_bytes()) == "sealed"
        await pilot.press("enter")  # the client
        await pilot.pause()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: showing(app, ExportPreview) and bool(app.screen.text))
        await pilot.press("w")
        await until(pilot, lambda: showing(app, WriteDialog))
        target = tmp_path / f"{CODE}-export.md"
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await until(pilot, lambda: target.exists() and any("audit log" in str(n.message) for n in app._notifications))
        told = [str(n.message) for n in app._notifications if "audit log" in str(n.message)]
        await pilot.press("ctrl+q")
    session.close()
    log = audit.log_path(db)
    assert plain_lines(log) == [] and CODE.encode() not in log.read_bytes()
    assert "was not written" in told[0] and "encrypted" in told[0], told
    checked = doctor(cli_env, db, PASS)
    assert checked.returncode == 0, checked.stdout


def test_a_writer_whose_lock_was_deleted_writes_nothing_plain_after_encrypt(db, cli_env):
    """The lock file deleted by hand lets `encrypt` run beside a writer: the writer's next
    save and its closing compaction must notice and write nothing, keeping the text."""
    store = Store(db)
    store.put_client(Client(code="C-BEFORE"))
    db.with_name(db.name + ".lock").unlink()
    convert(cli_env, "encrypt", db, PASS)
    with pytest.raises(OSError) as refused:  # storage.FilesReplaced: the saver keeps the text
        store.put_client(Client(code="C-AFTER-SECRET"))
    assert "encrypted, decrypted or replaced" in str(refused.value.strerror)
    store.close()
    folder = db.parent
    leaks = [p.name for p in folder.rglob("*") if p.is_file() and b"C-AFTER-SECRET" in p.read_bytes()]
    assert leaks == []
    assert crypto.is_encrypted(db)
    journal = db.with_name(db.name + ".journal")
    assert not journal.exists() or plain_lines(journal) == []
    reopened = Store(db, read_only=True, passphrase=PASS)
    assert {c.code for c in reopened.clients()} == {CODE, "C-BEFORE"}  # what was saved before is kept
    reopened.close()
    assert doctor(cli_env, db, PASS).returncode == 0


def test_a_journal_deleted_under_a_writer_loses_nothing(db, cli_env):
    """Same form, file gone: a fresh journal takes the next lines and a compaction writes
    out what the lost one held, so nothing is missing after a kill."""
    store = Store(db)
    store.put_client(Client(code="C-ONE"))
    os.unlink(db.with_name(db.name + ".journal"))
    store.put_client(Client(code="C-TWO"))
    store._join_compactor()
    store.journal.close()  # as a kill -9 leaves it: no closing compaction
    store.lock.release()
    reopened = Store(db, read_only=True)
    assert {c.code for c in reopened.clients()} == {CODE, "C-ONE", "C-TWO"}
    assert reopened.integrity_notes == []
    reopened.close()
