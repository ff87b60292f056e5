"""Markdown exports: what they show and in what order (typed text staying literal:
test_export_literal.py).

Outputs are checked both as text and by parsing them with markdown-it (the parser
Textual itself uses), so "this note did not become a heading" is checked the way a
Markdown viewer would read it.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from cope_tui.export.documents import all_markdown, client_markdown, md_cell, md_text, meeting_markdown, write_export
from cope_tui.content.meeting_guide import ColumnKind, MeetingGuide, load_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import add_addendum, finalise, new_row, steps_of
from cope_tui.meetings.models import Meeting, StepState
from cope_tui.records import dump
from cope_tui.store.store import Store, StoreError
from helpers.export_guide import (  # noqa: F401  (store and guide are fixtures)
    action_row, first_meeting, guide, md_headings, md_section, md_tables, referral_row, store, text_lines,
)


# --- one meeting ------------------------------------------------------------------



def test_meeting_header_steps_fields_tables_and_addenda(store: Store, guide: MeetingGuide) -> None:
    client, meeting = first_meeting(store, guide)
    meeting.started = datetime(2024, 3, 1, 10, 5)
    meeting.active_seconds = 3725
    meeting.step("opening").fields["purpose"] = "Review housing"
    meeting.step("opening").notes = "Client arrived late.\nWe agreed to keep it short."
    meeting.step("opening").state = StepState.DONE
    meeting.step("services").state = StepState.SKIPPED
    referral_row(guide, meeting, "GP", "using", "weekly")
    referral_row(guide, meeting, "Food bank", "problem")
    finalise(meeting, "Kim")
    add_addendum(meeting, "Phone number corrected.", "Lee")
    store.put_meeting(meeting)

    text = meeting_markdown(guide, store, store.meeting(meeting.id))
    lines = text_lines(text)

    assert lines[0] == "# A-7 — first meeting, 2024-03-01 10:05"
    assert f"- **Meeting:** first meeting (id {meeting.id})" in lines  # the CLI exports by this id
    assert "- **Mode:** phone" in lines
    assert "- **Also present:** Sam (sister)" in lines
    assert "- **Duration:** 1:02" in lines
    status = next(line for line in lines if line.startswith("- **Status:**"))
    assert re.fullmatch(r"- \*\*Status:\*\* Finalised by Kim on \d{4}-\d\d-\d\d \d\d:\d\d · SHA-256 [0-9a-f]{64}", status)
    assert status.endswith(meeting.content_hash)  # the hash doctor checks the record against
    assert "Not finalised" not in text

    assert "## Opening — done" in lines
    assert "**Purpose:** Review housing" in lines
    assert "**Opening notes:**" in lines
    assert "Client arrived late.\\\nWe agreed to keep it short." in text  # line break kept
    assert "## Services — skipped" in lines
    assert "| Service | Status | Note |" in lines
    assert "| GP | using | weekly |" in lines
    assert "| Food bank | problem |  |" in lines

    # Nothing was recorded in these: listed with their state, but no section.
    assert "Ground rules (pending)" in text and "Outcomes (pending)" in text
    assert not any(line.startswith("## Ground rules") or line.startswith("## Outcomes") for line in lines)
    steps_line = next(line for line in lines if line.startswith("- **Steps:**"))
    assert steps_line == (
        "- **Steps:** Opening (done), Ground rules (pending), Services (skipped), Outcomes (pending)"
    )

    addenda = md_section(text, "## Addenda")
    assert re.search(r"^\*\*\d{4}-\d\d-\d\d \d\d:\d\d, by Lee:\*\*\\$", addenda, re.M)
    assert "Phone number corrected." in addenda
    # Headings as a viewer sees them, in guide order, addenda last.
    assert [h for _, h in md_headings(text)] == [
        "A-7 — first meeting, 2024-03-01 10:05",
        "Opening — done",
        "Services — skipped",
        "Addenda",
    ]


def test_draft_meeting_has_no_addenda_section(store: Store, guide: MeetingGuide) -> None:
    _, meeting = first_meeting(store, guide)
    meeting.step("opening").notes = "Only a note."
    text = meeting_markdown(guide, store, meeting)
    assert "- **Status:** Not finalised (draft)" in text_lines(text)
    assert "Finalised by" not in text
    assert "Addenda" not in text
    assert "- **Also present:** Sam (sister)" in text_lines(text)


def test_checklist_shown_once_filled_with_bools_as_yes_no(store: Store, guide: MeetingGuide) -> None:
    _, meeting = first_meeting(store, guide)
    rows = meeting.rows("rules", "rules")
    assert [r.values["area"] for r in rows] == ["Privacy", "Roles"]
    assert "Ground rules" not in "".join(h for _, h in md_headings(meeting_markdown(guide, store, meeting)))

    rows[0].values["discussed"] = True
    text = meeting_markdown(guide, store, meeting)
    assert "## Ground rules — pending" in text_lines(text)
    assert md_tables(text) == [[["Area", "Discussed"], ["Privacy", "yes"], ["Roles", "no"]]]


def test_meeting_markdown_leaves_the_meeting_unchanged(store: Store, guide: MeetingGuide) -> None:
    _, meeting = first_meeting(store, guide)
    meeting.steps.pop("outcomes")  # a step never opened has no record at all
    referral_row(guide, meeting, "GP")
    finalise(meeting, "Kim")
    before = dump(meeting)
    meeting_markdown(guide, store, meeting)
    assert dump(meeting) == before
    store.put_meeting(meeting)
    client_markdown(guide, store, store.client(meeting.client_id))
    assert dump(store.meeting(meeting.id)) == before


def test_records_the_guide_no_longer_describes_are_kept(store: Store, guide: MeetingGuide) -> None:
    _, meeting = first_meeting(store, guide)
    meeting.step("opening").fields["old_field"] = "kept answer"
    meeting.step("opening").lists["old_list"] = [
        new_row(meeting, guide.step("services").list_spec("referrals"), {"service": "kept row"})
    ]
    old = meeting.step("retired_step")
    old.notes = "kept note"
    old.fields["why"] = "kept field"
    text = meeting_markdown(guide, store, meeting)
    assert "**old\\_field:** kept answer" in text_lines(text)
    assert "| kept row |  |  |" in text_lines(text)
    assert "## retired\\_step (not in the current guide) — pending" in text_lines(text)
    assert "**why:** kept field" in text_lines(text) and "kept note" in text_lines(text)


# --- a client's record ------------------------------------------------------------------


def _dated(store: Store, meeting: Meeting, when: datetime) -> None:
    meeting.started = when
    store.put_meeting(meeting)


def test_client_meetings_in_date_order_with_demoted_headings(store: Store, guide: MeetingGuide) -> None:
    client = create_client(store, "Order", note="Keep this note.\n# Not a heading")
    dates = [datetime(2024, 3, 1, 9), datetime(2024, 1, 1, 9), datetime(2024, 2, 1, 9)]
    for when in dates:  # created in one order, dated in another
        meeting = start_meeting(store, guide, client)
        meeting.step("opening").notes = f"Meeting of {when:%B}"
        _dated(store, meeting, when)

    text = client_markdown(guide, store, client)
    lines = text_lines(text)
    assert [line for line in lines if line.startswith("# ")] == ["# Client: Order"]
    meeting_heads = [line for line in lines if line.startswith("## Order — ")]
    assert [h.rsplit(", ", 1)[1] for h in meeting_heads] == [
        "2024-01-01 09:00",
        "2024-02-01 09:00",
        "2024-03-01 09:00",
    ]
    assert text.index("Meeting of January") < text.index("Meeting of February") < text.index("Meeting of March")
    assert "### Opening — pending" in lines  # steps one level below meetings
    assert "Keep this note." in text and not any(line.startswith("# Not") for line in lines)
    assert "- **Meetings:** 3 (first 2024-01-01 09:00, latest 2024-03-01 09:00)" in lines


def test_open_actions_listed_and_carried_rows_marked(store: Store, guide: MeetingGuide) -> None:
    client = create_client(store, "Acts")
    first = start_meeting(store, guide, client)
    gp = referral_row(guide, first, "GP")
    gp.added = date(2024, 1, 5)
    call = action_row(guide, first, "Call the GP")
    call.added = date(2024, 1, 5)
    action_row(guide, first, "Fill the form", done=True)
    first.step("outcomes").fields["next_meeting"] = "2024-02-01"
    finalise(first, "Kim")
    _dated(store, first, datetime(2024, 1, 5, 10))

    second = start_meeting(store, guide, client)
    assert [r.values["what"] for r in second.rows("outcomes", "actions")] == ["Call the GP"]
    referral_row(guide, second, "Dentist").added = date(2024, 2, 1)
    action_row(guide, second, "Book the dentist").added = date(2024, 2, 1)
    action_row(guide, second, "Post the letter", done=True)
    second.step("outcomes").fields["next_meeting"] = "2024-03-01"
    _dated(store, second, datetime(2024, 2, 1, 10))

    text = client_markdown(guide, store, client)
    assert "- **Next meeting:** 2024-03-01" in text_lines(text)

    actions = md_section(text, "## Open action items")
    assert "Call the GP" in actions and "Book the dentist" in actions
    assert "Fill the form" not in actions and "Post the letter" not in actions
    assert md_tables(actions) == [
        [["What", "By when", "Added"], ["Call the GP", "2024-07-01", "2024-01-05"],
         ["Book the dentist", "2024-07-01", "2024-02-01"]]
    ]

    carried = md_section(text, "## Carried-forward lists")
    assert md_tables(carried) == [
        [["Service", "Status", "Note", "Added"], ["GP", "using", "", "2024-01-05"], ["Dentist", "using", "", "2024-02-01"]]
    ]

    # In the second meeting, rows brought from the first say where they came from.
    later = md_section(text, "## Acts — review, 2024-02-01 10:00")
    assert "| GP _(from 2024-01-05)_ | using |  |" in text_lines(later)
    assert "| Call the GP _(from 2024-01-05)_ | 2024-07-01 | no |" in text_lines(later)
    assert "| Dentist | using |  |" in text_lines(later)
    earlier = md_section(text, "## Acts — first meeting, 2024-01-05 10:00")
    assert "| GP | using |  |" in text_lines(earlier)
    assert "(from" not in earlier
    assert "| Fill the form | 2024-07-01 | yes |" in text_lines(earlier)


def test_client_without_meetings(store: Store, guide: MeetingGuide) -> None:
    client = create_client(store, "New", others=["Jo", "Al"])
    text = client_markdown(guide, store, client)
    assert "- **Significant others:** Jo, Al" in text_lines(text)
    assert "- **Meetings:** none yet" in text_lines(text)
    assert "Open action items" not in text


# --- everything ---------------------------------------------------------------------------


def test_all_clients_sorted_under_one_title(store: Store, guide: MeetingGuide) -> None:
    for code in ["charlie", "Alpha", "bravo"]:
        client = create_client(store, code)
        meeting = start_meeting(store, guide, client)
        meeting.step("opening").notes = f"notes of {code}"
        store.put_meeting(meeting)
    text = all_markdown(guide, store)
    lines = text_lines(text)
    assert [line for line in lines if line.startswith("# ")] == ["# Test guide: all records"]
    assert [line for line in lines if line.startswith("## ")] == [
        "## Client: Alpha",
        "## Client: bravo",
        "## Client: charlie",
    ]
    assert sum(line.startswith("### Alpha — first meeting") for line in lines) == 1
    assert "#### Opening — pending" in lines
    assert text.index("notes of Alpha") < text.index("notes of bravo") < text.index("notes of charlie")
    assert "3 clients, 3 meetings." in lines


def test_all_markdown_meetings_in_date_order_per_client(store: Store, guide: MeetingGuide) -> None:
    one, two = create_client(store, "One"), create_client(store, "Two")
    plan = [(two, datetime(2024, 5, 1, 9)), (one, datetime(2024, 4, 1, 9)), (two, datetime(2024, 1, 1, 9)),
            (one, datetime(2024, 6, 1, 9)), (one, datetime(2024, 2, 1, 9))]
    for client, when in plan:
        meeting = start_meeting(store, guide, client)
        meeting.step("opening").notes = f"{client.code} on {when:%B}"
        _dated(store, meeting, when)
    text = all_markdown(guide, store)
    assert "2 clients, 5 meetings." in text_lines(text)
    order = re.findall(r"^(One|Two) on (\w+)$", text, re.M)
    assert order == [("One", "February"), ("One", "April"), ("One", "June"), ("Two", "January"), ("Two", "May")]
    assert [line for line in text_lines(text) if line.startswith("### ")] == [
        "### Carried-forward lists", "### Open action items",
        "### One — review, 2024-02-01 09:00", "### One — first meeting, 2024-04-01 09:00",
        "### One — review, 2024-06-01 09:00",
        "### Carried-forward lists", "### Open action items",
        "### Two — review, 2024-01-01 09:00", "### Two — first meeting, 2024-05-01 09:00",
    ]


def test_shipped_guide_exports_cleanly(store: Store) -> None:
    guide = load_meeting_guide()
    client = create_client(store, "Shipped")
    meeting = start_meeting(store, guide, client)
    values = {ColumnKind.TEXT: "x", ColumnKind.DATE: "2024-05-01", ColumnKind.INT: "3", ColumnKind.BOOL: False}
    for step in steps_of(guide, meeting):
        record = meeting.step(step.id)
        for field in step.fields:
            record.fields[field.id] = "2024-05-01" if field.kind == "date" else f"{field.label} answer"
        for spec in step.lists:
            if spec.fixed:
                continue
            row = {c.id: c.choices[0] if c.choices else values[c.kind] for c in spec.columns}
            record.lists[spec.id].append(new_row(meeting, spec, row))
        record.notes = f"notes for {step.id}"
    finalise(meeting, "Kim")
    store.put_meeting(meeting)

    text = all_markdown(guide, store)
    headings = md_headings(text)
    start = headings.index((3, f"Shipped — first meeting, {meeting.started.isoformat(' ', 'minutes')}"))
    heads = [h for level, h in headings[start + 1 :] if level == 4]
    assert heads == [f"{md_cell(s.title)} — pending" for s in steps_of(guide, meeting)]
    for table in md_tables(text):  # every table row has as many cells as its header
        assert all(len(row) == len(table[0]) for row in table)
    for step in steps_of(guide, meeting):
        assert md_text(f"notes for {step.id}") in text


def test_write_export_is_private_and_replaces_whole(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / "out.md"
    path.write_text("old and much longer content\n" * 10)
    write_export(path, "# Title\n\nbody")
    assert path.read_text(encoding="utf-8") == "# Title\n\nbody\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in folder.iterdir()] == ["out.md"]  # no temp file left behind
    with pytest.raises(OSError):
        write_export(folder / "missing-dir" / "x.md", "text")


# --- whole exports read the stored records ----------------------------------------------


def test_whole_exports_build_no_meeting_models(
    store: Store, guide: MeetingGuide, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, meeting = first_meeting(store, guide)
    referral_row(guide, meeting, "GP")
    action_row(guide, meeting, "Call the GP")
    store.put_meeting(meeting)
    expected_all, expected_client = all_markdown(guide, store), client_markdown(guide, store, client)

    def refuse(cls: type, *args: object, **kwargs: object) -> None:
        raise AssertionError("the export validated a meeting: that is what made it slow")

    monkeypatch.setattr(Meeting, "model_validate", classmethod(refuse))
    assert all_markdown(guide, store) == expected_all
    assert client_markdown(guide, store, client) == expected_client
    assert "| GP | using |  |" in text_lines(expected_all)


def test_exports_leave_the_stored_records_unchanged(store: Store, guide: MeetingGuide) -> None:
    client, meeting = first_meeting(store, guide)
    meeting.steps.pop("outcomes")  # a step never opened has no record at all
    referral_row(guide, meeting, "GP")
    meeting.step("retired_step").notes = "kept"
    finalise(meeting, "Kim")
    store.put_meeting(meeting)
    second = start_meeting(store, guide, client)
    second.step("opening").lists["old_list"] = [
        new_row(second, guide.step("services").list_spec("referrals"), {"service": "kept row"})
    ]
    store.put_meeting(second)
    docs = store.raw_meetings()
    before = json.dumps(docs)

    all_markdown(guide, store)
    client_markdown(guide, store, client)
    meeting_markdown(guide, store, store.meeting(second.id))
    assert json.dumps(docs) == before
    assert json.dumps(store.raw_meetings()) == before


def test_stored_records_show_as_their_models_do(store: Store, guide: MeetingGuide) -> None:
    """all_markdown reads stored dicts as they are; meeting_markdown dumps a model first.
    Values the app never writes but reads (a time with microseconds or a zone) come out
    the same both ways. A value of another JSON type than the app writes (a date as a
    midnight time, 3.0 for 3) is a record of the wrong type (issue 11): refused at save."""
    client, meeting = first_meeting(store, guide)
    referral_row(guide, meeting, "GP", "using", "weekly")
    action_row(guide, meeting, "Call the GP")
    meeting.step("opening").notes = "Line one\n\n- a dash\n1. a number"
    store.put_meeting(meeting)
    doc = copy.deepcopy(store.get("meetings", meeting.id))
    doc["started"] = "2024-05-01T10:00:00.250000"
    doc["finalised_at"], doc["finalised_by"] = "2024-05-01T11:00:00Z", "Kim"
    referrals = doc["steps"]["services"]["lists"]["referrals"]
    for field, wrong in (("added", "2024-04-01T00:00:00"), ("values", {"service": 3.0, "status": "using"})):
        bad = copy.deepcopy(doc)
        bad["steps"]["services"]["lists"]["referrals"][0][field] = wrong
        with pytest.raises(StoreError, match=f"referrals.0.{field}"):
            store.put_meeting_doc(meeting.id, bad)
    referrals[0]["added"] = "2024-04-01"
    referrals[0]["origin"] = "elsewhere"  # carried from an earlier meeting
    referrals.append({**referrals[0], "id": "r2", "values": {"service": 3, "status": "using", "note": None}})
    store.put_meeting_doc(meeting.id, doc)

    alone = meeting_markdown(guide, store, store.meeting(meeting.id), level=3)
    assert all_markdown(guide, store).endswith(alone)  # the client's one meeting comes last
    assert client_markdown(guide, store, client, level=2).endswith(alone)
    lines = text_lines(alone)
    assert lines[0] == "### A-7 — first meeting, 2024-05-01 10:00"
    assert "- **Status:** Finalised by Kim on 2024-05-01 11:00+00:00" in lines
    assert "| GP _(from 2024-04-01)_ | using | weekly |" in lines
    assert "| 3 _(from 2024-04-01)_ | using |  |" in lines


def test_one_of_a_kind_is_counted_in_the_singular(tmp_path) -> None:
    """"2 clients, 1 meetings." headed `export --all`."""
    from cope_tui.content.meeting_guide import load_meeting_guide
    from cope_tui.export.documents import all_header

    store = Store(tmp_path / "one.json")
    try:
        assert "1 client, 1 meeting." in all_header(load_meeting_guide(), store, 1, 1)
        assert "2 clients, 0 meetings." in all_header(load_meeting_guide(), store, 2, 0)
    finally:
        store.close()


def test_a_meeting_summary_shows_the_goals_scored_at_it(store: Store, guide: MeetingGuide) -> None:
    """Scores given with F9 were only in the client's case plan table; the meeting's own
    summary said nothing of them."""
    from cope_tui.meetings.case_plan import add_goal, rate

    client = create_client(store, "C-9")
    goal = add_goal(client, "Sleep | through the night", kind="change")
    first = start_meeting(store, guide, client)
    second = start_meeting(store, guide, client)
    rate(client, goal.id, second, 6, note="better | most nights")
    store.put_client(client)
    text = meeting_markdown(guide, store, second)
    assert "Progress on goals" in text
    assert r"| Sleep \| through the night | 6 of 10 | better \| most nights |" in text
    assert "Progress on goals" not in meeting_markdown(guide, store, first)
    assert client_markdown(guide, store, client).count("Progress on goals") == 1


def test_a_closed_clients_summary_has_no_next_meeting(store: Store, guide: MeetingGuide) -> None:
    """The latest meeting's "next meeting" date was given for a client closed since."""
    from datetime import timedelta

    from cope_tui.meetings.rules import now

    client = create_client(store, "C-8")
    meeting = start_meeting(store, guide, client)
    meeting.step(steps_of(guide, meeting)[-1].id).fields["next_meeting"] = "2026-12-22"
    store.put_meeting(meeting)
    client.closed_at = now() - timedelta(days=1)
    store.put_client(client)
    text = client_markdown(guide, store, client)
    assert f"- **Next meeting:** none, closed on {client.closed_at:%Y-%m-%d}" in text and "2026-12-22\n" not in text.split("## ")[0]
