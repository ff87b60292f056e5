"""Backups that do not eat the disk (issue 14, point 5): compressed full copies and journal
segments between them, on real files; every kept point restores byte for byte."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cope_tui.meetings.models import Client
from cope_tui.store import backup_points, backups, crypto, doctor, rekey
from cope_tui.store.store import COMPACT_BYTES, Store
from helpers.backup_points import records_now, same_bytes, state_of

PASS = "correct horse battery staple"
WORDS = "family housing court letter worry sleep school doctor money plan goal talk week".split()


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "cope.json"


class Clock:
    """The time backups are named by, moved on by hand (a week of use in a second)."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    found = Clock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(backups, "clock", found)
    return found


def note(rng: random.Random, n: int = 60) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def points(db) -> list[backups.Backup]:
    return [b for b in backups.list_backups(db) if backup_points.is_point(b.path)]


def use(store: Store, rng: random.Random, saves: int, clients: list[Client], remembered: dict) -> None:
    """`saves` edits (a few deletes and new clients among them); after each compaction,
    the records it folded in are remembered under the point it left."""
    for _ in range(saves):
        roll = rng.random()
        if roll < 0.05 and len(clients) > 3:
            gone = clients.pop(rng.randrange(len(clients)))
            store.delete("clients", gone.id)
        elif roll < 0.15:
            clients.append(Client(code=f"N-{rng.randrange(10**6)}", note=note(rng)))
            store.put_client(clients[-1])
        else:
            client = rng.choice(clients)
            client.note = note(rng)
            store.put_client(client)
        store._join_compactor()  # the compaction this put started, if any, is over
        remember(store, remembered)


def remember(store: Store, remembered: dict) -> None:
    newest = points(store.path)
    if newest and newest[0].name not in remembered:
        with store._mutex:
            remembered[newest[0].name] = {t: dict(store._data[t]) for t in ("clients", "meetings", "exercises")}


def start(db, rng, n=30, **kwargs) -> tuple[Store, list[Client]]:
    store = Store(db, **kwargs)
    clients = [Client(code=f"C-{i}", note=note(rng)) for i in range(n)]
    for client in clients:
        store.put_client(client)
    return store, clients


def test_every_kept_point_restores_exactly_over_three_weeks(db, clock):
    rng = random.Random(14)
    remembered: dict = {}
    store, clients = start(db, rng, compact_bytes=6000)
    for _day in range(21):
        for _session in range(3):
            use(store, rng, 12, clients, remembered)
            store.compact()  # as a close would
            remember(store, remembered)
            clock.now += timedelta(hours=3)
        clock.now += timedelta(hours=15)
    store.close()

    kept = points(db)
    kinds = {b.path.name.rsplit(".", 2)[1] for b in kept}
    assert kinds == {"full", "seg"}  # both forms are in use
    days = {b.taken.date() for b in kept}
    newest_day = clock.now.astimezone().date()
    assert len(days) == 14 and min(days) >= newest_day - timedelta(days=14)
    assert len(kept) >= 10 + 13
    for backup in kept:
        assert backups.check_file(backup.path).ok, backup.name
        backups.restore(db, backup)
        assert same_bytes(records_now(db), remembered[backup.name]), backup.name


def test_a_point_of_an_encrypted_db_is_compressed_then_sealed_and_restores_exactly(db, clock):
    rng = random.Random(5)
    store, clients = start(db, rng, n=5)
    store.close()
    rekey.convert(db, rekey.ENCRYPT, PASS)
    remembered: dict = {b.name: None for b in points(db)}  # taken before: not this store's
    store = Store(db, passphrase=PASS, compact_bytes=3000)
    marker = "KINGFISHER-5521"
    clients[0].note = f"{marker} " + note(rng)
    store.put_client(clients[0])
    use(store, rng, 30, clients, remembered)
    store.close()
    remember_closed = records_now(db, PASS)
    kept = points(db)
    keys = crypto.Keyring(PASS)
    assert any(b.path.name.endswith(backup_points.SEGMENT) for b in kept)
    for backup in kept:
        raw = backup.path.read_bytes()
        assert crypto.looks_sealed(raw) and marker.encode() not in raw
        inner = keys.open_file(raw)
        assert inner.startswith(b"\x28\xb5\x2f\xfd")  # a zstd frame: compressed before sealing
        assert backups.check_file(backup.path, keys).ok
        assert backups.check_file(backup.path).unchecked  # no passphrase: neither good nor bad
    newest = kept[0]
    assert same_bytes(state_of(db, newest, PASS), remember_closed)
    for backup in kept[1:]:
        if remembered.get(backup.name) is not None:
            backups.restore(db, backup, keys)
            assert crypto.is_encrypted(db)
            assert same_bytes(records_now(db, PASS), remembered[backup.name]), backup.name


