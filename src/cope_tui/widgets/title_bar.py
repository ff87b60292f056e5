"""The title bar's words fitted to the terminal: what decides the next step stays whole.

A screen's title bar holds its title (which screen, which client), its subtitle (its
state: the meeting's clock, what is overdue) and the team sync's word (what to press,
F10 or F11). At 80 columns they do not always fit together, and cutting the end, as
Textual does, took the sync's word or the meeting's clock. Here the title gives way
first, down to a few cells that still name the client; then the subtitle's end.
"""

from __future__ import annotations

from textual.content import Content

TITLE_MIN = 10  # cells of a cut title, ellipsis included: a client's code still shows
SEPARATOR = " — "  # as Textual's App.format_title joins a title and its subtitle


def fit_title(title: str, sub_title: str, room: int) -> Content:
    """Title and subtitle as Textual's App.format_title shows them, in `room` cells."""
    head, tail = Content(title), Content(sub_title)
    if not tail:
        return head.truncate(max(room, TITLE_MIN), ellipsis=True) if head.cell_length > room else head
    over = head.cell_length + len(SEPARATOR) + tail.cell_length - room
    if over > 0:
        keep = max(head.cell_length - over, min(TITLE_MIN, head.cell_length))
        head = head.truncate(keep, ellipsis=True)
    content = Content.assemble(head, (SEPARATOR, "dim"), tail.stylize("dim"))
    if content.cell_length > room:  # even the cut title leaves no room: the subtitle's end goes
        content = content.truncate(max(room, TITLE_MIN), ellipsis=True)
    return content


def fits(title: str, sub_title: str, room: int) -> bool:
    """Do the subtitle (the meeting's clock) and the least of the title fit in `room`?"""
    head = min(TITLE_MIN, Content(title).cell_length)
    return head + (len(SEPARATOR) + Content(sub_title).cell_length if sub_title else 0) <= room
