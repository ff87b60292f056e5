"""The real program on a pseudo-terminal: type a note, lose the terminal, find the note."""

from __future__ import annotations

import os
import resource
import signal
import time
from pathlib import Path

import pytest

from cope_tui.store.store import Store
from helpers.kept_words import kept_in
from helpers.polling import wait_for
from helpers.stored import opening_notes
from helpers.terminal import Terminal


def test_hang_up_mid_note_saves_every_word(tmp_path, term_env):
    db = tmp_path / "cope.json"
    term = Terminal(["meet", "C-0001", "--db", str(db)], term_env)
    term.wait_for("Opening")
    term.drain(0.5)
    term.type("Typed right before the line dropped")
    time.sleep(0.05)  # well under the saver's pause: only the hang-up handler can save this
    term.hang_up()
    status = term.exit_status()
    assert status is not None, "the app did not exit after the hang-up"
    assert opening_notes(db) == "Typed right before the line dropped"
    Store(db).close()  # the lock is free again: this would raise DatabaseLocked
    # A dropped line is how SSH sessions end: no error report claims a fault in cope-tui
    # (Textual's output thread meets the dead terminal at its next write).
    assert not list(Path(term_env["XDG_STATE_HOME"]).rglob("crash-*"))


def test_kill_9_once_typing_paused_loses_nothing(tmp_path, term_env):
    """Once typing pauses the saver writes (a fraction of a second later: waited for here,
    not timed); a kill -9 after that loses nothing."""
    db = tmp_path / "cope.json"
    term = Terminal(["meet", "C-0002", "--db", str(db)], term_env)
    term.wait_for("Opening")
    term.drain(0.5)
    term.type("Saved within a second")
    # Read the app's output meanwhile, so it never blocks on a full pty.
    wait_for(lambda: term.drain(0.05) or opening_notes(db) == "Saved within a second", 20, "the note on disk")
    os.kill(term.pid, signal.SIGKILL)
    term.exit_status()
    term.hang_up()
    assert opening_notes(db) == "Saved within a second"
    # The app opens the DB again: a new one, killed before its first fold (only the
    # journal on disk), was refused at the next start.
    again = Terminal(["--db", str(db)], term_env)
    again.wait_for("C-0002")
    again.hang_up()
    assert again.exit_status() is not None


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_terminate_and_interrupt_save_then_exit_cleanly(tmp_path, term_env, sig):
    db = tmp_path / "cope.json"
    term = Terminal(["meet", "C-0003", "--db", str(db)], term_env)
    term.wait_for("Opening")
    term.drain(0.5)
    term.type("Asked to stop")
    time.sleep(0.05)
    os.kill(term.pid, sig)
    term.drain(1.0)
    status = term.exit_status()
    term.hang_up()
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert opening_notes(db) == "Asked to stop"
    assert (tmp_path / "cope.json.journal").read_bytes() == b"", "a clean exit folds the journal in"


def test_full_disk_keeps_the_text_warns_on_quit_and_saves_when_space_returns(tmp_path, term_env):
    db = tmp_path / "cope.json"
    term = Terminal(["meet", "C-0004", "--db", str(db)], term_env, file_limit=24_000)
    term.wait_for("Opening")
    term.drain(0.5)
    words = " ".join(f"word{i}" for i in range(200))
    for chunk in range(0, len(words), 200):  # pauses let the saver write (and then fail)
        term.type(words[chunk : chunk + 200])
        term.drain(0.4)
    term.wait_for("NOT SAVED")
    term.type("\x11")  # ctrl+q
    # The quit's own word, written after ctrl+q ("... Press ctrl+q once more
    # now to quit ..."). "Not saved yet" was on the terminal already, the failing save's
    # toast has that title too: under load the limit was raised while the quit was still
    # flushing, the flush then worked and the app quit, as it should, before "saved again".
    term.wait_for_new("quit")
    assert os.waitpid(term.pid, os.WNOHANG) == (0, 0), "the app quit with unsaved text"
    resource.prlimit(term.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    term.wait_for("saved again")
    term.type("\x11")
    status = term.exit_status()
    term.hang_up()
    assert status is not None and os.WEXITSTATUS(status) == 0
    assert opening_notes(db) == words


def test_kill_9_with_a_form_open_keeps_what_was_typed_in_it(tmp_path, term_env):
    """A form's words were kept only as the app stopped (a hang-up, a quit); a kill -9
    gives no stop. Now they are kept as they are typed, and shown at the next start."""
    db = tmp_path / "cope.json"
    term = Terminal(["--db", str(db)], term_env)
    term.wait_for("Find client")
    term.drain(0.5)
    term.type("\x0e")  # ctrl+n: a new client
    term.wait_for("New client")
    term.type("C-0142\rpartner, sister\rreferred by the GP")
    expected = {"Name or code": "C-0142", "Others": "partner, sister", "Note": "referred by the GP"}
    wait_for(lambda: term.drain(0.05) or [dict(k.fields) for k in kept_in(db)] == [expected], 20, "the words on disk")
    os.kill(term.pid, signal.SIGKILL)
    term.exit_status()
    term.hang_up()
    again = Terminal(["--db", str(db)], term_env)
    again.wait_for("referred by the GP")  # offered at the start, over the client list
    again.hang_up()
    assert again.exit_status() is not None


def test_a_code_and_enter_typed_as_the_app_starts_open_the_client(tmp_path, term_env):
    """Typed before the app had the terminal, the enter reached it as a line feed (the
    terminal's usual mode turns one into the other), read as ctrl+j: the code stayed in
    Find client, unopened, and the `e` typed next went after it."""
    from cope_tui.session import create_client

    db = tmp_path / "cope.json"
    store = Store(db)
    for code in ("C-0001", "C-0002"):
        create_client(store, code)
    store.close()
    term = Terminal(["--db", str(db)], term_env)
    term.type("C-0002\re")  # at once: the app is still starting
    term.wait_for("Edit client")
    term.wait_for("C-0002")
