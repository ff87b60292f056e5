"""A small meeting guide, a store, and readers of Markdown, for the export tests
(tests/unit/test_export*.py): outputs are read as a Markdown viewer would read them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from cope_tui.content.meeting_guide import MeetingGuide, parse_meeting_guide
from cope_tui.meetings.models import Client, Meeting, MeetingMode
from cope_tui.meetings.rules import new_row
from cope_tui.session import create_client, start_meeting
from cope_tui.store.store import Store

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


def referral_row(guide: MeetingGuide, meeting: Meeting, service: str, status: str = "using", note: str = ""):
    spec = guide.step("services").list_spec("referrals")
    row = new_row(meeting, spec, {"service": service, "status": status, "note": note})
    meeting.rows("services", "referrals").append(row)
    return row


def action_row(guide: MeetingGuide, meeting: Meeting, what: str, *, done: bool = False):
    spec = guide.step("outcomes").list_spec("actions")
    row = new_row(meeting, spec, {"what": what, "due": "2024-07-01", "done": done})
    meeting.rows("outcomes", "actions").append(row)
    return row


def text_lines(text: str) -> list[str]:
    return text.split("\n")


def md_section(text: str, heading: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(heading + "\n")
    rest = text[start + len(heading) + 1 :]
    stop = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[: stop.start()] if stop else rest


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)(?:\\\\)*\|", line))


def md_tables(text: str) -> list[list[list[str]]]:
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


def md_headings(text: str) -> list[tuple[int, str]]:
    tokens = MD.parse(text)
    return [
        (int(tok.tag[1]), tokens[i + 1].content) for i, tok in enumerate(tokens) if tok.type == "heading_open"
    ]


def first_meeting(store: Store, guide: MeetingGuide, code: str = "A-7") -> tuple[Client, Meeting]:
    client = create_client(store, code, note="Prefers mornings.", others=["Sam (sister)"])
    meeting = start_meeting(store, guide, client, mode=MeetingMode.PHONE, present=["Sam (sister)"])
    return client, meeting


def plain_text(markdown_inline: str) -> str:
    """Inline Markdown source as the text a viewer shows (backslash escapes resolved)."""
    return "".join(tok.content for tok in MD.parseInline(markdown_inline)[0].children if tok.type == "text")
