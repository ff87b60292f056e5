"""Fixtures of the snapshot tests: the fixed demo DB under a frozen clock, and the app on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cope_tui.app import CopeApp, create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.settings import Settings
from helpers.polling import until
from helpers.snapshot_db import frozen_clock, write_snapshot_db


@pytest.fixture
def snap_compare(snap_compare):
    """The plugin's snap_compare, on an app that has settled: the home screen built, what
    was pending saved, and every cursor steady (a blinking one is on or off depending on
    when the shot falls)."""

    def compare(app, *, run_before=None, **kwargs):
        async def steady(pilot):
            # The client list builds its table a moment after the first frame and then
            # takes focus: a screen pushed before that would sometimes find focus moving.
            home = pilot.app.screen_stack[0]
            await until(pilot, lambda: getattr(home.focused, "id", None) == "client-table", what="the client list")
            await pilot.pause()
            if run_before is not None:
                await run_before(pilot)
            # Opening a record saves it in the background, and "saved 10:30:00" shows once
            # the saver reports: write what is pending now and let its report arrive.
            pilot.app.session.flush()
            await pilot.pause()
            for screen in pilot.app.screen_stack:
                for widget in screen.query("Input, TextArea"):
                    widget.cursor_blink = False
            await pilot.pause()

        return snap_compare(app, run_before=steady, **kwargs)

    return compare


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


@pytest.fixture
def snap_app_16_colours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CopeApp]:
    """The app in a terminal of 16 colours (TERM=xterm, no COLORTERM)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield from _app(tmp_path, monkeypatch, colours=False)


def _app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, colours: bool = True) -> Iterator[CopeApp]:
    # The meeting clock adds the seconds the screen has been open (time.monotonic, which
    # the frozen clock leaves running for asyncio): a slow run would show one more second.
    monkeypatch.setattr(MeetingScreen, "_elapsed", lambda screen: screen.meeting.active_seconds)
    # ...and a save moves the whole seconds open into the meeting's time: on a loaded
    # machine a second passed before the step's save, and the clock drawn was 0:43:35.
    monkeypatch.setattr(MeetingScreen, "_count_time", lambda screen: None)
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):  # a form's "by" field proposes the OS user
        monkeypatch.setenv(name, "worker")
    # Textual reads the colour depth from the terminal's variables; without them it is 16
    # colours, drawn differently (app.tcss, -few-colours). The snapshots are of a modern
    # terminal, whatever machine runs them.
    monkeypatch.setenv("COLORTERM", "truecolor" if colours else "")
    monkeypatch.setenv("TERM", "xterm-256color" if colours else "xterm")
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    with frozen_clock():
        db = write_snapshot_db(tmp_path / "cope.json")
        session = Session.open(db, lazy=False)
        try:
            yield create_app(session, settings=Settings(idle_minutes=0))
        finally:
            session.close()
