"""The tamper-evident record on real files: hashes of finalised meetings, the hash-chained
audit log, and `cope-tui doctor` naming what changed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from itertools import pairwise
from pathlib import Path

import orjson
import pytest
from textual.widgets import Input

from cope_tui.store import audit, backups
from cope_tui.app import create_app
from cope_tui.store.audit_check import PROBLEM, verify
from cope_tui.export.documents import meeting_markdown
from cope_tui.meetings.rules import add_addendum, create_client, finalise, start_meeting
from cope_tui.records import dump, now
from cope_tui.screens.export_preview import ExportPreview, WriteDialog
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.store.store import Store

SIZE = (80, 24)
MARKER = "zebra-marker-4711"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "cope.json"


def entries(db: Path) -> list[dict]:
    return [orjson.loads(line) for line in audit.log_path(db).read_bytes().splitlines()]


def stored(db: Path) -> dict:
    """The DB as the store would load it (main file plus journal), read without opening it."""
    data = {"meta": {}, "clients": {}, "meetings": {}, "exercises": {}}
    if db.exists():
        data.update(orjson.loads(db.read_bytes()))
    from cope_tui.store.diskio import Journal

    Journal(db.with_name(db.name + ".journal")).replay(data)
    return data


def signed_meeting(db: Path, code: str = "C-1", notes: str = f"Said {MARKER}.", by: str = "worker-3"):
    """A client with one meeting finalised the way the app does it: saved, then logged."""
    session = Session.open(db, lazy=False)
    client = create_client(session.store, code)
    meeting = start_meeting(session.store, session.guide, client)
    meeting.step("opening").notes = notes
    finalise(meeting, by)
    audit.save_signed(session, meeting)
    assert session.close()
    return client, meeting


def problems(db: Path) -> list[str]:
    return [text for level, text in verify(db, stored(db)).findings if level == PROBLEM]


def chained_log(db: Path, n: int = 5) -> list[bytes]:
    audit.append(db, [audit.make_entry("export", what=f"client C-{i}", target=f"out-{i}.md") for i in range(n)])
    return audit.log_path(db).read_bytes().splitlines(keepends=True)


# ---- hashes ------------------------------------------------------------------------------


def test_finalise_stores_the_hash_of_the_meeting_as_saved(db):
    _, meeting = signed_meeting(db)
    store = Store(db, read_only=True)
    doc = store.get("meetings", meeting.id)
    assert doc["content_hash"] == meeting.content_hash == audit.content_hash(doc)
    assert len(doc["content_hash"]) == 64
    changed = {**doc, "steps": {**doc["steps"], "opening": {**doc["steps"]["opening"], "notes": "other"}}}
    assert audit.content_hash(changed) != doc["content_hash"]
    # Addenda may follow; they do not change what was signed.
    assert audit.content_hash({**doc, "addenda": [{"text": "x", "by": "y", "at": "2025-01-01T00:00:00"}]}) == doc[
        "content_hash"
    ]
    log = entries(db)
    assert [(e["kind"], e["meeting_id"], e["by"], e["hash"]) for e in log] == [
        ("finalise", meeting.id, "worker-3", doc["content_hash"])
    ]
    assert MARKER.encode() not in audit.log_path(db).read_bytes()  # ids and hashes, never content
    assert problems(db) == []


def test_doctor_names_a_finalised_meeting_edited_on_disk(db, cli):
    _, meeting = signed_meeting(db, code="C-42")
    assert cli("doctor", "--db", db).returncode == 0
    raw = orjson.loads(db.read_bytes())
    raw["meetings"][meeting.id]["steps"]["opening"]["notes"] = "Said something else."
    db.write_bytes(orjson.dumps(raw))

    result = cli("doctor", "--db", db)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "changed after finalising" in line)
    assert "C-42" in line and meeting.id in line and f"meeting of {meeting.started:%Y-%m-%d}" in line
    assert "problem(s) found" in result.stdout


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
    raw = orjson.loads(db.read_bytes())
    raw["meetings"][meeting.id]["steps"]["opening"]["notes"] = "Said something else."
    db.write_bytes(orjson.dumps(raw))
    result = cli("doctor", "--db", db)
    assert result.returncode == 1 and "--restore-newest" in result.stdout


def test_a_hash_rewritten_to_match_is_still_caught_by_the_log(db):
    _, meeting = signed_meeting(db)
    raw = orjson.loads(db.read_bytes())
    doc = raw["meetings"][meeting.id]
    doc["finalised_by"] = "someone else"
    doc["content_hash"] = audit.content_hash(doc)  # covering the tracks in the file itself
    db.write_bytes(orjson.dumps(raw))
    found = problems(db)
    assert len(found) == 1 and meeting.id in found[0] and "audit log line 1" in found[0]


def test_a_deleted_log_is_noticed(db):
    _, meeting = signed_meeting(db)
    audit.log_path(db).unlink()
    found = problems(db)
    # Said once, as what it is (issue 11: not "no audit log yet"), naming a meeting it held,
    # the likely cause and its cure.
    assert len(found) == 1 and meeting.id in found[0], found
    assert found[0].startswith("the audit log is missing") and "'.audit' file" in found[0]
    assert "1 finalised meeting(s)" in found[0] and "no audit log yet" not in str(verify(db, stored(db)).findings)


def test_meetings_finalised_before_hashes_are_noted_and_still_take_addenda(db):
    store = Store(db)
    client = create_client(store, "C-old")
    session = Session(store)
    meeting = start_meeting(store, session.guide, client)
    meeting.finalised_by, meeting.finalised_at = "w", now()
    doc = dump(meeting)
    for key in ("content_hash", "stage"):  # as an older cope-tui stored it: no such fields
        doc.pop(key, None)
    store.put("meetings", meeting.id, doc)
    old = store.meeting(meeting.id)
    addendum = add_addendum(old, "A late correction.", "w")
    audit.save_signed(session, old, addendum)
    assert session.close()
    assert [e["kind"] for e in entries(db)] == ["addendum"]
    report = verify(db, stored(db))
    assert report.ok, report.findings
    assert ("note", "1 meeting(s) were finalised before hashes were kept: they cannot be checked") in report.findings


# ---- the chain ---------------------------------------------------------------------------


def test_an_intact_chain_verifies(db):
    lines = chained_log(db)
    log = entries(db)
    assert [e["seq"] for e in log] == [1, 2, 3, 4, 5]
    assert log[0]["prev"] == "" and all(b["prev"] == a["entry_hash"] for a, b in pairwise(log))
    assert len(lines) == 5
    report = verify(db, stored(db))
    assert report.ok and report.entries == 5


def test_the_chain_detects_an_edited_entry(db):
    lines = chained_log(db)
    lines[2] = lines[2].replace(b"out-2.md", b"elsewhere.md")
    audit.log_path(db).write_bytes(b"".join(lines))
    found = problems(db)
    assert len(found) == 1 and "line 3" in found[0] and "was changed after it was written" in found[0]

    # Recomputing the edited entry's own hash moves the break to the entry after it.
    entry = orjson.loads(lines[2])
    entry["entry_hash"] = audit.entry_hash(entry)
    lines[2] = audit.canonical(entry) + b"\n"
    audit.log_path(db).write_bytes(b"".join(lines))
    found = problems(db)
    assert len(found) == 1 and "line 4" in found[0] and "does not follow" in found[0]


def test_the_chain_detects_a_removed_entry(db):
    lines = chained_log(db)
    del lines[1]
    audit.log_path(db).write_bytes(b"".join(lines))
    found = problems(db)
    assert len(found) == 1 and "line 2" in found[0] and "removed, inserted or moved" in found[0]


def test_the_chain_detects_a_removed_first_entry(db):
    lines = chained_log(db)
    audit.log_path(db).write_bytes(b"".join(lines[1:]))
    assert any("line 1" in text for text in problems(db))


def test_the_chain_detects_reordered_entries(db):
    lines = chained_log(db)
    lines[1], lines[2] = lines[2], lines[1]
    audit.log_path(db).write_bytes(b"".join(lines))
    found = problems(db)
    assert len(found) >= 2 and "line 2" in found[0] and "line 3" in found[1]


def test_an_unreadable_line_is_reported_with_its_number(db):
    lines = chained_log(db)
    lines[3] = b"not an entry\n"
    audit.log_path(db).write_bytes(b"".join(lines))
    found = problems(db)
    assert found == ["audit log line 4 cannot be read: it was changed or damaged"]


def test_a_torn_last_line_is_tolerated_and_cut_off_by_the_next_append(db):
    lines = chained_log(db, 3)
    torn = lines[0][: len(lines[0]) // 2]  # a kill mid-append: no newline
    audit.log_path(db).write_bytes(b"".join(lines) + torn)
    report = verify(db, stored(db))
    assert report.ok and report.entries == 3
    assert any("torn" in text for _, text in report.findings)

    audit.append(db, [audit.make_entry("export", what="all clients", target="all.md")])
    assert audit.log_path(db).read_bytes() == b"".join(lines) + audit.log_path(db).read_bytes().splitlines(True)[-1]
    report = verify(db, stored(db))
    assert report.ok and report.entries == 4
    assert not any("torn" in text for _, text in report.findings)


def test_a_sealed_log_is_checked_with_its_codec(db):
    from cope_tui.store import crypto

    codec = crypto.new_codec("a passphrase for the test")
    audit.append(db, [audit.make_entry("export", what="client C-secret", target="out.md")] * 3, codec)
    raw = audit.log_path(db).read_bytes()
    assert b"C-secret" not in raw and len(raw.splitlines()) == 3
    assert verify(db, stored(db), codec).ok and verify(db, stored(db), codec).entries == 3
    assert [level for level, _ in verify(db, stored(db)).findings] == ["note"]  # sealed: needs the key
    lines = raw.splitlines(keepends=True)
    lines[1] = lines[1][:10] + (b"A" if lines[1][10:11] != b"A" else b"B") + lines[1][11:]
    audit.log_path(db).write_bytes(b"".join(lines))
    assert "line 2 cannot be read" in "".join(t for level, t in verify(db, stored(db), codec).findings)


def test_the_log_is_private(db):
    chained_log(db, 1)
    assert audit.log_path(db).stat().st_mode & 0o777 == 0o600
    assert db.parent.stat().st_mode & 0o777 == 0o700


APPENDER = textwrap.dedent(
    """
    import sys
    from cope_tui.store import audit
    db, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(n):
        audit.append(db, [audit.make_entry("export", what=f"{tag} {i}", target="x.md")])
    """
)


def test_concurrent_appends_from_two_processes_keep_one_valid_chain(db, cli_env):
    db.parent.mkdir(parents=True)
    n = 150
    procs = [
        subprocess.Popen([sys.executable, "-c", APPENDER, str(db), tag, str(n)], env=cli_env)
        for tag in ("first", "second")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    log = entries(db)
    assert [e["seq"] for e in log] == list(range(1, 2 * n + 1))
    assert sorted(e["what"] for e in log) == sorted(f"{t} {i}" for t in ("first", "second") for i in range(n))
    report = verify(db, stored(db))
    assert report.ok and report.entries == 2 * n


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
    later = start_meeting(session.store, session.guide, client)
    finalise(later, "worker-4")
    audit.save_signed(session, later)
    assert session.close()

    backups.restore(db, backup)
    last = entries(db)[-1]
    assert last["kind"] == "restore" and last["target"] == backup.name
    assert last["hash"] == hashlib.sha256(backup.path.read_bytes()).hexdigest()
    result = cli("doctor", "--db", db)
    assert result.returncode == 0, result.stdout
    assert f"the meeting {later.id} finalised in audit log line 2 is not in the database" in result.stdout
    assert "a backup from before then was restored" in result.stdout


def test_a_meeting_missing_without_a_restore_is_a_problem(db):
    _, meeting = signed_meeting(db)
    raw = orjson.loads(db.read_bytes())
    del raw["meetings"][meeting.id]
    db.write_bytes(orjson.dumps(raw))
    found = problems(db)
    assert len(found) == 1 and f"the meeting {meeting.id}" in found[0] and "not in the database" in found[0]


def test_export_shows_who_finalised_when_and_the_hash(db):
    _, meeting = signed_meeting(db, by="worker-7")
    store = Store(db, read_only=True)
    saved = store.meeting(meeting.id)
    text = meeting_markdown(Session(store).guide, store, saved)
    status = next(line for line in text.splitlines() if line.startswith("- **Status:**"))
    who = status.removeprefix("- **Status:** Finalised by ").replace("\\", "")
    assert who == f"worker-7 on {saved.finalised_at:%Y-%m-%d %H:%M} · SHA-256 {saved.content_hash}"


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
    assert doctor.returncode == 0 and f"{len(finalised)} finalised meeting(s) match" in doctor.stdout


async def test_finalise_addendum_and_export_in_the_app_are_logged(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = Session.open(db)
    client = create_client(session.store, "C-5")
    meeting = start_meeting(session.store, session.guide, client)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press(*"Notes before signing")
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press("ctrl+u", *"worker-1", "enter")
        await pilot.pause()
        await pilot.press("ctrl+f")  # now: a dated addendum
        await pilot.pause()
        await pilot.press(*"A correction", "tab", "ctrl+u", *"worker-2", "ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ExportPreview)
        for _ in range(50):
            if app.screen.text:
                break
            await pilot.pause(0.05)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WriteDialog)
        app.screen.query_one("#path", Input).value = str(tmp_path / "meeting.md")
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, ExportPreview) and (tmp_path / "meeting.md").exists():
                break
        await pilot.pause()
        await pilot.press("ctrl+q")
    assert session.close()

    log = entries(db)
    assert [e["kind"] for e in log] == ["finalise", "addendum", "export"]
    doc = stored(db)["meetings"][meeting.id]
    assert log[0]["hash"] == doc["content_hash"] == audit.content_hash(doc) and log[0]["by"] == "worker-1"
    assert log[1]["hash"] == audit.addendum_hash(doc["addenda"][0]) and log[1]["by"] == "worker-2"
    assert log[2]["target"] == "meeting.md" and log[2]["meeting_id"] == meeting.id
    assert log[2]["hash"] == hashlib.sha256((tmp_path / "meeting.md").read_bytes()).hexdigest()
    assert f"SHA-256 {doc['content_hash']}" in (tmp_path / "meeting.md").read_text()
    assert verify(db, stored(db)).ok


def test_a_database_copied_without_its_log_is_not_offered_a_restore(db, cli):
    signed_meeting(db)
    audit.log_path(db).unlink()
    result = cli("doctor", "--db", db)
    assert result.returncode == 1
    assert "--restore-newest" not in result.stdout
    assert "put it back beside it" in result.stdout
