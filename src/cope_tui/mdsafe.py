"""Users' text made safe for Markdown and for the terminal: the one sanitiser.

Every string a user typed goes through `md_text` (paragraphs) or `md_cell` (table
cells) before it reaches an export: Markdown punctuation is escaped so a note that
starts with '#' or holds '|' stays text, and terminal control sequences are removed.
The app's screens drop the same characters from every line they draw (`drop_hidden`,
applied by widgets/terminal_guard.py), and names that identify a record refuse them
where they are typed (`refuse_hidden`).

Hidden here means: a control character a terminal acts on (C0 but tab and newline,
DEL, C1), a bidi control that reorders what is shown (a right-to-left override turned
a SHA-256 round on the page), or a zero-width character that hides text or tells two
equal-looking names apart. A zero-width joiner inside an emoji sequence is part of the
emoji and stays.
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
# C0 except tab and newline, DEL, C1; the Arabic letter mark, zero-width space and
# non-joiner, left-to-right and right-to-left marks, embeddings and overrides (202A-E),
# word joiner and invisible operators, isolates (2066-9), deprecated format controls,
# byte-order mark, interlinear annotation marks.
_HIDDEN_CHARS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200c\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
)
# Pictographs, dingbats and variation selector 16: what a zero-width joiner may join.
_EMOJI = "\u2600-\u27bf\ufe0f\U0001f000-\U0001faff"
_LONE_JOINER = f"(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])"
_CONTROL = re.compile(f"[{_HIDDEN_CHARS}]|{_LONE_JOINER}")
_NEEDS_CLEANING = re.compile(f"[{_HIDDEN_CHARS}\u2028\u2029]|{_LONE_JOINER}")
# On a terminal line tab and newline are controls too: the widget has laid the text out.
_OFF_SCREEN = re.compile(f"[{_HIDDEN_CHARS}\t\n\u2028\u2029]|{_LONE_JOINER}")
_SPACE = re.compile(r"\s+")

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


def one_line(text: object) -> str:
    """`text` cleaned and on one line, runs of white space as one space: for short
    mentions of stored or file text (a search snippet, a lock file's host)."""
    return _SPACE.sub(" ", clean(text)).strip()


def drop_hidden(text: str) -> str:
    """`text` without a hidden character, a tab or a newline, each dropped on its own.

    For text a widget has already laid out: these characters take no cell, so dropping
    them moves nothing; what is left of an escape sequence ("]0;title") shows as text."""
    if text.isprintable():  # the common case, checked in C: no control or format character
        return text
    return _OFF_SCREEN.sub("", text)


def refuse_hidden(text: str, what: str) -> None:
    """Raise ValueError naming the first hidden character (or tab, newline) in `text`.

    For names that identify a record (a client's code, a site, a team): two names that
    look the same must be the same name, and a name must not drive the terminal."""
    found = _OFF_SCREEN.search(text)
    if found is None:
        return
    # Its place rather than the text around it: the message is shown where markup is read.
    raise ValueError(
        f"{what} cannot hold control or invisible characters: character {found.start() + 1} is "
        f"U+{ord(found.group()[0]):04X}. Type it again without it (pasted text often brings them along)."
    )


def _md_clean(text: object) -> str:
    """Cleaned for Markdown, where a tab is a control character as well: one space."""
    text = clean(text)
    return text.replace("\t", " ") if "\t" in text else text


def md_text(text: object) -> str:
    """User text as literal Markdown paragraphs; its line breaks are kept as hard breaks."""
    if type(text) is str:
        if _PLAIN.fullmatch(text):
            return text.rstrip()
        if not _PLAIN_LINES.fullmatch(text):  # else there is nothing to clean or escape within lines
            text = _escape_inline(_md_clean(text))
    else:
        text = _escape_inline(_md_clean(text))
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
    text = _md_clean(text).strip()
    if "\n" in text:
        text = _CELL_BREAK.sub(" / ", text)
    return _escape_start(_escape_inline(text))


