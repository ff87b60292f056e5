"""A DB put back to an older state, then synced, must not roll the team back (issue 15,
gap a): records it lost come back from what it had synced, older versions are not sent
as new ones, and what was typed after the restore is kept beside the team's version."""

from __future__ import annotations

import pytest

from cope_tui.meetings.models import Client
from helpers.couch_server import CouchDb
from helpers.sync import make_worker, ok


@pytest.fixture
def team(tmp_path, cli_env, couch_db: CouchDb, run_cli):
    return {n: make_worker(tmp_path, cli_env, couch_db, run_cli, n) for n in ("Ann", "Bea")}


def backups_of(db) -> set[str]:
    folder = db.with_name(db.name + ".backups")
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_a_restored_backup_does_not_roll_the_team_back(team) -> None:
    ann, bea = team["Ann"], team["Bea"]
    kept = Client(code="C-1", note="first words")
    with ann.store() as store:
        store.put_client(kept)
    ok(ann.sync())
    old = backups_of(ann.db)
    assert old, "a backup of the first state"

    later = Client(code="C-2", note="made after the backup")
    with ann.store() as store:
        client = store.client(kept.id)
        client.note = "second words"
        store.put_client(client)
        store.put_client(later)
    ok(ann.sync())
    ok(bea.sync())
    assert bea.tables()["clients"][kept.id]["note"] == "second words"

    oldest = sorted(old)[0]
    ok(ann.cli("doctor", "--db", ann.db, "--restore", oldest, "--yes"))
    assert ann.tables()["clients"][kept.id]["note"] == "first words" and later.id not in ann.tables()["clients"]

    ok(ann.sync())
    ok(bea.sync())
    for worker in (ann, bea):  # nothing rolled back, nothing deleted, on both
        clients = worker.tables()["clients"]
        assert clients[kept.id]["note"] == "second words", worker.name
        assert clients[later.id]["note"] == "made after the backup", worker.name


def test_words_typed_after_a_restore_are_kept_beside_the_team_version(team) -> None:
    ann, bea = team["Ann"], team["Bea"]
    kept = Client(code="C-1", note="first words")
    with ann.store() as store:
        store.put_client(kept)
    ok(ann.sync())
    old = sorted(backups_of(ann.db))[0]
    with ann.store() as store:
        client = store.client(kept.id)
        client.note = "second words"
        store.put_client(client)
    ok(ann.sync())
    ok(ann.cli("doctor", "--db", ann.db, "--restore", old, "--yes"))
    with ann.store() as store:  # typed after the restore, on the older version
        client = store.client(kept.id)
        client.note = "typed after the restore"
        store.put_client(client)
    told = ok(ann.sync())
    assert "conflict" in told.stderr
    ok(bea.sync())
    assert bea.tables()["clients"][kept.id]["note"] == "typed after the restore"
    with ann.store() as store:
        from cope_tui.sync.state import SyncState

        state = SyncState(store.path, store.codec, read_only=True)
        values = [c["value"] for rec in state.records.values() for c in rec["conflicts"]]
    assert "second words" in values  # the team's version is not lost: kept to choose from


def test_a_synced_change_set_aside_by_doctor_is_not_taken_back_from_the_team(team, couch_db) -> None:
    from cope_tui.store.store import Store
    from cope_tui.sync.couch import Couch
    from cope_tui.sync.engine import SyncEngine
    from cope_tui.sync.seal import open_team
    from cope_tui.sync.team import read_team
    from helpers.sync import PHRASE

    ann, bea = team["Ann"], team["Bea"]
    kept = Client(code="C-1", note="first words")
    with ann.store() as store:
        store.put_client(kept)
    ok(ann.sync())
    store = Store(ann.db)
    with Couch(couch_db.url, auth=couch_db.auth) as couch:
        engine = SyncEngine(store, couch, open_team(read_team(couch), PHRASE), "Ann")
        client = store.client(kept.id)
        client.note = "second words"
        store.put_client(client)
        assert engine.sync().sent == 1
        engine.close()
    journal = store.journal.path
    store._close_anchor()  # as a kill leaves it: no closing compaction
    store.journal.close()
    store.lock.release()
    lines = journal.read_bytes().splitlines(keepends=True)
    damaged = next(n for n, line in enumerate(lines) if b"second words" in line)
    lines[damaged] = lines[damaged].replace(b"second words", b"second\x00words")
    journal.write_bytes(b"".join(lines))
    ok(ann.cli("doctor", "--db", ann.db, "--set-aside", "--yes"))
    assert ann.tables()["clients"][kept.id]["note"] == "first words"

    ok(ann.sync())
    ok(bea.sync())
    for worker in (ann, bea):
        assert worker.tables()["clients"][kept.id]["note"] == "second words", worker.name
