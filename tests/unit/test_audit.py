"""The tamper-evident record on real files: hashes of finalised meetings and the
hash-chained audit log, checked in process (doctor's report: cli/test_audit_cli.py)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import orjson
import pytest

from cope_tui.store import audit
from cope_tui.store.audit_check import verify
from cope_tui.export.documents import meeting_markdown
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import add_addendum, finalise
from cope_tui.records import dump, now
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.audit_log import MARKER, entries, problems, signed_meeting, stored
from helpers.stored import file_tables, write_tables


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "cope.json"


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


def test_a_hash_rewritten_to_match_is_still_caught_by_the_log(db):
    _, meeting = signed_meeting(db)
    raw = file_tables(db)
    doc = raw["meetings"][meeting.id]
    doc["finalised_by"] = "someone else"
    doc["content_hash"] = audit.content_hash(doc)  # covering the tracks in the file itself
    write_tables(db, raw)
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
    assert "1 finalised meeting" in found[0] and "no audit log yet" not in str(verify(db, stored(db)).findings)


def test_meetings_finalised_before_hashes_are_noted_and_still_take_addenda(db):
    store = Store(db)
    client = create_client(store, "C-old")
    session = Session(store)
    meeting = start_meeting(store, session.meeting_guide, client)
    meeting.finalised_by, meeting.finalised_at = "w", now()
    doc = dump(meeting)
    for key in ("content_hash", "stage"):  # as an older cope-tui stored it: no such fields
        doc.pop(key, None)
    store.put("meetings", meeting.id, doc)
    old = store.meeting(meeting.id)
    addendum = add_addendum(old, "A late correction.", "w")
    session.save_signed(old, addendum)
    assert session.close()
    assert [e["kind"] for e in entries(db)] == ["addendum"]
    report = verify(db, stored(db))
    assert report.ok, report.findings
    assert ("note", "1 meeting was finalised before hashes were kept: they cannot be checked") in report.findings


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
    # Beside a plain DB, a log that is not plain lines was replaced: no key is asked for.
    assert "line 1 cannot be read" in "".join(t for level, t in verify(db, stored(db)).findings if level == "problem")
    lines = raw.splitlines(keepends=True)
    lines[1] = lines[1][:10] + (b"A" if lines[1][10:11] != b"A" else b"B") + lines[1][11:]
    audit.log_path(db).write_bytes(b"".join(lines))
    assert "line 2 cannot be read" in "".join(t for level, t in verify(db, stored(db), codec).findings)


def test_the_log_is_private(db):
    chained_log(db, 1)
    assert audit.log_path(db).stat().st_mode & 0o777 == 0o600
    assert db.parent.stat().st_mode & 0o777 == 0o700


def test_a_meeting_missing_without_a_restore_is_a_problem(db):
    _, meeting = signed_meeting(db)
    raw = file_tables(db)
    del raw["meetings"][meeting.id]
    write_tables(db, raw)
    found = problems(db)
    assert len(found) == 1 and f"the meeting {meeting.id}" in found[0] and "not in the database" in found[0]


def test_export_shows_who_finalised_when_and_the_hash(db):
    _, meeting = signed_meeting(db, by="worker-7")
    store = Store(db, read_only=True)
    saved = store.meeting(meeting.id)
    text = meeting_markdown(Session(store).meeting_guide, store, saved)
    status = next(line for line in text.splitlines() if line.startswith("- **Status:**"))
    who = status.removeprefix("- **Status:** Finalised by ").replace("\\", "")
    assert who == f"worker-7 on {saved.finalised_at:%Y-%m-%d %H:%M} · SHA-256 {saved.content_hash}"
