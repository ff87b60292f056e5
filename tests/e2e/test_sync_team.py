"""A team through one server: records travel, concurrent edits merge, the same field
edited twice keeps both, and a finalised meeting never changes. Real DB files, the real
CLI in subprocesses, a real CouchDB-protocol server."""

from __future__ import annotations

from datetime import date

import pytest

from cope_tui.store import audit
from cope_tui.cope.exercise import new_exercise, set_answer
from cope_tui.meetings.rules import finalise
from cope_tui.meetings.models import Client, Meeting, MeetingKind
from cope_tui.sync.couch import Couch
from cope_tui.sync.engine import SyncEngine
from cope_tui.sync.seal import open_team
from cope_tui.sync.team import read_team
from helpers.couch_server import CouchDb
from helpers.sync import PHRASE, make_worker, ok


@pytest.fixture
def team(tmp_path, cli_env, couch_db: CouchDb, run_cli):
    """Workers A, B and C of one team, with empty DBs."""
    return {n: make_worker(tmp_path, cli_env, couch_db, run_cli, n) for n in ("Ann", "Bea", "Cal")}


def test_three_dbs_through_one_server(team) -> None:
    ann, bea, cal = team["Ann"], team["Bea"], team["Cal"]
    ok(ann.cli("demo", "--db", ann.db, "--clients", "3", "--meetings", "8"))
    first = ok(ann.sync())
    assert "started the team" in first.stderr and " sent." in first.stdout
    ok(bea.sync())
    assert bea.tables() == ann.tables()
    with bea.store() as store:  # Bea edits a client, a draft meeting and an exercise, and deletes a client
        draft = next(m for m in store.meetings() if not m.finalised)
        draft.step("opening").notes += "\nBea adds a line."
        store.put_meeting(draft)
        kept = store.clients()[0]
        kept.note = "Bea's note"
        store.put_client(kept)
        exercise = store.exercises()[0]
        exercise.site = "North clinic, Bea's spelling"
        store.put_exercise(exercise)
        gone = Client(code="C-TEMP")
        store.put_client(gone)
    ok(bea.sync())
    with bea.store() as store:
        store.delete("clients", gone.id)  # a deletion travels as a deletion
    ok(bea.sync())
    ok(cal.sync())
    ok(ann.sync())
    expected = bea.tables()
    assert cal.tables() == expected and ann.tables() == expected
    assert gone.id not in expected["clients"] and expected["clients"][kept.id]["note"] == "Bea's note"
    assert expected["meetings"][draft.id]["steps"]["opening"]["notes"].endswith("Bea adds a line.")
    assert any(m.get("finalised_at") for m in expected["meetings"].values())
    ok(cal.cli("doctor", "--db", cal.db))  # finalised meetings that arrived are in Cal's audit log


def _engine(worker, couch_db: CouchDb):
    """An engine in this process, for what the CLI does not offer (choosing)."""
    couch = Couch(couch_db.url, auth=couch_db.auth)
    store_cm = worker.store()
    store = store_cm.__enter__()
    engine = SyncEngine(store, couch, open_team(read_team(couch), PHRASE), worker.name)
    return engine, lambda: (engine.close(), couch.close(), store_cm.__exit__(None, None, None))


def test_two_teams_answering_one_exercise_merge(team) -> None:
    ann, bea = team["Ann"], team["Bea"]
    with ann.store() as store:
        exercise = new_exercise("East clinic", date(2025, 5, 6), facilitator="Ann")
        store.put_exercise(exercise)
    ok(ann.sync())
    ok(bea.sync())
    with ann.store() as store:
        mine = store.exercise(exercise.id)
        set_answer(mine, "information", "q01", "yes")
        set_answer(mine, "information", "q02", "no", "no list posted")
        store.put_exercise(mine)
    with bea.store() as store:
        theirs = store.exercise(exercise.id)
        set_answer(theirs, "privacy", "q01", "not_sure", "the screen is torn")
        store.put_exercise(theirs)
    ok(ann.sync())
    second = ok(bea.sync())
    assert "conflict" not in second.stderr
    ok(ann.sync())
    for worker in (ann, bea):
        answers = worker.tables()["exercises"][exercise.id]["answers"]
        assert answers["information"]["q02"] == {"value": "no", "comment": "no list posted"}
        assert answers["privacy"]["q01"] == {"value": "not_sure", "comment": "the screen is torn"}
    assert ann.tables() == bea.tables()


