"""The last step before the terminal: no line the app draws holds a hidden character.

Textual writes a widget's text to the terminal as it is; Rich only drops a few C0
controls. A client note holding "ESC ] 52 ; c ; ..." therefore set the clipboard, and
"ESC ] 0 ;" the window title. Rather than trusting every label, cell and toast to
have cleaned its text, a filter runs over every line of every widget once it is laid
out (Textual applies the app's line filters to each widget's lines), dropping what
`mdsafe.drop_hidden` drops. Those characters take no cell, so nothing moves.

Notifications often quote a client's code or a typed name: they are never read as
markup, so such text cannot become a link, a click action or a markup error.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from ..mdsafe import drop_hidden


class GuardedOutput:
    """App mixin: every widget's lines pass DropHidden; notifications are plain text."""

    _drop_hidden: DropHidden | None = None

    def get_line_filters(self) -> Sequence[LineFilter]:
        if self._drop_hidden is None:  # one instance: lines cache their filtered copy by filter
            self._drop_hidden = DropHidden()
        return [*super().get_line_filters(), self._drop_hidden]  # type: ignore[misc]

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None, markup=False) -> None:
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)  # type: ignore[misc]


class DropHidden(LineFilter):
    """Segments' text without controls, escape characters, bidi or zero-width characters."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if all(s.control or s.text.isprintable() for s in segments):  # nearly every line
            return segments
        out = []
        for segment in segments:
            if segment.control or segment.text.isprintable():
                out.append(segment)
                continue
            shown = drop_hidden(segment.text)
            if shown:  # an empty segment is not allowed in a line
                out.append(Segment(shown, segment.style))
        return out
