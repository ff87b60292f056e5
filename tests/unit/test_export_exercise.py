"""The Markdown report of a COPE exercise: every section, the follow-up's changes, safe text."""

from __future__ import annotations

import re
from datetime import date

import pytest

from cope_tui.cope.client_flow import chart
from cope_tui.content.cope_guides import load_guides, load_interview
from cope_tui.demo.exercise import write_demo_exercise
from cope_tui.cope.exercise import Answer, Exercise, Interview, PlanItem, RecordCheck, Team, add_contact, add_visit, flagged, flow_times, follow_up_summary, new_exercise, problem_from_question, raise_problem, set_answer, set_status
from cope_tui.export.documents import md_cell
from cope_tui.export.exercise import exercise_markdown
from cope_tui.records import dump
from cope_tui.store.store import Store
from helpers.export_guide import MD, md_headings, md_section, md_tables, plain_text, store  # noqa: F401  (store: a fixture)

# The demo's follow-up starts in September 2026; this is the day it ends.
TODAY = date(2026, 9, 20)


@pytest.fixture
def demo(store: Store) -> tuple[Store, Exercise, Exercise]:
    counts = write_demo_exercise(store, seed=1)
    return store, store.exercise(counts["first"]), store.exercise(counts["follow_up"])


# ---- sections ----------------------------------------------------------------------------


def test_follow_up_report_has_every_section(demo):
    store, first, follow = demo
    text = exercise_markdown(store, follow, today=TODAY)
    headings = md_headings(text)
    assert headings[0] == (1, "COPE exercise: Hillside health centre")
    top = [title for level, title in headings if level == 2]
    assert top == [
        "What quality means here",
        "Teams",
        "Self-assessment guides",
        "Client interviews",
        "Client record review",
        "Client flow",
        "Action plan",
        "Culture of service",
        f"What changed since {first.start:%Y-%m-%d}",
    ]
    third = [title for level, title in headings if level == 3]
    for title in ("Flagged questions", "By visit type", "By hour of arrival", "Blueprints", "Construction", "Maintenance"):
        assert title in third
    head = text.split("\n## ", 1)[0]
    assert f"Follow-up of the exercise of {first.start:%Y-%m-%d}" in head
    assert follow.id in head and follow.facilitator in head
    assert f"{follow.start:%Y-%m-%d} to {follow.end:%Y-%m-%d}" in head


def test_first_report_says_so_and_has_no_changes_section(demo):
    store, first, _ = demo
    text = exercise_markdown(store, first, today=TODAY)
    assert "First exercise at this site" in text
    assert "What changed" not in text


def test_teams_list_members_and_their_guides(demo):
    store, first, _ = demo
    rows = md_tables(md_section(exercise_markdown(store, first, today=TODAY), "## Teams"))[0]
    assert rows[0] == ["Team", "Members", "Guides"]
    assert [r[0] for r in rows[1:]] == [t.name for t in first.teams]
    titles = {g.id: f"{g.number}. {g.title}" for g in load_guides().guides}
    for row, team in zip(rows[1:], first.teams):
        assert row[1] == ", ".join(team.members)
        assert row[2] == ", ".join(titles[g] for g in team.guides)


def test_guides_table_and_flagged_questions(demo):
    store, first, _ = demo
    text = exercise_markdown(store, first, today=TODAY)
    section = md_section(text, "## Self-assessment guides")
    summary = md_tables(section)[0]
    assert summary[0] == ["Guide", "Title", "Team", "Answered", "Flags"]
    guides = load_guides().guides
    assert len(summary) == 1 + len(guides)
    total_flags = 0
    for row, guide in zip(summary[1:], guides):
        answered = sum(1 for q in guide.questions if first.answer(guide.id, q.id).value is not None)
        flags = flagged(first, guide.id)
        total_flags += len(flags)
        assert row[0] == str(guide.number) and row[1] == guide.title
        assert row[3] == f"{answered}/{len(guide.questions)}" and row[4] == str(len(flags))
        if not flags:
            assert f"#### {guide.number}. {guide.title}\n" not in section
            continue
        listed = md_tables(md_section(section, f"#### {guide.number}. {guide.title}"))[0]
        assert [r[0] for r in listed[1:]] == [guide.question(q).text for q in flags]
        for r, q in zip(listed[1:], flags):
            answer = first.answer(guide.id, q)
            assert r[1] == {"not_sure": "not sure"}.get(answer.value, answer.value)
            assert r[2] == (answer.comment or "-")
    assert total_flags >= 5, "the demo flags a fair number of answers"


