"""Demo data: reproducible, plausible, and shaped like real meetings."""

from __future__ import annotations

import statistics
from datetime import datetime
from pathlib import Path

import pytest

from cope_tui.demo.writer import write_demo
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.meetings.rules import steps_of, undecided
from cope_tui.meetings.models import Meeting, MeetingKind, StepState
from cope_tui.store.store import Store


def _write(path: Path, **kwargs) -> tuple[dict[str, int], Store]:
    store = Store(path)
    counts = write_demo(store, load_meeting_guide(), **kwargs)
    return counts, store


def _notes_size(meeting: Meeting) -> int:
    return sum(len(record.notes.encode("utf-8")) for record in meeting.steps.values())


@pytest.fixture
def demo(tmp_path):
    counts, store = _write(tmp_path / "demo.json", clients=8, meetings=30, seed=1)
    yield counts, store
    store.close()


def test_counts_match_what_is_stored(demo):
    counts, store = demo
    assert counts["clients"] == 8 == len(store.clients())
    assert counts["meetings"] == 30 == len(store.meetings())
    assert counts["finalised"] + counts["unfinished"] == 30
    assert counts["finalised"] == sum(m.finalised for m in store.meetings())
    assert counts["addenda"] == sum(len(m.addenda) for m in store.meetings())


def test_same_seed_same_data(tmp_path):
    _, a = _write(tmp_path / "a.json", clients=5, meetings=20, seed=7)
    _, b = _write(tmp_path / "b.json", clients=5, meetings=20, seed=7)
    try:
        assert [c.code for c in a.clients()] == [c.code for c in b.clients()]
        assert [len(a.meetings(c.id)) for c in a.clients()] == [len(b.meetings(c.id)) for c in b.clients()]
        notes_a = [[r.notes for r in m.steps.values()] for m in a.meetings()]
        notes_b = [[r.notes for r in m.steps.values()] for m in b.meetings()]
        assert notes_a == notes_b
        # Whole records are identical too: ids, dates, rows.
        assert a._data["meetings"] == b._data["meetings"]
        assert a._data["clients"] == b._data["clients"]
    finally:
        a.close()
        b.close()


def test_other_seed_other_data(tmp_path):
    _, a = _write(tmp_path / "a.json", clients=3, meetings=9, seed=1)
    _, b = _write(tmp_path / "b.json", clients=3, meetings=9, seed=2)
    try:
        assert [r.notes for m in a.meetings() for r in m.steps.values()] != [
            r.notes for m in b.meetings() for r in m.steps.values()
        ]
    finally:
        a.close()
        b.close()


def test_codes_are_pseudonymous(demo):
    _, store = demo
    codes = [c.code for c in store.clients()]
    assert codes == [f"C-{n:04d}" for n in range(1, 9)]


def test_first_meeting_comes_first_then_reviews(demo):
    _, store = demo
    for client in store.clients():
        meetings = store.meetings(client.id)
        assert meetings, client.code
        assert meetings[0].kind is MeetingKind.FIRST
        assert all(m.kind is MeetingKind.REVIEW for m in meetings[1:])
        starts = [m.started for m in meetings]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)
        assert client.created < starts[0]


def test_dates_are_fixed_and_plausible(demo):
    _, store = demo
    for meeting in store.meetings():
        assert datetime(2025, 1, 1) <= meeting.started <= datetime(2026, 12, 31)
        if meeting.finalised:
            assert meeting.finalised_at > meeting.started
            assert meeting.finalised_by and meeting.finalised_by.startswith("worker-")
        for addendum in meeting.addenda:
            assert addendum.at >= meeting.finalised_at


def test_some_meetings_are_unfinished_and_last(demo):
    counts, store = demo
    unfinished = [m for m in store.meetings() if not m.finalised]
    assert unfinished and counts["unfinished"] == len(unfinished)
    guide = load_meeting_guide()
    for meeting in unfinished:
        assert store.meetings(meeting.client_id)[-1].id == meeting.id
        ids = [s.id for s in steps_of(guide, meeting)]
        assert meeting.current_step in ids[1:-1]  # stopped in the middle
        assert meeting.step(meeting.current_step).state is StepState.PENDING


