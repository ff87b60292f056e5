"""Issue 11.6 on a real pseudo-terminal: the bytes the app writes for a DB full of
escape sequences hold none of them.

The trial that found the issue saw OSC 52 fill tmux's paste buffer and OSC 0 set the
window title from a client note. Textual draws with CSI sequences and sets the mouse
pointer's shape with OSC 22; nothing else of the kinds below is ever its own.
"""

from __future__ import annotations

import os
import re
import signal

import pytest

from helpers.hostile_data import write_hostile_db
from helpers.terminal import Terminal  # the real program on a pty


F3, F4, ESC, DOWN = "\x1bOR", "\x1bOS", "\x1b", "\x1b[B"
INVISIBLE = "\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
FORBIDDEN = {
    "an OSC other than the pointer shape (52 clipboard, 0 title, 8 hyperlink...)": re.compile(rb"\x1b\](?!22;)"),
    "a DCS, SOS, PM or APC string": re.compile(rb"\x1b[PX^_]"),
    "a C1 control": re.compile(rb"\xc2[\x80-\x9f]"),
    "a request to report the window title": re.compile(re.escape(b"\x1b[21t")),
    "a bidi or zero-width character": re.compile("|".join(re.escape(c) for c in INVISIBLE).encode()),
}


def forbidden_in(output: bytes) -> list[str]:
    found = []
    for what, pattern in FORBIDDEN.items():
        hit = pattern.search(output)
        if hit:
            found.append(f"{what}: {output[max(hit.start() - 30, 0) : hit.end() + 30]!r}")
    return found


@pytest.fixture
def term_env(cli_env):
    return {**cli_env, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "40"}


def test_a_hostile_db_writes_no_escape_sequence_of_its_own(tmp_path, term_env):
    db = tmp_path / "cope.json"
    write_hostile_db(db, clients=2, meetings=4)
    term = Terminal(["--db", str(db)], term_env)
    try:
        term.wait_for("Last meeting")
        term.drain(1.0)  # the table takes over from the first frame's text
        steps = [
            ("\r", "significant others"),  # the first client
            ("g", "Case plan"),
            (ESC, "significant others"),
            ("t", "Follow-through"),
            (ESC, "significant others"),
            ("\r", "Opening"),  # the newest meeting
            ("\x0e", "Boundaries"),  # ctrl+n: the next step
            (ESC, "significant others"),
            (ESC, "Last meeting"),
            (F4, "Search"),
            ("reversed", "REVERSED"),
            (ESC, "Last meeting"),
            (F3, "COPE exercises"),
            ("\r", "Overview"),
            ("\x0e", "Self-assessment"),
        ]
        for keys, shown in steps:
            mark = len(term.seen)
            term.type(keys)
            term.wait_for_new(shown) if shown.encode() in term.seen[:mark] else term.wait_for(shown)
            term.drain(0.3)
    finally:
        os.kill(term.pid, signal.SIGKILL)
        term.exit_status()
    found = forbidden_in(term.seen)
    assert not found, "the app wrote stored escape sequences to the terminal:\n" + "\n".join(found)
