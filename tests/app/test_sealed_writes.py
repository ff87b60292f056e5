"""Issue 11, point 5: nothing plain in an encrypted DB's files.

A process that opened the DB before another one encrypted it (a read-only window, an
export, a writer whose lock file was deleted) must notice the change and write sealed or
not at all, saying so. Real processes: the conversion always runs as `cope-tui encrypt`
or `decrypt` in a process of its own, beside the one that had the DB open.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual.widgets import Input

from cope_tui.store import audit, crypto
from cope_tui.app import create_app
from cope_tui.meetings.rules import create_client, finalise, start_meeting
from cope_tui.meetings.models import Client
from cope_tui.screens.export_preview import ExportPreview, WriteDialog
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.cli import convert, plain_lines, run_cli
from helpers.polling import until

PASS = "correct horse battery staple"
OTHER = "another long passphrase"
CODE = "C-0142"
SIZE = (80, 24)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A plain DB with one client and a finalised meeting, so its audit log exists."""
    db = tmp_path / "data" / "cope.json"
    session = Session.open(db, lazy=False)
    client = create_client(session.store, CODE)
    meeting = start_meeting(session.store, session.guide, client)
    meeting.step("opening").notes = "Talked about the rent."
    finalise(meeting, "worker-1")
    audit.save_signed(session, meeting)
    assert session.close()
    return db


def doctor(cli_env: dict[str, str], db: Path, passphrase: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(cli_env)
    if passphrase:
        env["COPE_TUI_PASSPHRASE"] = passphrase
    return run_cli(["doctor", "--db", str(db)], env)


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
        await until(pilot, lambda: isinstance(app.screen, ExportPreview) and bool(app.screen.text))
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, WriteDialog))
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


HOLDER = textwrap.dedent(
    """
    import sys
    from cope_tui.store import audit
    from cope_tui.store.store import Store
    store = Store(sys.argv[1], read_only=True, passphrase=sys.argv[2] or None)
    store.clients()  # loaded, as an open window is
    print("ready", flush=True)
    sys.stdin.readline()
    note = audit.log_export(store, what="client C-0142", target="C-0142-2026-01-05.md", data="text")
    print(note or "written", flush=True)
    """
)


@pytest.mark.parametrize(
    "opened, steps",
    [
        ("plain", [("encrypt", PASS)]),  # a plain line must not go into the sealed log
        ("sealed", [("decrypt", PASS)]),  # nor a sealed one into the log made plain
        ("sealed", [("decrypt", PASS), ("encrypt", OTHER)]),  # nor one under the old key
    ],
)
def test_a_process_that_opened_the_db_before_a_conversion_writes_nothing(db, cli_env, opened, steps):
    if opened == "sealed":
        convert(cli_env, "encrypt", db, PASS)
    before = audit.log_path(db).read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), PASS if opened == "sealed" else ""],
        env=cli_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        for command, passphrase in steps:
            convert(cli_env, command, db, passphrase)
        converted = audit.log_path(db).read_bytes()
        assert converted != before
        holder.stdin.write("go\n")
        holder.stdin.flush()
        said = holder.stdout.readline().strip()
        assert holder.wait(timeout=60) == 0, holder.stderr.read()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert audit.log_path(db).read_bytes() == converted  # not a byte added
    assert "was not written" in said and "since this program opened it" in said, said
    checked = doctor(cli_env, db, steps[-1][1] if steps[-1][0] == "encrypt" else None)
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
