"""The case plan's rules on real files: goals, scores per meeting, trend and export."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cope_tui.meetings.case_plan import CasePlanError, add_goal, edit_goal, latest, open_goals, parse_score, rate, rating_at, remove_goal, set_achieved, sparkline, trend, unrate
from cope_tui.demo.writer import write_demo
from cope_tui.export.documents import client_markdown
from cope_tui.export.case_plan import case_plan_markdown
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise
from cope_tui.store.store import Store


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "cope.json")
    yield store
    store.close()


@pytest.fixture
def guide():
    return load_meeting_guide()


def _meeting(store, guide, client, days_ago: int):
    meeting = start_meeting(store, guide, client)
    meeting.started = meeting.started - timedelta(days=days_ago)
    store.put_meeting(meeting)
    return meeting


def test_sparkline_uses_a_fixed_zero_to_ten_scale():
    assert sparkline([0, 5, 10]) == "▁▅█"
    assert sparkline(range(11)) == "▁▂▂▃▄▅▅▆▇▇█"
    assert sparkline([3, 3, 3]) == "▃▃▃"  # a level trend is not stretched to fill the height
    assert sparkline([]) == ""
    assert sparkline([1, 2, 3, 4, 9], width=2) == "▄▇"
    assert sparkline([12, -3]) == "█▁"  # stored nonsense is drawn at the ends, not as an error


@pytest.mark.parametrize("typed", ["11", "-1", "seven", "", "  ", "7.5", "10/11", True, 42])
def test_bad_scores_are_refused_with_what_to_type(typed):
    with pytest.raises(CasePlanError, match="0"):
        parse_score(typed)


@pytest.mark.parametrize(("typed", "score"), [("0", 0), (" 7 ", 7), ("10", 10), ("8/10", 8), (4, 4)])
def test_good_scores_are_read(typed, score):
    assert parse_score(typed) == score


def test_goals_are_checked_kept_and_survive_a_reopen(tmp_path, store):
    client = create_client(store, "C-1")
    with pytest.raises(CasePlanError, match="cannot be empty"):
        add_goal(client, "   ")
    with pytest.raises(CasePlanError, match="preferred"):
        add_goal(client, "Work again", kind="dream")
    change = add_goal(client, "Walk most days", "change", "Steps logged\n\n  Steps logged \nSays it helps\n")
    preferred = add_goal(client, "A settled  home", "preferred", ["Rent paid"])
    assert change.indicators == ["Steps logged", "Says it helps"]
    assert preferred.text == "A settled home"
    assert [g.id for g in client.goals] == [preferred.id, change.id]  # the preferred scenario leads
    store.put_client(client)
    store.close()

    again = Store(tmp_path / "cope.json", read_only=True)
    try:
        saved = again.client(client.id)
        assert [(g.kind, g.text, g.indicators) for g in saved.goals] == [
            ("preferred", "A settled home", ["Rent paid"]),
            ("change", "Walk most days", ["Steps logged", "Says it helps"]),
        ]
    finally:
        again.close()


def test_a_refused_edit_changes_nothing(store):
    client = create_client(store, "C-2")
    goal = add_goal(client, "Keep a budget", indicators=["Sheet filled in"])
    with pytest.raises(CasePlanError):
        edit_goal(client, goal.id, text="New words", indicators=["x" * 500])
    assert (goal.text, goal.indicators) == ("Keep a budget", ["Sheet filled in"])
    edit_goal(client, goal.id, text="Keep a weekly budget", kind="preferred")
    assert (goal.text, goal.kind) == ("Keep a weekly budget", "preferred")
    remove_goal(client, goal.id)
    assert client.goals == []
    with pytest.raises(CasePlanError, match="no longer"):
        remove_goal(client, goal.id)


def test_one_score_per_goal_per_meeting_and_the_trend_by_date(store, guide):
    client = create_client(store, "C-3")
    goal = add_goal(client, "Sleep through the night")
    first = _meeting(store, guide, client, 14)
    rate(client, goal.id, first, 3, "rough fortnight")
    finalise(first, "worker")
    store.put_meeting(first)
    review = _meeting(store, guide, client, 0)
    rate(client, goal.id, review, "5")
    rate(client, goal.id, review, "7", "better")  # again at the same meeting: replaces
    assert len(goal.ratings) == 2
    assert trend(goal) == [3, 7]
    assert sparkline(trend(goal)) == "▃▆"
    assert latest(goal).note == "better" and rating_at(goal, review.id).score == 7
    assert rating_at(goal, first.id).on == first.started.date()
    assert unrate(client, goal.id, review) is True
    assert trend(goal) == [3]
    rate(client, goal.id, review, 8)
    store.put_client(client)
    assert [r.meeting_id for r in store.client(client.id).goals[0].ratings] == [first.id, review.id]


def test_a_finalised_meeting_refuses_new_scores(store, guide):
    client = create_client(store, "C-4")
    goal = add_goal(client, "Go to the group")
    meeting = _meeting(store, guide, client, 0)
    rate(client, goal.id, meeting, 4)
    finalise(meeting, "worker")
    with pytest.raises(CasePlanError, match="finalised"):
        rate(client, goal.id, meeting, 9)
    with pytest.raises(CasePlanError, match="finalised"):
        unrate(client, goal.id, meeting)
    assert trend(goal) == [4]


def test_scores_need_this_clients_meeting_and_an_open_client(store, guide):
    client = create_client(store, "C-5")
    other = create_client(store, "C-6")
    goal = add_goal(client, "Cut down drinking")
    theirs = _meeting(store, guide, other, 0)
    with pytest.raises(CasePlanError, match="another client"):
        rate(client, goal.id, theirs, 5)
    mine = _meeting(store, guide, client, 0)
    with pytest.raises(CasePlanError, match="out of range"):
        rate(client, goal.id, mine, 11)
    assert goal.ratings == []
    client.closed_at = mine.started
    with pytest.raises(CasePlanError, match="closed"):
        rate(client, goal.id, mine, 5)
    with pytest.raises(CasePlanError, match="closed"):
        add_goal(client, "Another")


def test_achieved_goals_leave_the_open_list(store):
    client = create_client(store, "C-7")
    goal = add_goal(client, "Claim sorted")
    set_achieved(client, goal.id, today=date(2026, 3, 1))
    assert goal.achieved == date(2026, 3, 1) and open_goals(client) == []
    set_achieved(client, goal.id, False)
    assert goal.achieved is None and open_goals(client) == [goal]


def test_export_has_the_case_plan_escaped_with_its_sparkline(store, guide):
    client = create_client(store, "C-8")
    assert case_plan_markdown(client) == ""  # no goals: the export reads as before
    goal = add_goal(client, "# Be | *free*", indicators=["<b>sleeps</b>"])
    meeting = _meeting(store, guide, client, 7)
    rate(client, goal.id, meeting, 2, "a | b")
    later = _meeting(store, guide, client, 0)
    rate(client, goal.id, later, 9)
    store.put_client(client)
    text = client_markdown(guide, store, store.client(client.id))
    assert "## Case plan" in text
    assert "### 1. \\# Be \\| \\*free\\*" in text
    assert "\\<b\\>sleeps\\</b\\>" in text
    assert "`▂▇`" in text and "(2 → 9, up)" in text
    assert "| 2/10 | a \\| b |" in text
    assert text.index("## Case plan") < text.index("Carried-forward lists")


def test_demo_has_goals_scored_across_reviews(tmp_path, guide):
    store = Store(tmp_path / "demo.json")
    try:
        write_demo(store, guide, clients=8, meetings=30, seed=1)
        goals = [g for c in store.clients() for g in c.goals]
        assert goals and any(len(trend(g)) >= 3 for g in goals)
        meeting_ids = {m.id for m in store.meetings()}
        assert all(r.meeting_id in meeting_ids for g in goals for r in g.ratings)
        assert any(g.kind == "preferred" for g in goals) and all(g.indicators for g in goals)
    finally:
        store.close()


def test_demo_goals_come_out_of_stage_3(tmp_path, guide):
    """No demo client has goals before stage 3, and none are set before the client got there."""
    from cope_tui.meetings.stages import stage_on

    store = Store(tmp_path / "demo.json")
    try:
        write_demo(store, guide, clients=8, meetings=30, seed=1)
        with_goals = [c for c in store.clients() if c.goals]
        assert with_goals
        for client in store.clients():
            if client.stage < 3 and not any(h.stage >= 3 for h in client.stage_history):
                assert client.goals == [], client.code
            for goal in client.goals:
                assert stage_on(client, goal.created) >= 3, (client.code, goal.created)
    finally:
        store.close()
