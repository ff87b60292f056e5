"""Follow-through across meetings: real DB files, a fixed `today` where dates matter."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cope_tui.meetings import follow_through as ft
from cope_tui.demo.writer import write_demo
from cope_tui.demo.follow_through import relative_to_today
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise, new_row
from cope_tui.records import dump
from cope_tui.store.store import RecordLocked, Store

TODAY = date(2026, 3, 10)


@pytest.fixture
def guide():
    return load_meeting_guide()


@pytest.fixture
def db(tmp_path):
    return tmp_path / "ft.json"


@pytest.fixture
def store(db):
    s = Store(db)
    yield s
    s.close()


def meeting_at(store, guide, client, when: datetime):
    """Start a meeting and date it, so meetings started in one second still sort."""
    meeting = start_meeting(store, guide, store.client(client.id) or client)
    meeting.started = when
    store.put_meeting(meeting)
    return meeting


def add_action(guide, meeting, what: str, due: str | None = None, who: str = "client", done: bool = False):
    spec = guide.step("outcomes").list_spec("actions")
    row = new_row(meeting, spec, {"who": who, "what": what, "due": due, "done": done})
    meeting.rows("outcomes", "actions").append(row)
    return row


def add_referral(guide, meeting, service: str, status: str = "using"):
    spec = guide.step("services").list_spec("referrals")
    row = new_row(meeting, spec, {"service": service, "status": status})
    meeting.rows("services", "referrals").append(row)
    return row


def set_next(meeting, on: date) -> None:
    meeting.step("outcomes").fields["next_meeting"] = on.isoformat()


def close_meeting(store, meeting) -> None:
    finalise(meeting, "worker-1")
    store.put_meeting(meeting)


def test_carried_copies_are_listed_once_from_the_newest_meeting(store, guide):
    client = create_client(store, "C-1")
    first = meeting_at(store, guide, client, datetime(2026, 3, 1, 9))
    row = add_action(guide, first, "phone the housing office", "2026-03-20")
    add_referral(guide, first, "debt advice")
    close_meeting(store, first)
    second = meeting_at(store, guide, client, datetime(2026, 3, 8, 9))
    assert [r.id for r in second.rows("outcomes", "actions")] == [row.id]  # same id, new copy
    third = meeting_at(store, guide, client, datetime(2026, 3, 9, 9))

    board = ft.build(store, guide, today=TODAY)
    assert [i.row_id for i in board.open_actions()] == [row.id]
    item = board.open_actions()[0]
    assert item.meeting_id == third.id and not item.meeting_final
    assert item.source == date(2026, 3, 1)  # where it was first written
    assert [i.text for i in board.shown_referrals()] == ["debt advice"]
    assert board.counts()["upcoming"] == 1 and board.counts()["referrals"] == 1
    assert second.id != third.id


def test_overdue_today_upcoming_and_no_date_with_a_fixed_today(store, guide):
    client = create_client(store, "C-1")
    meeting = meeting_at(store, guide, client, datetime(2026, 3, 2, 10))
    add_action(guide, meeting, "late one", "2026-03-09")
    add_action(guide, meeting, "today's", "2026-03-10")
    add_action(guide, meeting, "next week", "2026-03-17")
    add_action(guide, meeting, "whenever")
    add_action(guide, meeting, "already done", "2026-03-05", done=True)
    store.put_meeting(meeting)

    board = ft.build(store, guide, today=TODAY)
    assert [(i.text, i.status) for i in board.open_actions()] == [
        ("late one", ft.Status.OVERDUE),
        ("today's", ft.Status.TODAY),
        ("next week", ft.Status.UPCOMING),
        ("whenever", ft.Status.NO_DATE),
    ]
    done = board.done_actions()
    # A draft meeting's own row ticked in the meeting counts as done, dated by that meeting.
    assert [(i.text, i.done_on) for i in done] == [("already done", date(2026, 3, 2))]
    counts = board.counts()
    assert (counts["overdue"], counts["due today"], counts["upcoming"], counts["no date"], counts["done"]) == (1, 1, 1, 1, 1)
    # The same meeting a day later: today's item is now overdue.
    later = ft.build(store, guide, today=TODAY + timedelta(days=1))
    assert [i.status for i in later.open_actions()][:2] == [ft.Status.OVERDUE, ft.Status.OVERDUE]


def test_a_tick_is_dated_on_the_client_and_survives_reopening(db, guide):
    store = Store(db)
    client = create_client(store, "C-1")
    meeting = meeting_at(store, guide, client, datetime(2026, 3, 2, 10))
    row = add_action(guide, meeting, "bring the letter", "2026-03-09")
    close_meeting(store, meeting)
    before = dump(store.meeting(meeting.id))

    client = store.client(client.id)
    ft.tick(client, row.id, on=date(2026, 3, 4))
    store.put_client(client)
    store.close()

    store = Store(db)
    try:
        assert store.client(client.id).followups[row.id].done_on == date(2026, 3, 4)
        assert dump(store.meeting(meeting.id)) == before  # the finalised meeting never changed
        board = ft.build(store, guide, today=TODAY)
        assert board.open_actions() == []
        (item,) = board.done_actions()
        assert item.status is ft.Status.DONE and item.done_on == date(2026, 3, 4) and item.ticked_on
        assert board.counts()["done"] == 1 and board.counts()["overdue"] == 0
    finally:
        store.close()


def test_the_next_meeting_carries_a_ticked_item_as_done_then_lets_it_go(store, guide):
    client = create_client(store, "C-1")
    first = meeting_at(store, guide, client, datetime(2026, 3, 1, 9))
    kept = add_action(guide, first, "visit the food bank", "2026-03-05")
    owed = add_action(guide, first, "call the school", "2026-03-06")
    referral = add_referral(guide, first, "counselling service")
    close_meeting(store, first)

    client = store.client(client.id)
    ft.tick(client, kept.id, on=date(2026, 3, 4))
    ft.tick(client, referral.id, on=date(2026, 3, 4))
    store.put_client(client)

    second = meeting_at(store, guide, client, datetime(2026, 3, 8, 9))
    carried = {r.id: r.values["done"] for r in second.rows("outcomes", "actions")}
    assert carried == {kept.id: True, owed.id: False}
    assert second.rows("services", "referrals") == []  # an ended referral is not carried on
    close_meeting(store, second)
    third = meeting_at(store, guide, client, datetime(2026, 3, 9, 9))
    assert [r.id for r in third.rows("outcomes", "actions")] == [owed.id]

    board = ft.build(store, guide, today=TODAY)
    assert [i.row_id for i in board.open_actions()] == [owed.id]
    (done,) = board.done_actions()
    assert done.row_id == kept.id and done.done_on == date(2026, 3, 4)  # the tick's date, not the meeting's
    (ended,) = board.shown_referrals()
    assert ended.row_id == referral.id and ended.status is ft.Status.DONE and ended.done_on == date(2026, 3, 4)


def test_untick_takes_back_only_a_tick(store, guide):
    client = create_client(store, "C-1")
    meeting = meeting_at(store, guide, client, datetime(2026, 3, 2, 10))
    open_row = add_action(guide, meeting, "fill in the form", "2026-03-12")
    add_action(guide, meeting, "done in the meeting", "2026-03-05", done=True)
    store.put_meeting(meeting)
    client = store.client(client.id)
    board = ft.build(store, guide, today=TODAY)
    item = board.open_actions()[0]
    assert ft.toggle(client, item, on=date(2026, 3, 3)) is True
    board.retick(client.id, client.followups)
    assert item.status is ft.Status.DONE and item.done_on == date(2026, 3, 3)
    assert ft.toggle(client, item) is False
    board.retick(client.id, client.followups)
    assert item.status is ft.Status.UPCOMING and open_row.id not in client.followups

    in_meeting = board.done_actions()[0]
    with pytest.raises(ft.FollowThroughError, match="marked done at the meeting of 2026-03-02"):
        ft.toggle(client, in_meeting)
    with pytest.raises(ft.FollowThroughError, match="date still to come"):
        ft.tick(client, open_row.id, on=date.today() + timedelta(days=1))
    client.closed_at = datetime(2026, 3, 9, 12)
    with pytest.raises(ft.FollowThroughError, match="closed"):
        ft.tick(client, open_row.id)


def test_a_row_removed_at_a_later_meeting_is_no_longer_owed(store, guide):
    client = create_client(store, "C-1")
    first = meeting_at(store, guide, client, datetime(2026, 3, 1, 9))
    dropped = add_action(guide, first, "no longer needed", "2026-03-05")
    add_action(guide, first, "still owed", "2026-03-06")
    close_meeting(store, first)
    second = meeting_at(store, guide, client, datetime(2026, 3, 8, 9))
    rows = second.rows("outcomes", "actions")
    rows[:] = [r for r in rows if r.id != dropped.id]
    store.put_meeting(second)
    board = ft.build(store, guide, today=TODAY)
    assert [i.text for i in board.open_actions()] == ["still owed"]


def test_next_meetings_are_sorted_and_an_overdue_one_is_flagged(store, guide):
    late = create_client(store, "C-late")
    soon = create_client(store, "C-soon")
    none = create_client(store, "C-none")
    m = meeting_at(store, guide, late, datetime(2026, 2, 20, 9))
    set_next(m, date(2026, 3, 6))
    store.put_meeting(m)
    old = meeting_at(store, guide, soon, datetime(2026, 2, 1, 9))
    set_next(old, date(2026, 2, 15))  # used up by the meeting held after it
    close_meeting(store, old)
    new = meeting_at(store, guide, soon, datetime(2026, 3, 3, 9))
    set_next(new, date(2026, 3, 12))
    store.put_meeting(new)
    meeting_at(store, guide, none, datetime(2026, 3, 3, 9))

    board = ft.build(store, guide, today=TODAY)
    assert [(m.client_code, m.on, m.overdue) for m in board.meetings] == [
        ("C-late", date(2026, 3, 6), True),
        ("C-soon", date(2026, 3, 12), False),
    ]
    assert board.meetings[1].meeting_id == new.id and board.meetings[1].set_at == date(2026, 3, 3)
    assert board.counts()["meetings overdue"] == 1
    one = ft.build(store, guide, client_id=soon.id, today=TODAY)
    assert [m.client_code for m in one.meetings] == ["C-soon"]


def test_one_client_and_all_clients_agree(store, guide):
    a = create_client(store, "C-a")
    b = create_client(store, "C-b")
    for client, what in ((a, "a's task"), (b, "b's task")):
        meeting = meeting_at(store, guide, client, datetime(2026, 3, 2, 9))
        add_action(guide, meeting, what, "2026-03-09")
        store.put_meeting(meeting)
    every = ft.build(store, guide, today=TODAY)
    assert sorted(i.text for i in every.open_actions()) == ["a's task", "b's task"]
    only_a = ft.build(store, guide, client_id=a.id, today=TODAY)
    assert [(i.text, i.client_code) for i in only_a.open_actions()] == [("a's task", "C-a")]


def test_a_closed_client_leaves_the_board_of_all_clients_but_keeps_its_own(store, guide):
    """A closed record cannot be ticked, so its promises must not stay overdue on the home count."""
    a = create_client(store, "C-a")
    b = create_client(store, "C-b")
    for client, what in ((a, "a's task"), (b, "b's task")):
        meeting = meeting_at(store, guide, client, datetime(2026, 3, 2, 9))
        add_action(guide, meeting, what, "2026-03-05")
        add_referral(guide, meeting, f"{what} service")
        set_next(meeting, date(2026, 3, 8))
        close_meeting(store, meeting)
    b = store.client(b.id)
    b.closed_at = datetime(2026, 3, 9, 12)
    store.put_client(b)

    every = ft.build(store, guide, today=TODAY)
    assert [i.client_code for i in every.open_actions()] == ["C-a"]
    assert [i.client_code for i in every.shown_referrals()] == ["C-a"]
    assert [m.client_code for m in every.meetings] == ["C-a"]
    assert every.counts()["overdue"] == 1
    only_b = ft.build(store, guide, client_id=b.id, today=TODAY)
    assert [i.text for i in only_b.open_actions()] == ["b's task"]  # still shown on its own record


def test_a_finalised_meeting_still_refuses_change_after_ticks(store, guide):
    client = create_client(store, "C-1")
    meeting = meeting_at(store, guide, client, datetime(2026, 3, 2, 10))
    row = add_action(guide, meeting, "bring the letter", "2026-03-09")
    close_meeting(store, meeting)
    meeting.rows("outcomes", "actions")[0].values["done"] = True
    with pytest.raises(RecordLocked):
        store.put_meeting(meeting)  # which is why the tick lives on the client
    assert store.meeting(meeting.id).rows("outcomes", "actions")[0].values["done"] is False
    assert row.id


def test_demo_has_items_overdue_due_today_and_upcoming(tmp_path, guide):
    store = Store(tmp_path / "demo.json")
    try:
        write_demo(store, guide, clients=12, meetings=40, seed=3)
        board = ft.build(store, guide)
        counts = board.counts()
        assert counts["overdue"] and counts["due today"] and counts["upcoming"], counts
        assert any(i.ticked_on for i in board.done_actions())  # some ticked off on the record
        assert any(not m.overdue for m in board.meetings)
    finally:
        store.close()


def test_demo_shaping_follows_the_given_day(store, guide):
    client = create_client(store, "C-1")
    meeting = meeting_at(store, guide, client, datetime(2026, 3, 2, 10))
    rows = [add_action(guide, meeting, f"task {n}", "2026-03-05") for n in range(3)]
    set_next(meeting, date(2026, 3, 16))
    relative_to_today(store, guide, client, meeting, 0, today=TODAY)
    assert [r.values["due"] for r in rows] == ["2026-03-07", "2026-03-10", "2026-03-14"]
    assert meeting.step("outcomes").fields["next_meeting"] == "2026-03-08"  # before today: overdue


def test_client_export_lists_ticks_and_no_longer_owes_them(store, guide):
    from cope_tui.export.documents import client_markdown

    client = create_client(store, "C-1")
    meeting = meeting_at(store, guide, client, datetime(2026, 3, 2, 10))
    kept = add_action(guide, meeting, "post the | form", "2026-03-09")
    add_action(guide, meeting, "ring the clinic", "2026-03-12")
    ended = add_referral(guide, meeting, "debt advice")
    close_meeting(store, meeting)
    before = client_markdown(guide, store, store.client(client.id))
    assert "Ticked off" not in before

    client = store.client(client.id)
    ft.tick(client, kept.id, on=date(2026, 3, 4))
    ft.tick(client, ended.id, on=date(2026, 3, 5))
    store.put_client(client)
    text = client_markdown(guide, store, store.client(client.id))
    owed = text.split("Open action items", 1)[1].split("Ticked off", 1)[0]
    assert "ring the clinic" in owed and "post the" not in owed
    ticked = text.split("Ticked off", 1)[1].split("\n\n", 2)[1]
    assert ticked.splitlines()[2:] == [
        "| 2026-03-05 | debt advice | referral ended |",
        "| 2026-03-04 | post the \\| form | client |",
    ]
