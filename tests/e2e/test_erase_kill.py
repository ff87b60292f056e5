"""kill -9 during an erasure (issue 14, point 6): the DB opens either as it was before (the
client and every meeting of theirs there) or as after (nothing of theirs in any file),
never half of each."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cope_tui.meetings.models import Client, Meeting, MeetingKind
from cope_tui.store.store import Store
from helpers.erasure import holding_anywhere

MARK = "GREBE-MARKER-8812"
MEETINGS = 4

ERASER = """
import sys
from cope_tui.store.store import Store
store = Store(sys.argv[1])
store.wait_ready()
print("ready", flush=True)
sys.stdin.readline()
store.erase_client(sys.argv[2], by="killed")
print("done", flush=True)
store.close()
"""


def build(folder: Path) -> tuple[Path, str]:
    db = folder / "cope.json"
    store = Store(db, compact_bytes=20_000)
    gone = Client(code="GONE-1", note=f"note {MARK}")
    store.put_client(gone)
    for i in range(MEETINGS):
        meeting = Meeting(client_id=gone.id, kind=MeetingKind.FIRST if i == 0 else MeetingKind.REVIEW)
        meeting.step("opening").notes = f"said {MARK} " + "words " * 2000
        store.put_meeting(meeting)
        store._join_compactor()
    for i in range(40):  # many backup points, so the erasure takes long enough to be cut
        store.put_client(Client(code=f"K-{i}", note="other " * 500))
        store._join_compactor()
    store.close()
    return db, gone.id


def erase_killed_after(db: Path, client_id: str, env: dict[str, str], delay: float | None) -> bool:
    """Run an erasure in a child and kill it `delay` seconds after it starts (None: let it end)."""
    child = subprocess.Popen([sys.executable, "-c", ERASER, str(db), client_id], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout.readline() == b"ready\n", child.stderr.read()
    child.stdin.write(b"go\n")
    child.stdin.flush()
    if delay is None:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0 and b"done" in out, err
        return True
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=60)
    return False


def check_before_or_after(db: Path, client_id: str, state: Path) -> str:
    store = Store(db)  # a writer: finishes an erasure that was decided
    try:
        client = store.client(client_id)
        meetings = len(store.meetings(client_id))
    finally:
        store.close()
    if client is None:
        assert meetings == 0
        assert holding_anywhere([db.parent, state], MARK) == []
        return "after"
    assert meetings == MEETINGS  # every meeting still there: nothing half erased
    assert not db.with_name(db.name + ".erasing").exists()
    return "before"


def rounds(tmp_path: Path, cli_env: dict[str, str], n: int) -> set[str]:
    env = {**cli_env, "PYTHONPATH": os.pathsep.join(sys.path)}
    pristine = tmp_path / "pristine"
    db, client_id = build(pristine)
    timing = tmp_path / "timing"
    shutil.copytree(pristine, timing)
    started = time.perf_counter()
    erase_killed_after(timing / "cope.json", client_id, env, None)
    took = time.perf_counter() - started
    rng = random.Random(14)
    seen = set()
    for i in range(n):
        work = tmp_path / f"round-{i}"
        shutil.copytree(pristine, work)
        erase_killed_after(work / "cope.json", client_id, env, took * rng.random() ** 3)  # early ones too
        seen.add(check_before_or_after(work / "cope.json", client_id, Path(cli_env["XDG_STATE_HOME"])))
    return seen


def test_kill_9_during_an_erasure_leaves_before_or_after(tmp_path, cli_env):
    assert rounds(tmp_path, cli_env, 6)


@pytest.mark.slow
def test_kill_9_during_an_erasure_many_times(tmp_path, cli_env):
    assert "after" in rounds(tmp_path, cli_env, 40)  # each round checked it was before or after
