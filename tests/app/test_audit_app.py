"""What is done in the app is in the audit log: finalise, addendum, export (Pilot)."""

from __future__ import annotations

import hashlib

import pytest
from textual.widgets import Input

from cope_tui.store import audit
from cope_tui.app import create_app
from cope_tui.store.audit_check import verify
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise
from cope_tui.screens.export_preview import ExportPreview, WriteDialog
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from helpers.audit_log import entries, stored

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "cope.json"


async def test_finalise_addendum_and_export_in_the_app_are_logged(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = Session.open(db)
    client = create_client(session.store, "C-5")
    meeting = start_meeting(session.store, session.meeting_guide, client)
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


async def test_exercise_report_written_in_the_app_is_logged_and_proposed_in_documents(db, tmp_path, monkeypatch):
    """As `cope-tui export --exercise` is: a report holds interview comments and record
    labels, so writing it leaves a trace; and it is proposed away from the start folder."""
    from datetime import date

    from cope_tui.cope.exercise import new_exercise
    from cope_tui.screens.exercise import ExerciseReport, ExerciseScreen
    from cope_tui.store.store import Store

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home" / "Documents").mkdir(parents=True)
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "home" / "Documents"))
    store = Store(db)
    exercise = new_exercise("Site/North", date(2026, 2, 1))
    store.put_exercise(exercise)
    store.close()
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ExerciseScreen(exercise.id))
        await pilot.pause()
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ExerciseReport) and app.screen.text
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WriteDialog)
        assert "Write the report to a file" in str(app.screen.query_one(".dialog-title").render())
        proposed = app.screen.query_one("#path", Input).value
        assert proposed == str(tmp_path / "home" / "Documents" / "cope-Site-North-2026-02-01.md")
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, ExerciseReport):
                break
        assert isinstance(app.screen, ExerciseReport)
        await pilot.press("ctrl+q")
    assert session.close()

    written = tmp_path / "home" / "Documents" / "cope-Site-North-2026-02-01.md"
    log = entries(db)
    assert [e["kind"] for e in log] == ["export"]
    assert log[0]["what"] == f"exercise {exercise.id}" and log[0]["target"] == written.name
    assert log[0]["hash"] == hashlib.sha256(written.read_bytes()).hexdigest()
    assert verify(db, stored(db)).ok
