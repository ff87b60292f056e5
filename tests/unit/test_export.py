"""Markdown exports: what they show, in what order, and that typed text stays literal.

Outputs are checked both as text and by parsing them with markdown-it (the parser
Textual itself uses), so "this note did not become a heading" is checked the way a
Markdown viewer would read it.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from cope_tui.export.documents import all_markdown, client_markdown, md_cell, md_text, meeting_markdown, write_export
from cope_tui.content.meeting_guide import ColumnKind, MeetingGuide, load_meeting_guide, parse_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import add_addendum, finalise, new_row, steps_of
from cope_tui.meetings.models import Client, Meeting, MeetingMode, StepState
from cope_tui.records import dump
from cope_tui.store.store import Store, StoreError

GUIDE_TOML = """\
schema_version = 1
title = "Test guide"

[[steps]]
id = "opening"
title = "Opening"
notes_label = "Opening notes"

[[steps.fields]]
id = "purpose"
label = "Purpose"

[[steps]]
id = "rules"
title = "Ground rules"
when = "first"

[[steps.lists]]
id = "rules"
label = "Rules"
toggle = "discussed"

[[steps.lists.items]]
id = "privacy"
text = "Privacy"

[[steps.lists.items]]
id = "roles"
text = "Roles"

[[steps.lists.columns]]
id = "area"
label = "Area"
readonly = true

[[steps.lists.columns]]
id = "discussed"
label = "Discussed"
kind = "bool"

[[steps]]
id = "services"
title = "Services"

[[steps.lists]]
id = "referrals"
label = "Referrals"
carry = "all"

[[steps.lists.columns]]
id = "service"
label = "Service"
required = true

[[steps.lists.columns]]
id = "status"
label = "Status"
kind = "choice"
choices = ["using", "problem"]

[[steps.lists.columns]]
id = "note"
label = "Note"

[[steps]]
id = "outcomes"
title = "Outcomes"

[[steps.fields]]
id = "next_meeting"
label = "Next meeting"
kind = "date"

[[steps.lists]]
id = "actions"
label = "Actions"
carry = "open"
done_column = "done"
toggle = "done"

[[steps.lists.columns]]
id = "what"
label = "What"
required = true

[[steps.lists.columns]]
id = "due"
label = "By when"
kind = "date"

