"""A handler with a bug, for the crash-report tests: its locals hold a note and its
exception quotes the client, and neither may reach the terminal or the report."""

from __future__ import annotations

import stat
from pathlib import Path

from cope_tui.session import create_client
from cope_tui.store.store import Store

CODE = "C-MARA"
NOTE = "Mara fears the eviction letter"

# The same bug as source, for a child process (loaded through sitecustomize).
BUG = '''
from cope_tui.screens import meeting


def broken_step_list(self):
    notes_now = self.query_one("#notes").text
    raise KeyError(f"{self.meeting.client_id} {notes_now}")


meeting.MeetingScreen.action_step_list = broken_step_list
'''


def broken_step_list(self):
    notes_now = self.query_one("#notes").text
    raise KeyError(f"{self.meeting.client_id} {notes_now}")


def client_db(path: Path) -> Path:
    """A DB with the client CODE, whose note names her sister."""
    store = Store(path)
    create_client(store, CODE, note="lives with her sister")
    store.close()
    return path


def assert_private_and_clean(report: Path) -> str:
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700
    text = report.read_text()
    assert "KeyError" in text and "broken_step_list" in text  # what failed, and where
    for secret in (NOTE, "Mara", CODE, "notes_now", "sister"):  # neither values nor local names
        assert secret not in text
    return text
