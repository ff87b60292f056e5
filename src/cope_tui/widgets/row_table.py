"""A table of rows: `home` and `end` go to its first and last row.

Textual's DataTable gives `home` and `end` to columns (sideways), which a list with a
row cursor has no use for: both did nothing, and with a thousand clients or two thousand
open actions the only way down was page after page (`ctrl+home`/`ctrl+end` do it, but
few try them, and not every terminal sends them). Every row list of the app is one of
these, so the keys mean the same in all of them.
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
