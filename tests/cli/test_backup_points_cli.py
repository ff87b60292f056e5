"""`cope-tui doctor` with compressed backup points (issue 14, point 5): every point is
checked, and `--restore` of a segment, a full copy or an older uncompressed copy puts back
exactly what it held."""

from __future__ import annotations

import pytest

from cope_tui.meetings.models import Client
from cope_tui.store import backup_points, backups, rekey
from cope_tui.store.store import Store
from helpers.backup_points import records_now

PASS = "correct horse battery staple"


def sessions(db, passphrase, n: int) -> dict[str, dict]:
    """`n` sessions of saves and a close each; the records every point left holds."""
    held = {}
    for i in range(n):
        store = Store(db, passphrase=passphrase)
        store.put_client(Client(code=f"C-{i}", note="words " * 50))
        store.close()
        held[backups.list_backups(db)[0].name] = records_now(db, passphrase)
    return held


@pytest.mark.parametrize("passphrase", [None, PASS], ids=["plain", "encrypted"])
def test_doctor_checks_every_point_and_restores_any_of_them(tmp_path, cli, cli_env, run_cli, passphrase):
    db = tmp_path / "data" / "cope.json"
    Store(db).close()
    if passphrase:
        rekey.convert(db, rekey.ENCRYPT, passphrase)
    held = sessions(db, passphrase, 4)
    env = {**cli_env, "COPE_TUI_PASSPHRASE": passphrase} if passphrase else cli_env
    done = run_cli(["doctor", "--db", str(db)], env)
    assert done.returncode == 0, done.stdout
    points = [b for b in backups.list_backups(db) if backup_points.is_point(b.path)]
    assert any(b.name.endswith(backup_points.SEGMENT) for b in points)
    for backup in points:
        assert backup.name in done.stdout
    for name in [n for n in held if n.endswith(backup_points.SEGMENT)][:1] + [n for n in held if n.endswith(backup_points.FULL)][:1]:
        put_back = run_cli(["doctor", "--db", str(db), "--restore", name, "--yes"], env)
        assert put_back.returncode == 0, put_back.stdout + put_back.stderr
        assert records_now(db, passphrase) == held[name], name


def test_an_older_uncompressed_copy_is_still_checked_and_restored(tmp_path, cli):
    db = tmp_path / "data" / "cope.json"
    store = Store(db)
    store.put_client(Client(code="OLD-1"))
    store.close()
    before = records_now(db)
    old = backups.backup_dir(db) / backups.backup_name(db)
    old.write_bytes(db.read_bytes())  # as cope-tui kept them before compressed points
    store = Store(db)
    store.put_client(Client(code="NEW-2"))
    store.close()
    done = cli("doctor", "--db", db)
    assert done.returncode == 0 and old.name in done.stdout
    put_back = cli("doctor", "--db", db, "--restore", old.name, "--yes")
    assert put_back.returncode == 0, put_back.stderr
    assert records_now(db) == before
