"""The passphrase prompts of encrypt and of the app, typed at a real terminal (pty)."""

from __future__ import annotations

import os
import sys

import pytest

from cope_tui.store import crypto
from cope_tui.store.store import Store
from helpers.stored import one_client_db
from helpers.terminal import Terminal  # the real program on a pty

PASS = "a long and private phrase"
MARK = "OKAPI-MARKER-4410"


# ---- typed at a terminal -------------------------------------------------------------------

@pytest.fixture
def term_env(cli_env):
    env = {**cli_env, "TERM": "xterm-256color", "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("COPE_TUI_PASSPHRASE", None)
    return env


def expect(term: Terminal, text: str) -> None:
    """Wait for `text` after what was already matched (one read may bring several prompts)."""
    needle = text.encode()
    if needle not in term.seen:
        term.wait_for(text)
    term.transcript = getattr(term, "transcript", b"") + term.seen
    term.seen = term.seen[term.seen.index(needle) + len(needle) :]


def finish(term: Terminal) -> int:
    status = term.exit_status()
    term.hang_up()
    assert status is not None and os.WIFEXITED(status)
    return os.WEXITSTATUS(status)


def test_encrypt_asks_twice_and_again_when_they_differ(tmp_path, term_env):
    db = one_client_db(tmp_path, "C-7", f"note {MARK}")
    term = Terminal(["encrypt", "--db", str(db)], term_env)
    expect(term, "New passphrase")
    term.type(PASS + "\r")
    expect(term, "again")
    term.type(PASS + "x\r")
    expect(term, "differ")
    expect(term, "New passphrase")
    term.type(PASS + "\r")
    expect(term, "again")
    term.type(PASS + "\r")
    expect(term, "Encrypted")
    assert PASS.encode() not in term.transcript + term.seen  # never echoed
    assert finish(term) == 0
    store = Store(db, passphrase=PASS)
    assert store.client_by_code("C-7") is not None
    store.close()

    term = Terminal(["export", "--client", "C-7", "--db", str(db)], term_env)
    expect(term, "Passphrase for")
    term.type("wrong one\r")
    expect(term, "does not open")
    expect(term, "Passphrase for")  # typing before the prompt is dropped (getpass flushes input)
    term.type(PASS + "\r")
    expect(term, MARK)
    assert finish(term) == 0

    term = Terminal(["decrypt", "--db", str(db)], term_env)
    expect(term, "Passphrase for")
    term.type(PASS + "\r")
    expect(term, "Decrypted")
    assert finish(term) == 0
    assert not crypto.is_encrypted(db)


def test_encrypt_gives_up_after_three_mismatches(tmp_path, term_env):
    db = one_client_db(tmp_path, "C-7", f"note {MARK}")
    before = db.read_bytes()
    term = Terminal(["encrypt", "--db", str(db)], term_env)
    for attempt in range(3):
        expect(term, "New passphrase")
        term.type(f"first try {attempt}\r")
        expect(term, "again")
        term.type(f"second try {attempt}\r")
    expect(term, "Nothing has been changed")
    assert finish(term) == 1
    assert db.read_bytes() == before
    assert not crypto.marker_path(db).exists()


def test_a_wrong_passphrase_in_the_variable_is_named_or_asked_for(tmp_path, run_cli, cli_env, term_env):
    db = one_client_db(tmp_path, "C-7", f"note {MARK}")
    assert run_cli(["encrypt", "--db", str(db)], {**cli_env, "COPE_TUI_PASSPHRASE": PASS}).returncode == 0
    wrong = {**cli_env, "COPE_TUI_PASSPHRASE": "not it"}
    done = run_cli(["--db", str(db)], wrong)  # no terminal: a script learns what to fix
    assert done.returncode == 1
    assert "COPE_TUI_PASSPHRASE does not open" in done.stderr and "unset it" in done.stderr
    assert "Try again" not in done.stderr

    # At a terminal the app asks instead, and says why.
    term = Terminal(["--db", str(db)], {**term_env, "COPE_TUI_PASSPHRASE": "not it", "COLUMNS": "80", "LINES": "24"})
    term.wait_for("type it here instead")
    term.type(PASS + "\r")
    term.wait_for("C-7")
    term.type("\x11")  # ctrl+q
    assert finish(term) == 0
