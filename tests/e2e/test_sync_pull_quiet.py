"""A pull of many records beside the app: nothing in it makes the app's typing wait for
long. No full collection of the cyclic GC during the sync, what it took in frozen
afterwards; the journal folded into the DB once, after the last batch, not during the
sync; and in the app, the sync runs on a thread of its own, behind the app's on Linux,
in small batches, and returns once the fold is written."""

from __future__ import annotations

import gc
import os
import sys
import threading

import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.store.store import Store
from cope_tui.sync import pull
from cope_tui.sync.engine import SyncEngine
from cope_tui.sync.runner import APP_PULL_BATCH, Runner
from helpers.sync import APP_PHRASE, members, remote, team_env, team_key  # noqa: F401  (fixtures)

RECORDS = 600  # more than a batch: a pull that big keeps what it took out of the GC's walks


def _team(member) -> int:
    write_demo(member.store, load_meeting_guide(), clients=12, meetings=RECORDS - 12, seed=7)
    member.engine.sync()
    return sum(len(member.store.raw(t)) for t in ("clients", "meetings", "exercises"))


def test_a_big_pull_makes_no_full_collection_and_freezes_what_it_took(members, monkeypatch) -> None:
    monkeypatch.setattr(pull, "PULL_BATCH", 100)
    ann, bea = members("Ann"), members("Bea")
    total = _team(ann)
    fulls: list[str] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2 and threading.current_thread().name != "cope-compact":
            fulls.append(threading.current_thread().name)

    thresholds = gc.get_threshold()
    gc.set_threshold(100, 2, 2)  # a small pull's worth of objects starts full collections
    gc.freeze()
    gc.collect()  # from here every object the pull keeps counts towards the next full one
    frozen = gc.get_freeze_count()
    gc.callbacks.append(seen)
    try:
        assert bea.engine.sync().received == total
        assert gc.get_threshold() == (100, 2, 2)  # as the sync found them
    finally:
        gc.callbacks.remove(seen)
        after = gc.get_freeze_count()
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    assert fulls == []
    assert after > frozen + 20 * total  # the records and their states (dozens of objects each), out of later walks


def test_the_pulled_journal_is_folded_into_the_db_once_after_the_last_batch(members, monkeypatch) -> None:
    monkeypatch.setattr(pull, "PULL_BATCH", 100)
    ann, bea = members("Ann"), members("Bea")
    total = _team(ann)
    bea.store.compact_bytes = 64 * 1024  # a fold due every few batches of the pull
    taken = [0]
    folds: list[int] = []
    real = Store._compact_in_background

    def watched(self: Store) -> None:
        folds.append(taken[0])
        real(self)

    monkeypatch.setattr(Store, "_compact_in_background", watched)
    report = bea.engine.sync(progress=lambda phase, n: taken.__setitem__(0, n) if phase == "pull" else None)
    bea.store.wait_for_compaction()
    assert report.received == total
    assert folds == [total]
    assert not bea.store.journal.pending()


@pytest.mark.usefixtures("team_env")
def test_the_apps_sync_runs_behind_the_app_in_small_batches_and_waits_for_the_fold(members, tmp_path, monkeypatch) -> None:
    ann = members("Ann")
    total = _team(ann)
    store = Store(tmp_path / "app.json", compact_bytes=64 * 1024)
    seen: dict[str, object] = {}
    real = SyncEngine.sync

    def watched(self: SyncEngine, *args, **kwargs):
        seen["thread"] = threading.current_thread().name
        if sys.platform == "linux":
            seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SyncEngine, "sync", watched)
    runner = Runner(store, ann.couch.url, "Typist", team_passphrase=APP_PHRASE)
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) if sys.platform == "linux" else None
    try:
        outcome = runner.run()
        assert outcome.kind == "synced" and outcome.report.received == total
        assert seen["thread"] == "cope-sync" != threading.current_thread().name
        if sys.platform == "linux":
            assert seen["nice"] > mine  # behind the app's threads
            assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine  # the caller's own is untouched
        assert runner.engine.pull_batch == APP_PULL_BATCH < pull.PULL_BATCH
        compactor = store._compactor
        assert compactor is not None and not compactor.is_alive()  # the fold was written before run() returned
        assert not store.journal.pending()
    finally:
        runner.close()
        store.close()


def test_the_sync_asks_between_every_two_records_whether_to_give_way(members) -> None:
    ann, bea = members("Ann"), members("Bea")
    write_demo(ann.store, load_meeting_guide(), clients=3, meetings=30, seed=8)
    total = sum(len(ann.store.raw(t)) for t in ("clients", "meetings", "exercises"))
    asked = {"Ann": 0, "Bea": 0}
    for member, name in ((ann, "Ann"), (bea, "Bea")):
        member.engine.give_way = lambda name=name: asked.__setitem__(name, asked[name] + 1)
    assert ann.engine.sync().sent == total
    assert bea.engine.sync().received == total
    assert asked["Ann"] >= total  # each record planned for the push
    assert asked["Bea"] >= 2 * total  # each record opened, then merged
