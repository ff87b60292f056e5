"""Issue 11.6: names that identify a record refuse hidden characters where they are
typed; messages quoting typed text never read it as markup; the lock file's fields
are shown clean; the export preview and the exercise report open no link.

The trial created a client with the code "C-\\u009b1" (an 8-bit CSI) and printed a
lock file's host "\\x1b]0;..." raw in three commands.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from datetime import date, datetime

import orjson
import pytest
from textual.widgets import Input, Markdown, Static, TextArea
from textual.widgets._toast import Toast

from cope_tui.app import create_app
from cope_tui.exercise import ExerciseError, new_exercise
from cope_tui.meetings import create_client, rename_client
from cope_tui.models import Client
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.client_form import ClientForm
from cope_tui.screens.exercise import ExerciseScreen
from cope_tui.screens.exercise_form import ExerciseForm, TeamForm, parse_teams
from cope_tui.screens.export_preview import ExportPreview
from cope_tui.session import Session
from cope_tui.storage import DatabaseLocked, Store

SIZE = (80, 24)
HIDDEN = ["\x9b", "\x9d", "\x85", "\x1b", "\u202e", "\u2066", "\u200b", "\ufeff", "\t"]
SHOWN_RAW = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"

# ---- notifications ----------------------------------------------------------------------


async def test_a_notification_quoting_a_code_shows_it_as_typed(db):
    """Toasts are never read as markup: a code like 'C-[/]' once ended the app."""
    store = Store(db)
    client = create_client(store, "C-[/] [@click=app.quit]x[/]")
    client.closed_at = datetime(2026, 1, 2, 9, 0)
    store.put_client(client)
    store.close()
    app = create_app(Session.open(db))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await app.push_screen(ClientScreen(client.id))
        await pilot.press("ctrl+n")  # a closed client takes no meeting: a toast says so, naming it
        end = time.monotonic() + 10
        while not app.screen.query(Toast) and time.monotonic() < end:
            await pilot.pause(0.05)
        shown = " ".join(str(toast.render()) for toast in app.screen.query(Toast))
        assert "C-[/] [@click=app.quit]x[/] is closed" in shown
