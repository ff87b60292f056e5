"""App mixin: a hang-up, SIGTERM or SIGINT saves every word typed, then leaves.

Keys the terminal delivered before the hang-up may not be in the editor yet: the
driver's thread has read them, and they wait in the app's queue, then the screen's,
then the focused editor's, each a hop of the event loop. A fast typist (or a paste)
keeps a few there at any instant; capturing the editors at once lost the last few
characters. So the text is saved at once (a kill right after still finds it on disk),
and once more after every key queued before the signal has reached its editor; only
then does the app exit.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from functools import partial

# The queued keys get this long to reach their editors; a UI thread that is stuck
# must not keep a terminal that is gone from being saved and left.
DRAIN_SECONDS = 1.0
HANDOFF_SECONDS = 0.05  # a key the driver's thread read is in the app's queue by then


def _resume_if_terminal(resume, signum, frame) -> None:
    """A hang-up comes with SIGCONT; Textual would then restart its output on the dead
    terminal, its writer thread would die and the exit would wait for it for ever."""
    try:
        alive = sys.__stdin__ is not None and os.isatty(sys.__stdin__.fileno())
    except (OSError, ValueError):
        alive = False
    if alive:
        resume(signum, frame)


class SignalExit:
    """Mixed into the App; uses its screens, `capture_all`, `session` and `exit`."""

    _signalled = False
    _left_on_signal = False

    def _install_signal_handlers(self) -> None:
        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self._on_signal)
            resume = signal.getsignal(signal.SIGCONT)
            if callable(resume):
                signal.signal(signal.SIGCONT, partial(_resume_if_terminal, resume))
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (some test runners): nothing to install

    def _on_signal(self) -> None:
        """Terminal gone or asked to stop: write everything typed, then leave."""
        if self._signalled:
            return
        self._signalled = True
        self._save_typed()
        self.set_timer(DRAIN_SECONDS, self._leave)  # in case the queues never drain
        self._leaving = asyncio.get_running_loop().create_task(self._leave_after_queued_keys())

    async def _leave_after_queued_keys(self) -> None:
        """Leave once the keys read before the signal are in their editors. The driver's
        thread hands each key to the event loop as a task of its own: HANDOFF_SECONDS
        lets those run. Then each hop a key takes (the app, its screen, the focused
        widget) is asked to call back after what is queued to it, one after the other:
        a key reaches the next hop only when the one before has handled it."""
        await asyncio.sleep(HANDOFF_SECONDS)
        for hop in (lambda: self, lambda: self.screen, lambda: self.focused):
            target, passed = hop(), asyncio.Event()
            if target is not None and target.call_later(passed.set):
                await passed.wait()
        self._leave()

    def _save_typed(self) -> None:
        """The terminal is gone: a screen that fails to capture (a bug) must neither cost
        the others their text nor keep the app from leaving."""
        try:
            self.keep_open_forms()
            self.capture_all(despite_errors=True)
        finally:
            self.session.flush()

    def _leave(self) -> None:
        if self._left_on_signal:
            return
        self._left_on_signal = True
        try:
            self._save_typed()
        finally:
            self.exit()