def test_a_missing_point_in_a_chain_is_reported_and_never_restored(db, clock):
    rng = random.Random(7)
    store, clients = start(db, rng, compact_bytes=100_000)
    for _ in range(4):
        use(store, rng, 3, clients, {})
        store.compact()
        clock.now += timedelta(minutes=5)
    store.close()
    chain = sorted(points(db), key=lambda b: b.name)
    assert [b.name.endswith(backup_points.SEGMENT) for b in chain] == [False, True, True, True]
    chain[1].path.unlink()
    assert backups.check_file(chain[0].path).ok
    found = backups.check_file(chain[2].path)
    assert not found.ok and chain[1].name in found.problem
    report = doctor.diagnose(db)
    assert any(chain[2].name in f.text and f.level == doctor.PROBLEM for f in report.findings)
    before = db.read_bytes()
    with pytest.raises(backups.StoreError, match=chain[1].name):
        backups.restore(db, chain[3])
    assert db.read_bytes() == before


def test_a_segment_holds_only_what_changed(db, clock):
    rng = random.Random(3)
    store, clients = start(db, rng, n=300)
    store.compact()
    for _ in range(20):  # one client's note typed over and over: twenty saves
        clients[0].note = note(rng)
        store.put_client(clients[0])
    store.close()
    newest, full = points(db)[:2]
    assert newest.path.name.endswith(backup_points.SEGMENT) and full.path.name.endswith(backup_points.FULL)
    assert full.size < db.stat().st_size / 2  # compressed
    assert newest.size < db.stat().st_size / 50


def test_a_restore_or_a_changed_file_starts_a_new_full_copy(db, clock):
    rng = random.Random(9)
    store, clients = start(db, rng)
    store.close()
    first = points(db)[0]
    backups.restore(db, first)
    store = Store(db)
    clients[1].note = "after the restore"
    store.put_client(clients[1])
    store.close()
    assert points(db)[0].path.name.endswith(backup_points.FULL)


def test_old_uncompressed_snapshots_are_listed_restored_and_rotated(db, clock):
    rng = random.Random(1)
    store, _ = start(db, rng, n=3)
    store.close()
    old_state = records_now(db)
    folder = backups.backup_dir(db)
    old = folder / backups.backup_name(db, datetime(2026, 2, 27, 8, 0, tzinfo=UTC))
    old.write_bytes(backups.materialise(db, points(db)[0])[0])  # what an older cope-tui kept
    older = [folder / backups.backup_name(db, datetime(2025, 1, d, 8, 0, tzinfo=UTC)) for d in range(1, 20)]
    for path in older:
        path.write_bytes(old.read_bytes())
    listed = {b.path for b in backups.list_backups(db)}
    assert old in listed and set(older) <= listed
    assert backups.check_file(old).ok
    store = Store(db)
    store.put_client(Client(code="LATER"))
    store.close()
    backups.restore(db, old)
    assert same_bytes(records_now(db), old_state)
    left = {b.path for b in backups.list_backups(db)}
    assert old in left  # a day of its own among the newest fourteen
    assert len(set(older) & left) == 14 - 2  # one a day for the days left; the rest rotated away


def test_the_default_compaction_waits_longer_as_the_file_grows(db):
    store = Store(db)
    try:
        assert store._compact_threshold() == COMPACT_BYTES
        store._main_size = 400 * 1024 * 1024
        assert store._compact_threshold() == 100 * 1024 * 1024
    finally:
        store.close()
    assert Store(db, compact_bytes=100, read_only=True)._compact_threshold() == 100


def test_settled_lines_replay_to_the_same_records(tmp_path):
    lines = b"".join(
        line + b"\n"
        for line in (
            b'{"t":"clients","id":"a","doc":{"v":1},"seq":1}',
            b'{"t":"clients","id":"b","doc":{"v":1},"seq":2}',
            b'{"t":"clients","id":"a","doc":{"v":2},"seq":3}',
            b'{"t":"clients","id":"b","del":true,"seq":4}',
            b"not json",
        )
    )
    settled = backup_points.settle(lines).split(b"\n")
    assert settled[0] == b'{"t":"clients","id":"a","doc":{"v":2},"seq":1}'
    assert settled[1] == b'{"t":"clients","id":"b","del":true,"seq":2}'
    assert settled[3] == b'{"t":"clients","id":"b","del":true,"seq":4}'
    assert settled[4] == b"not json"