def test_interviews_and_record_review_are_counted(demo):
    store, first, _ = demo
    text = exercise_markdown(store, first, today=TODAY)
    interviews = md_section(text, "## Client interviews")
    assert "10 client interviews." in interviews
    table = md_tables(interviews)[0]
    waited = next(q for q in load_interview().questions if q.id == "q03")
    row = next(r for r in table if r[0] == waited.text)
    yes = sum(1 for i in first.interviews if i.answers["q03"].value == "yes")
    no = sum(1 for i in first.interviews if i.answers["q03"].value == "no")
    assert row[1:] == [str(yes), str(no), str(10 - yes - no), str(yes)]  # "yes" is the flag here
    records = md_section(text, "## Client record review")
    assert "12 records reviewed." in records
    rows = md_tables(records)[0]
    assert rows[0] == ["Item", "Present", "Missing", "Not applicable", "Not marked"]
    consent = next(r for r in rows if r[0].startswith("Consent"))
    assert consent[2] == str(sum(1 for c in first.record_checks if c.marks["consent"] == "missing"))
    for r in rows[1:]:
        assert sum(map(int, r[1:])) == 12


def test_client_flow_table_summaries_and_chart(demo):
    store, first, _ = demo
    text = exercise_markdown(store, first, today=TODAY)
    section = md_section(text, "## Client flow")
    times = flow_times(first)
    assert len(times) == 25 and f"25 clients on {first.flow_date:%Y-%m-%d}" in section
    table = md_tables(section)[0]
    assert table[0] == ["Client", "Type", "Arrival", "Total", "Contact", "Waiting"]
    assert table[1:] == [
        [str(t.number), t.visit_type, f"{t.arrival:%H:%M}", str(t.total), str(t.contact), str(t.waiting)] for t in times
    ]
    by_type = md_tables(md_section(section, "### By visit type"))[0]
    assert [r[0] for r in by_type[1:]] == ["first", "follow-up", "all"] and by_type[-1][1] == "25"
    by_hour = md_tables(md_section(section, "### By hour of arrival"))[0]
    assert sum(int(r[1]) for r in by_hour[1:]) == 25
    block = re.search(r"```text\n(.*?)\n```\n", text, re.DOTALL)
    assert block is not None
    assert block.group(1).split("\n") == chart(times)
    fences = [t for t in MD.parse(text) if t.type == "fence"]
    assert len(fences) == 1 and fences[0].info == "text"


def test_action_plan_rows_with_overdue_marks(demo):
    store, _, follow = demo
    text = exercise_markdown(store, follow, today=TODAY)
    rows = md_tables(md_section(text, "## Action plan"))[0]
    assert rows[0] == [
        "#", "Priority", "Status", "Problem", "Cause", "Recommendation", "By whom", "By when", "Outside help"
    ]
    assert len(rows) == 1 + len(follow.problems)
    by_text = {plain_text(r[3]).removesuffix(" (carried)"): r for r in rows[1:]}
    assert set(by_text) == {p.text for p in follow.problems}
    priorities = [r[1] for r in rows[1:]]
    assert priorities == sorted(priorities, key=["high", "medium", "low"].index)
    overdue = 0
    for p in follow.problems:
        row = by_text[p.text]
        assert row[2] == p.status and row[4] == p.cause and row[5] == p.recommendation and row[6] == p.by_whom
        assert row[7].startswith(p.by_when.isoformat())
        assert ("OVERDUE" in row[7]) == p.overdue(TODAY)
        assert row[3].endswith("(carried)") == (p.carried_from is not None)
        assert row[8] == ("yes" if p.outside_help else "no")
        overdue += p.overdue(TODAY)
    assert overdue >= 1
    assert f"; {overdue} overdue on {TODAY:%Y-%m-%d}." in text