def test_finalised_meetings_are_complete(demo):
    _, store = demo
    guide = load_meeting_guide()
    for meeting in store.meetings():
        if not meeting.finalised:
            continue
        for step in steps_of(guide, meeting):
            state = meeting.step(step.id).state
            assert state in (StepState.DONE, StepState.SKIPPED)
            if state is StepState.DONE:
                assert not undecided(step, meeting)
        assert meeting.step("outcomes").fields.get("next_meeting")


def test_first_meetings_have_boundary_decisions(demo):
    _, store = demo
    decisions = []
    for meeting in store.meetings():
        if meeting.kind is MeetingKind.FIRST:
            rows = meeting.rows("boundaries", "boundaries")
            assert len(rows) == 7
            decisions += [r.values.get("decision") for r in rows]
            for row in rows:
                if row.values.get("decision") == "deferred":
                    assert row.values.get("reason")
        else:  # a review holds only the areas still open, carried in (issue 13, point 3)
            assert all(r.values.get("decision") != "agreed" for r in meeting.peek_rows("boundaries", "boundaries"))
    assert decisions.count("agreed") > decisions.count("deferred")


def test_lists_are_filled_and_carried(demo):
    _, store = demo
    meetings = store.meetings()
    for list_id, step_id in [
        ("agenda", "opening"), ("referrals", "services"), ("strengths", "strengths"),
        ("network", "support"), ("needs", "needs"), ("outcomes", "outcomes"), ("actions", "outcomes"),
    ]:
        assert any(m.rows(step_id, list_id) for m in meetings), list_id
    actions = [r for m in meetings for r in m.rows("outcomes", "actions")]
    assert any(r.values.get("done") for r in actions)
    assert any(not r.values.get("done") for r in actions)
    # Carried rows keep their id and point at the meeting that first wrote them.
    carried = [r for m in meetings for r in m.rows("services", "referrals") if r.origin != m.id]
    assert carried


def test_notes_are_about_two_kilobytes(demo):
    _, store = demo
    sizes = [_notes_size(m) for m in store.meetings()]
    assert 1500 <= statistics.mean(sizes) <= 3000


def test_notes_size_holds_at_scale(tmp_path):
    counts, store = _write(tmp_path / "big.json", clients=40, meetings=400, seed=3)
    try:
        sizes = [_notes_size(m) for m in store.meetings()]
        assert counts["meetings"] == 400
        assert 1500 <= statistics.mean(sizes) <= 3000
    finally:
        store.close()


def test_fewer_meetings_than_clients(tmp_path):
    counts, store = _write(tmp_path / "few.json", clients=5, meetings=2, seed=1)
    try:
        assert counts["clients"] == 5 and counts["meetings"] == 2
        assert len(store.meetings()) == 2
    finally:
        store.close()


def test_many_meetings_for_one_client_stay_in_range(tmp_path):
    counts, store = _write(tmp_path / "one.json", clients=1, meetings=120, seed=1)
    try:
        meetings = store.meetings()
        assert counts["meetings"] == 120
        assert meetings[0].kind is MeetingKind.FIRST
        assert meetings[-1].started <= datetime(2026, 12, 31)
        assert len({m.started for m in meetings}) == 120
    finally:
        store.close()


def test_demo_data_reopens_cleanly(tmp_path):
    path = tmp_path / "r.json"
    counts, store = _write(path, clients=3, meetings=6, seed=5)
    store.close()
    again = Store(path, read_only=True)
    assert len(again.meetings()) == counts["meetings"]
    again.close()


# ---- the sample COPE exercises ------------------------------------------------------------


def _exercises(path: Path, seed: int = 1):
    from cope_tui.demo.exercise import write_demo_exercise

    store = Store(path)
    counts = write_demo_exercise(store, seed=seed)
    return counts, store


def test_demo_exercises_same_seed_same_data(tmp_path):
    _, a = _exercises(tmp_path / "a.json", seed=3)
    _, b = _exercises(tmp_path / "b.json", seed=3)
    _, c = _exercises(tmp_path / "c.json", seed=4)
    try:
        assert a._data["exercises"] == b._data["exercises"]  # ids, dates, times and texts
        assert a._data["exercises"] != c._data["exercises"]
    finally:
        for store in (a, b, c):
            store.close()


