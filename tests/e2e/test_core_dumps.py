"""Issue 11, point 7: secrets stay in memory, never in a core dump.

With an encrypted DB open, `kill -ABRT` under `ulimit -c unlimited` wrote a core holding
the passphrase and the notes. Every command that may hold a key turns core dumps off for
its process (RLIMIT_CORE 0, and on Linux PR_SET_DUMPABLE 0), checked here in real
subprocesses, and with a real abort where the machine writes cores to a file.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cope_tui.meetings.models import Client
from cope_tui.store.store import Store

PASS = "a long and private phrase"
NOTE = "WOMBAT-NOTE-3318"

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_GET_DUMPABLE) is Linux's")

# Runs the real CLI entry in this process; the app's UI (and `meet`'s) is replaced by a probe that
# reports what the process looks like while the DB is open and unlocked, then either
# returns or (HOLD) waits there to be killed.
PROBE = r"""
import ctypes, json, os, resource, sys
from cope_tui.cli import main as cli

if os.environ.get("SOFT"):  # the control run: what a process that keeps dumps on leaves
    try:
        from cope_tui.cli import hardening
        hardening.no_core_dumps = lambda: None
    except ImportError:
        pass

def state():
    libc = ctypes.CDLL(None, use_errno=True)
    return {"dumpable": libc.prctl(3, 0, 0, 0, 0), "core": list(resource.getrlimit(resource.RLIMIT_CORE))}

seen = {}
def probe(session, db, meet_code, **kwargs):
    seen.update(state(), unlocked=not session.store.locked, note=[c.note for c in session.store.clients()])
    if os.environ.get("HOLD"):
        print("ready", flush=True)
        sys.stdin.readline()
    return 0

def finish(code):  # run() ends the process with os._exit: report just before
    print(json.dumps({"code": code, "while_open": seen, "after": state()}), flush=True)
    real_exit(code)

cli._run_session = probe
real_exit, os._exit = os._exit, finish
sys.argv[0] = "cope-tui"
cli.run()  # the console script's entry, as `cope-tui ARGS` runs it
"""


def plain_db(folder: Path) -> Path:
    db = folder / "cope.json"
    store = Store(db)
    store.put_client(Client(code="C-1", note=f"note {NOTE}"))
    store.close()
    return db


def encrypted_db(folder: Path, run_cli, env) -> Path:
    db = plain_db(folder)
    done = run_cli(["encrypt", "--db", str(db)], env)
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture
def env(cli_env):
    return {**cli_env, "COPE_TUI_PASSPHRASE": PASS}


def probe(args: list[str], env: dict[str, str], cwd: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, cwd=cwd, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


COMMANDS = {
    "app": lambda db: ["--db", str(db)],
    "meet": lambda db: ["meet", "C-NEW", "--db", str(db)],
    "export": lambda db: ["export", "--all", "--db", str(db)],
    "doctor": lambda db: ["doctor", "--db", str(db)],
    "decrypt": lambda db: ["decrypt", "--db", str(db)],
}


@linux_only
@pytest.mark.parametrize("command", [*COMMANDS, "encrypt", "demo"])
def test_commands_that_hold_a_key_keep_it_out_of_core_dumps(tmp_path, run_cli, env, command):
    if command == "encrypt":
        args = ["encrypt", "--db", str(plain_db(tmp_path))]
    elif command == "demo":  # a new, empty, encrypted DB, then demo data into it
        empty = tmp_path / "demo.json"
        assert run_cli(["encrypt", "--db", str(empty)], env).returncode == 0
        args = ["demo", "--db", str(empty), "--clients", "1", "--meetings", "1"]
    else:
        args = COMMANDS[command](encrypted_db(tmp_path, run_cli, env))
    found = probe(args, env, tmp_path)
    assert found["code"] == 0
    if command in ("app", "meet"):  # checked while the DB is open and unlocked
        assert found["while_open"]["unlocked"] and f"note {NOTE}" in found["while_open"]["note"]
        assert found["while_open"]["dumpable"] == 0 and found["while_open"]["core"] == [0, 0]
    assert found["after"]["dumpable"] == 0 and found["after"]["core"] == [0, 0]


def _wait_for_line(proc: subprocess.Popen, timeout: float = 60.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            return proc.stdout.readline()
        if proc.poll() is not None:
            return ""
    return ""


def _abort_while_open(db: Path, env: dict[str, str], cwd: Path, *, soft: bool) -> tuple[int, list[Path]]:
    """Open the DB as the app does, then `kill -ABRT` it under `ulimit -c unlimited`."""
    cwd.mkdir()
    run_env = {**env, "HOLD": "1", **({"SOFT": "1"} if soft else {})}
    command = f"ulimit -c unlimited || exit 99; exec {sys.executable} -c \"$PROBE\" --db {db}"
    proc = subprocess.Popen(
        ["sh", "-c", command], env={**run_env, "PROBE": PROBE}, cwd=cwd,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = _wait_for_line(proc)
        if proc.poll() == 99:
            pytest.skip("this process may not raise its core size limit (ulimit -c unlimited)")
        if line.strip() != "ready":
            proc.wait(timeout=60)
            pytest.fail(f"the probe did not start (status {proc.returncode}): {proc.stderr.read()}")
        os.kill(proc.pid, signal.SIGABRT)
        status = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return status, sorted(cwd.glob("core*"))


@linux_only
def test_an_abort_with_the_db_unlocked_writes_no_core(tmp_path, run_cli, env):
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    if pattern.startswith("|") or "/" in pattern:
        pytest.skip(f"cores go to {pattern!r} here, not to a file in the process's folder this test can check")
    db = encrypted_db(tmp_path, run_cli, env)
    status, cores = _abort_while_open(db, env, tmp_path / "control", soft=True)
    if status != -signal.SIGABRT or not cores:
        pytest.skip(f"this machine wrote no core for an aborted process (core_pattern {pattern!r})")
    try:
        assert PASS.encode() in cores[0].read_bytes()  # what the control shows is at stake
    finally:
        for core in cores:
            core.unlink()
    status, cores = _abort_while_open(db, env, tmp_path / "hardened", soft=False)
    assert status == -signal.SIGABRT
    assert cores == [], "a core dump was written with the passphrase in memory"
