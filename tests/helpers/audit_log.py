"""What the audit-log tests share: a meeting finalised the way the app does it, and the
log and DB read back without opening the store."""

from __future__ import annotations

from pathlib import Path

import orjson

from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise
from cope_tui.session import Session
from cope_tui.store import audit
from cope_tui.store.audit_check import PROBLEM, verify

from .stored import file_tables

MARKER = "zebra-marker-4711"


def entries(db: Path) -> list[dict]:
    return [orjson.loads(line) for line in audit.log_path(db).read_bytes().splitlines()]


def stored(db: Path) -> dict:
    """The DB as the store would load it (main file plus journal), read without opening it."""
    data = {"meta": {}, "clients": {}, "meetings": {}, "exercises": {}}
    if db.exists():
        data.update(file_tables(db))
    from cope_tui.store.diskio import Journal

    Journal(db.with_name(db.name + ".journal")).replay(data)
    return data


def signed_meeting(db: Path, code: str = "C-1", notes: str = f"Said {MARKER}.", by: str = "worker-3"):
    """A client with one meeting finalised the way the app does it: saved, then logged."""
    session = Session.open(db, lazy=False)
    client = create_client(session.store, code)
    meeting = start_meeting(session.store, session.meeting_guide, client)
    meeting.step("opening").notes = notes
    finalise(meeting, by)
    session.save_signed(meeting)
    assert session.close()
    return client, meeting


def problems(db: Path) -> list[str]:
    return [text for level, text in verify(db, stored(db)).findings if level == PROBLEM]
