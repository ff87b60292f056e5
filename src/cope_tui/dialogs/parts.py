"""Small parts every UI layer shares: the next field, a typed date, text cut to a cell.

They live here because dialogs are the lowest UI layer: dialogs, widgets and screens
can all import them, and this module imports nothing of the UI's.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, set_cell_size
from textual.validation import ValidationResult, Validator
from textual.widget import Widget

from ..records import parse_date

DATE_PLACEHOLDER = "YYYY-MM-DD, today, +7, +2w"
_NOT_A_SPACE = re.compile(r"[^\S ]")  # line breaks, tabs: whitespace a one-line cell cannot show
COMMA_LIST = "comma-list"  # a one-line field holding a list: pasted lines join with commas (widgets/one_line_paste.py)


def focus_after(widget: Widget) -> None:
    """Focus the field after `widget`, not after whatever has focus by now.

    Enter in a field posts a message that is handled a moment later; a second Enter
    typed (or pasted) in that moment reaches the same field. Moving on from the field
    that was submitted, rather than from the current focus, makes the second Enter
    land where the typist meant instead of skipping a field.
    """
    chain = widget.screen.focus_chain
    if widget in chain:
        at = chain.index(widget)
        if at + 1 < len(chain):
            widget.screen.set_focus(chain[at + 1])
            return
    widget.screen.focus_next()


class DateText(Validator):
    """Accepts what `parse_date` accepts, or nothing (no date yet, or left to the caller)."""

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.success()
        try:
            parse_date(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


def clip(text: str, width: int) -> str:
    """One line of at most `width` terminal cells, ending in "…" when cut.

    Cells, not characters: a CJK character or an emoji takes two, so counting len()
    let such text spill over its column. Line breaks and tabs become spaces; runs of
    spaces stay, since some callers pad with them to line up columns.
    """
    text = _NOT_A_SPACE.sub(" ", text)
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    kept = set_cell_size(text, width - 1)
    if not text.startswith(kept):  # a wide character did not fit: no padding before the "…"
        kept = kept[:-1]
    return kept + "…"
