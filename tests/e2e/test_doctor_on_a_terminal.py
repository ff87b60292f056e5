"""`cope-tui doctor` at a terminal says what it is checking while it works: at 10,000
meetings each backup point takes a second or more, and half a minute of nothing looks
like a hung program. The line is gone before the report, and never in a pipe."""

from __future__ import annotations

from cope_tui.meetings.models import Client
from cope_tui.store.store import Store
from helpers.terminal import Terminal


def test_doctor_shows_what_it_checks_then_the_report(tmp_path, term_env, cli):
    db = tmp_path / "cope.json"
    for code in ("C-1", "C-2"):  # one backup each time the file is saved
        store = Store(db)
        store.put_client(Client(code=code))
        store.close()
    term = Terminal(["doctor", "--db", str(db)], term_env)
    term.wait_for("Healthy.")
    assert term.exit_status() == 0
    seen = term.seen
    assert b"Checking the database..." in seen and b"Checking backup 2 of 2..." in seen
    assert seen.index(b"Checking backup 2 of 2...") < seen.index(b"\r\x1b[KDatabase ")
    piped = cli("doctor", "--db", db)
    assert piped.returncode == 0 and "Checking" not in piped.stdout + piped.stderr