[[steps.lists.columns]]
id = "done"
label = "Done"
kind = "bool"
"""

NASTY = [
    "# Not a heading",
    "## also not",
    "> not a quote",
    "- not a list",
    "+ not a list",
    "* not a list",
    "1. not numbered",
    "2) not numbered either",
    "   # indented heading",
    "    indented code?",
    "===",
    "---",
    "***",
    "| a | b |",
    "<script>alert(1)</script>",
    "<b>bold</b> & &amp; &#60;",
    "[link](http://example.com) ![img](x.png)",
    "*stars* _under_ `code` ~~strike~~ $x$ {#id}",
    "back\\slash at end\\",
    "term\n: definition",
    "Title\n=====",
]

MD = MarkdownIt("commonmark").enable("table")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "db.json")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def guide() -> MeetingGuide:
    return parse_meeting_guide(GUIDE_TOML, "test")


def _referral(guide: MeetingGuide, meeting: Meeting, service: str, status: str = "using", note: str = ""):
    spec = guide.step("services").list_spec("referrals")
    row = new_row(meeting, spec, {"service": service, "status": status, "note": note})
    meeting.rows("services", "referrals").append(row)
    return row


def _action(guide: MeetingGuide, meeting: Meeting, what: str, *, done: bool = False):
    spec = guide.step("outcomes").list_spec("actions")
    row = new_row(meeting, spec, {"what": what, "due": "2024-07-01", "done": done})
    meeting.rows("outcomes", "actions").append(row)
    return row


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _section(text: str, heading: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(heading + "\n")
    rest = text[start + len(heading) + 1 :]
    stop = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[: stop.start()] if stop else rest


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)(?:\\\\)*\|", line))


def _tables(text: str) -> list[list[list[str]]]:
    """Every table as rows of cell texts, as a Markdown viewer would see them."""
    tables: list[list[list[str]]] = []
    row: list[str] | None = None
    for token in MD.parse(text):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            tables[-1].append(row or [])
            row = None
        elif token.type == "inline" and row is not None:
            row.append(token.content)
    return tables


def _headings(text: str) -> list[tuple[int, str]]:
    tokens = MD.parse(text)
    return [
        (int(tok.tag[1]), tokens[i + 1].content) for i, tok in enumerate(tokens) if tok.type == "heading_open"
    ]


def _first_meeting(store: Store, guide: MeetingGuide, code: str = "A-7") -> tuple[Client, Meeting]:
    client = create_client(store, code, note="Prefers mornings.", others=["Sam (sister)"])
    meeting = start_meeting(store, guide, client, mode=MeetingMode.PHONE, present=["Sam (sister)"])
    return client, meeting


# --- one meeting ------------------------------------------------------------------


def test_meeting_header_steps_fields_tables_and_addenda(store: Store, guide: MeetingGuide) -> None:
    client, meeting = _first_meeting(store, guide)
    meeting.started = datetime(2024, 3, 1, 10, 5)
    meeting.active_seconds = 3725
    meeting.step("opening").fields["purpose"] = "Review housing"
    meeting.step("opening").notes = "Client arrived late.\nWe agreed to keep it short."
    meeting.step("opening").state = StepState.DONE
    meeting.step("services").state = StepState.SKIPPED
    _referral(guide, meeting, "GP", "using", "weekly")
    _referral(guide, meeting, "Food bank", "problem")
    finalise(meeting, "Kim")
    add_addendum(meeting, "Phone number corrected.", "Lee")
    store.put_meeting(meeting)

    text = meeting_markdown(guide, store, store.meeting(meeting.id))
    lines = _lines(text)

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

    addenda = _section(text, "## Addenda")
    assert re.search(r"^\*\*\d{4}-\d\d-\d\d \d\d:\d\d, by Lee:\*\*\\$", addenda, re.M)
    assert "Phone number corrected." in addenda
    # Headings as a viewer sees them, in guide order, addenda last.
    assert [h for _, h in _headings(text)] == [
        "A-7 — first meeting, 2024-03-01 10:05",
        "Opening — done",
        "Services — skipped",
        "Addenda",
    ]


def test_draft_meeting_has_no_addenda_section(store: Store, guide: MeetingGuide) -> None:
    _, meeting = _first_meeting(store, guide)
    meeting.step("opening").notes = "Only a note."
    text = meeting_markdown(guide, store, meeting)
    assert "- **Status:** Not finalised (draft)" in _lines(text)
    assert "Finalised by" not in text
    assert "Addenda" not in text
    assert "- **Also present:** Sam (sister)" in _lines(text)


def test_checklist_shown_once_filled_with_bools_as_yes_no(store: Store, guide: MeetingGuide) -> None:
    _, meeting = _first_meeting(store, guide)
    rows = meeting.rows("rules", "rules")
    assert [r.values["area"] for r in rows] == ["Privacy", "Roles"]
    assert "Ground rules" not in "".join(h for _, h in _headings(meeting_markdown(guide, store, meeting)))

    rows[0].values["discussed"] = True
    text = meeting_markdown(guide, store, meeting)
    assert "## Ground rules — pending" in _lines(text)
    assert _tables(text) == [[["Area", "Discussed"], ["Privacy", "yes"], ["Roles", "no"]]]


def test_meeting_markdown_leaves_the_meeting_unchanged(store: Store, guide: MeetingGuide) -> None:
    _, meeting = _first_meeting(store, guide)
    meeting.steps.pop("outcomes")  # a step never opened has no record at all
    _referral(guide, meeting, "GP")
    finalise(meeting, "Kim")
    before = dump(meeting)
    meeting_markdown(guide, store, meeting)
    assert dump(meeting) == before
    store.put_meeting(meeting)
    client_markdown(guide, store, store.client(meeting.client_id))
    assert dump(store.meeting(meeting.id)) == before


def test_records_the_guide_no_longer_describes_are_kept(store: Store, guide: MeetingGuide) -> None:
    _, meeting = _first_meeting(store, guide)
    meeting.step("opening").fields["old_field"] = "kept answer"
    meeting.step("opening").lists["old_list"] = [
        new_row(meeting, guide.step("services").list_spec("referrals"), {"service": "kept row"})
    ]
    old = meeting.step("retired_step")
    old.notes = "kept note"
    old.fields["why"] = "kept field"
    text = meeting_markdown(guide, store, meeting)
    assert "**old\\_field:** kept answer" in _lines(text)
    assert "| kept row |  |  |" in _lines(text)
    assert "## retired\\_step (not in the current guide) — pending" in _lines(text)
    assert "**why:** kept field" in _lines(text) and "kept note" in _lines(text)


# --- user text stays literal ----------------------------------------------------------


def test_note_lines_that_look_like_markdown_stay_text(store: Store, guide: MeetingGuide) -> None:
    _, meeting = _first_meeting(store, guide)
    note = "\n".join(NASTY)
    meeting.step("opening").notes = note
    meeting.step("opening").fields["purpose"] = "# Not a heading either"
    text = meeting_markdown(guide, store, meeting)

    assert not any(line.startswith("# Not") for line in _lines(text))
    # As a viewer reads it: the only headings are ours, no HTML, no lists, quotes or code.
    assert [h for _, h in _headings(text)] == ["A-7 — first meeting, " + meeting.started.isoformat(" ", "minutes"),
                                               "Opening — pending"]
    kinds = {tok.type for tok in MD.parse(text)}
    for bad in ("html_block", "blockquote_open", "ordered_list_open", "code_block", "fence", "hr", "table_open"):
        assert bad not in kinds, bad
    inline = [child.type for tok in MD.parse(text) if tok.type == "inline" for child in tok.children or []]
    for bad in ("html_inline", "link_open", "image", "em_open", "strong_open", "code_inline"):
        if bad == "strong_open":
            continue  # our own "**Label:**" markup
        assert bad not in inline, bad
    # Every line of the note is still there, word for word, as the viewer shows it.
    shown = "\n".join(tok.content for tok in MD.parse(text) if tok.type == "inline")
    for line in NASTY:
        for part in line.split("\n"):
            assert part.strip() in _plain_text(shown), part


def _plain_text(markdown_inline: str) -> str:
    """Inline Markdown source as the text a viewer shows (backslash escapes resolved)."""
    return "".join(tok.content for tok in MD.parseInline(markdown_inline)[0].children if tok.type == "text")


@pytest.mark.parametrize("text", NASTY + ["\n".join(NASTY), "  a\n\n\n  b  \n c"])
def test_md_text_round_trips_as_one_literal_block(text: str) -> None:
    tokens = MD.parse(md_text(text))
    assert {t.type for t in tokens} <= {"paragraph_open", "inline", "paragraph_close"}
    children = [c for t in tokens if t.type == "inline" for c in t.children or []]
    assert {c.type for c in children} <= {"text", "hardbreak", "softbreak"}
    paragraphs = "\n\n".join(
        "".join(c.content if c.type == "text" else "\n" for c in (t.children or []))
        for t in tokens
        if t.type == "inline"
    )
    expected = "\n\n".join(
        "\n".join(line.strip() for line in block.split("\n") if line.strip())
        for block in re.split(r"\n\s*\n", text)
        if block.strip()
    )
    assert paragraphs == expected


@pytest.mark.parametrize("text", NASTY + ["a | b", "a \\| b", "two\nlines | here", "  - x  "])
def test_md_cell_is_one_literal_cell(text: str) -> None:
    cell = md_cell(text)
    assert "\n" not in cell
    table = _tables(f"| h | after |\n| --- | --- |\n| {cell} | end |\n")
    expected = " / ".join(line.strip() for line in text.strip().split("\n"))
    assert table[0][1][1] == "end"
    body = MD.parseInline(table[0][1][0])[0].children
    assert {c.type for c in body} <= {"text"}, body
    assert "".join(c.content for c in body) == expected



class _NoShortCut(str):
    """A str that md_text and md_cell take no short cut for: they clean and escape it in full."""


_PIECES = [
    "a", "Zz", "9", "10", "1.", "2)", " ", "  ", "\t", "\n", "\n\n", "\r\n", "-", "+", "=", ":", ",", ".", "'",
    '"', "(", ")", "/", "%", "!", "?", ";", "#", "*", "_", "`", "|", "\\", "<", ">", "[", "]", "{", "}", "~", "$",
    "&", "&amp;", "\x1b[31m", "\x07", "\x9b", "\u2028", "\u2029", "\xa0", "\u3000", "é", "—", "日本",
]


@pytest.mark.parametrize("seed", range(8))
def test_short_cuts_for_plain_text_change_nothing(seed: int) -> None:
    rng = random.Random(seed)
    texts = NASTY + ["", " ", "\n", "plain words", "plain\nlines\n\n  - and a dash", "1. first\n2) second "]
    texts += ["".join(rng.choices(_PIECES, k=rng.randint(1, 12))) for _ in range(400)]
    texts += ["".join(rng.choices(_PIECES[:20], k=rng.randint(1, 12))) for _ in range(400)]  # mostly plain
    for text in texts:
        assert md_text(text) == md_text(_NoShortCut(text)), repr(text)
        assert md_cell(text) == md_cell(_NoShortCut(text)), repr(text)


def test_pipe_in_a_cell_adds_no_column(store: Store, guide: MeetingGuide) -> None:
    _, meeting = _first_meeting(store, guide)
    _referral(guide, meeting, "Housing | legal aid", "using", "a|b\\|c\nsecond line")
    text = meeting_markdown(guide, store, meeting)
    row = next(line for line in _lines(text) if line.startswith("| Housing"))
    assert _unescaped_pipes(row) == 4  # three columns: | a | b | c |
    shown = [_plain_text(cell) for cell in _tables(text)[0][1]]
    assert shown == ["Housing | legal aid", "using", "a|b\\|c / second line"]


def test_terminal_control_sequences_never_reach_the_output(store: Store, guide: MeetingGuide) -> None:
    evil = "red\x1b[31mALERT\x1b[0m bell\x07 title\x1b]0;pwned\x07 c1\x9b2J nul\x00 del\x7f cr\rend"
    client = create_client(store, "Ctl", note=evil, others=[evil])
    meeting = start_meeting(store, guide, client, present=[evil])
    meeting.step("opening").notes = evil
    meeting.step("opening").fields["purpose"] = evil
    _referral(guide, meeting, evil, "using", evil)
    _action(guide, meeting, evil)
    finalise(meeting, evil)
    add_addendum(meeting, evil, evil)
    store.put_meeting(meeting)

    for text in (
        meeting_markdown(guide, store, meeting),
        client_markdown(guide, store, client),
        all_markdown(guide, store),
    ):
        assert "\x1b" not in text and "\x07" not in text
        assert "[31m" not in text and "[0m" not in text and "pwned" not in text
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
        assert "redALERT bell title c1 nul del cr" in text  # the words themselves survive


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
    lines = _lines(text)
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
    gp = _referral(guide, first, "GP")
    gp.added = date(2024, 1, 5)
    call = _action(guide, first, "Call the GP")
    call.added = date(2024, 1, 5)
    _action(guide, first, "Fill the form", done=True)
    first.step("outcomes").fields["next_meeting"] = "2024-02-01"
    finalise(first, "Kim")
    _dated(store, first, datetime(2024, 1, 5, 10))

    second = start_meeting(store, guide, client)
    assert [r.values["what"] for r in second.rows("outcomes", "actions")] == ["Call the GP"]
    _referral(guide, second, "Dentist").added = date(2024, 2, 1)
    _action(guide, second, "Book the dentist").added = date(2024, 2, 1)
    _action(guide, second, "Post the letter", done=True)
    second.step("outcomes").fields["next_meeting"] = "2024-03-01"
    _dated(store, second, datetime(2024, 2, 1, 10))

    text = client_markdown(guide, store, client)
    assert "- **Next meeting:** 2024-03-01" in _lines(text)

    actions = _section(text, "## Open action items")
    assert "Call the GP" in actions and "Book the dentist" in actions
    assert "Fill the form" not in actions and "Post the letter" not in actions
    assert _tables(actions) == [
        [["What", "By when", "Added"], ["Call the GP", "2024-07-01", "2024-01-05"],
         ["Book the dentist", "2024-07-01", "2024-02-01"]]
    ]

    carried = _section(text, "## Carried-forward lists")
    assert _tables(carried) == [
        [["Service", "Status", "Note", "Added"], ["GP", "using", "", "2024-01-05"], ["Dentist", "using", "", "2024-02-01"]]
    ]

    # In the second meeting, rows brought from the first say where they came from.
    later = _section(text, "## Acts — review, 2024-02-01 10:00")
    assert "| GP _(from 2024-01-05)_ | using |  |" in _lines(later)
    assert "| Call the GP _(from 2024-01-05)_ | 2024-07-01 | no |" in _lines(later)
    assert "| Dentist | using |  |" in _lines(later)
    earlier = _section(text, "## Acts — first meeting, 2024-01-05 10:00")
    assert "| GP | using |  |" in _lines(earlier)
    assert "(from" not in earlier
    assert "| Fill the form | 2024-07-01 | yes |" in _lines(earlier)


def test_client_without_meetings(store: Store, guide: MeetingGuide) -> None:
    client = create_client(store, "New", others=["Jo", "Al"])
    text = client_markdown(guide, store, client)
    assert "- **Significant others:** Jo, Al" in _lines(text)
    assert "- **Meetings:** none yet" in _lines(text)
    assert "Open action items" not in text


# --- everything ---------------------------------------------------------------------------


def test_all_clients_sorted_under_one_title(store: Store, guide: MeetingGuide) -> None:
    for code in ["charlie", "Alpha", "bravo"]:
        client = create_client(store, code)
        meeting = start_meeting(store, guide, client)
        meeting.step("opening").notes = f"notes of {code}"
        store.put_meeting(meeting)
    text = all_markdown(guide, store)
    lines = _lines(text)
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
    assert "2 clients, 5 meetings." in _lines(text)
    order = re.findall(r"^(One|Two) on (\w+)$", text, re.M)
    assert order == [("One", "February"), ("One", "April"), ("One", "June"), ("Two", "January"), ("Two", "May")]
    assert [line for line in _lines(text) if line.startswith("### ")] == [
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
    headings = _headings(text)
    start = headings.index((3, f"Shipped — first meeting, {meeting.started.isoformat(' ', 'minutes')}"))
    heads = [h for level, h in headings[start + 1 :] if level == 4]
    assert heads == [f"{md_cell(s.title)} — pending" for s in steps_of(guide, meeting)]
    for table in _tables(text):  # every table row has as many cells as its header
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
    client, meeting = _first_meeting(store, guide)
    _referral(guide, meeting, "GP")
    _action(guide, meeting, "Call the GP")
    store.put_meeting(meeting)
    expected_all, expected_client = all_markdown(guide, store), client_markdown(guide, store, client)

    def refuse(cls: type, *args: object, **kwargs: object) -> None:
        raise AssertionError("the export validated a meeting: that is what made it slow")

    monkeypatch.setattr(Meeting, "model_validate", classmethod(refuse))
    assert all_markdown(guide, store) == expected_all
    assert client_markdown(guide, store, client) == expected_client
    assert "| GP | using |  |" in _lines(expected_all)


def test_exports_leave_the_stored_records_unchanged(store: Store, guide: MeetingGuide) -> None:
    client, meeting = _first_meeting(store, guide)
    meeting.steps.pop("outcomes")  # a step never opened has no record at all
    _referral(guide, meeting, "GP")
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
    client, meeting = _first_meeting(store, guide)
    _referral(guide, meeting, "GP", "using", "weekly")
    _action(guide, meeting, "Call the GP")
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
    lines = _lines(alone)
    assert lines[0] == "### A-7 — first meeting, 2024-05-01 10:00"
    assert "- **Status:** Finalised by Kim on 2024-05-01 11:00+00:00" in lines
    assert "| GP _(from 2024-04-01)_ | using | weekly |" in lines
    assert "| 3 _(from 2024-04-01)_ | using |  |" in lines
