"""Fixtures of the snapshot tests: the fixed demo DB under a frozen clock, and the app on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cope_tui.app import CopeApp, create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.settings import Settings
from helpers.snapshot_db import frozen_clock, write_snapshot_db


@pytest.fixture
def snap_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CopeApp]:
    """The app on a fresh copy of the fixed demo DB, the clock held at FROZEN_NOW for the
    whole test, default settings (no config file, no idle lock) and the colours the
    terminal would give without NO_COLOR."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield from _app(tmp_path, monkeypatch)


@pytest.fixture
def snap_app_no_color(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CopeApp]:
    """The same app as a user with NO_COLOR set sees it (Textual reads it at start)."""
    monkeypatch.setenv("NO_COLOR", "1")
    yield from _app(tmp_path, monkeypatch)


def _app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CopeApp]:
    # The meeting clock adds the seconds the screen has been open (time.monotonic, which
    # the frozen clock leaves running for asyncio): a slow run would show one more second.
    monkeypatch.setattr(MeetingScreen, "_elapsed", lambda screen: screen.meeting.active_seconds)
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):  # a form's "by" field proposes the OS user
        monkeypatch.setenv(name, "worker")
    with frozen_clock():
        db = write_snapshot_db(tmp_path / "cope.json")
        session = Session.open(db, lazy=False)
        try:
            yield create_app(session, settings=Settings(idle_minutes=0))
        finally:
            session.close()
