"""A paste holding escape codes (coloured output copied from a terminal) stays text.

Textual's parser read an ESC inside a bracketed paste as the start of keys: the rest of
the paste arrived as key presses (enter saved the form it was pasted into, `x` and `y`
on the screen below discarded a draft meeting), and the words before the ESC came last,
on another screen (widgets/paste_guard.py)."""

from __future__ import annotations

import time

from cope_tui.store.store import Store
from helpers.polling import wait_for
from helpers.stored import opening_notes
from helpers.terminal import Terminal

COLOURED = "before \x1b[31mred\x1b[0m after\nnext \x1b]8;;https://example.org\x07link\x1b]8;;\x07 line"


def test_a_coloured_paste_into_the_notes_is_its_words_in_order(tmp_path, term_env):
    db = tmp_path / "cope.json"
    term = Terminal(["meet", "C-0001", "--db", str(db)], term_env)
    term.wait_for("Opening")
    term.drain(0.5)
    term.paste(COLOURED)
    term.drain(0.3)
    term.hang_up()
    assert term.exit_status() is not None
    assert opening_notes(db) == "before red after\nnext link line"


def test_a_coloured_paste_into_a_form_stays_in_its_field(tmp_path, term_env):
    db = tmp_path / "cope.json"
    term = Terminal(["--db", str(db)], term_env)
    term.wait_for("New client")
    term.drain(0.5)
    term.type("\x0e")  # ctrl+n: a new client
    term.wait_for("Name or code")
    term.drain(0.3)
    term.type("P-1\t\t")  # to the note, the last field
    time.sleep(0.3)
    term.paste("abc\x1b[31mdef\nghi")  # its enter, as a key, saved the form at once
    term.drain(0.3)
    term.type("\x13")  # ctrl+s
    wait_for(lambda: term.drain(0.05) or _clients(db) == [("P-1", "abcdef ghi")], 20, "the client saved")
    term.type("\x11")  # ctrl+q
    assert term.exit_status() is not None
    assert _clients(db) == [("P-1", "abcdef ghi")]


def _clients(db):
    try:
        store = Store(db, read_only=True)
    except Exception:  # noqa: BLE001 - not written yet
        return None
    try:
        return [(c.code, c.note) for c in store.clients()]
    finally:
        store.close()
