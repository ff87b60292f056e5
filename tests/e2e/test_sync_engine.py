"""The engine as the app will use it: few round trips, cancellable, safe in a worker
thread while records are saved, with a status to show; and its refusals."""

from __future__ import annotations

import threading

import orjson
import pytest

from cope_tui.demo.writer import write_demo
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.meetings.models import Client
from cope_tui.session import Session
from cope_tui.sync import errors
from cope_tui.sync.couch import Couch
from cope_tui.sync.engine import SyncEngine
from cope_tui.sync.seal import create_team
from cope_tui.sync.team import read_team, start_team
from helpers.sync import members, remote, team_key  # noqa: F401  (fixtures)


def test_a_sync_with_nothing_to_do_is_one_round_trip_and_one_change_is_one_revision(members) -> None:
    ann = members("Ann")
    write_demo(ann.store, load_meeting_guide(), clients=20, meetings=1000, seed=3)
    first = ann.engine.sync()
    assert first.sent == sum(len(ann.store.raw(t)) for t in ("clients", "meetings", "exercises"))
    ann.engine.sync()  # reads back its own revisions once (and moves its checkpoint)
    before = ann.couch.requests
    assert ann.engine.sync().sent == 0
    assert ann.couch.requests - before == 1  # one _changes, nothing else
    draft = next(m for m in ann.store.meetings() if not m.finalised)
    draft.step("opening").notes += " one more line"
    ann.store.put_meeting(draft)
    before = ann.couch.requests
    report = ann.engine.sync()
    assert report.sent == 1 and ann.couch.requests - before == 3  # _changes, _revs_diff, _bulk_docs


def test_progress_is_reported_and_a_cancelled_sync_loses_nothing(members) -> None:
    ann, bea = members("Ann"), members("Bea")
    write_demo(ann.store, load_meeting_guide(), clients=5, meetings=40, seed=4)
    stop = threading.Event()
    stop.set()
    with pytest.raises(errors.Cancelled, match="next sync goes on"):
        ann.engine.sync(cancel=stop)
    total = len(ann.store.raw("clients")) + len(ann.store.raw("meetings"))
    seen: list[tuple[str, int]] = []
    ann.engine.sync(progress=lambda phase, n: seen.append((phase, n)))
    assert seen[-1] == ("push", total)
    bea.engine.sync(progress=lambda phase, n: seen.append((phase, n)))
    assert seen[-1] == ("pull", total)
    assert {d["id"] for d in bea.store.raw("meetings")} == {d["id"] for d in ann.store.raw("meetings")}


def test_a_sync_in_a_worker_thread_while_records_are_saved(members) -> None:
    ann, bea = members("Ann"), members("Bea")
    session = Session(ann.store)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                ann.engine.sync()
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    saved = []
    for n in range(60):  # typing goes on: the saver writes while the sync runs
        client = Client(code=f"T-{n:03d}", note="x" * n)
        session.save_client(client)
        saved.append(client.id)
        ann.engine.status(), ann.engine.conflicts()  # the header asks meanwhile, never waiting
    session.flush()
    worker.join(timeout=120)
    assert not failures and not worker.is_alive()
    ann.engine.sync()  # what was saved after the last of the worker's syncs
    bea.engine.sync()
    assert {d["id"] for d in bea.store.raw("clients")} == set(saved)


def test_status_shows_waiting_changes_conflicts_last_sync_and_the_last_problem(members, couch_db) -> None:
    ann, bea = members("Ann"), members("Bea")
    assert ann.engine.status().last_sync is None
    client = Client(code="C-1", note="start")
    ann.store.put_client(client)
    assert ann.engine.status().waiting == 1
    ann.engine.sync()
    bea.engine.sync()
    status = ann.engine.status()
    assert status.waiting == 0 and status.last_sync and status.problem == ""
    for member, note in ((ann, "Ann's"), (bea, "Bea's")):
        member.store.put_client(Client(**{**client.model_dump(), "note": note}))
    ann.engine.sync()
    bea.engine.sync()
    assert bea.engine.status().conflicts == 1
    bea.couch.close()
    down = Couch(couch_db.url.replace(couch_db.url.split("/")[2], "127.0.0.1:9"), auth=None)
    bea.engine.couch = down
    with pytest.raises(errors.Offline):
        bea.engine.sync()
    assert "Offline" in bea.engine.status().problem
    down.close()


