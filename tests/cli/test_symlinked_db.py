"""Issue 11, point 4: a DB reached through a symbolic link stays where it really is.

`--db home/clients.json` pointing at `vault/db.json` replaced the link with a regular
file in home/ (with its journal, summary and backups), leaving the real DB stale. The
path is resolved once at open: every file of the DB lives beside the real one and the
link stays a link. A link that leads nowhere usable (to a folder that does not exist, or
round in a loop) is refused with a message, and nothing is created.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cope_tui.store import backups
from cope_tui.meetings.models import Client
from cope_tui.store.store import Store, StoreError

PASS = "a long and private phrase"


@pytest.fixture
def places(tmp_path):
    home, vault = tmp_path / "home", tmp_path / "vault"
    home.mkdir()
    vault.mkdir()
    return home, vault


def codes(db: Path, passphrase: str | None = None) -> list[str]:
    store = Store(db, read_only=True, passphrase=passphrase)
    try:
        return sorted(c.code for c in store.clients())
    finally:
        store.close()


def only_the_link(home: Path, link: Path, target: str) -> None:
    assert sorted(p.name for p in home.iterdir()) == [link.name], "a file of the DB was written beside the link"
    assert link.is_symlink() and os.readlink(link) == target


def test_a_linked_db_is_written_where_it_really_is(places):
    home, vault = places
    real = vault / "db.json"
    store = Store(real)
    store.put_client(Client(code="C-1"))
    store.close()
    link = home / "clients.json"
    link.symlink_to("../vault/db.json")

    store = Store(link)
    assert store.path == real
    store.put_client(Client(code="C-2"))
    assert store.close()
    only_the_link(home, link, "../vault/db.json")
    assert codes(real) == ["C-1", "C-2"]
    names = {p.name for p in vault.iterdir()}
    assert {"db.json", "db.json.journal", "db.json.lock", "db.json.summary", "db.json.backups"} <= names
    assert len(backups.list_backups(real)) == 2  # one per compaction, both beside the real file


def test_a_linked_folder_keeps_everything_in_the_real_folder(places):
    home, vault = places
    (home / "team").symlink_to(vault, target_is_directory=True)
    store = Store(home / "team" / "db.json")
    assert store.path == vault / "db.json"
    store.put_client(Client(code="C-1"))
    assert store.close()
    assert (home / "team").is_symlink() and codes(vault / "db.json") == ["C-1"]


def test_every_command_through_a_link_keeps_all_files_beside_the_real_db(places, run_cli, cli_env):
    """A link to a DB that does not exist yet: demo creates it at the link's target; then
    export, encrypt, doctor (with a restore, which sets damaged copies aside) and decrypt
    all work through the link, which stays a link to the file they change."""
    home, vault = places
    link, real = home / "clients.json", vault / "db.json"
    link.symlink_to(real)
    env = {**cli_env, "COPE_TUI_PASSPHRASE": PASS}

    def ok(*args: str) -> None:
        done = run_cli([*args, "--db", str(link)], env)
        assert done.returncode == 0, done.stderr
        only_the_link(home, link, str(real))

    ok("demo", "--clients", "3", "--meetings", "6")
    assert real.is_file() and len(codes(real)) == 3
    ok("export", "--all", "-o", str(vault.parent / "all.md"))
    ok("encrypt")
    ok("doctor")
    ok("doctor", "--restore-newest", "--yes")
    assert any(".damaged-" in p.name for p in vault.iterdir())
    ok("decrypt")
    assert len(codes(real)) == 3
    for name in ("db.json.journal", "db.json.lock", "db.json.audit", "db.json.backups"):
        assert (vault / name).exists(), name


def test_a_link_to_a_folder_that_does_not_exist_is_refused(places, run_cli, cli_env):
    home, vault = places
    link = home / "clients.json"
    link.symlink_to(vault / "not-mounted" / "db.json")
    with pytest.raises(StoreError, match="not-mounted"):
        Store(link)
    for args in (["demo", "--clients", "1"], ["encrypt"], ["export", "--all"], []):
        done = run_cli([*args, "--db", str(link)], {**cli_env, "COPE_TUI_PASSPHRASE": PASS})
        assert done.returncode == 1, (args, done.stderr)
        assert str(link) in done.stderr and "not-mounted" in done.stderr and "does not exist" in done.stderr
        assert "Traceback" not in done.stderr
    only_the_link(home, link, str(vault / "not-mounted" / "db.json"))
    assert list(vault.iterdir()) == []


def test_a_looping_link_is_refused(places, run_cli, cli_env):
    home, _ = places
    first, second = home / "a.json", home / "b.json"
    first.symlink_to(second)
    second.symlink_to(first)
    with pytest.raises(StoreError, match="loop"):
        Store(first)
    for args in (["demo", "--clients", "1"], ["doctor"], ["export", "--all"], []):
        done = run_cli([*args, "--db", str(first)], cli_env)
        assert done.returncode == 1, (args, done.stderr)
        assert str(first) in done.stderr and "loop" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in home.iterdir()) == ["a.json", "b.json"]
    assert first.is_symlink() and second.is_symlink()


@pytest.mark.parametrize("command", [["doctor"], ["export", "--all"], ["erase", "--retention"], []])
def test_a_pipe_as_the_database_is_refused_at_once(cli, tmp_path, command):
    """A FIFO at --db waited for a writer for ever (doctor, export, erase, the app)."""
    import os

    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    done = cli(*command, "--db", pipe, timeout=30)
    assert done.returncode == 1 and "is not a file (it is a pipe, a device or a socket)" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("planted", ["link", "file of another user", "fifo"])
def test_a_journal_planted_beside_the_db_is_not_replayed(tmp_path, planted):
    """A link at NAME.json.journal.old was followed and its lines offered to the replay:
    in a folder others can write to, another user's lines (or a FIFO, which hung the open)."""
    db = tmp_path / "db.json"
    store = Store(db)
    store.put_client(Client(code="C-1"))
    store.close()
    theirs = tmp_path / "theirs.journal"
    (tmp_path / "other").mkdir()
    other = Store(tmp_path / "other" / "db.json")
    other.put_client(Client(code="PLANTED"))
    other.journal.close()  # (its lines stay in its journal, unfolded)
    os.replace(tmp_path / "other" / "db.json.journal", theirs)
    old = db.with_name(db.name + ".journal.old")
    if planted == "link":
        old.symlink_to(theirs)
    elif planted == "fifo":
        os.mkfifo(old, 0o600)  # opened for reading, it waited for a writer: the app never started
    else:
        os.replace(theirs, old)
        os.chown(old, 12345, 12345)
    with pytest.raises(StoreError, match="journal.old' (is a symbolic link|belongs to another user|is not a file)"):
        Store(db, read_only=True).clients()
    assert old.exists() or old.is_symlink()
