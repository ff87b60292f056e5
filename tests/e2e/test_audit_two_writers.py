"""The audit log under two real processes appending at once: one valid chain."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from cope_tui.store.audit_check import verify
from helpers.audit_log import entries, stored


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "cope.json"


APPENDER = textwrap.dedent(
    """
    import sys
    from cope_tui.store import audit
    db, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(n):
        audit.append(db, [audit.make_entry("export", what=f"{tag} {i}", target="x.md")])
    """
)


def test_concurrent_appends_from_two_processes_keep_one_valid_chain(db, cli_env):
    db.parent.mkdir(parents=True)
    n = 150
    procs = [
        subprocess.Popen([sys.executable, "-c", APPENDER, str(db), tag, str(n)], env=cli_env)
        for tag in ("first", "second")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    log = entries(db)
    assert [e["seq"] for e in log] == list(range(1, 2 * n + 1))
    assert sorted(e["what"] for e in log) == sorted(f"{t} {i}" for t in ("first", "second") for i in range(n))
    report = verify(db, stored(db))
    assert report.ok and report.entries == 2 * n
