"""widgets/paste_guard.py: the input a terminal sends, split across reads anywhere, gives
the keys typed around a paste and the paste as one text without escape codes (Textual's
own parser turned what followed an ESC in a paste into key presses)."""

from __future__ import annotations

import time

from hypothesis import example, given, settings
from hypothesis import strategies as st
from textual import events
from textual._xterm_parser import XTermParser
from textual.drivers import linux_driver

from cope_tui.widgets.paste_guard import PASTE_END, PASTE_START, PasteSafeParser, defuse

PIECES = st.sampled_from(["a", "Z", " ", "\n", "é", "\x1b", "[", "]", "31", "m", ";", "\x07", "\\", "~", "200", "201", "O", "P"])


def _events(parser, chunks: list[str], *, wait: bool = False) -> list[tuple[str, str]]:
    found = []
    for chunk in chunks:
        found += list(parser.feed(chunk))
    if wait:
        time.sleep(0.11)  # a lone ESC is a key once the escape delay has passed
        found += list(parser.tick())
    return [("paste", e.text) if isinstance(e, events.Paste) else ("key", e.key) for e in found]


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(alphabet="abc ", max_size=4),
    content=st.lists(PIECES, max_size=20).map("".join),
    after=st.text(alphabet="xyz", max_size=4),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=3),
)
@example(before="", content="31\x1b\x1ba", after="", cuts=[10])  # ESC | ESC a: one sequence cut in two
@example(before="", content="\x1b", after="", cuts=[8])  # ESC ESC | [201~: the end marker wins
def test_a_paste_is_one_text_without_escapes_however_the_input_is_cut(before, content, after, cuts):
    while PASTE_END in content:  # (taking one out can make another)
        content = content.replace(PASTE_END, "")
    data = before + PASTE_START + content + PASTE_END + after
    bounds = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    chunks = [data[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
    found = _events(PasteSafeParser(), chunks)
    keys = lambda text: [("key", "space" if c == " " else c) for c in text]  # noqa: E731
    assert found == keys(before) + [("paste", defuse(content))] + keys(after)
    assert all("\x1b" not in text for kind, text in found if kind == "paste")


def test_keys_outside_a_paste_are_read_as_textual_reads_them():
    typed = ["a", "\x1b[A", "\x1bOR", "\x1b", "\r", "\x0e", "b"]
    assert _events(PasteSafeParser(), typed, wait=True) == _events(XTermParser(), typed, wait=True)


def test_the_app_factory_puts_it_in_the_terminal_driver(tmp_path):
    from cope_tui.app import create_app
    from cope_tui.session import Session

    session = Session.open(tmp_path / "cope.json")
    try:
        create_app(session)
        assert linux_driver.XTermParser is PasteSafeParser
    finally:
        session.close()


def test_a_function_key_code_in_a_paste_leaves_no_letter_behind():
    """ESC O P (F1 in many terminals) pasted left a stray "P" in the text."""
    assert defuse("before\x1bOPafter") == "beforeafter"
    data = PASTE_START + "a\x1bO"
    parser = PasteSafeParser()
    found = list(parser.feed(data)) + list(parser.feed("Pb" + PASTE_END))
    assert [e.text for e in found if isinstance(e, events.Paste)] == ["ab"]


def test_a_line_feed_outside_a_paste_is_an_enter_and_inside_one_a_new_line():
    """An enter typed before the app had the terminal arrives as a line feed (ctrl+j)."""
    found = _events(PasteSafeParser(), ["C-1\n", "x\r\n", PASTE_START + "two\nlines" + PASTE_END])
    assert found == [("key", "C"), ("key", "minus"), ("key", "1"), ("key", "enter"), ("key", "x"), ("key", "enter"),
                     ("paste", "two\nlines")]


def test_a_paste_keeps_no_control_character_but_its_tabs_and_lines():
    """A bell, a backspace, XON and an 8-bit CSI from a paste were kept in the notes,
    though neither the screen nor an export shows them."""
    found = _events(PasteSafeParser(), [PASTE_START + "here\x07 bell\x08\tA\x11B\x0eC\x7f\x9b\nend" + PASTE_END])
    assert found == [("paste", "here bell\tABC\nend")]
