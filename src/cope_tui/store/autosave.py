"""Saving as you type, off the UI thread.

Edits hand the saver a snapshot under a key (one per record). The newest snapshot
per key wins; a background thread writes it shortly after typing pauses, or after
`max_wait` of typing that never pauses, and keeps it, retrying, when the disk says no,
so nothing typed is dropped. A save the user asked for (a row saved with ctrl+s, a goal
ticked) is written at once, still off the UI thread: waiting for a pause there only
widened the moment in which a crash took what the screen had said was saved.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Write = Callable[[], None]


@dataclass(frozen=True)
class SaveStatus:
    pending: int
    error: str = ""
    saved_at: float | None = None


class Saver:
    def __init__(
        self,
        *,
        delay: float = 0.25,
        max_wait: float = 1.0,
        on_status: Callable[[SaveStatus], None] | None = None,
        retry: float = 1.0,
    ):
        self.delay = delay
        self.max_wait = max_wait
        self.retry = retry
        self.on_status = on_status
        self._pending: dict[str, Write] = {}
        self._cond = threading.Condition()
        self._last_submit = 0.0
        self._first_submit = 0.0  # of the edits pending now: none waits past it + max_wait
        self._retry_at = 0.0
        self._urgent = False  # a save asked for is pending: no waiting for typing to pause
        self._last: set[str] = set()  # keys written after the rest of their batch
        self._closed = False
        self._error = ""
        self._saved_at: float | None = None
        self._writing = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="cope-saver", daemon=True)
        self._thread.start()

    @property
    def error(self) -> str:
        return self._error

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    def has_pending(self, key: str) -> bool:
        """Is a snapshot under `key` waiting to be written (an edit not on disk yet)?"""
        with self._cond:
            return key in self._pending

    def submit(self, key: str, write: Write, *, at_once: bool = False, last: bool = False) -> None:
        """Queue a write; a newer one for the same key replaces it. `at_once`: a save
        asked for, written without waiting for typing to pause. `last`: written after the
        rest of its batch (words kept from a form are let go only once the record the
        form saved is on disk: the other way round, a crash between the two lost both)."""
        with self._cond:
            if last:
                self._last.add(key)
            else:
                self._last.discard(key)
            now = time.monotonic()
            if not self._pending:
                self._first_submit = now
            self._pending[key] = write
            self._last_submit = now
            self._urgent = self._urgent or at_once
            self._cond.notify()

    def _take(self) -> dict[str, Write]:
        """What is pending, in the order to write it (the `last` keys after the rest)."""
        with self._cond:
            batch, self._pending, self._urgent = self._pending, {}, False
            last = {key: batch.pop(key) for key in self._last & batch.keys()}  # (kept marked: a retry is last too)
            return batch | last

    def _put_back(self, batch: dict[str, Write]) -> None:
        """Keep failed writes and wake the saver thread: a flush on another thread may
        have failed while the saver found nothing pending and went to sleep."""
        with self._cond:
            for key, write in batch.items():
                self._pending.setdefault(key, write)  # a newer edit beats the failed one
            self._retry_at = time.monotonic() + self.retry
            self._cond.notify()

    def _write(self) -> bool:
        """Write everything pending once; False if something failed and was kept."""
        with self._writing:
            batch = self._take()
            failed: dict[str, Write] = {}
            message = ""
            for key, write in batch.items():
                try:
                    write()
                except OSError as exc:
                    failed[key] = write
                    message = _describe(exc)
                except Exception as exc:  # refused for good (e.g. a finalised record): say so
                    message = f"Not saved: {exc}"
            if failed:
                self._put_back(failed)
            self._error = message
            if batch and not failed:
                self._saved_at = time.time()
            self._report()
            return not failed

    def _report(self) -> None:
        if self.on_status is not None:
            try:
                self.on_status(SaveStatus(self.pending, self._error, self._saved_at))
            except Exception:  # a closed UI must not stop saving
                pass

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return  # close() has already made the last attempt itself
                # Let typing settle briefly: one write per pause, not per key, but no
                # longer than max_wait (a fast typist's keys come closer than the pause,
                # and a crash took all typed since the last one); after a failure, wait
                # for the retry time whoever made the failed attempt.
                settled = min(self._last_submit + self.delay, self._first_submit + self.max_wait)
                if self._urgent:
                    settled = 0.0
                wait = max(settled, self._retry_at) - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
            self._write()

    def flush(self) -> bool:
        """Write everything now, on the calling thread; True if all of it is on disk."""
        with self._writing:  # a save already under way must finish (or fail) first
            pass
        return self._write() if self.pending else not self._error

    def close(self) -> bool:
        ok = self.flush()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
        return ok and not self.pending


def _describe(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return "The disk is full: your text is kept in memory and saving is retried. Free some space."
    if exc.errno == errno.ESTALE:  # the files are another's now (anchored.LockLost, FilesReplaced): no retry helps
        return f"Nothing more is saved here: {exc.strerror}."
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"Cannot write the database ({exc.strerror}); your text is kept and saving is retried."
    return f"Saving failed ({exc.strerror or exc}); your text is kept and saving is retried."
