"""Users' text made safe for Markdown and for the terminal.

Every string a user typed goes through `md_text` (paragraphs) or `md_cell` (table
cells) before it reaches an export: Markdown punctuation is escaped so a note that
starts with '#' or holds '|' stays text, and terminal control sequences are removed.
"""

from __future__ import annotations

import re

# Whole escape sequences go, not just the ESC, so no "[31m" debris is left behind.
_ESCAPE_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI: colours, cursor moves, erase
    r"|\x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other ESC sequence, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit strings
)
# C0 except tab and newline, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")

# Characters that mean something to Markdown (CommonMark, GFM, and common
# extensions such as pandoc attributes and math) anywhere in a line. The
# backslash comes first so the escapes added after it are not escaped again.
_INLINE = tuple((c, "\\" + c) for c in "\\`*_{}[]<>|~$#")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z])")
# At the start of a line these begin a list, a setext underline or a definition.
_LEAD_MARKS = frozenset("+=:-")
_LEAD_NUMBER = re.compile(r"[0-9]{1,9}(?=[.)])")
_CELL_BREAK = re.compile(r"[ \t]*\n\s*")
# One line that needs no escaping at all: the common case for short answers and
# cells. It holds no control character, no Markdown punctuation, and does not
# start with a space, a block marker or "1." / "1)".
_PLAIN = re.compile(r"(?![0-9]{1,9}[.)]|[-+=: ])[A-Za-z0-9 ,.;:!?'\"()/%-]*")
# Lines of such text, starting however they like: the common case for notes.
_PLAIN_LINES = re.compile(r"[A-Za-z0-9 ,.;:!?'\"()/%\n-]*")


def _escape_inline(text: str) -> str:
    for char, escaped in _INLINE:  # str.replace beats translate and re.sub many times over
        if char in text:
            text = text.replace(char, escaped)
    if "&" in text:
        text = _ENTITY.sub(r"\\&", text)
    return text


def _escape_start(line: str) -> str:
    """Make a block marker at the start of a line ("- ", "+ ", "1. ", "===") literal."""
    first = line[:1]
    if first in _LEAD_MARKS:
        return "\\" + line
    if first.isdigit():
        number = _LEAD_NUMBER.match(line)
        if number:  # escape the dot of "1." rather than the number
            return f"{number.group()}\\{line[number.end() :]}"
    return line


def clean(text: object) -> str:
    """`text` without terminal control characters or escape sequences; tabs and newlines stay."""
    text = text if isinstance(text, str) else str(text)
    if _NEEDS_CLEANING.search(text) is None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _CONTROL.sub("", _ESCAPE_SEQ.sub("", text))


def md_text(text: object) -> str:
    """User text as literal Markdown paragraphs; its line breaks are kept as hard breaks."""
    if type(text) is str:
        if _PLAIN.fullmatch(text):
            return text.rstrip()
        if not _PLAIN_LINES.fullmatch(text):  # else there is nothing to clean or escape within lines
            text = _escape_inline(clean(text))
    else:
        text = _escape_inline(clean(text))
    out: list[str] = []
    blank = False
    for line in text.split("\n"):
        # Leading indentation would make a code block; Markdown drops it in paragraphs anyway.
        line = line.strip(" \t")
        if not line:
            blank = True
            continue
        if out:
            out.append("\n\n" if blank else "\\\n")  # paragraph break, or hard line break
        blank = False
        out.append(_escape_start(line))
    return "".join(out)


def md_cell(text: object) -> str:
    """User text as one literal line: a table cell, heading or list item; newlines become ' / '."""
    if type(text) is str and _PLAIN.fullmatch(text):
        return text.rstrip()
    text = clean(text).strip()
    if "\n" in text:
        text = _CELL_BREAK.sub(" / ", text)
    return _escape_start(_escape_inline(text))


