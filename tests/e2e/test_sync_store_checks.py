"""What a sync writes into a DB meets the store's own checks (issue 11): every record it
takes passes the record check, every journal line it adds carries its change number,
and neither a compaction during the sync nor a kill after it makes the change-number
anchor report changes as missing."""

from __future__ import annotations

import orjson

from cope_tui.store import doctor, record_check
from cope_tui.demo.writer import write_demo
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.store.store import Store
from cope_tui.sync.couch import Couch
from cope_tui.sync.engine import SyncEngine
from helpers.sync import SYNCED, members, remote, team_key  # noqa: F401  (fixtures)


def tables(store: Store) -> dict[str, dict[str, dict]]:
    return {t: {doc["id"]: doc for doc in store.raw(t)} for t in SYNCED}


def test_records_a_sync_wrote_open_again_after_a_kill_with_nothing_missing(tmp_path, members, remote, team_key) -> None:
    ann = members("Ann")
    write_demo(ann.store, load_meeting_guide(), clients=12, meetings=120, seed=11)
    ann.engine.sync()
    db = tmp_path / "Bea.json"
    # Small compactions: the journal is folded in (and numbered on) in the middle of the sync.
    bea = Store(db, compact_bytes=32 * 1024)
    with Couch(remote.url, auth=remote.auth) as couch:
        engine = SyncEngine(bea, couch, team_key, "Bea")
        assert engine.sync().received == sum(len(t) for t in tables(ann.store).values())
        bea.compact()
        client = ann.store.clients()[0]
        client.note = "changed after the first sync"
        ann.store.put_client(client)
        ann.engine.sync()
        assert engine.sync().received == 1  # a line too few to be folded in
        engine.close()
    bea._join_compactor()
    lines = [orjson.loads(line) for line in db.with_name(db.name + ".journal").read_bytes().splitlines()]
    assert lines, "the sync's last records are still in the journal"
    assert all(record_check.entry_problem(line) is None and line["seq"] > 0 for line in lines)
    bea._anchor.close()  # as a kill -9 leaves them: no closing compaction, no anchor fsync
    bea.journal.close()
    bea.lock.release()

    again = Store(db)
    assert again.integrity_notes == []
    assert tables(again) == tables(ann.store)
    assert list(record_check.table_problems(again._data)) == []
    again.close()
    report = doctor.diagnose(db)
    assert report.healthy, [f.text for f in report.findings]