def test_a_replaced_team_key_document_is_refused(members, couch_db, team_key) -> None:
    ann = members("Ann")
    ann.engine.sync()
    other = create_team("another team's passphrase")
    with pytest.raises(errors.TeamChanged, match="different team key.*move"):
        SyncEngine(ann.store, ann.couch, other, "Ann")


def test_a_database_of_something_else_is_not_a_team(couch_db) -> None:
    status, _ = couch_db.send("PUT", "someone-elses-doc", b'{"a": 1}')
    assert status == 201
    with Couch(couch_db.url, auth=couch_db.auth) as couch, pytest.raises(errors.NotATeam, match="not a cope-tui team"):
        read_team(couch)


def test_two_members_starting_a_team_at_once_end_in_one_team(couch_db, team_key) -> None:
    with Couch(couch_db.url, auth=couch_db.auth) as couch:
        assert read_team(couch) is None
        assert couch.create_doc(team_key.doc.to_json())  # the other member was first
        assert start_team(couch, lambda: "my own passphrase") is None
        assert read_team(couch).fingerprint == team_key.doc.fingerprint


def test_a_damaged_state_file_is_named_with_what_to_do(members, tmp_path, remote, team_key) -> None:
    ann = members("Ann")
    ann.engine.sync()
    ann.engine.state.compact()
    ann.engine.close()
    state = tmp_path / "Ann.json.sync"
    state.write_bytes(b"{not json")
    with pytest.raises(errors.StateDamaged, match=r"Ann\.json\.sync.*move it aside.*nothing is lost"):
        SyncEngine(ann.store, ann.couch, team_key, "Ann")


def test_the_state_holds_no_login(members, couch_db, tmp_path) -> None:
    ann = members("Ann")
    ann.store.put_client(Client(code="C-9"))
    ann.engine.sync()
    raw = (tmp_path / "Ann.json.sync.journal").read_bytes()
    for line in raw.splitlines():
        step = orjson.loads(line)
        assert set(step["doc"]) == {"r", "m"}
        assert not {"user", "password", "auth", "passphrase", "key"} & set(step["doc"]["m"])


def test_a_checkpoint_written_but_not_answered_is_written_again(members, couch_db) -> None:
    ann = members("Ann")
    ann.store.put_client(Client(code="C-1"))
    ann.engine.sync()
    ann.engine._checkpoint_rev = "0-999"  # as if the answer to the last write was lost
    ann.store.put_client(Client(code="C-2"))
    bea = members("Bea")
    bea.store.put_client(Client(code="C-3"))
    bea.engine.sync()
    ann.engine.sync()  # moves its checkpoint past Bea's record: no error
    assert {c["code"] for c in ann.store.raw("clients")} == {"C-1", "C-2", "C-3"}


def test_a_read_only_or_locked_db_cannot_sync(tmp_path, remote, team_key) -> None:
    from cope_tui.store.store import Store

    Store(tmp_path / "a.json").close()
    viewer = Store(tmp_path / "a.json", read_only=True)
    with Couch(remote.url, auth=remote.auth) as couch:
        with pytest.raises(errors.SyncError, match="read-only"):
            SyncEngine(viewer, couch, team_key, "Ann")
    viewer.close()