def test_culture_plan_per_stage(demo):
    store, _, follow = demo
    text = exercise_markdown(store, follow, today=TODAY)
    section = md_section(text, "## Culture of service")
    whats = {item.what: item for stage in follow.culture.values() for item in stage.values()}
    rows = [r for table in md_tables(section) for r in table[1:]]
    assert {r[2] for r in rows} == set(whats)
    for r in rows:
        item = whats[r[2]]
        assert r[1] == item.who and r[3].startswith(item.by_when.isoformat()) and r[4] == ("yes" if item.done else "no")


def test_follow_up_changes_show_counts_and_old_and_new_status(demo):
    store, first, follow = demo
    text = exercise_markdown(store, follow, today=TODAY)
    section = md_section(text, f"## What changed since {first.start:%Y-%m-%d}")
    counts = follow_up_summary(first, follow)
    assert f"- Problems carried forward: {counts['carried']}\n" in section
    assert f"- Carried and now done: {counts['done']}\n" in section
    assert f"- Solved before the follow-up (not carried): {counts['solved before follow-up']}\n" in section
    new = sum(1 for p in follow.problems if p.carried_from is None)
    assert new >= 1 and f"- New problems at this follow-up: {new}\n" in section
    rows = md_tables(section)[0]
    assert rows[0] == ["Problem", "Status before", "Status now", "By when"]
    old = {p.id: p for p in first.problems}
    carried = [p for p in follow.problems if p.carried_from]
    assert [(plain_text(r[0]), r[1], r[2]) for r in rows[1:]] == [
        (p.text, old[p.carried_from].status, p.status) for p in carried
    ]
    assert any(r[1] != r[2] for r in rows[1:]), "most carried problems changed status"


def test_follow_up_of_a_deleted_exercise_still_exports(store):
    first = new_exercise("Site A", date(2026, 3, 2))
    raise_problem(first, "manual", "Broken scale")
    follow = new_exercise("Site A", date(2026, 9, 1), follow_up_of=first)  # `first` never stored
    text = exercise_markdown(store, follow, today=TODAY)
    assert "no longer in the database" in text
    assert "## What changed\n" in text


def test_an_empty_exercise_exports(store):
    ex = new_exercise("Empty site", date(2026, 3, 2))
    text = exercise_markdown(store, ex, today=TODAY)
    for line in ("No teams yet.", "0 client interviews.", "0 records reviewed.", "No client flow recorded.",
                 "No problems in the action plan.", "Nothing planned yet."):
        assert line in text
    assert "```" not in text


def test_report_leaves_the_exercises_unchanged(demo):
    store, first, follow = demo
    before = (dump(store.exercise(first.id)), dump(store.exercise(follow.id)))
    exercise_markdown(store, follow, today=TODAY)
    exercise_markdown(store, first)
    assert (dump(store.exercise(first.id)), dump(store.exercise(follow.id))) == before


# ---- typed text stays text ---------------------------------------------------------------

EVIL = "# heading | a|b [link](http://x) <b>x</b> `code` \x1b[31mRED\x1b[0m\x07 \x1b]0;pwned\x07\n- item"


