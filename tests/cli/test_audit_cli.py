"""The audit log through the CLI (subprocesses): doctor names what was edited on disk, and
export, restore and demo write their entries."""

from __future__ import annotations

import hashlib

import pytest

from cope_tui.store import audit, backups
from cope_tui.session import start_meeting
from cope_tui.meetings.rules import finalise
from cope_tui.session import Session
from helpers.audit_log import MARKER, entries, signed_meeting, stored
from helpers.stored import file_tables, write_tables


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "cope.json"


def test_doctor_names_a_finalised_meeting_edited_on_disk(db, cli):
    _, meeting = signed_meeting(db, code="C-42")
    assert cli("doctor", "--db", db).returncode == 0
    raw = file_tables(db)
    raw["meetings"][meeting.id]["steps"]["opening"]["notes"] = "Said something else."
    write_tables(db, raw)

    result = cli("doctor", "--db", db)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "changed after finalising" in line)
    assert "C-42" in line and meeting.id in line and f"meeting of {meeting.started:%Y-%m-%d}" in line
    assert " found." in result.stdout


def test_a_plain_dbs_log_replaced_by_garbage_is_a_problem_not_a_sealed_log(db, cli):
    """A log that does not start with '{' was taken for an encrypted DB's sealed log and
    every check was skipped: a finalised meeting edited on disk beside a garbage log
    left doctor saying "Healthy." (exit 0)."""
    _, meeting = signed_meeting(db, code="C-42")
    audit.log_path(db).write_bytes(b"hello\n")
    raw = file_tables(db)
    raw["meetings"][meeting.id]["steps"]["opening"]["notes"] = "Said something else."
    write_tables(db, raw)

    result = cli("doctor", "--db", db)
    assert result.returncode == 1
    assert "is sealed" not in result.stdout and "Healthy" not in result.stdout
    assert "audit log line 1 cannot be read" in result.stdout
    assert any("changed after finalising" in line and meeting.id in line for line in result.stdout.splitlines())


def test_doctor_on_an_edited_audit_line_names_it_and_offers_no_db_restore(db, cli):
    _, meeting = signed_meeting(db, code="C-42")
    assert backups.list_backups(db)  # a good backup exists: doctor could offer it
    lines = audit.log_path(db).read_bytes().splitlines(keepends=True)
    lines[0] = lines[0].replace(b'"worker-3"', b'"worker-9"')
    audit.log_path(db).write_bytes(b"".join(lines))
    before = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}

    result = cli("doctor", "--db", db)
    assert result.returncode == 1
    assert "audit log line 1 (finalise of" in result.stdout and "changed after it was written" in result.stdout
    assert "--restore-newest" not in result.stdout  # a DB backup would not mend the log
    assert "does not mend the audit log" in result.stdout
    assert {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()} == before

    # A changed meeting, by contrast, is mended by the backup from before the change.
    raw = file_tables(db)
    raw["meetings"][meeting.id]["steps"]["opening"]["notes"] = "Said something else."
    write_tables(db, raw)
    result = cli("doctor", "--db", db)
    assert result.returncode == 1 and "--restore-newest" in result.stdout


# ---- the events ----------------------------------------------------------------------------

