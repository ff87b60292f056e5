"""A push keeps the server busy: each batch is committed to the state while the next is
on its way. So a push cut off can leave two batches stored on the server and not yet
committed here; the next push asks `_revs_diff` for its first two batches and sends
none of them again. (The next sync's pull usually reads them back first; the push does
not count on it, and the test below leaves the pull out to see the push alone.)"""

from __future__ import annotations

import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.sync import engine
from helpers.sync import SYNCED, members, remote, team_key  # noqa: F401  (fixtures)


class CutOff(Exception):
    pass


@pytest.mark.parametrize("overlap", [True, False])
def test_a_push_cut_off_before_its_first_commit_sends_nothing_twice(members, monkeypatch, overlap: bool) -> None:
    monkeypatch.setattr(engine, "PUSH_BATCH", 7)
    ann, bea = members("Ann"), members("Bea")
    write_demo(ann.store, load_meeting_guide(), clients=4, meetings=40, seed=21)
    ann.engine.overlap = overlap
    total = sum(len(ann.store.raw(t)) for t in SYNCED)
    sent: list[tuple[str, str]] = []
    bulk_docs = ann.couch.bulk_docs

    def counted(docs):
        sent.extend((doc["_id"], doc["_rev"]) for doc in docs)
        return bulk_docs(docs)

    monkeypatch.setattr(ann.couch, "bulk_docs", counted)
    commit = ann.engine.state.commit
    armed = [True]

    def cut_off(records=None, meta=None, **kw):
        if records and armed[0]:  # the push's first batch stored, its state not yet written
            armed[0] = False
            raise CutOff()
        return commit(records, meta, **kw)

    monkeypatch.setattr(ann.engine.state, "commit", cut_off)
    with pytest.raises(CutOff):
        ann.engine.sync()
    first = len(sent)
    assert first >= 7  # at least the first batch is on the server
    monkeypatch.setattr(ann.engine, "_pull", lambda *args: None)
    assert ann.engine.sync().sent == total - first
    monkeypatch.undo()
    assert len(sent) == len(set(sent)) == total  # each revision sent once, over both pushes
    assert bea.engine.sync().received == total
