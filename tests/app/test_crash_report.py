"""A bug never costs a word, nor shows one.

When a handler raises, what was typed is saved before the app ends, the user is told
where an error report is, and neither the terminal nor the report holds client text:
Textual's own crash report printed every local variable (a note being typed) and the
exception's message (which can quote a client code).
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

import pytest

from cope_tui.app import create_app
from cope_tui.store.autosave import Saver
from cope_tui.store.crash_report import describe, report_dir
from cope_tui.meetings.rules import create_client
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.polling import until
from helpers.terminal import Terminal  # the real program on a pty

SIZE = (80, 24)
CODE = "C-MARA"
NOTE = "Mara fears the eviction letter"

# What a handler with a bug looks like to the crash path: a local holding the note, and
# an exception whose message quotes the client.
BUG = '''
from cope_tui.screens import meeting


def broken_step_list(self):
    notes_now = self.query_one("#notes").text
    raise KeyError(f"{self.meeting.client_id} {notes_now}")


meeting.MeetingScreen.action_step_list = broken_step_list
'''


def broken_step_list(self):
    notes_now = self.query_one("#notes").text
    raise KeyError(f"{self.meeting.client_id} {notes_now}")


@pytest.fixture
def term_env(cli_env):
    return {**cli_env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cope.json"
    store = Store(path)
    create_client(store, CODE, note="lives with her sister")
    store.close()
    return path


def saved_notes(db: Path) -> str:
    store = Store(db, read_only=True)  # beside the app's own: reads the file and journal
    try:
        return " ".join(s.notes for m in store.meetings() for s in m.steps.values())
    finally:
        store.close()


def the_report() -> Path:
    reports = list(report_dir().glob("crash-*.txt"))
    assert len(reports) == 1, reports
    return reports[0]


def assert_private_and_clean(report: Path) -> str:
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700
    text = report.read_text()
    assert "KeyError" in text and "broken_step_list" in text  # what failed, and where
    for secret in (NOTE, "Mara", CODE, "notes_now", "sister"):  # neither values nor local names
        assert secret not in text
    return text


async def test_a_bug_in_a_handler_saves_the_note_and_writes_a_clean_report(db, monkeypatch, capsys):
    monkeypatch.setattr(MeetingScreen, "action_step_list", broken_step_list)
    session = Session(Store(db, lazy=True), saver=Saver(delay=3600))  # nothing saved by a pause
    app = create_app(session, meet_code=CODE)
    with pytest.raises(KeyError):  # run_test hands the bug on, as it should
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.meeting is not None)
            await pilot.press(*NOTE)
            assert session.saver.pending and NOTE not in saved_notes(db)
            await pilot.press("ctrl+l")
    assert NOTE in saved_notes(db)  # saved by the app on its way out, before the CLI closes the store
    assert app.return_code == 1
    report = the_report()
    assert_private_and_clean(report)
    assert str(report) in app.crash_message  # the CLI prints it once the terminal is back
    err = capsys.readouterr().err  # and Textual prints nothing of its own
    for secret in (NOTE, CODE, "notes_now", "Traceback", "locals"):
        assert secret not in err + app.crash_message
    session.close()


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
    assert NOTE in saved_notes(db)


def test_the_report_names_an_os_error_by_number_and_follows_its_cause():
    try:
        try:
            raise OSError(28, "No space left for the notes of C-MARA")
        except OSError as exc:
            raise RuntimeError("while saving C-MARA") from exc
    except RuntimeError as exc:
        text = describe(exc, "a test")
    assert "RuntimeError" in text and "caused by: OSError (errno 28 ENOSPC)" in text
    assert "C-MARA" not in text and "space" not in text


def test_a_bug_in_a_command_prints_where_the_report_is_and_no_traceback(tmp_path, cli_env, run_cli):
    """The CLI's top level: a command that raises (here demo, given a bug) exits 1 with the message."""
    inject = tmp_path / "inject-cli"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "from cope_tui.demo import writer as demo\n\n\n"
        "def write_demo(store, guide, **kwargs):\n"
        f"    held_note = {NOTE!r}\n"
        f"    raise KeyError({CODE!r} + held_note)\n\n\n"
        "demo.write_demo = write_demo\n"
    )
    env = {**cli_env, "PYTHONPATH": os.pathsep.join(filter(None, [str(inject), cli_env.get("PYTHONPATH")]))}
    done = run_cli(["demo", "--db", str(tmp_path / "demo.json")], env)
    assert done.returncode == 1
    reports = list((Path(env["XDG_STATE_HOME"]) / "cope-tui").glob("crash-*.txt"))
    assert len(reports) == 1 and f"\n  {reports[0]}\n" in done.stderr
    for secret in (NOTE, CODE, "held_note", "Traceback", "KeyError"):
        assert secret not in done.stderr + done.stdout
    text = reports[0].read_text()
    assert "KeyError" in text and "write_demo" in text
    assert NOTE not in text and CODE not in text and "held_note" not in text
    assert stat.S_IMODE(reports[0].stat().st_mode) == 0o600


def test_a_bug_in_a_background_thread_is_reported_without_text(tmp_path, cli_env, run_cli):
    """Our own threads (saver, loader, compactor, sync) are outside Textual's error path:
    Python's default report would print the exception's message, which can quote a note."""
    inject = tmp_path / "inject-thread"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "import threading\n"
        "from cope_tui.demo import writer as demo\n\n"
        "real = demo.write_demo\n\n\n"
        "def write_demo(store, guide, **kwargs):\n"
        "    def work():\n"
        f"        held_note = {NOTE!r}\n"
        f"        raise KeyError({CODE!r} + held_note)\n"
        "    worker = threading.Thread(target=work, name='cope-compact')\n"
        "    worker.start()\n"
        "    worker.join()\n"
        "    return real(store, guide, **kwargs)\n\n\n"
        "demo.write_demo = write_demo\n"
    )
    env = {**cli_env, "PYTHONPATH": os.pathsep.join(filter(None, [str(inject), cli_env.get("PYTHONPATH")]))}
    done = run_cli(["demo", "--db", str(tmp_path / "demo.json"), "--clients", "2", "--meetings", "2"], env)
    assert done.returncode == 1  # the command's own work finished, but something broke on the way
    reports = list((Path(env["XDG_STATE_HOME"]) / "cope-tui").glob("crash-*.txt"))
    assert len(reports) == 1 and f"\n  {reports[0]}\n" in done.stderr
    for secret in (NOTE, CODE, "held_note", "Traceback", "KeyError"):
        assert secret not in done.stderr + done.stdout
    text = reports[0].read_text()
    assert "KeyError" in text and "cope-compact" in text
    assert NOTE not in text and CODE not in text
    assert stat.S_IMODE(reports[0].stat().st_mode) == 0o600
