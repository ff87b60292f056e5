"""A process that opened the DB before another one converted it writes nothing plain
afterwards (real processes side by side)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cope_tui.store import audit
from helpers.audit_log import signed_meeting
from helpers.cli import convert, doctor

PASS = "correct horse battery staple"
OTHER = "another long passphrase"
CODE = "C-0142"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A plain DB with one client and a finalised meeting, so its audit log exists."""
    db = tmp_path / "data" / "cope.json"
    signed_meeting(db, code=CODE, notes="Talked about the rent.", by="worker-1")
    return db


HOLDER = textwrap.dedent(
    """
    import sys
    from cope_tui.store import audit
    from cope_tui.store.store import Store
    store = Store(sys.argv[1], read_only=True, passphrase=sys.argv[2] or None)
    store.clients()  # loaded, as an open window is
    print("ready", flush=True)
    sys.stdin.readline()
    note = audit.log_export(store, what="client C-0142", target="C-0142-2026-01-05.md", data="text")
    print(note or "written", flush=True)
    """
)


@pytest.mark.parametrize(
    "opened, steps",
    [
        ("plain", [("encrypt", PASS)]),  # a plain line must not go into the sealed log
        ("sealed", [("decrypt", PASS)]),  # nor a sealed one into the log made plain
        ("sealed", [("decrypt", PASS), ("encrypt", OTHER)]),  # nor one under the old key
    ],
)
def test_a_process_that_opened_the_db_before_a_conversion_writes_nothing(db, cli_env, opened, steps):
    if opened == "sealed":
        convert(cli_env, "encrypt", db, PASS)
    before = audit.log_path(db).read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), PASS if opened == "sealed" else ""],
        env=cli_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        for command, passphrase in steps:
            convert(cli_env, command, db, passphrase)
        converted = audit.log_path(db).read_bytes()
        assert converted != before
        holder.stdin.write("go\n")
        holder.stdin.flush()
        said = holder.stdout.readline().strip()
        assert holder.wait(timeout=60) == 0, holder.stderr.read()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert audit.log_path(db).read_bytes() == converted  # not a byte added
    assert "was not written" in said and "since this program opened it" in said, said
    checked = doctor(cli_env, db, steps[-1][1] if steps[-1][0] == "encrypt" else None)
    assert checked.returncode == 0, checked.stdout
