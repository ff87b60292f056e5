"""A yes/no field whose state reads in words, not only in colour.

Textual's Checkbox draws the same "X" whether it is on or off and tells them apart by
colour alone: with NO_COLOR, in a greyscale or 16-colour terminal, or for a reader who
does not see the difference, "discussed" and "not discussed" looked the same. This one
leaves the box empty when off and says "yes" or "no" beside it.
"""

from __future__ import annotations

from textual.widgets import Checkbox


class YesNo(Checkbox):
    def __init__(self, value: bool = False, **kwargs) -> None:
        super().__init__(_word(value), value, **kwargs)

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Checkbox reads it from self
        return "X" if self.value else " "

    def watch_value(self) -> None:
        self.label = _word(self.value)
        super().watch_value()


def _word(value: bool) -> str:
    return "yes" if value else "no"
