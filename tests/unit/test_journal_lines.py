"""A journal's lines are cut from the file one at a time (a list of them all was a second
copy of the file: 500 MB for the sync state of 50,000 meetings), numbered and judged
exactly as before: only bytes after the last newline may be a line a kill cut short."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cope_tui.store.diskio import _each_line


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"{}", b"\n", b" ", b"xyz"]), max_size=12).map(b"".join))
def test_lines_are_numbered_and_ended_as_a_split_numbers_them(raw: bytes) -> None:
    lines = raw.split(b"\n")
    expected = [(number, line, number < len(lines)) for number, line in enumerate(lines, 1)]
    assert list(_each_line(raw)) == expected


def test_lines_are_cut_as_they_are_read() -> None:
    raw = b"first\n" * 3 + b"torn"
    lines = _each_line(raw)
    assert next(lines) == (1, b"first", True)  # a generator: no list of every line first
    assert list(lines)[-1] == (4, b"torn", False)
