"""A bug in the real program on a pty: the terminal says where the report is, and shows no
traceback."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from helpers.crash import BUG, CODE, NOTE, assert_private_and_clean, client_db
from helpers.stored import all_notes
from helpers.terminal import Terminal  # the real program on a pty


@pytest.fixture
def db(tmp_path):
    return client_db(tmp_path / "cope.json")


def test_the_terminal_shows_where_the_report_is_and_no_traceback(db, tmp_path, term_env):
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(BUG)  # loaded by the child at start-up
    env = {**term_env, "PYTHONPATH": os.pathsep.join(filter(None, [str(inject), term_env.get("PYTHONPATH")]))}
    term = Terminal(["meet", CODE, "--db", str(db)], env)
    term.wait_for("Opening")
    term.drain(0.5)
    term.type(NOTE)
    time.sleep(0.05)  # well under the saver's pause
    term.type("\x0c")  # ctrl+l: the broken handler
    term.wait_for("pass it on")
    term.drain(1.0)
    status = term.exit_status()
    term.hang_up()
    assert status is not None and os.waitstatus_to_exitcode(status) == 1
    shown = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]", "", term.seen.decode(errors="replace"))
    home = Path(env["XDG_STATE_HOME"]) / "cope-tui"
    reports = list(home.glob("crash-*.txt"))
    assert len(reports) == 1
    assert str(reports[0]) in shown.replace("\r", "")
    after_the_app = shown[shown.rindex("unexpected error") :]  # what stays on the terminal
    for secret in (NOTE, CODE, "notes_now", "Traceback", "locals", "KeyError"):
        assert secret not in after_the_app
    assert_private_and_clean(reports[0])
    assert NOTE in all_notes(db)
