"""A first pull takes the records new here from `_changes?include_docs=true` (one request
per batch; `_bulk_get` is the server's slowest): only what those documents cannot stand
for comes with `_bulk_get` and its history (records known here, branches, deletions),
so conflicts are found exactly as before; and what a member builds on a record taken
that way joins the server's revision tree like any other revision."""

from __future__ import annotations

import urllib.parse

import orjson

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.sync.report import SyncReport
from helpers.sync import SYNCED, members, remote, team_key  # noqa: F401  (fixtures)


def _watch(member) -> dict[str, list]:
    """The ids asked of `_bulk_get` and the `docs` flag of each `_changes`, as they go."""
    seen: dict[str, list] = {"bulk_get": [], "docs": []}
    bulk_get, changes = member.couch.bulk_get, member.couch.changes

    def watched_get(wanted):
        seen["bulk_get"] += [doc_id for doc_id, _rev in wanted]
        return bulk_get(wanted)

    def watched_changes(since, limit, *, docs=False):
        seen["docs"].append(docs)
        return changes(since, limit, docs=docs)

    member.couch.bulk_get, member.couch.changes = watched_get, watched_changes
    return seen


def _tables(member) -> dict:
    return {t: {d["id"]: d for d in member.store.raw(t)} for t in SYNCED}


def _conflicts(member) -> list:
    return sorted((c.table, c.record_id, c.kind, orjson.dumps(c.path), orjson.dumps(c.value), c.by)
                  for c in member.engine.conflicts())


def _server_doc(member, rid: str) -> dict:
    _, raw = member.couch._call("GET", urllib.parse.quote(rid, safe=""), params={"revs": "true", "conflicts": "true"})
    return orjson.loads(raw)


def test_a_first_pull_takes_every_new_record_from_the_changes(members) -> None:
    ann, bea, cal = members("Ann"), members("Bea"), members("Cal")
    write_demo(ann.store, load_meeting_guide(), clients=6, meetings=40, seed=11)
    ann.engine.sync()
    seen = _watch(bea)
    total = sum(len(ann.store.raw(t)) for t in SYNCED)
    assert bea.engine.sync().received == total
    assert seen["bulk_get"] == [] and seen["docs"][0] is True
    assert _tables(bea) == _tables(ann)
    # Bea builds on a record she took without its history: the server joins her revision
    # to the tree, and the next member takes it as one more step of the same record.
    draft = next(m for m in bea.store.meetings() if not m.finalised)
    draft.step("opening").notes += " seen by Bea"
    bea.store.put_meeting(draft)
    assert bea.engine.sync().sent == 1
    assert ann.engine.sync().received == 1 and not ann.engine.conflicts()
    assert cal.engine.sync().received == total and not cal.engine.conflicts()
    assert _tables(ann) == _tables(bea) == _tables(cal)
    rid = bea.engine.team.remote_id("meetings", draft.id)
    doc = _server_doc(bea, rid)
    assert "_conflicts" not in doc
    assert len(doc["_revisions"]["ids"]) == doc["_revisions"]["start"] >= 2  # one unbroken history


def test_branches_come_with_their_history_and_give_the_same_conflicts_as_before(members, monkeypatch) -> None:
    ann, bea = members("Ann"), members("Bea")
    write_demo(ann.store, load_meeting_guide(), clients=4, meetings=20, seed=12)
    ann.engine.sync()
    bea.engine.sync()
    client = ann.store.clients()[0]
    for member, note in ((ann, "Ann's note"), (bea, "Bea's note")):
        mine = member.store.client(client.id)
        mine.note = note
        member.store.put_client(mine)
    ann.engine.sync()
    monkeypatch.setattr(bea.engine, "_pull", lambda *args: None)  # Bea pushes without pulling first:
    bea.engine.sync()  # the server now holds two live branches of that client
    monkeypatch.undo()
    rid = ann.engine.team.remote_id("clients", client.id)
    assert _server_doc(ann, rid).get("_conflicts")
    cal, dee = members("Cal"), members("Dee")
    seen = _watch(cal)
    plain = dee.couch.changes
    dee.couch.changes = lambda since, limit, docs=False: plain(since, limit)  # as before: `_bulk_get` for all
    cal.engine.sync()
    dee.engine.sync()
    assert seen["bulk_get"] == [rid, rid]  # both branches, with their history; nothing else
    assert _tables(cal) == _tables(dee)
    assert _conflicts(cal) == _conflicts(dee) != []
    assert any(c.record_id == client.id and c.kind == "field" for c in cal.engine.conflicts())


def test_a_record_taken_meanwhile_by_the_batch_before_is_fetched_with_its_history(members) -> None:
    """While one batch is merged the next is fetched (the CLI's sync overlaps them): a
    record that changed again during the pull can come in both, new here when the second
    was fetched and known once it is merged. Its history then decides the base of the
    merge, as for any record known here, so no conflict is made up."""
    ann, bea = members("Ann"), members("Bea")
    write_demo(ann.store, load_meeting_guide(), clients=3, meetings=10, seed=13)
    ann.engine.sync()
    first = bea.engine._download(0, [], True)  # the whole team, every record new to Bea
    draft = next(m for m in ann.store.meetings() if not m.finalised)
    draft.step("opening").notes += " changed during Bea's pull"
    ann.store.put_meeting(draft)
    ann.engine.sync()
    second = bea.engine._download(first.feed.last_seq, [], True)
    rid = ann.engine.team.remote_id("meetings", draft.id)
    assert [row.id for row in second.rows] == [rid] and rid in second.given  # new to Bea as yet
    for got in (first, second):
        bea.engine._history_for_taken(got)
        updates = bea.engine._take(got.rows, got.opened, SyncReport())
        bea.engine.state.commit(updates, {"since": got.feed.last_seq})
    assert not bea.engine.conflicts()
    assert bea.store.raw("meetings") and bea.store.get("meetings", draft.id) == ann.store.get("meetings", draft.id)


def test_later_pulls_of_records_known_here_ask_for_no_documents(members) -> None:
    ann, bea = members("Ann"), members("Bea")
    write_demo(ann.store, load_meeting_guide(), clients=3, meetings=10, seed=14)
    ann.engine.sync()
    bea.engine.sync()
    seen = _watch(bea)
    draft = next(m for m in ann.store.meetings() if not m.finalised)
    draft.step("opening").notes += " one more line"
    ann.store.put_meeting(draft)
    ann.engine.sync()
    assert bea.engine.sync().received == 1
    assert seen["docs"] == [False] and len(seen["bulk_get"]) == 1
