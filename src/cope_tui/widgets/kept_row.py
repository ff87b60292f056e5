"""A list drawn again with the same record highlighted, or changed in place.

A list a sync adds rows to (a client's meetings, the exercises) is drawn again in full,
and a new row may come above the highlighted one (newest first): enter must then still
open the record the user was on, not the one that moved under the cursor.

A list redrawn after each key (an answer, a tick, a stamp, a clock's tick) keeps its
rows and changes only its cells: a DataTable cleared goes back to its top until the
cursor is put back, a frame later, and a long list flickered at every key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable


def refill(table: DataTable, rows: Sequence[tuple[str, Sequence[object]]]) -> None:
    """Show `rows` as (key, cells) under the table's columns, in place when only cells
    changed; the row highlighted before stays highlighted by its key, or the cursor
    keeps its place when that row is gone."""
    keep = table.cursor_row
    kept = table.coordinate_to_cell_key((keep, 0)).row_key.value if table.row_count else None
    if not _in_place(table, rows):
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
    keys = [key for key, _cells in rows]
    if keys:
        table.move_cursor(row=keys.index(kept) if kept in keys else min(max(keep, 0), len(keys) - 1))


def _in_place(table: DataTable, rows: Sequence[tuple[str, Sequence[object]]]) -> bool:
    """Only the cells that differ changed, when the table holds these rows (the same
    keys, in order); False, and nothing done, otherwise."""
    if [row.key.value for row in table.ordered_rows] != [key for key, _ in rows]:
        return False
    columns = table.ordered_columns
    for index, (_key, cells) in enumerate(rows):
        for column, (old, new) in enumerate(zip(table.get_row_at(index), cells, strict=True)):
            if not _same(old, new):
                table.update_cell_at(Coordinate(index, column), new, update_width=columns[column].auto_width)
    return True


@dataclass(frozen=True)
class Column:
    label: str
    width: int | None = None  # None: as wide as its cells
    key: str | None = None  # None: the label

    @property
    def name(self) -> str:
        return self.key or self.label


def _same(a: object, b: object) -> bool:
    """Rich's Text compares its words and spans, not its style: "–" dim and "–" plain
    would be equal, and the new style never drawn."""
    if isinstance(a, Text) and isinstance(b, Text):
        return (a.plain, str(a.style), a.spans) == (b.plain, str(b.style), b.spans)
    return type(a) is type(b) and a == b


def _shown(table: DataTable) -> list[tuple[str, int | None, str | None]]:
    return [(c.label.plain, None if c.auto_width else c.width, c.key.value) for c in table.ordered_columns]


def redraw_rows(table: DataTable, columns: Sequence[Column], rows: Sequence[tuple[str, Sequence[object]]]) -> None:
    """Draw `rows` (key, cells) under `columns`. When the table already has these columns
    and rows (the same keys, in order), only the cells that differ are changed: clearing
    it scrolled it to the top for a frame, so each answer typed low in a long list made
    it flicker. Otherwise it is built again; the caller puts the cursor back."""
    wanted = [(column.label, column.width, column.name) for column in columns]
    if _shown(table) == wanted and _in_place(table, rows):
        return
    table.clear(columns=True)
    for column in columns:
        table.add_column(column.label, width=column.width, key=column.name)
    for key, cells in rows:
        table.add_row(*cells, key=key)
