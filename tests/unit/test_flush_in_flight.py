"""ctrl+q's flush must count a background save under way as not saved yet."""

from __future__ import annotations

import json
import os
import threading

from cope_tui.store.autosave import Saver
from cope_tui.meetings.models import Client
from cope_tui.store.store import Store


def test_flush_waits_for_a_save_already_in_flight(tmp_path):
    """ctrl+q asks flush() whether everything is on disk. A background save to a full
    disk that is under way at that moment must count as not saved, or the app quits and
    the text is lost although the quit was meant to be refused."""
    store = Store(tmp_path / "data" / "cope.json")
    client = Client(code="C-1", note="typed just before ctrl+q")
    journal_fd = next(
        int(fd) for fd in os.listdir("/proc/self/fd")
        if os.path.realpath(f"/proc/self/fd/{fd}") == str(store.journal_path)
    )
    keep = os.dup(journal_fd)
    full = os.open("/dev/full", os.O_WRONLY)
    os.dup2(full, journal_fd)  # the disk is full: every append fails with ENOSPC
    os.close(full)
    started, gate = threading.Event(), threading.Event()

    def write() -> None:  # a slow disk: the save is in flight when flush() is asked
        started.set()
        gate.wait(5)
        store.put_client(client)

    saver = Saver(delay=0, retry=10)
    try:
        saver.submit(f"client:{client.id}", write)
        assert started.wait(5)
        threading.Timer(0.3, gate.set).start()
        saved = saver.flush()
        assert store.get("clients", client.id) is None  # the disk really refused it
        assert saved is False, "flush() said everything is on disk while a save to a full disk was under way"
    finally:
        gate.set()
        os.dup2(keep, journal_fd)
        os.close(keep)
        saver.close()
        store.close()
    reopened = Store(tmp_path / "data" / "cope.json")
    assert reopened.get("clients", client.id) is not None  # close() did write it once it could
    reopened.close()
