"""Every Markdown export a DB gives, by name: the whole-DB export as the CLI writes it
(two processes, each parsing its half of the file's lines), and each client, meeting,
handover and COPE exercise as the library renders it. The schema-1 fixture's exports are
kept in tests/data/schema1/exports: what the un-upgraded fixture exports as (read-only,
so still format 1); when an export's wording changes on purpose, rewrite them from the
un-upgraded fixture, never from an upgraded copy."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.export import documents
from cope_tui.export.exercise import exercise_markdown
from cope_tui.export.handover import handover_for
from cope_tui.store.store import Store

from .cli import CLI, CLI_TIMEOUT

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "schema1"


def every_export(db: Path, env: dict[str, str]) -> dict[str, bytes]:
    out = db.parent / "all.md"
    done = subprocess.run(
        [*CLI, "export", "--all", "--db", os.fspath(db), "-o", os.fspath(out)],
        env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=CLI_TIMEOUT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = {"all.md": out.read_bytes()}
    out.unlink()
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
