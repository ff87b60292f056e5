"""The real program on a pseudo-terminal, read and typed into like a person would.

Every child started here is remembered and killed after each test (the root conftest),
so a failed test never leaves an app spinning on a closed pty.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import resource
import select
import signal
import struct
import termios
import time

from .cli import CLI


class Terminal:
    """A child process on a pty of 80x24, read and typed into like a person would."""

    children: set[int] = set()  # killed after each test (conftest), so a failure leaves no app spinning

    def __init__(self, args: list[str], env: dict[str, str], *, file_limit: int | None = None):
        pid, fd = pty.fork()
        if pid == 0:  # the child: becomes the app, with the pty as its controlling terminal
            if file_limit is not None:  # writes past it fail with EFBIG, like a full disk
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, resource.RLIM_INFINITY))
            os.execvpe(CLI[0], [*CLI, *args], env)
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

    def wait_for_new(self, text: str, timeout: float = 20.0) -> None:
        """Like wait_for, but only output written from now on counts."""
        start, end = len(self.seen), time.monotonic() + timeout
        while text.encode() not in self.seen[start:]:
            assert time.monotonic() < end, f"{text!r} was not drawn again; the app is stuck or elsewhere"
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                self.seen += os.read(self.fd, 65536)

    def drain(self, seconds: float) -> None:
        """Read what the app writes for `seconds`, keeping it in `seen` for the checks: a
        drain that threw it away left a hostile sequence or a traceback unscanned."""
        end = time.monotonic() + seconds
        while time.monotonic() < end and self._read(0.05) is not None:
            pass

    def _read(self, wait: float) -> int | None:
        """Add to `seen` what arrives within `wait`: the bytes read (0 if none), or None
        once the terminal is closed (hung up, or the app gone and its output all read)."""
        if self.fd < 0:
            time.sleep(wait)
            return None
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return 0
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the app has gone and everything it wrote was read
            return None
        self.seen += data
        return len(data) if data else None

    def type(self, text: str) -> None:
        for ch in text:  # one key at a time, as typed
            os.write(self.fd, ch.encode())
            time.sleep(0.005)

    def paste(self, text: str) -> None:
        """As a terminal hands over a paste: bracketed, in one write."""
        os.write(self.fd, f"\x1b[200~{text}\x1b[201~".encode())

    def hang_up(self) -> None:
        os.close(self.fd)
        self.fd = -1

    def exit_status(self, timeout: float = 15.0) -> int | None:
        """The app's wait status once it exits (None: killed after `timeout`), reading its
        output meanwhile and what is left after it, so the checks see all of it."""
        end = time.monotonic() + timeout
        status = None
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            self._read(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            status = None
        Terminal.children.discard(self.pid)
        while self._read(0.05):  # the last of its output, up to the end of the terminal's
            pass
        return status

    @classmethod
    def kill_leftovers(cls) -> None:
        for pid in list(cls.children):
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        cls.children.clear()
