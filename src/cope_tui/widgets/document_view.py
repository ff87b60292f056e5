"""A previewed document (a summary, a report), drawn off the UI thread.

Textual's Markdown widget makes a widget of every block and lays them out on the UI
thread: a client's summary of 21 meetings (1,165 blocks) took 20 s to appear, and keys
waited up to 1.2 s at a time meanwhile. Rich draws the same text as lines in half a
second, in a worker; the view shows the lines it is given, so scrolling costs the
screen's height whatever the document's length. Links are written out as text:
nothing in a note opens anything.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.markdown import Markdown
from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

PLAIN = Style()


def document_lines(text: str, width: int) -> list[Strip]:
    """`text` (Markdown) as lines `width` cells wide: a console of its own, so a worker
    thread can draw while the app's console writes the screen."""
    console = Console(width=width, color_system="truecolor", force_terminal=True, file=io.StringIO(),
                      legacy_windows=False)
    lines = console.render_lines(Markdown(text, hyperlinks=False), console.options.update_width(width), pad=False)
    # Every segment with a style: Rich leaves some without one, and the filter Textual
    # draws with under NO_COLOR (Monochrome) reads each one's colour: the preview of any
    # summary stopped the app there.
    return [Strip([Segment(text, style or PLAIN, control) for text, style, control in line]) for line in lines]


class DocumentView(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    DocumentView { height: 1fr; padding: 0 1; scrollbar-gutter: stable; overflow-x: hidden; }
    """

    def __init__(self, placeholder: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = placeholder
        self._lines: list[Strip] = []
        self._width = 0

    def show(self, text: str) -> None:
        self.text = text
        self._width = 0
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.scrollable_content_region.width
        if width > 0 and width != self._width:
            self._width = width
            self._lines_for(self.text, width)

    @work(thread=True, exclusive=True, group="document")
    def _lines_for(self, text: str, width: int) -> None:
        lines = document_lines(text, width)
        self.app.call_from_thread(self._show_lines, text, width, lines)

    def _show_lines(self, text: str, width: int, lines: list[Strip]) -> None:
        if text != self.text or width != self._width:
            return  # a newer text or width is being drawn
        self._lines = lines
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def action_scroll_end(self) -> None:
        """End before the lines are drawn (a key pressed as the preview opens) holds the
        view at the bottom for when they come; scrolling up lets go."""
        self.anchor()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return self._lines[index].crop_extend(scroll_x, scroll_x + width, self.rich_style)