def test_demo_follow_up_carries_the_open_problems(tmp_path):
    from datetime import date

    from cope_tui.cope.exercise import follow_up_summary

    counts, store = _exercises(tmp_path / "ex.json")
    try:
        follow, first = store.exercises()  # newest first
        assert (counts["first"], counts["follow_up"]) == (first.id, follow.id)
        assert follow.follow_up_of == first.id and first.follow_up_of is None
        assert first.site == follow.site == "Hillside health centre"
        assert 150 <= (follow.start - first.start).days <= 200  # about six months later
        assert first.start.weekday() == 0 and first.start < follow.start < date(2026, 11, 1)

        old = {p.id: p for p in first.problems}
        carried = [p for p in follow.problems if p.carried_from is not None]
        assert len(carried) == counts["carried"] >= 5
        assert {p.carried_from for p in carried} == {p.id for p in first.problems if p.status in ("open", "in progress")}
        for p in carried:
            assert p.text == old[p.carried_from].text and p.id != p.carried_from
        summary = follow_up_summary(first, follow)
        assert summary["done"] == counts["done"] > summary["carried"] // 2  # most were solved
        assert summary["done"] < summary["carried"]  # but not all
        assert summary["solved before follow-up"] >= 1
        new = [p for p in follow.problems if p.carried_from is None]
        assert len(new) == counts["new"] >= 1
        assert any(p.overdue(follow.start) for p in follow.problems)
        assert any(p.status == "dropped" for p in first.problems)
        # Every change of status is dated within the exercises' time, never "now".
        for p in first.problems + follow.problems:
            for change in p.history:
                assert first.start <= change.at.date() <= follow.start
    finally:
        store.close()


def test_demo_exercise_has_guides_interviews_records_flow_and_culture(tmp_path):
    from cope_tui.content.cope_guides import load_guides
    from cope_tui.cope.exercise import flagged, flow_times

    _, store = _exercises(tmp_path / "ex.json")
    try:
        follow, first = store.exercises()
        assert len(first.teams) == 3
        assigned = [g for t in first.teams for g in t.guides]
        assert sorted(assigned) == sorted(g.id for g in load_guides().guides)
        flags = [(g, q) for g in assigned for q in flagged(first, g)]
        answered = sum(1 for g in first.answers.values() for a in g.values() if a.value)
        assert answered >= 80 and len(flags) >= 5
        from_guides = {p.source for p in first.problems if p.source.startswith("guide:")}
        assert from_guides == {f"guide:{g}:{q}" for g, q in flags}
        for p in first.problems:
            assert p.cause and p.recommendation and p.by_whom and p.by_when and p.by_when > first.start
        assert len(first.interviews) == len(follow.interviews) == 10
        assert len(first.record_checks) == len(follow.record_checks) == 12
        times = flow_times(first)
        assert 20 <= len(times) <= 30
        assert all(t.total is not None and t.waiting is not None and t.waiting >= 0 for t in times)
        for c in first.contacts:
            visit = next(v for v in first.visits if v.number == c.client)
            assert c.end is not None and _minutes(visit.arrival) <= _minutes(c.start) < _minutes(c.end)

        def mean_wait(rows) -> float:
            return sum(r.waiting for r in rows) / len(rows)

        assert mean_wait(flow_times(follow)) < mean_wait(times), "the second desk shortened the wait"
        assert first.culture and all(first.culture.values())
        assert sum(len(s) for s in follow.culture.values()) > sum(len(s) for s in first.culture.values())
    finally:
        store.close()


def _minutes(clock: str) -> int:
    from cope_tui.cope.client_flow import minutes, parse_clock

    return minutes(parse_clock(clock))


def test_demo_exercise_ids_do_not_clash_with_meetings(tmp_path):
    from cope_tui.demo.exercise import write_demo_exercise

    counts, store = _write(tmp_path / "both.json", clients=3, meetings=6, seed=1)
    try:
        ex_counts = write_demo_exercise(store, seed=1)
        assert len(store.exercises()) == ex_counts["exercises"] == 2
        assert len(store.meetings()) == counts["meetings"]
    finally:
        store.close()
