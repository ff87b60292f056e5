"""Typed text stays literal in every export: Markdown, table pipes and terminal control
sequences typed into a note are shown as typed and never act."""

from __future__ import annotations

import random
import re

import pytest

from cope_tui.content.meeting_guide import MeetingGuide
from cope_tui.export.documents import all_markdown, client_markdown, md_cell, md_text, meeting_markdown
from cope_tui.meetings.rules import add_addendum, finalise
from cope_tui.session import create_client, start_meeting
from cope_tui.store.store import Store
from helpers.export_guide import (  # noqa: F401  (store and guide are fixtures)
    MD, NASTY, action_row, first_meeting, guide, md_headings, md_tables, plain_text, referral_row, store,
    text_lines, unescaped_pipes,
)


# --- user text stays literal ----------------------------------------------------------


def test_note_lines_that_look_like_markdown_stay_text(store: Store, guide: MeetingGuide) -> None:
    _, meeting = first_meeting(store, guide)
    note = "\n".join(NASTY)
    meeting.step("opening").notes = note
    meeting.step("opening").fields["purpose"] = "# Not a heading either"
    text = meeting_markdown(guide, store, meeting)

    assert not any(line.startswith("# Not") for line in text_lines(text))
    # As a viewer reads it: the only headings are ours, no HTML, no lists, quotes or code.
    assert [h for _, h in md_headings(text)] == ["A-7 — first meeting, " + meeting.started.isoformat(" ", "minutes"),
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
            assert part.strip() in plain_text(shown), part


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
    table = md_tables(f"| h | after |\n| --- | --- |\n| {cell} | end |\n")
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
    _, meeting = first_meeting(store, guide)
    referral_row(guide, meeting, "Housing | legal aid", "using", "a|b\\|c\nsecond line")
    text = meeting_markdown(guide, store, meeting)
    row = next(line for line in text_lines(text) if line.startswith("| Housing"))
    assert unescaped_pipes(row) == 4  # three columns: | a | b | c |
    shown = [plain_text(cell) for cell in md_tables(text)[0][1]]
    assert shown == ["Housing | legal aid", "using", "a|b\\|c / second line"]


def test_terminal_control_sequences_never_reach_the_output(store: Store, guide: MeetingGuide) -> None:
    evil = "red\x1b[31mALERT\x1b[0m bell\x07 title\x1b]0;pwned\x07 c1\x9b2J nul\x00 del\x7f cr\rend"
    client = create_client(store, "Ctl", note=evil, others=[evil])
    meeting = start_meeting(store, guide, client, present=[evil])
    meeting.step("opening").notes = evil
    meeting.step("opening").fields["purpose"] = evil
    referral_row(guide, meeting, evil, "using", evil)
    action_row(guide, meeting, evil)
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
