"""A label that says when the field or list under it has the keyboard.

Colour alone does not show focus: under NO_COLOR, or on a terminal with few colours, a
shade of background is lost. The label of the focused stop starts with a marker and is
drawn reversed, which every terminal shows.
"""

from __future__ import annotations

from textual.widgets import Label

MARK = "▶ "


class FocusLabel(Label):
    """The label of one focus stop; `target` is the id of the widget it names."""

    def __init__(self, text: str, *, target: str, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(text, id=id, classes=classes)
        self.text = text  # markup, without the marker
        self.target = target
        self.here = False

    def set_text(self, text: str) -> None:
        self.text = text
        self._show()

    def mark(self, here: bool) -> None:
        if here != self.here:
            self.here = here
            self._show()

    def _show(self) -> None:
        self.set_class(self.here, "-here")
        self.update((MARK if self.here else "") + self.text)