def _evil_exercise() -> tuple[Exercise, Exercise]:
    first = new_exercise("site", date(2026, 3, 2), facilitator=EVIL, teams=[Team(name=EVIL, members=[EVIL, "nurse"], guides=["information"])])
    first.site = EVIL  # as a hostile file would hold it: typing it is refused (issue 11)
    guide = load_guides().guide("information")
    question = next(q for q in guide.questions if q.problem_when == "no")
    set_answer(first, "information", question.id, "no", EVIL)
    problem = problem_from_question(first, "information", question.id)
    problem.cause = problem.recommendation = problem.by_whom = EVIL
    problem.by_when = date(2026, 4, 1)
    extra = raise_problem(first, "manual", EVIL)
    set_status(extra, "done", EVIL)
    first.interviews.append(Interview(number=1, answers={"q13": Answer(comment=EVIL), "q03": Answer(value="yes")}))
    first.record_checks.append(RecordCheck(label=EVIL, marks={"consent": "missing"}))
    add_visit(first, "first", "08:00")
    add_contact(first, 1, EVIL, "08:10", "08:30")
    first.culture["blueprints"] = {"mission": PlanItem(who=EVIL, what=EVIL, by_when=date(2026, 5, 1))}
    follow = new_exercise("site", date(2026, 9, 1), follow_up_of=first)
    follow.site = EVIL
    return first, follow


def test_typed_text_cannot_break_the_document_or_reach_the_terminal(store):
    first, follow = _evil_exercise()
    store.put_exercise(first)
    for ex in (first, follow):
        text = exercise_markdown(store, ex, today=TODAY)
        assert "\x1b" not in text and "\x07" not in text and "pwned" not in text
        assert "[31m" not in text and not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
        # Only the report's own headings: the typed "# heading" stays text.
        assert all(not title.startswith("heading") for _, title in md_headings(text))
        level, title = md_headings(text)[0]
        assert level == 1 and plain_text(title) == f"COPE exercise: {plain_text(md_cell(EVIL))}"
        tokens = MD.parse(text)
        assert not any(t.type == "html_block" for t in tokens)
        # The typed "- item" after a line break never starts a list item of its own.
        assert not any(t.type == "inline" and t.content.startswith("item") for t in tokens)
        inline = [c for t in tokens if t.type == "inline" for c in (t.children or [])]
        assert not any(c.type in ("link_open", "html_inline", "code_inline") for c in inline)
        # Every table row has as many cells as its header: a typed "|" adds no column.
        for table in md_tables(text):
            assert len({len(row) for row in table}) == 1, table
        assert "\\# heading \\| a\\|b" in text
        assert "RED" in text  # the words survive, only the control sequences go


def test_typed_text_shows_as_typed_in_the_tables(store):
    first, _ = _evil_exercise()
    store.put_exercise(first)
    text = exercise_markdown(store, first, today=TODAY)
    shown = plain_text(md_cell(EVIL))
    assert shown == "# heading | a|b [link](http://x) <b>x</b> `code` RED / - item"
    plan = md_tables(md_section(text, "## Action plan"))[0]
    typed = next(r for r in plan[1:] if r[1] == "medium" and r[2] == "done")
    assert plain_text(typed[3]) == shown
    teams = md_tables(md_section(text, "## Teams"))[0]
    assert plain_text(teams[1][0]) == shown


def test_one_problem_is_counted_in_the_singular() -> None:
    """"1 problems: 1 open" headed the action plan."""
    from datetime import date

    from cope_tui.cope.exercise import Problem, new_exercise
    from cope_tui.export.exercise import exercise_markdown

    ex = new_exercise("Site", date(2026, 3, 2))
    ex.problems.append(Problem(text="Queues at the door"))
    text = exercise_markdown(None, ex)
    assert "1 problem: 1 open" in text and "1 problems" not in text


def test_the_action_plan_lists_each_dated_status_change_with_its_note() -> None:
    """Kept with every change and shown on the exercise screen, they were in no report."""
    from datetime import date

    from cope_tui.cope.exercise import Problem, new_exercise, set_status
    from cope_tui.export.exercise import exercise_markdown

    ex = new_exercise("Site", date(2026, 3, 2))
    low, high = Problem(text="Posters faded", priority="low"), Problem(text="Queues | at the door", priority="high")
    ex.problems += [low, high]
    set_status(high, "in progress", "Started cards")
    set_status(high, "done")
    text = exercise_markdown(None, ex)
    changes = text.split("**Status changes:**")[1]
    assert r"- 1. Queues \| at the door: in progress on " in changes and "(Started cards)" in changes
    assert r"- 1. Queues \| at the door: done on " in changes
    assert "Posters" not in changes