def test_a_sync_stopped_around_its_audit_entries_leaves_every_finalised_meeting_vouched_for(
    members, team_key, monkeypatch
) -> None:
    from cope_tui.store import audit
    from cope_tui.store.audit_check import verify
    from cope_tui.meetings.rules import finalise
    from cope_tui.meetings.models import Meeting, MeetingKind

    ann, bea = members("Ann"), members("Bea")
    client = Client(code="C-7")
    ann.store.put_client(client)
    meeting = Meeting(client_id=client.id, kind=MeetingKind.FIRST)
    finalise(meeting, "Ann")
    ann.store.put_meeting(meeting)
    audit.append(ann.store.path, [audit.finalise_entry(ann.store.get("meetings", meeting.id))])
    ann.engine.sync()
    real_append, calls = audit.append, []

    def cut_off(*args, **kw):  # the power goes at the audit log's write
        calls.append(1)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(audit, "append", cut_off)
    with pytest.raises(OSError):
        bea.engine.sync()
    monkeypatch.setattr(audit, "append", real_append)
    bea.engine.close()  # the process died there: the next sync is a new engine
    bea.engine = SyncEngine(bea.store, bea.couch, team_key, "Bea")
    bea.engine.sync()
    data = {t: {d["id"]: d for d in bea.store.raw(t)} for t in ("clients", "meetings")}
    assert calls and meeting.id in data["meetings"]
    report = verify(bea.store.path, data)
    assert report.ok, report.findings


def test_a_team_started_from_the_app_loses_the_race_to_another_member_and_asks_for_theirs(
    couch_db, team_key, tmp_path, monkeypatch
) -> None:
    """The app's F10 found no team and its user typed a new passphrase twice; another
    member's team reached the server between the look and the write. The server keeps
    theirs, and the app is asked for that team's passphrase, not told it failed."""
    from cope_tui.store.store import Store
    from cope_tui.sync import team as team_module
    from cope_tui.sync.runner import Runner

    for name, value in couch_db.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("COPE_TUI_TEAM_PASSPHRASE", raising=False)
    store = Store(tmp_path / "ann.json")
    runner = Runner(store, couch_db.url, "Ann")
    try:
        assert runner.run().kind == "no team"  # asked first: nothing is created unasked
        assert read_team(Couch(couch_db.url, auth=couch_db.auth)) is None
        made = team_module.create_team

        def beaten(passphrase: str):
            with Couch(couch_db.url, auth=couch_db.auth) as other:
                assert other.create_doc(team_key.doc.to_json())
            return made(passphrase)

        monkeypatch.setattr(team_module, "create_team", beaten)
        runner.new_team = "our own new passphrase"
        outcome = runner.run()
        assert outcome.kind == "passphrase" and "Another member started the team" in outcome.message
        assert runner.new_team is None and runner.team_passphrase is None
        assert read_team(Couch(couch_db.url, auth=couch_db.auth)).fingerprint == team_key.doc.fingerprint
    finally:
        runner.close()
        store.close()


def test_a_passphrase_changed_while_connected_stops_the_sync_and_asks_for_the_new_one(members, team_key, remote) -> None:
    """The app keeps its engine for the session. After another member changed the team
    passphrase, it took the team's new versions as damaged ("could not be used") and sent
    its own edits under the old key, where no member reads them."""
    from cope_tui.sync.rekey import change_team_passphrase
    from cope_tui.sync.seal import open_team

    ann, bea = members("Ann"), members("Bea")
    ann.store.put_client(Client(code="C-1"))
    ann.engine.sync()
    bea.engine.sync()
    ann.engine.close()
    change_team_passphrase(ann.store, ann.couch, team_key, "Ann", lambda: "the north team's new passphrase")
    mine = Client(code="C-2")
    bea.store.put_client(mine)
    sent_before = bea.couch.requests
    with pytest.raises(errors.TeamPassphraseChanged, match="changed the team passphrase"):
        bea.engine.sync()
    assert bea.engine.state.records and bea.couch.requests - sent_before <= 4  # _changes, the key document; no push
    new_team = open_team(read_team(bea.couch), "the north team's new passphrase")
    bea.engine.close()
    bea.engine = SyncEngine(bea.store, bea.couch, new_team, "Bea")
    report = bea.engine.sync()
    assert report.refused == [] and report.sent >= 1
    ann.engine = SyncEngine(ann.store, ann.couch, new_team, "Ann")
    ann.engine.sync()
    assert ann.store.get("clients", mine.id)["code"] == "C-2"
