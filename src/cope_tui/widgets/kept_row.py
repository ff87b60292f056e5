"""A list drawn again with the same record highlighted.

A list a sync adds rows to (a client's meetings, the exercises) is drawn again in full,
and a new row may come above the highlighted one (newest first): enter must then still
open the record the user was on, not the one that moved under the cursor.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import DataTable


def refill(table: DataTable, rows: Sequence[tuple[str, Sequence[object]]]) -> None:
    """Clear `table` and add `rows` as (key, cells); the row highlighted before stays
    highlighted by its key, or the cursor keeps its place when that row is gone."""
    keep = table.cursor_row
    kept = table.coordinate_to_cell_key((keep, 0)).row_key.value if table.row_count else None
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    keys = [key for key, _cells in rows]
    if keys:
        table.move_cursor(row=keys.index(kept) if kept in keys else min(max(keep, 0), len(keys) - 1))
