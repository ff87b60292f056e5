"""The fixed demo DB the snapshot tests open, written under a frozen clock.

The demo dates its follow-through from today and the screens count overdue items,
meeting clocks and "not today" from the clock, so a snapshot is only stable when
"today" is. `FROZEN_NOW` is that day; the snapshot tests hold the clock there while
they write the DB and while the app runs (time_machine patches datetime, date and
time.time; asyncio and Textual run on time.monotonic, which it leaves alone).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import time_machine

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.exercise import write_demo_exercise
from cope_tui.demo.writer import write_demo
from cope_tui.meetings.case_plan import add_goal
from cope_tui.session import create_client, start_meeting
from cope_tui.store.store import Store

GOALS = [
    ("Living somewhere the children can visit at weekends", "preferred"),
    ("Rent paid on time every month, with the arrears cleared by the spring", "change"),
    ("Back at the allotment twice a week", "change"),
    ("A GP appointment kept about the sleep problems", "change"),
    ("Knows who to call when a letter from the council arrives", "change"),
]
FROZEN_NOW = datetime(2026, 9, 22, 10, 30)
SEED = 3


def frozen_clock() -> time_machine.travel:
    """The clock held at FROZEN_NOW: enter it around everything a snapshot depends on."""
    return time_machine.travel(FROZEN_NOW, tick=False)


def write_snapshot_db(db: Path) -> Path:
    """Eight clients with meetings at every stage, a closed client with a handover, a new
    client in their first meeting and a COPE exercise with its follow-up: one of every
    record a screen shows. Call it under frozen_clock()."""
    store = Store(db)
    try:
        write_demo(store, load_meeting_guide(), clients=8, meetings=30, seed=SEED)
        write_demo_exercise(store, seed=SEED)
        guide = load_meeting_guide()
        planned = store.client_by_code("C-0001")
        for text, kind in GOALS:  # more goals than the client card shows at 80x24
            add_goal(planned, text, kind)
        store.put_client(planned)
        newcomer = create_client(store, "C-0009", note="Referred by the housing office; prefers mornings.")
        start_meeting(store, guide, newcomer)  # a first meeting in progress: the boundaries step
    finally:
        store.close()
    return db


def copy_db(source: Path, target: Path) -> Path:
    """A fresh copy for one test: opening the app writes lock and autosave files beside it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return target
