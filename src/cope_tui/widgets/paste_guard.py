"""Pasted text stays text, whatever escape codes it holds.

A terminal marks a paste (bracketed paste: ESC[200~ ... ESC[201~) so that the app takes
it as text, not keys. Textual's input parser (8.2) reads an ESC inside a paste as the
start of a key sequence and, not finding one, hands every character after it to the app
as key presses: coloured output copied from a terminal (`ESC[31m`) pasted into a note
became enter (which saved the form), then `x` and `y` on the screen below (which
discarded a draft meeting), and the words before the ESC arrived last, on another screen.

So the raw input is cleaned before the parser sees it: inside a paste, escape sequences
are dropped (they are not words, and the records never keep them); everything outside a
paste passes through untouched, a lone ESC key included. A marker or sequence cut across
two reads is held back until the rest arrives; only the inside of a paste is held.

Installed in the Linux driver (the one this app runs under, locally and over SSH) in
place of its parser; tests/app/test_paste_guard.py checks that it is still in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual._xterm_parser import XTermParser

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
# A whole sequence: CSI (ESC [ ... final), OSC and the like (ESC ] ... BEL or ESC \),
# SS3 (ESC O and one character: a function key's code, F1 is ESC O P), or ESC and one.
_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)|O.|[^\[\]P^_XO])", re.DOTALL)
# The start of a sequence that more input could finish: it runs to the end of what has come.
_UNFINISHED = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|[\]P^_X][^\x07\x1b]*\x1b?|O)?\Z")
HOLD_MOST = 4096  # an unfinished sequence inside a paste is held at most this long, then dropped
# Keys typed while the app starts reach the terminal before it is put in raw mode, and
# the terminal turns their enter into a line feed, which Textual reads as ctrl+j: a code
# and enter typed at once in Find client were left there, unopened. Outside a paste a
# line feed (or CR LF) is read as the enter it was, as a terminal in its usual mode reads it.
_LINE_END = re.compile(r"\r?\n")


# Control characters a paste has no use for (a bell, a backspace, XON/XOFF, 8-bit ones):
# the screen and the exports drop them, so the record kept text no one saw. Tab, line feed
# and carriage return are the paste's own layout, and stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]")


def defuse(text: str) -> str:
    """Pasted text without its escape sequences, nor any ESC left alone, nor a control
    character other than tab and the line ends."""
    return _CONTROL.sub("", _SEQUENCE.sub("", text).replace("\x1b", ""))


def _hold_from(text: str) -> int:
    """Where the rest of a read inside a paste waits for the next read, or -1.

    The text before it must clean as it would with the rest of the input: so hold from
    the first sequence that more input could finish, or that the start of an end marker
    belongs to (ESC ESC is a sequence, unless the second ESC begins ESC[201~)."""
    marker = text.rfind("\x1b")
    if marker >= 0 and not PASTE_END.startswith(text[marker:]):
        marker = -1
    at = text.find("\x1b")
    while at >= 0:
        whole = _SEQUENCE.match(text, at)
        end = whole.end() if whole is not None else at + 1
        if at == marker or (whole is not None and at < marker < end):
            return at
        if whole is None and _UNFINISHED.match(text, at):
            return at
        at = text.find("\x1b", end)
    return -1


class PasteSafeParser(XTermParser):
    """XTermParser fed through `_clean`: a paste reaches it with no ESC inside."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._pasting = False
        self._held = ""  # inside a paste: the start of a marker or sequence cut by a read
        self._tail = ""  # outside: the end of the last read, for a start marker cut in two

    def feed(self, data: str) -> Iterable:
        if not data:  # the end of input
            return super().feed(data)
        cleaned = self._clean(data)
        return super().feed(cleaned) if cleaned else ()  # ("" would tell the parser the input ended)

    def _clean(self, data: str) -> str:
        out: list[str] = []
        text, self._held = self._held + data, ""
        while text:
            if not self._pasting:
                text = self._outside(text, out)
            else:
                text = self._inside(text, out)
        return "".join(out)

    def _outside(self, text: str, out: list[str]) -> str:
        """Passed on as it is, up to and with a paste's start marker; a line feed is an
        enter (below)."""
        seen = self._tail + text
        found = seen.find(PASTE_START)
        if found < 0:
            out.append(_LINE_END.sub("\r", text))
            self._tail = seen[-(len(PASTE_START) - 1) :]
            return ""
        end = found + len(PASTE_START) - len(self._tail)  # in `text`
        out.append(_LINE_END.sub("\r", text[:end]))
        self._pasting, self._tail = True, ""
        return text[end:]

    def _inside(self, text: str, out: list[str]) -> str:
        """The paste cleaned, up to and with its end marker; an unfinished sequence held."""
        found = text.find(PASTE_END)
        if found >= 0:
            out.append(defuse(text[:found]) + PASTE_END)
            self._pasting = False
            return text[found + len(PASTE_END) :]
        start = _hold_from(text)
        if start >= 0 and len(text) - start < HOLD_MOST:
            text, self._held = text[:start], text[start:]
        out.append(defuse(text))
        return ""


def install() -> None:
    """The Linux driver builds its parser from this module name when its input starts."""
    from textual.drivers import linux_driver

    linux_driver.XTermParser = PasteSafeParser  # type: ignore[misc]
