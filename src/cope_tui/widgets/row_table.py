"""A table of rows: `home` and `end` go to its first and last row.

Textual's DataTable gives `home` and `end` to columns (sideways), which a list with a
row cursor has no use for: both did nothing, and with a thousand clients or two thousand
open actions the only way down was page after page (`ctrl+home`/`ctrl+end` do it, but
few try them, and not every terminal sends them). Every row list of the app is one of
these, so the keys mean the same in all of them.

A long list is filled a screenful first and the rest a moment later (`fill_started`,
`rest_added`): `end` pressed in between means the last row of the whole list, not of
the screenful.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable


class RowTable(DataTable):
    """A DataTable of rows; `home`/`end` move the cursor to the first/last row."""

    # DataTable's own actions for ctrl+home / ctrl+end, which move the row cursor.
    BINDINGS = [
        Binding("home", "scroll_top", "First row", show=False, id="rows.first"),
        Binding("end", "scroll_bottom", "Last row", show=False, id="rows.last"),
    ]

    rows_to_come = False  # its owner adds the rest of a long list shortly
    _end_row: int | None = None  # where `end` left the cursor while rows were to come

    def fill_started(self, rest_to_come: bool) -> None:
        """A new fill: an `end` pressed during an older one is forgotten with its rows."""
        self.rows_to_come, self._end_row = rest_to_come, None

    def action_scroll_bottom(self) -> None:
        super().action_scroll_bottom()
        self._end_row = self.cursor_row if self.rows_to_come else None

    def rest_added(self) -> None:
        """The owner has added the rest: a cursor still where `end` put it goes on down."""
        end_row, self._end_row, self.rows_to_come = self._end_row, None, False
        if end_row is not None and self.cursor_row == end_row:
            super().action_scroll_bottom()
