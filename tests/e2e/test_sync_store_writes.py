"""How a pull writes into the DB (issue 15): in batches (one fsync per batch, not one
per record), never over an edit saved while the merge was worked out (compare-and-set),
and records the DB's checks refuse are reported and fetched again, never dropped."""

from __future__ import annotations

import os

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.meetings.models import Client
from cope_tui.store import diskio
from cope_tui.sync.push import plan
from cope_tui.sync.versions import build
from helpers.sync import SYNCED, members, remote, team_key  # noqa: F401  (fixtures)


def test_a_pull_writes_in_batches_with_one_fsync_each(members, monkeypatch) -> None:
    ann, bea = members("Ann"), members("Bea")
    write_demo(ann.store, load_meeting_guide(), clients=10, meetings=600, seed=5)
    ann.engine.sync()
    total = sum(len(ann.store.raw(t)) for t in SYNCED)
    count = [0]
    real = os.fsync

    def counting(fd: int) -> None:
        count[0] += 1
        real(fd)

    monkeypatch.setattr(diskio.os, "fsync", counting)
    assert bea.engine.sync().received == total
    # A batch of 500 records: its journal append, its audit entries, its state step.
    assert count[0] < total / 20, f"{count[0]} fsyncs for {total} records"
    assert {t: len(bea.store.raw(t)) for t in SYNCED} == {t: len(ann.store.raw(t)) for t in SYNCED}


def test_an_edit_saved_during_the_merge_is_merged_not_overwritten(members) -> None:
    ann, bea = members("Ann"), members("Bea")
    client = Client(code="C-1", note="first")
    ann.store.put_client(client)
    ann.engine.sync()
    bea.engine.sync()
    client.code = "C-1b"  # Ann renames the client
    ann.store.put_client(client)
    ann.engine.sync()

    real_apply = bea.engine.local.apply
    calls = []

    def typing_meanwhile(wanted, encoded=None, versions=None, erasures=None):
        if not calls:  # Bea's note is saved between the merge and its write
            doc = bea.store.get("clients", client.id)
            bea.store.put("clients", client.id, {**doc, "note": "typed during the sync"})
        calls.append(wanted)
        return real_apply(wanted, encoded, versions, erasures)

    bea.engine.local.apply = typing_meanwhile
    bea.engine.sync()
    held = bea.store.get("clients", client.id)
    assert held["note"] == "typed during the sync" and held["code"] == "C-1b"
    assert len(calls) >= 2  # merged again with the edit
    bea.engine.local.apply = real_apply
    bea.engine.sync()
    ann.engine.sync()
    assert ann.store.get("clients", client.id)["note"] == "typed during the sync"


def test_a_record_the_db_refuses_is_reported_and_fetched_again(members, team_key) -> None:
    ann, bea = members("Ann"), members("Bea")
    good = Client(code="C-1").model_dump(mode="json")
    bad = {**Client(code="C-2").model_dump(mode="json"), "code": 12}  # as a newer or broken cope-tui might
    ann.store.put("clients", good["id"], good)
    ann.engine.sync()
    planned = plan(team_key, "Ann", "clients", bad["id"], None, bad)
    ann.couch.bulk_docs([build(team_key, v, "2026-01-01T00:00:00") for v in planned.versions])

    first = bea.engine.sync()
    rid = team_key.remote_id("clients", bad["id"])
    assert first.unstored == [rid]
    assert bea.store.get("clients", good["id"]) == good and bea.store.get("clients", bad["id"]) is None
    assert bea.engine.sync().unstored == [rid]  # still reported, asked for again

    fixed = {**bad, "code": "C-2"}
    follow = plan(team_key, "Ann", "clients", bad["id"], planned.state, fixed)
    ann.couch.bulk_docs([build(team_key, v, "2026-01-01T00:00:01") for v in follow.versions])
    assert bea.engine.sync().unstored == []
    assert bea.store.get("clients", bad["id"]) == fixed


def test_the_cli_names_refused_records_by_server_id_only_and_exits_1(tmp_path, cli_env, couch_db, run_cli) -> None:
    from cope_tui.sync.couch import Couch
    from cope_tui.sync.seal import open_team
    from cope_tui.sync.team import read_team
    from helpers.sync import PHRASE, make_worker, ok

    ann, bea = (make_worker(tmp_path, cli_env, couch_db, run_cli, n) for n in ("Ann", "Bea"))
    ok(ann.sync())  # starts the team
    bad = {**Client(code="SECRET-CODE").model_dump(mode="json"), "note": 12}
    with Couch(couch_db.url, auth=couch_db.auth) as couch:
        team = open_team(read_team(couch), PHRASE)
        planned = plan(team, "Ann", "clients", bad["id"], None, bad)
        couch.bulk_docs([build(team, v, "2026-01-01T00:00:00") for v in planned.versions])
    rid = team.remote_id("clients", bad["id"])
    for _ in range(2):  # reported again: fetched again at every sync
        told = bea.sync()
        assert told.returncode == 1
        assert "refused by this database's own checks" in told.stderr and rid[:12] in told.stderr
        assert "SECRET" not in told.stdout + told.stderr and bad["id"] not in told.stdout + told.stderr
        assert "Traceback" not in told.stderr


def test_choosing_a_version_the_db_refuses_says_so_and_does_not_blame_a_finalised_meeting(members, team_key) -> None:
    import pytest

    from cope_tui.sync.merge import CannotChoose

    ann, bea = members("Ann"), members("Bea")
    client = Client(code="C-1", note="first")
    ann.store.put_client(client)
    ann.engine.sync()
    bea.engine.sync()
    rid = team_key.remote_id("clients", client.id)
    state = bea.engine.state.records[rid]
    bad = {**bea.store.get("clients", client.id), "note": 12}  # as a broken cope-tui might send it
    follow = plan(team_key, "Bea", "clients", client.id, state, bad)
    bea.couch.bulk_docs([build(team_key, v, "2026-01-01T00:00:01") for v in follow.versions])
    mine = ann.store.client(client.id)
    mine.note = "Ann's"
    ann.store.put_client(mine)
    ann.engine.sync()
    (conflict,) = ann.engine.conflicts()
    with pytest.raises(CannotChoose) as refused:
        ann.engine.choose(conflict.id, take_other=True)
    assert "checks refused" in str(refused.value) and "finalised" not in str(refused.value)
    assert ann.store.get("clients", client.id)["note"] == "Ann's" and ann.engine.conflicts() == [conflict]
