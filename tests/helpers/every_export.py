"""Every Markdown export a DB gives, by name: the whole-DB export as the CLI writes it
(two processes, each parsing its half of the file's lines), and each client, meeting,
handover and COPE exercise as the library renders it. The schema-1 fixture's exports are
kept in tests/data/schema1/exports: what the un-upgraded fixture exports as (read-only,
so still format 1) on FIXTURE_DAY, the day they were written (`pinned_day`: what is
overdue, a handover's date, depend on the day); when an export's wording changes on
purpose, rewrite them from the un-upgraded fixture, never from an upgraded copy."""

from __future__ import annotations

import datetime
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.export import documents
from cope_tui.export.exercise import exercise_markdown
from cope_tui.export.handover import handover_for
from cope_tui.store.store import Store

from .cli import CLI, CLI_TIMEOUT

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "schema1"
FIXTURE_DAY = datetime.date(2026, 12, 5)  # the day its exports were written


DAY_READERS = (
    "cope_tui.records", "cope_tui.cope.exercise", "cope_tui.cope.client_flow", "cope_tui.meetings.stages",
    "cope_tui.meetings.case_plan", "cope_tui.meetings.follow_through", "cope_tui.export.exercise",
    "cope_tui.export.format", "cope_tui.export.handover", "cope_tui.export.kept_export",
)  # the modules that ask for today's date and may render into an export


class _FixtureDay(datetime.date):
    @classmethod
    def today(cls) -> datetime.date:
        return FIXTURE_DAY


@pytest.fixture
def pinned_day(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """Exports rendered in this process (and in a process it forks) as on FIXTURE_DAY:
    the fixture's exports say what was overdue that day, and compared on another day they
    differed by the day alone."""
    for name in DAY_READERS:  # (imported first: some load only when first used)
        importlib.import_module(name)
    for name, module in list(sys.modules.items()):
        if name.startswith("cope_tui") and getattr(module, "date", None) is datetime.date:
            monkeypatch.setattr(module, "date", _FixtureDay)
    return FIXTURE_DAY


def cli_export_all(db: Path, env: dict[str, str]) -> bytes:
    """`cope-tui export --all` of the DB, as the CLI writes it (in its own process: today)."""
    out = db.parent / "all.md"
    done = subprocess.run(
        [*CLI, "export", "--all", "--db", os.fspath(db), "-o", os.fspath(out)],
        env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=CLI_TIMEOUT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    try:
        return out.read_bytes()
    finally:
        out.unlink()


def every_export(db: Path, env: dict[str, str]) -> dict[str, bytes]:
    found = {"all.md": cli_export_all(db, env)}
    guide = load_meeting_guide()
    store = Store(db, read_only=True)
    try:
        found["all-in-process.md"] = documents.all_markdown(guide, store).encode()
        for client in store.clients():
            found[f"client-{client.id}.md"] = documents.client_markdown(guide, store, client).encode()
            found[f"handover-{client.id}.md"] = handover_for(store, client.id, guide).encode()
        for meeting in store.meetings():
            found[f"meeting-{meeting.id}.md"] = documents.meeting_markdown(guide, store, meeting).encode()
        for exercise in store.exercises():
            found[f"exercise-{exercise.id}.md"] = exercise_markdown(store, exercise).encode()
    finally:
        store.close()
    return found
