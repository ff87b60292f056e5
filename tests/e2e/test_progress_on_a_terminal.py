"""`cope-tui doctor` and `cope-tui erase` at a terminal say what they are at while they
work: at 10,000 meetings each backup takes a second or more, and half a minute of
nothing looks like a hung program. The line is gone before the result, and never in a
pipe."""

from __future__ import annotations

from cope_tui.meetings.models import Client
from cope_tui.store.store import Store
from helpers.terminal import Terminal


def two_saves(tmp_path):
    db = tmp_path / "cope.json"
    for code in ("C-1", "C-2"):  # one backup each time the file is saved
        store = Store(db)
        store.put_client(Client(code=code))
        store.close()
    return db


def test_doctor_shows_what_it_checks_then_the_report(tmp_path, term_env, cli):
    db = two_saves(tmp_path)
    term = Terminal(["doctor", "--db", str(db)], term_env)
    term.wait_for("Healthy.")
    assert term.exit_status() == 0
    seen = term.seen
    assert b"Checking the database..." in seen and b"Checking backup 2 of 2..." in seen
    assert seen.index(b"Checking backup 2 of 2...") < seen.index(b"\r\x1b[KDatabase ")
    piped = cli("doctor", "--db", db)
    assert piped.returncode == 0 and "Checking" not in piped.stdout + piped.stderr


def test_erase_shows_which_file_it_is_at_then_the_result(tmp_path, term_env, cli):
    db = two_saves(tmp_path)
    term = Terminal(["erase", "C-1", "--db", str(db), "--yes"], term_env)
    term.wait_for("Erased client C-1")
    assert term.exit_status() == 0
    seen = term.seen
    assert b"Erasing from the database..." in seen and b"Erasing from backup 1 of " in seen
    assert seen.index(b"Erasing from team sync's state...") < seen.index(b"\r\x1b[KErased client C-1")
    piped = cli("erase", "C-2", "--db", db, "--yes")
    assert piped.returncode == 0 and "Erasing from" not in piped.stdout + piped.stderr
