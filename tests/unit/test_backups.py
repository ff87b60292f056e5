"""Backups, restore and migrations on real files: nothing saved is ever lost to damage."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta

import orjson
import pytest

from cope_tui.store import backups, format, migrations
from cope_tui.meetings.models import Client
from cope_tui.store.store import DatabaseLocked, Store, StoreError
from helpers.backup_points import codes_at, records_now, same_bytes, state_of
from helpers.polling import wait_for
from helpers.stored import add_clients


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "cope.json"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def snapshots(db):
    return [b for b in backups.list_backups(db) if b.kind == backups.SNAPSHOT]


def codes_in(path) -> list[str]:
    data = orjson.loads(path.read_bytes())
    return sorted(doc["code"] for doc in data["clients"].values())


# ---- snapshots ---------------------------------------------------------------------------


def test_close_keeps_a_private_snapshot(db):
    add_clients(db, "C-1")
    [first] = snapshots(db)
    folder = backups.backup_dir(db)
    assert first.path.parent == folder == db.with_name("cope.json.backups")
    assert mode(folder) == 0o700
    assert mode(first.path) == 0o600
    assert not os.path.samefile(first.path, db)  # a copy, independent of the live file
    assert same_bytes(state_of(db, first), records_now(db))
    assert first.path.name.startswith("cope-") and first.path.name.endswith("Z.full.zst")
    assert first.size < db.stat().st_size  # compressed

    add_clients(db, "C-2")
    newest, older = snapshots(db)
    assert same_bytes(state_of(db, newest), records_now(db))
    assert codes_at(db, older) == ["C-1"]
    assert codes_at(db, newest) == ["C-1", "C-2"]
    assert newest.taken > older.taken
    assert all(mode(b.path) == 0o600 for b in backups.list_backups(db))


def test_every_compaction_keeps_a_snapshot(db):
    store = Store(db, compact_bytes=100)  # each save is bigger than this: every put compacts
    try:
        for i in range(4):
            store.put_client(Client(code=f"C-{i}", note="x" * 200))
            wait_for(lambda n=i + 1: len(snapshots(db)) == n)  # compaction runs in the background
            store._join_compactor()  # still dropping the old journal: the next put would not compact
            newest = snapshots(db)[0]
            assert len(codes_at(db, newest)) == i + 1
    finally:
        store.close()
    assert len(snapshots(db)) == 4  # the close changed nothing more: no duplicate


def test_closing_without_changes_adds_no_duplicate_snapshot(db):
    add_clients(db, "C-1")
    before = snapshots(db)
    for _ in range(3):
        Store(db).close()
    assert snapshots(db) == before


def test_snapshot_survives_damage_written_into_the_live_file(db):
    add_clients(db, "C-1")
    [snap] = snapshots(db)
    with open(db, "r+b") as live:  # a stray tool writing in place
        live.write(b"garbage")
    assert codes_at(db, snap) == ["C-1"]
    assert mode(snap.path) == 0o600
    assert not [p for p in backups.backup_dir(db).iterdir() if p.name.endswith(".tmp")]


def test_a_failing_backup_never_fails_a_save(db):
    db.parent.mkdir(parents=True)
    backups.backup_dir(db).write_bytes(b"a file where the backups folder should be")
    add_clients(db, "C-1")  # would raise if after_compaction let an error out
    assert codes_in(db) == ["C-1"]
    backups.after_compaction(db.parent / "missing.json")  # no file at all: still no error


def test_rotation_keeps_newest_ten_and_one_per_day_for_fourteen_days(db):
    folder = backups.backup_dir(db)
    folder.mkdir(parents=True)

    def fake(when: datetime, reason: str | None = None):
        path = folder / backups.backup_name(db, when, reason)
        path.write_bytes(b"{}")
        return path

    noon = datetime(2026, 3, 31, 12, 0).astimezone()  # local time, as shown to the user
    newest_day = [fake(noon + timedelta(minutes=m)) for m in range(12)]
    # 20 older days with snapshots, every other calendar day (gaps do not count as days),
    # three snapshots a day.
    days = []
    for n in range(1, 21):
        day = noon - timedelta(days=2 * n)
        days.append([fake(day - timedelta(hours=2)), fake(day), fake(day + timedelta(hours=2))])
    old_copy = fake(noon - timedelta(days=400), reason="before-upgrade-from-0")
    (folder / "notes.txt").write_text("mine")

    deleted = backups.prune(db)

    expected = set(newest_day[-10:])  # the newest ten (all from the newest day)
    expected |= {snaps[-1] for snaps in days[:13]}  # the newest of each of 13 more days = 14 days
    left = {b.path for b in snapshots(db)}
    assert left == expected
    assert len(left) == 10 + 13
    assert set(deleted) == set(newest_day[:2]) | {p for snaps in days for p in snaps} - expected
    assert old_copy.exists()  # copies kept for a reason never rotate
    assert (folder / "notes.txt").read_text() == "mine"


def test_rotation_runs_after_each_compaction(db):
    folder = backups.backup_dir(db)
    folder.mkdir(parents=True)
    # 30 old snapshots, all on one day long ago: only the newest of them may survive.
    old = datetime(2020, 1, 1, 8, 0).astimezone()
    for m in range(30):
        (folder / backups.backup_name(db, old + timedelta(minutes=m))).write_bytes(b"{}")
    add_clients(db, "C-1")
    kept = snapshots(db)
    assert len(kept) == 10  # the new one and the 9 newest old ones, which also cover 2020-01-01
    assert same_bytes(state_of(db, kept[0]), records_now(db))


# ---- copies kept for a reason ------------------------------------------------------------


def test_keep_copy_is_a_full_private_copy(db):
    assert backups.keep_copy(db, reason="before-upgrade-from-0") is None
    add_clients(db, "C-1")
    original = db.read_bytes()
    copy = backups.keep_copy(db, reason="before upgrade/from 0")
    assert copy is not None and copy.parent == backups.backup_dir(db)
    assert copy.name.endswith("-before-upgrade-from-0.json")
    assert not os.path.samefile(copy, db)
    assert copy.read_bytes() == original
    assert mode(copy) == 0o600
    [listed] = [b for b in backups.list_backups(db) if b.kind != backups.SNAPSHOT]
    assert listed.path == copy and listed.kind == "before-upgrade-from-0"


def test_keep_copy_keeps_the_pending_journal_too(db):
    store = Store(db)
    store.put_client(Client(code="C-1"))
    store.close()
    store = Store(db)
    store.put_client(Client(code="C-2"))  # only in the journal so far
    pending = store.journal_path.read_bytes()
    copy = backups.keep_copy(db, reason="test")
    store.close()
    assert pending and copy.with_name(copy.name + ".journal").read_bytes() == pending
    assert codes_in(copy) == ["C-1"]
    check = backups.check_file(copy)
    assert check.ok and check.clients == 2  # the copy's journal is replayed


# ---- checking ------------------------------------------------------------------------------


def test_check_file_counts_and_finds_problems(db, tmp_path):
    add_clients(db, "C-1", "C-2")
    good = backups.check_file(db)
    assert good.ok and (good.clients, good.meetings, good.schema) == (2, 0, 2)

    corrupt = tmp_path / "corrupt.json"
    corrupt.write_bytes(b'{"meta": ')
    assert not backups.check_file(corrupt).ok and "JSON" in backups.check_file(corrupt).problem

    foreign = tmp_path / "foreign.json"
    foreign.write_bytes(b'{"_default": {"1": {"x": 1}}}')
    assert "not a cope-tui database" in backups.check_file(foreign).problem

    data = orjson.loads(db.read_bytes())
    data["clients"]["bad1"] = {"id": "bad1", "code": ""}
    invalid = tmp_path / "invalid.json"
    invalid.write_bytes(orjson.dumps(data))
    result = backups.check_file(invalid)
    assert not result.ok and "client bad1" in result.problem and result.clients == 3

    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert not backups.check_file(empty).ok
    assert not backups.check_file(tmp_path / "absent.json").ok


def test_newest_good_skips_a_damaged_newest_backup(db):
    add_clients(db, "C-1")
    add_clients(db, "C-2")
    newest, older = snapshots(db)
    newest.path.unlink()
    newest.path.write_bytes(b"damaged")  # a new inode: the DB file itself is untouched
    assert backups.newest_good(db).path == older.path
    for backup in backups.list_backups(db):
        backup.path.unlink()
    assert backups.newest_good(db) is None


# ---- restoring -----------------------------------------------------------------------------


def damage(db, content: bytes = b'{"meta": {"app": tru') -> bytes:
    """Replace the DB file as a broken tool would (a new file, so backups are not touched)."""
    db.unlink()
    db.write_bytes(content)
    return content


def test_restore_keeps_the_damaged_files_aside_and_opens_the_backup(db):
    add_clients(db, "C-1", "C-2")
    damaged = damage(db)
    journal = db.with_name(db.name + ".journal")
    journal.write_bytes(b'{"t":"clients","id":"x","doc":{"id":"x","code":"C-9"}}\n')
    backup = backups.newest_good(db)

    aside = backups.restore(db, backup)

    assert aside.read_bytes() == damaged  # byte for byte, never deleted
    assert aside.name.startswith("cope.json.damaged-")
    journal_aside = db.with_name("cope.json.journal." + aside.name.split(".", 2)[2])
    assert journal_aside.read_bytes().startswith(b'{"t":"clients","id":"x"')
    assert not journal.exists()
    assert db.read_bytes() == backups.materialise(db, backup)[0]
    assert mode(db) == 0o600
    store = Store(db)
    assert [c.code for c in store.clients()] == ["C-1", "C-2"]
    store.close()
    # A second restore never overwrites the first set aside.
    damage(db, b"again")
    second = backups.restore(db, backups.newest_good(db))
    assert second != aside and second.read_bytes() == b"again" and aside.read_bytes() == damaged


def test_restore_is_refused_while_the_db_is_open(db):
    add_clients(db, "C-1")
    backup = snapshots(db)[0]
    store = Store(db)
    try:
        before = sorted(p.name for p in db.parent.iterdir())
        with pytest.raises(DatabaseLocked, match="in use"):
            backups.restore(db, backup)
        assert sorted(p.name for p in db.parent.iterdir()) == before
    finally:
        store.close()
    assert backups.restore(db, backup) is not None  # free again


def test_restore_holds_the_lock_so_the_app_cannot_open_meanwhile(db, monkeypatch):
    add_clients(db, "C-1")
    backup = snapshots(db)[0]
    seen = []
    real = backups.write_private

    def write_and_try_to_open(path, data):
        if path == db:
            with pytest.raises(DatabaseLocked):
                Store(db)
            seen.append(path)
        real(path, data)

    monkeypatch.setattr(backups, "write_private", write_and_try_to_open)
    backups.restore(db, backup)
    assert seen == [db]


# ---- migrations ----------------------------------------------------------------------------


def test_upgrade_applies_steps_in_order_and_names_a_missing_one(monkeypatch):
    monkeypatch.setattr(migrations, "STEPS", {})
    migrations.STEPS[1] = lambda d: {**d, "order": d.get("order", []) + [1]}
    migrations.STEPS[2] = lambda d: {**d, "order": d["order"] + [2]}
    data = {"meta": {"app": {"app": "cope-tui", "schema": 1}}}
    out = migrations.upgrade(data, 1, 3)
    assert out["order"] == [1, 2] and out["meta"]["app"]["schema"] == 3
    assert migrations.upgrade({"x": 1}, 3, 3) == {"x": 1}
    with pytest.raises(StoreError, match="from format 3"):
        migrations.upgrade(data, 1, 4)
    with pytest.raises(StoreError, match="from format 0"):
        migrations.upgrade(data, 0, 2)
    migrations.STEPS[1] = lambda d: d["missing"]
    with pytest.raises(StoreError, match="from format 1 to 2 failed"):
        migrations.upgrade(data, 1, 2)


def test_migration_steps_lead_from_format_1_to_the_current_one():
    assert format.SCHEMA == 2  # 2: the lean file form (issue 14)
    assert sorted(migrations.STEPS) == list(range(1, format.SCHEMA))


def test_an_older_file_is_upgraded_with_a_copy_kept_first(db, monkeypatch):
    add_clients(db, "C-1", "C-2")
    original = db.read_bytes()
    assert orjson.loads(original)["meta"]["app"]["schema"] == 2

    def tag_clients(data):
        for doc in data["clients"].values():
            doc["tag"] = "upgraded"
        return data

    monkeypatch.setattr(format, "SCHEMA", 3)
    monkeypatch.setitem(migrations.STEPS, 2, tag_clients)

    # Read-only: upgraded in memory, nothing written, no copy kept.
    files_before = sorted(p.relative_to(db.parent) for p in db.parent.rglob("*"))
    viewer = Store(db, read_only=True)
    assert viewer.migrated_from == 2
    assert {doc["tag"] for doc in viewer._data["clients"].values()} == {"upgraded"}
    assert [c.code for c in viewer.clients()] == ["C-1", "C-2"]
    viewer.close()
    assert db.read_bytes() == original
    assert sorted(p.relative_to(db.parent) for p in db.parent.rglob("*")) == files_before

    store = Store(db)
    assert store.migrated_from == 2
    store.close()
    data = orjson.loads(db.read_bytes())
    assert data["meta"]["app"]["schema"] == 3
    assert {doc["tag"] for doc in data["clients"].values()} == {"upgraded"}
    [copy] = [b for b in backups.list_backups(db) if b.kind == "before-upgrade-from-2"]
    assert copy.path.read_bytes() == original
    assert not os.path.samefile(copy.path, db)

    Store(db).close()  # already at format 3: no second upgrade, no second copy
    assert len([b for b in backups.list_backups(db) if b.kind.startswith("before-upgrade")]) == 1


def test_a_missing_step_refuses_to_open_and_changes_nothing(db, monkeypatch):
    add_clients(db, "C-1")
    original = db.read_bytes()
    monkeypatch.setattr(format, "SCHEMA", 3)
    monkeypatch.setitem(migrations.STEPS, 1, lambda d: d)  # no step from 2
    with pytest.raises(StoreError, match="no upgrade step from format 2"):
        Store(db)
    assert db.read_bytes() == original
    monkeypatch.setattr(format, "SCHEMA", 1)
    Store(db).close()  # the lock was released


def test_restore_moves_both_journals_aside(db):
    add_clients(db, "C-1")
    old, journal = backups.journals_of(db)
    old.write_bytes(b'{"t":"clients","id":"o","doc":{"id":"o","code":"OLD"}}\n')
    journal.write_bytes(b'{"t":"clients","id":"n","doc":{"id":"n","code":"NEW"}}\n')
    assert backups.check_file(db).clients == 3  # the live state includes both journals
    snapshot = snapshots(db)[0]
    aside = backups.restore(db, snapshot)
    stamp = aside.name.split(".damaged-")[1]
    assert old.with_name(f"{old.name}.damaged-{stamp}").read_bytes().startswith(b'{"t":"clients","id":"o"')
    assert journal.with_name(f"{journal.name}.damaged-{stamp}").read_bytes().startswith(b'{"t":"clients","id":"n"')
    assert not old.exists() and not journal.exists()
    store = Store(db, read_only=True)
    assert [c.code for c in store.clients()] == ["C-1"]  # nothing replayed over the backup
    store.close()


def test_restoring_a_copy_with_journals_brings_its_journals(db):
    add_clients(db, "C-1")
    store = Store(db)
    store.put_client(Client(code="C-2"))  # in the journal only
    copy = backups.keep_copy(db, reason="test")
    store.close()
    add_clients(db, "C-3")
    backups.restore(db, copy)
    store = Store(db)
    assert [c.code for c in store.clients()] == ["C-1", "C-2"]
    store.close()