def _shared_meeting(ann, bea) -> Meeting:
    with ann.store() as store:
        client = Client(code="C-0100")
        store.put_client(client)
        meeting = Meeting(client_id=client.id, kind=MeetingKind.FIRST)
        meeting.step("opening").notes = "How the week went."
        store.put_meeting(meeting)
    ok(ann.sync())
    ok(bea.sync())
    return meeting


def test_the_same_field_on_two_dbs_keeps_both_lists_them_and_one_is_chosen(team, couch_db) -> None:
    ann, bea = team["Ann"], team["Bea"]
    meeting = _shared_meeting(ann, bea)
    for worker, words in ((ann, "Ann's words"), (bea, "Bea's words")):
        with worker.store() as store:
            mine = store.meeting(meeting.id)
            mine.step("opening").notes = words
            store.put_meeting(mine)
    ok(ann.sync())
    clash = ok(bea.sync())
    # The part named as the meeting screen names it (sync/parts.py), not as it is stored.
    assert "1 conflict:" in clash.stderr and "Opening notes" in clash.stderr and "Ann" in clash.stderr
    told = ok(ann.sync())
    assert "1 conflict:" in told.stderr
    assert ann.tables() == bea.tables()  # the same record on both, the other version beside it
    engine, done = _engine(ann, couch_db)
    try:
        [conflict] = engine.conflicts()
        here = engine.local.doc("meetings", meeting.id)["steps"]["opening"]["notes"]
        assert conflict.current == here
        assert {here, conflict.value} == {"Ann's words", "Bea's words"}  # neither is lost
        engine.choose(conflict.id, take_other=conflict.value == "Ann's words")
        assert engine.conflicts() == []
        engine.sync()
    finally:
        done()
    settled = ok(bea.sync())
    assert "conflict" not in settled.stderr
    for worker in (ann, bea):
        assert worker.tables()["meetings"][meeting.id]["steps"]["opening"]["notes"] == "Ann's words"


def test_a_finalised_meeting_changed_elsewhere_is_kept_and_the_change_is_a_conflict(team) -> None:
    ann, bea = team["Ann"], team["Bea"]
    meeting = _shared_meeting(ann, bea)
    with ann.store() as store:
        mine = store.meeting(meeting.id)
        finalise(mine, "Ann")
        store.put_meeting(mine)
        signed = store.get("meetings", meeting.id)
        audit.append(store.path, [audit.finalise_entry(signed)], audit.codec_of(store))  # as the app does
    with bea.store() as store:  # Bea, offline, still has the draft and goes on writing in it
        draft = store.meeting(meeting.id)
        draft.step("opening").notes += " Bea's later words."
        store.put_meeting(draft)
    ok(ann.sync())
    refused = ok(bea.sync())
    assert "finalised meeting" in refused.stderr and "kept beside it" in refused.stderr
    told = ok(ann.sync())
    assert "finalised meeting" in told.stderr
    for worker in (ann, bea):
        assert worker.tables()["meetings"][meeting.id] == signed  # never changed, on both machines
    for worker in (ann, bea):  # its hash checks out, Bea's audit log vouches for it too, and
        doctor = worker.cli("doctor", "--db", worker.db)  # the other version is reported (issue 15)
        assert doctor.returncode == 1, doctor.stdout
        assert "1 finalised meeting has another version" in doctor.stdout and meeting.id[:8] in doctor.stdout
        assert "problem" not in doctor.stdout.split("Team sync:")[0].lower(), doctor.stdout


def test_interviews_taken_on_two_dbs_at_once_are_all_kept_and_numbered_apart(team) -> None:
    from cope_tui.cope.exercise import add_interview, interview_numbers

    ann, bea = team["Ann"], team["Bea"]
    with ann.store() as store:
        exercise = new_exercise("East clinic", date(2025, 5, 6), facilitator="Ann")
        add_interview(exercise)
        store.put_exercise(exercise)
    ok(ann.sync())
    ok(bea.sync())
    for worker in (ann, bea):  # each interviews a client on their own laptop: both are number 2
        with worker.store() as store:
            mine = store.exercise(exercise.id)
            assert add_interview(mine).number == 2
            store.put_exercise(mine)
    ok(ann.sync())
    assert "conflict" not in ok(bea.sync()).stderr
    ok(ann.sync())
    assert ann.tables() == bea.tables()
    shown = []
    for worker in (ann, bea):
        with worker.store() as store:
            merged = store.exercise(exercise.id)
            assert len(merged.interviews) == 3
            shown.append(interview_numbers(merged))
    assert shown[0] == shown[1] and sorted(shown[0].values()) == [1, 2, 3]
