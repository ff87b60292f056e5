"""The scroll around a previewed document (a summary, a report, a handover).

Textual lays a long Markdown document out in batches, after it has been built: a client
with many meetings takes seconds. End pressed meanwhile went to the end of what was laid
out so far, a table in the middle of the summary, which read as the end of the document.
Here End anchors the view to the bottom instead: it follows the document as it grows,
until the user scrolls up (Textual lets go of the anchor then).
"""

from __future__ import annotations

from textual.containers import VerticalScroll


class DocumentScroll(VerticalScroll):
    def action_scroll_end(self) -> None:
        self.anchor()
