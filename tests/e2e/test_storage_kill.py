"""The store under kill: a killed holder's lock is cleared, and a writer killed mid-stream
loses nothing it reported saved."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from cope_tui.store.store import DatabaseLocked, Store


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "cope.json"


def test_lock_of_a_killed_process_is_cleared(db, tmp_path):
    code = f"from cope_tui.store.store import Store; import time; Store({str(db)!r}); print('ready', flush=True); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    with pytest.raises(DatabaseLocked):
        Store(db)
    child.kill()
    child.wait()
    Store(db).close()


WRITER = textwrap.dedent(
    """
    import sys
    from cope_tui.meetings.models import Client
    from cope_tui.store.store import Store
    store = Store(sys.argv[1])
    start = int(sys.argv[2])
    for i in range(start, start + 100000):
        store.put_client(Client(id=f"c{i}", code=f"C-{i}", note="x" * (i % 300)))
        print(i, flush=True)
    """
)


def test_kill_9_during_saves_loses_nothing_reported(db):
    """A small version of the torture test: kill mid-stream, reopen, check every reported save."""
    db.parent.mkdir(parents=True)
    reported: set[str] = set()
    start = 0
    for round_no in range(8):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(start)], stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 0.15 + 0.05 * round_no
        last = None
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            last = int(line)
            reported.add(f"c{last}")
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        store = Store(db)
        have = {c.id for c in store.clients()}
        store.close()
        assert reported <= have, f"round {round_no}: lost {sorted(reported - have)[:5]}"
        start = (last or start) + 1000
    assert len(reported) > 8
