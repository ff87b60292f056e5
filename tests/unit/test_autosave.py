"""The background saver: coalescing, flushing, and keeping text when the disk says no."""

from __future__ import annotations

import errno
import sys
import threading
import time

from cope_tui.store.autosave import Saver
from helpers.polling import wait_for


def test_newest_snapshot_per_key_is_written_once_typing_pauses():
    written = []
    saver = Saver(delay=0.1)
    for i in range(20):
        saver.submit("meeting:1", lambda i=i: written.append(i))
    assert wait_for(lambda: written == [19])
    assert saver.close()  # writes anything still pending, then stops: nothing more comes
    assert written == [19]


def test_flush_writes_now_on_the_calling_thread():
    threads = []
    saver = Saver(delay=10)
    saver.submit("k", lambda: threads.append(threading.current_thread()))
    assert saver.flush() is True
    assert threads == [threading.current_thread()]
    saver.close()


def test_failed_write_is_kept_retried_and_reported():
    attempts = []
    statuses = []

    def write():
        attempts.append(1)
        if len(attempts) < 3:
            raise OSError(errno.ENOSPC, "No space left on device")

    saver = Saver(delay=0.01, retry=0.05, on_status=statuses.append)
    saver.submit("k", write)
    assert wait_for(lambda: len(attempts) >= 3 and saver.pending == 0)
    assert any("disk is full" in s.error for s in statuses)
    assert statuses[-1].error == "" and statuses[-1].saved_at is not None
    saver.close()


def test_newer_edit_replaces_a_failed_one():
    written = []
    fail = [True]

    def old():
        if fail[0]:
            raise OSError(errno.EIO, "I/O error")
        written.append("old")

    saver = Saver(delay=10, retry=10)
    saver.submit("k", old)
    assert saver.flush() is False
    saver.submit("k", lambda: written.append("new"))
    fail[0] = False
    assert saver.flush() is True
    assert written == ["new"]
    saver.close()


def test_close_reports_unsaved_work():
    saver = Saver(delay=10, retry=10)

    def broken():
        raise OSError(errno.EROFS, "Read-only file system")

    saver.submit("k", broken)
    assert saver.close() is False


def sleeps_with_nothing_pending(saver: Saver) -> bool:
    """The saver thread waits with no timeout: it looked, found nothing pending, and sleeps
    until woken (the state the flush's failure must wake it from)."""
    frame = sys._current_frames().get(saver._thread.ident)
    while frame is not None:
        if frame.f_code.co_name == "wait" and frame.f_locals.get("timeout", 0) is None:
            return frame.f_back is not None and frame.f_back.f_code.co_name == "_run"
        frame = frame.f_back
    return False


def test_a_flush_that_fails_on_another_thread_is_still_retried_by_the_saver():
    """The quit key flushes on a worker; if that write fails while the saver thread has
    found nothing pending, the saver must still pick the kept text up and retry it."""
    disk_full = threading.Event()
    disk_full.set()
    in_flush = threading.Event()
    release = threading.Event()
    written = []

    def write():
        if threading.current_thread().name == "flusher" and not in_flush.is_set():
            in_flush.set()
            release.wait(5)  # the saver thread looks meanwhile, and sees nothing pending
        if disk_full.is_set():
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(threading.current_thread().name)

    saver = Saver(delay=0.1, retry=0.05)
    saver.submit("k", write)
    flusher = threading.Thread(target=saver.flush, name="flusher")
    flusher.start()
    assert in_flush.wait(5)
    wait_for(lambda: sleeps_with_nothing_pending(saver), what="the saver thread to find nothing pending")
    release.set()
    flusher.join(5)
    assert saver.pending == 1, "the failed text is kept"
    disk_full.clear()  # space returns; nobody flushes again
    assert wait_for(lambda: written == ["cope-saver"], timeout=3), "the saver never retried"
    saver.close()


def test_typing_that_never_pauses_is_still_written_every_little_while():
    """A fast typist's keys come closer together than the pause the saver waits for. It
    waited for that pause however long the typing went on, so a crash after a minute of
    steady typing lost the whole minute; now nothing waits longer than `max_wait`."""
    written = []
    saver = Saver(delay=0.25, max_wait=0.5)
    started = time.monotonic()
    typed = 0
    while time.monotonic() - started < 2.5:  # a key every 50 ms: never a 0.25 s pause
        typed += 1
        saver.submit("meeting:1", lambda typed=typed: written.append(typed))
        time.sleep(0.05)
    assert len(written) >= 2, f"{len(written)} writes in 2.5 s of steady typing"
    saver.close()
    assert written[-1] == typed  # and the last key is on disk at the end
