"""`export --all` through the CLI (subprocesses) is byte for byte the library's
one-process export, on one process for a small DB and on two past the size where the
exporter forks."""

from __future__ import annotations

import copy
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from cope_tui.export import parallel as export_parallel
from cope_tui.store.store import Store
from helpers.cli import CLI, CLI_TIMEOUT
from helpers.export_db import ORPHAN, demo_db_with_orphan, one_process_export

# Loaded by the CLI's interpreter at start-up (through PYTHONPATH): it only records each
# fork, in the child, so the test can tell the two-process path ran.
AT_FORK = """
import os

def _log_fork():
    with open(os.environ["COPE_TEST_FORK_LOG"], "a") as log:
        log.write(f"{os.getpid()}\\n")

os.register_at_fork(after_in_child=_log_fork)
"""


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_db_with_orphan(tmp_path_factory.mktemp("parallel") / "demo.json")


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo DB and 24 more draft meetings with long notes, spread over its clients:
    past the size from which the exporter forks (16 MB), in seconds rather than the
    minutes 6,000 demo meetings would take."""
    path = demo_db_with_orphan(tmp_path_factory.mktemp("parallel-big") / "big.json")
    rng = random.Random(7)
    words = ["rent", "letter", "sister", "clinic", "Ünïcødé", "*stars*", "<b>", "`tick`", "# hash", "| pipe |"]
    store = Store(path)
    draft = next(doc for doc in store.raw_meetings() if not doc.get("finalised_at") and doc["id"] != ORPHAN)
    clients = sorted(doc["id"] for doc in store.raw("clients"))
    for i in range(24):
        doc = copy.deepcopy(draft)
        doc.update(id=f"big{i:05d}", client_id=clients[i % len(clients)])
        lines = (" ".join(rng.choice(words) for _ in range(12)) for _ in range(8_000))
        doc["steps"].setdefault("progress", {})["notes"] = "\n".join(lines)
        store.put_meeting_doc(doc["id"], doc)
    store.close()
    assert path.stat().st_size > export_parallel.FORK_FROM_BYTES
    return path


def test_cli_export_all_matches_library(demo_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "all.md"
    result = cli("export", "--all", "--db", str(demo_db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == one_process_export(demo_db)
    assert (out.stat().st_mode & 0o777) == 0o600
    printed = cli("export", "--all", "--db", str(demo_db))
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.encode() == out.read_bytes()


def export_all(db: Path, env: dict[str, str], *more: str) -> subprocess.CompletedProcess[bytes]:
    """The CLI's `export --all`, its output kept as bytes."""
    return subprocess.run(
        [*CLI, "export", "--all", "--db", str(db), *more],
        env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=CLI_TIMEOUT,
    )


def counting_forks(tmp_path: Path, cli_env: dict[str, str]) -> tuple[dict[str, str], Path]:
    """The CLI's environment with every fork it makes written to a log (AT_FORK)."""
    boot = tmp_path / "boot"
    boot.mkdir()
    (boot / "sitecustomize.py").write_text(AT_FORK)
    forks = tmp_path / "forks.log"
    env = {**cli_env, "COPE_TEST_FORK_LOG": str(forks),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(boot), cli_env.get("PYTHONPATH")]))}
    return env, forks


def test_a_db_past_the_fork_size_exports_on_two_processes_byte_for_byte(big_db: Path, cli_env, tmp_path: Path) -> None:
    """Issue 12, point 10: no test ever ran the CLI's two-process path (the only CLI test's
    DB is far below 16 MB, and the library tests force _can_fork in process). Since issue
    14 a DB the CLI can open as the app does (its summary stamped by this version's checks)
    is exported in one process that keeps what it rendered (kept_export.py); the file
    alone, copied without its summary, is one it cannot, and that forks."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: the exporter rightly stays on one process")
    alone = tmp_path / "copied" / big_db.name
    alone.parent.mkdir()
    shutil.copyfile(big_db, alone)
    big_db = alone
    env, forks = counting_forks(tmp_path, cli_env)
    expected = one_process_export(big_db)

    printed = export_all(big_db, env)  # each process writes its half straight to stdout
    assert printed.returncode == 0, printed.stderr.decode()
    assert forks.exists() and len(forks.read_text().split()) == 1, "the export did not fork"
    assert printed.stdout == expected

    out = tmp_path / "all.md"
    written = export_all(big_db, env, "-o", str(out))  # the second half comes back through a pipe
    assert written.returncode == 0, written.stderr.decode()
    assert len(forks.read_text().split()) == 2, "the export to a file did not fork"
    assert out.read_bytes() == expected
    assert not (alone.parent / f"{alone.name}.export").exists()  # (nothing is kept on that path)


def test_the_first_kept_export_of_a_large_db_forks_and_the_next_takes_what_it_kept(big_db: Path, cli_env, tmp_path: Path) -> None:
    """Issue 14: a DB the CLI opens as the app does is exported a client at a time and
    kept (kept_export.py); its first export still renders the second half of the clients
    on a forked helper, whose part the parent checks client by client as kept text."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: the exporter rightly stays on one process")
    copy = tmp_path / "stamped" / big_db.name
    copy.parent.mkdir()
    for name in (big_db.name, f"{big_db.name}.summary"):  # the file and its stamped summary
        shutil.copyfile(big_db.with_name(name), copy.with_name(name))
    env, forks = counting_forks(tmp_path, cli_env)
    expected = one_process_export(copy)

    printed = export_all(copy, env)
    assert printed.returncode == 0, printed.stderr.decode()
    assert forks.exists() and len(forks.read_text().split()) == 1, "the first export did not fork"
    assert printed.stdout == expected
    assert copy.with_name(f"{copy.name}.export").exists()

    again = export_all(copy, env)
    assert again.returncode == 0, again.stderr.decode()
    assert len(forks.read_text().split()) == 1, "the next export forked: it had what the first kept"
    assert again.stdout == expected
