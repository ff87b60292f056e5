"""A first pull into a new member's DB, opened as the app and `cope-tui sync` open it:
the meetings it writes are kept packed (their JSON, not Python objects: 360 MB held for
the session at 10,000 meetings), and the push after it sends nothing for them without
reading one back. An edit saved the instant after the pull wrote its record is still
seen as an edit and reaches the team."""

from __future__ import annotations

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.store.lazy_meetings import Packed
from cope_tui.store.store import Store
from cope_tui.sync.couch import Couch
from cope_tui.sync.engine import SyncEngine
from helpers.sync import members, remote, team_key  # noqa: F401  (fixtures)


def _new_member(tmp_path, remote, team_key, name: str) -> tuple[Store, Couch, SyncEngine]:
    store = Store(tmp_path / f"{name}.json", lazy=True)  # as the app and the CLI open it
    couch = Couch(remote.url, auth=remote.auth)
    return store, couch, SyncEngine(store, couch, team_key, name)


def test_a_first_pull_keeps_meetings_packed_and_reads_none_back_to_push(tmp_path, members, remote, team_key, monkeypatch) -> None:
    ann = members("Ann")
    write_demo(ann.store, load_meeting_guide(), clients=12, meetings=150, seed=7)
    ann.engine.sync()
    store, couch, engine = _new_member(tmp_path, remote, team_key, "Cai")
    reads = [0]
    real = Packed.doc

    def counted(self):
        reads[0] += 1
        return real(self)

    monkeypatch.setattr(Packed, "doc", counted)
    try:
        report = engine.sync()
        assert report.received >= 150 and report.sent == 0
        held = store._data["meetings"]._over
        assert len(held) == 150 and all(isinstance(value, Packed) for value in held.values())
        assert reads[0] == 0, f"{reads[0]} meetings read back after the pull"
        monkeypatch.setattr(Packed, "doc", real)
        assert {m["id"]: m for m in store.raw_meetings()} == {m["id"]: m for m in ann.store.raw_meetings()}
    finally:
        engine.close()
        couch.close()
        store.close()


def test_an_edit_saved_just_after_the_pull_wrote_the_record_reaches_the_team(tmp_path, members, remote, team_key) -> None:
    ann = members("Ann")
    write_demo(ann.store, load_meeting_guide(), clients=2, meetings=6, seed=8)
    ann.engine.sync()
    draft = next(m for m in ann.store.meetings() if not m.finalised)
    store, couch, engine = _new_member(tmp_path, remote, team_key, "Cai")
    real_apply = engine.local.apply

    def typed_at_once(wanted, encoded=None, versions=None, erasures=None):
        results = real_apply(wanted, encoded, versions, erasures)
        if store.get("meetings", draft.id) is not None and not getattr(typed_at_once, "done", False):
            typed_at_once.done = True  # the app's save lands between the write and the push
            mine = store.meeting(draft.id)
            mine.step("opening").notes += " typed by Cai as the pull wrote it"
            store.put_meeting(mine)
        return results

    engine.local.apply = typed_at_once
    try:
        assert engine.sync().sent >= 1
    finally:
        engine.close()
        couch.close()
        store.close()
    ann.engine.sync()
    assert ann.store.meeting(draft.id).step("opening").notes.endswith(" typed by Cai as the pull wrote it")
