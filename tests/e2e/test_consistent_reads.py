"""Issue 11, point 10: a reader sees one consistent state beside a writer that compacts.

A real writer process (tests/writer.py torture mode) saves without pause and folds its
journal into the file every few kilobytes; this process opens the DB read-only (what
`export` does) over and over. Every load must hold every save reported before it began,
at least as new as reported: a compaction landing between reading the file and reading
the journals once lost the lines the compaction had just folded in.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cope_tui.store.store import Store
from helpers.writer import SCRIPT as WRITER

COMPACT_BYTES = 12 * 1024  # a compaction every few dozen saves
_REV = re.compile(r"^rev \d+:(\d+) ")


class Saves:
    """The writer's reports ("S table id digest" after each put), read as they come."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.count = 0
        self.latest: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            parts = raw.decode().split()
            if len(parts) == 4 and parts[0] == "S":
                with self._lock:
                    self.count += 1
                    self.latest[(parts[1], parts[2])] = self.count

    def snapshot(self) -> tuple[int, dict[tuple[str, str], int]]:
        """How many saves so far, and each record's newest put number (the writer numbers
        its puts 1, 2, ... and prints one "S" line per put, so the count is that number)."""
        with self._lock:
            return self.count, dict(self.latest)


def revision(table: str, doc: dict) -> int:
    """The writer's put number stored in the record (see writer.torture)."""
    if table == "meetings":
        return int(doc["active_seconds"])
    return int(_REV.match(doc["note"]).group(1))


def start_writer(db: Path, seed: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), "torture", str(db), str(seed), str(COMPACT_BYTES)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    readable, _, _ = select.select([proc.stdout], [], [], 60)
    assert readable and proc.stdout.readline() == b"ready\n", proc.stderr.read()
    proc.stdin.write(b"go\n")
    proc.stdin.flush()
    return proc


def read_beside_a_compacting_writer(tmp_path: Path, compactions: int) -> None:
    """Load until the writer has replaced the file `compactions` times (and 100 loads at least)."""
    db = tmp_path / "data" / "cope.json"
    proc = start_writer(db, seed=7)
    try:
        saves = Saves(proc)
        deadline = time.monotonic() + 60
        while saves.snapshot()[0] < 200:  # let it build a file worth compacting
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.01)
        seen_compactions: set[tuple[int, int]] = set()
        deadline = time.monotonic() + 30 + compactions
        n = 0
        while len(seen_compactions) < compactions or n < 100:
            assert time.monotonic() < deadline, f"only {len(seen_compactions)} compactions in {n} loads"
            n += 1
            _count, wanted = saves.snapshot()
            choose = (lambda clients, sizes, total: set(sizes)) if n % 2 else None
            store = Store(db, read_only=True, choose_meetings=choose)
            try:
                for (table, doc_id), put in sorted(wanted.items()):
                    doc = store.get(table, doc_id)
                    assert doc is not None, f"load {n}: {table} {doc_id}, saved before the load began, is missing"
                    assert revision(table, doc) >= put, f"load {n}: {table} {doc_id} is older than put {put}"
            finally:
                store.close()
            try:
                info = os.stat(db)
                seen_compactions.add((info.st_ino, info.st_mtime_ns))
            except FileNotFoundError:
                pass
        assert proc.poll() is None, proc.stderr.read()
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)


def test_read_only_loads_beside_a_compacting_writer_miss_nothing(tmp_path):
    read_beside_a_compacting_writer(tmp_path, compactions=60)


@pytest.mark.slow
def test_read_only_loads_beside_a_compacting_writer_miss_nothing_long(tmp_path):
    read_beside_a_compacting_writer(tmp_path, compactions=1500)
