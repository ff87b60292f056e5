"""The real program on a pty, locked, loses its terminal: it saves and exits."""

from __future__ import annotations

import os

import pytest

from cope_tui.store.store import Store
from helpers.stored import opening_notes
from helpers.terminal import Terminal


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def test_hang_up_while_locked_saves_and_exits(db, cli_env):
    env = {**cli_env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    term = Terminal(["meet", "C-0005", "--db", str(db), "--lock-after", "0"], env)
    term.wait_for("Opening")
    term.drain(0.5)
    term.type("Typed, then locked, then the line dropped")
    os.write(term.fd, b"\x1b[24~")  # F12
    term.wait_for("locked")
    term.hang_up()
    status = term.exit_status()
    assert status is not None, "the app did not exit after the hang-up"
    assert opening_notes(db) == "Typed, then locked, then the line dropped"
    Store(db).close()  # the DB's lock was released
