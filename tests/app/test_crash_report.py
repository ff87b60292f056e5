"""A bug never costs a word, nor shows one.

When a handler raises, what was typed is saved before the app ends, the user is told
where an error report is, and neither the terminal nor the report holds client text:
Textual's own crash report printed every local variable (a note being typed) and the
exception's message (which can quote a client code).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cope_tui.app import create_app
from cope_tui.store.autosave import Saver
from cope_tui.store.crash_report import describe, report_dir
from cope_tui.session import create_client
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.crash import CODE, NOTE, assert_private_and_clean, broken_step_list, client_db
from helpers.polling import until
from helpers.stored import all_notes
from helpers.pilot import showing

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return client_db(tmp_path / "cope.json")


def the_report() -> Path:
    reports = list(report_dir().glob("crash-*.txt"))
    assert len(reports) == 1, reports
    return reports[0]


async def test_a_bug_in_a_handler_saves_the_note_and_writes_a_clean_report(db, monkeypatch, capsys):
    monkeypatch.setattr(MeetingScreen, "action_step_list", broken_step_list)
    session = Session(Store(db, lazy=True), saver=Saver(delay=3600, max_wait=3600))  # nothing saved by itself
    app = create_app(session, meet_code=CODE)
    with pytest.raises(KeyError):  # run_test hands the bug on, as it should
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: showing(app, MeetingScreen) and app.screen.meeting is not None)
            await pilot.press(*NOTE)
            assert session.saver.pending and NOTE not in all_notes(db)
            await pilot.press("ctrl+l")
    assert NOTE in all_notes(db)  # saved by the app on its way out, before the CLI closes the store
    assert app.return_code == 1
    report = the_report()
    assert_private_and_clean(report)
    assert str(report) in app.crash_message  # the CLI prints it once the terminal is back
    err = capsys.readouterr().err  # and Textual prints nothing of its own
    for secret in (NOTE, CODE, "notes_now", "Traceback", "locals"):
        assert secret not in err + app.crash_message
    session.close()


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