def test_cli_export_writes_an_entry_naming_the_file_not_its_content(db, cli, tmp_path):
    _, meeting = signed_meeting(db, code="C-9")
    out = tmp_path / "summary.md"
    assert cli("export", "--client", "C-9", "--db", db, "-o", out).returncode == 0
    assert cli("export", "--meeting", meeting.id, "--db", db).returncode == 0
    first, second = entries(db)[1:]
    assert first["kind"] == "export" and first["what"] == "client C-9" and first["target"] == "summary.md"
    assert first["hash"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert second["target"] == "standard output" and second["what"] == f"meeting {meeting.id}"
    assert MARKER in out.read_text() and MARKER.encode() not in audit.log_path(db).read_bytes()
    assert cli("doctor", "--db", db).returncode == 0


def test_restore_writes_an_entry_and_doctor_explains_what_the_backup_lacks(db, cli):
    signed_meeting(db, code="C-1")
    backup = backups.list_backups(db)[0]  # taken when the store closed: one finalised meeting
    session = Session.open(db, lazy=False)
    client = session.store.client_by_code("C-1")
    later = start_meeting(session.store, session.meeting_guide, client)
    finalise(later, "worker-4")
    session.save_signed(later)
    assert session.close()

    backups.restore(db, backup)
    last = entries(db)[-1]
    assert last["kind"] == "restore" and last["target"] == backup.name
    assert last["hash"] == hashlib.sha256(backup.path.read_bytes()).hexdigest()
    result = cli("doctor", "--db", db)
    assert result.returncode == 0, result.stdout
    assert f"the meeting {later.id} finalised in audit log line 2 is not in the database" in result.stdout
    assert "a backup from before then was restored" in result.stdout


def test_demo_meetings_are_hashed_and_logged(db, cli):
    result = cli("demo", "--db", db, "--clients", "4", "--meetings", "12", "--seed", "3")
    assert result.returncode == 0, result.stderr
    data = stored(db)
    finalised = [m for m in data["meetings"].values() if m.get("finalised_at")]
    assert finalised and all(m["content_hash"] == audit.content_hash(m) for m in finalised)
    kinds = [e["kind"] for e in entries(db)]
    assert kinds.count("finalise") == len(finalised)
    assert kinds.count("addendum") == sum(len(m["addenda"]) for m in finalised)
    doctor = cli("doctor", "--db", db)
    assert doctor.returncode == 0 and f"{len(finalised)} finalised meetings match" in doctor.stdout


def test_a_database_copied_without_its_log_is_not_offered_a_restore(db, cli):
    signed_meeting(db)
    audit.log_path(db).unlink()
    result = cli("doctor", "--db", db)
    assert result.returncode == 1
    assert "--restore-newest" not in result.stdout
    assert "put it back beside it" in result.stdout


def test_erasing_a_client_with_finalised_meetings_leaves_doctor_healthy(db, cli):
    """The log's finalise entries name the erased meetings; doctor found them missing and
    called them 'changed after finalising' for ever after (exit 1, and a restore offered
    that would not bring them back: the erasure took the backups too)."""
    signed_meeting(db, code="C-42")
    _, kept = signed_meeting(db, code="C-43")
    done = cli("erase", "C-42", "--db", db, "--yes")
    assert done.returncode == 0, done.stderr
    result = cli("doctor", "--db", db)
    assert result.returncode == 0, result.stdout
    assert "1 finalised meeting erased with its client, as the audit log says" in result.stdout
    assert "C-42" not in result.stdout  # (nor in the log: its entry names no client)
    # A finalised meeting that goes any other way is still named.
    raw = file_tables(db)
    del raw["meetings"][kept.id]
    write_tables(db, raw)
    result = cli("doctor", "--db", db)
    assert result.returncode == 1 and f"the meeting {kept.id} finalised" in result.stdout


def test_an_erasure_logged_without_its_meetings_makes_them_a_note(db, cli, monkeypatch):
    """An erasure logged by cope-tui before its entry named the meetings: those finalised
    before it are a note, not a change."""
    from cope_tui.store.erasing import Erasing
    from cope_tui.store.store import Store

    def as_before(self, records, meetings, by):
        audit.record_at(self.path, None, "erase", records=records, by=by)

    client, gone = signed_meeting(db, code="C-42")
    monkeypatch.setattr(Erasing, "_log_erasure", as_before)
    store = Store(db)
    store.erase_client(client.id)
    store.close()
    assert "meetings" not in entries(db)[-1]
    result = cli("doctor", "--db", db)
    assert result.returncode == 0, result.stdout
    assert f"the meeting {gone.id} finalised" in result.stdout and "a client was erased after it" in result.stdout
