"""The real program on a pseudo-terminal: type a note, lose the terminal, find the note."""

from __future__ import annotations

import fcntl
import os
import re
import pty
import resource
import select
import signal
import struct
import sys
import termios
import time

import pytest

from cope_tui.store.store import Store


class Terminal:
    """A child process on a pty of 80x24, read and typed into like a person would."""

    children: set[int] = set()  # killed after each test (conftest), so a failure leaves no app spinning

    def __init__(self, args: list[str], env: dict[str, str], *, file_limit: int | None = None):
        pid, fd = pty.fork()
        if pid == 0:  # the child: becomes the app, with the pty as its controlling terminal
            if file_limit is not None:  # writes past it fail with EFBIG, like a full disk
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, resource.RLIM_INFINITY))
            os.execvpe(sys.executable, [sys.executable, "-m", "cope_tui.cli.main", *args], env)
        self.pid, self.fd = pid, fd
        Terminal.children.add(pid)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.seen = b""

    def wait_for(self, text: str, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:
                    break
                if text.encode() in self.seen:
                    return
        alive = os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        shown = re.sub(rb"\x1b\[[0-9;?]*[ -/]*[@-~]", b" ", bytes(self.seen[-4000:])).decode(errors="replace")
        raise AssertionError(
            f"{text!r} never appeared on the terminal (app {'running' if alive else 'gone'}); "
            f"last output, escapes blanked: {' '.join(shown.split())[-1500:]!r}"
        )

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    os.read(self.fd, 65536)
                except OSError:
                    return

    def type(self, text: str) -> None:
        for ch in text:  # one key at a time, as typed
            os.write(self.fd, ch.encode())
            time.sleep(0.005)

    def hang_up(self) -> None:
        os.close(self.fd)

    def exit_status(self, timeout: float = 15.0) -> int | None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                Terminal.children.discard(self.pid)
                return status
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        Terminal.children.discard(self.pid)
        return None

    @classmethod
    def kill_leftovers(cls) -> None:
        for pid in list(cls.children):
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        cls.children.clear()


@pytest.fixture
def term_env(cli_env):
    return {**cli_env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}


def opening_notes(db) -> str:
    store = Store(db, read_only=True)
    try:
        (meeting,) = store.meetings()
        return meeting.peek("opening").notes
    finally:
        store.close()


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


def test_kill_9_a_second_after_typing_loses_nothing(tmp_path, term_env):
    db = tmp_path / "cope.json"
    term = Terminal(["meet", "C-0002", "--db", str(db)], term_env)
    term.wait_for("Opening")
    term.drain(0.5)
    term.type("Saved within a second")
    term.drain(1.2)
    os.kill(term.pid, signal.SIGKILL)
    term.exit_status()
    term.hang_up()
    assert opening_notes(db) == "Saved within a second"


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
    term.wait_for("Not saved yet")
    assert os.waitpid(term.pid, os.WNOHANG) == (0, 0), "the app quit with unsaved text"
    resource.prlimit(term.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    term.wait_for("saved again")
    term.type("\x11")
    status = term.exit_status()
    term.hang_up()
    assert status is not None and os.WEXITSTATUS(status) == 0
    assert opening_notes(db) == words
