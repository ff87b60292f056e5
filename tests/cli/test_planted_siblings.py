"""Issue 11, point 3 (the DB's own sibling files): a link planted where the journal, the
lock or the audit log will be created is never written through.

A DB kept in a folder others can write to (a shared team folder, /tmp) gets its journal,
lock and audit log created beside it by name. Another user who plants a link at one of
those names before the DB is first opened must not make cope-tui append client records,
or its pid, to a file the link points at: the open is refused with a message naming the
file, and the file pointed at is unchanged.
"""

from __future__ import annotations

import pytest

from cope_tui.meetings.models import Client
from cope_tui.store.store import Store, StoreError

VICTIM = b""  # an empty file of the victim's: the hardest case, it reads as an empty journal or log


@pytest.mark.parametrize("suffix", [".journal", ".lock"])
def test_a_link_planted_at_a_sibling_name_is_refused_not_followed(tmp_path, suffix):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    db = tmp_path / "shared" / "cope.json"
    db.parent.mkdir()
    (db.parent / (db.name + suffix)).symlink_to(victim)
    with pytest.raises(StoreError) as refused:
        store = Store(db)
        try:
            store.put_client(Client(code="C-1", note="a private note"))
        finally:
            store.close()
    assert db.name + suffix in str(refused.value)
    assert "link" in str(refused.value)
    assert victim.read_bytes() == VICTIM


def test_a_link_planted_at_the_audit_log_is_never_written_through(tmp_path, cli):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    db = tmp_path / "shared" / "cope.json"
    db.parent.mkdir()
    store = Store(db)
    store.put_client(Client(code="C-1", note="a private note"))
    store.close()
    (db.parent / (db.name + ".audit")).symlink_to(victim)
    done = cli("export", "--db", db, "--client", "C-1", "-o", tmp_path / "out.md")
    assert victim.read_bytes() == VICTIM
    assert "Traceback" not in done.stderr
    assert "cope.json.audit" in done.stderr


def test_a_link_planted_as_the_backups_folder_is_never_written_nor_read_through(tmp_path, cli):
    """Followed, it put a full copy of the records in a folder of the planter's choosing
    (and made that folder 0700); `doctor --restore-newest` would offer what is there."""
    import stat

    from cope_tui.store import backups

    victim = tmp_path / "victim"
    victim.mkdir(mode=0o755)
    db = tmp_path / "shared" / "cope.json"
    db.parent.mkdir()
    (db.parent / (db.name + ".backups")).symlink_to(victim)
    store = Store(db)
    store.put_client(Client(code="C-1", note="a private note"))
    assert store.close() is True  # the save is kept; only the backup is not written
    assert list(victim.iterdir()) == [] and stat.S_IMODE(victim.stat().st_mode) == 0o755
    (victim / "cope-2026-01-01T00-00-00.json").write_text('{"clients": {}}')  # a planted "backup"
    assert backups.list_backups(db) == []
    checked = cli("doctor", "--db", db)
    assert checked.returncode == 1 and "symbolic link" in checked.stdout and "Traceback" not in checked.stderr


def test_erase_encrypt_and_decrypt_rewrite_nothing_through_a_planted_backups_link(tmp_path, cli, cli_env, run_cli):
    """They rewrote every file in the folder the link pointed at (an empty database in
    place of a planted file), and decrypt left plain copies of the records there."""
    import shutil

    db = tmp_path / "shared" / "cope.json"
    db.parent.mkdir()
    store = Store(db)
    store.put_client(Client(code="C-1", note="a private note"))
    store.put_client(Client(code="C-2"))
    store.close()
    victim = tmp_path / "victim"  # the DB's own backups, moved to where the link points
    (db.parent / (db.name + ".backups")).rename(victim)
    shutil.copy(db, victim / "cope-20260102T000000Z.json")  # and a copy of the DB beside them
    (db.parent / (db.name + ".backups")).symlink_to(victim)
    before = {p.name: p.read_bytes() for p in victim.iterdir()}
    assert cli("erase", "C-2", "--db", db, "--yes").returncode == 0
    with_passphrase = {**cli_env, "COPE_TUI_PASSPHRASE": "a passphrase long enough to use"}
    for command in ("encrypt", "decrypt"):
        done = run_cli([command, "--db", str(db)], with_passphrase)
        assert done.returncode == 0, done.stderr
    assert {p.name: p.read_bytes() for p in victim.iterdir()} == before
