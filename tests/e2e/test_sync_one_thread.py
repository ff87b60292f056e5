"""A sync beside the app runs on one thread (no helper fetching or sending ahead, so
the app's typing competes with one busy thread only): it pushes and pulls in several
batches exactly as the overlapped sync does, and asks `_revs_diff` for a push's first two
batches only (a batch is committed while the next is on its way: see engine._send)."""

from __future__ import annotations

import threading

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.sync import engine, pull
from helpers.sync import SYNCED, members, remote, team_key  # noqa: F401  (fixtures)


def test_one_thread_pushes_and_pulls_in_batches_as_the_overlapped_sync(members, monkeypatch) -> None:
    monkeypatch.setattr(engine, "PUSH_BATCH", 7)
    monkeypatch.setattr(pull, "PULL_BATCH", 9)
    ann, bea = members("Ann"), members("Bea")
    write_demo(ann.store, load_meeting_guide(), clients=4, meetings=30, seed=5)
    ann.engine.overlap = bea.engine.overlap = False
    seen: set[str] = set()
    sent = ann.couch.bulk_docs
    asked = []

    def watched_send(docs):
        seen.add(threading.current_thread().name)
        return sent(docs)

    def watched_diff(revs, diff=ann.couch.revs_diff):
        asked.append(len(revs))
        return diff(revs)

    monkeypatch.setattr(ann.couch, "bulk_docs", watched_send)
    monkeypatch.setattr(ann.couch, "revs_diff", watched_diff)
    total = sum(len(ann.store.raw(t)) for t in SYNCED)
    assert ann.engine.sync().sent == total and total > 3 * 7
    assert seen == {threading.current_thread().name} and asked == [7, 7]  # the first two batches only
    assert bea.engine.sync().received == total
    for table in SYNCED:
        assert {d["id"]: d for d in bea.store.raw(table)} == {d["id"]: d for d in ann.store.raw(table)}
