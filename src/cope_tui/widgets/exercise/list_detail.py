"""Sections made of a list of entries over the detail of the highlighted one.

Client interviews (their questions) and reviewed records (their checklist) move,
redraw and delete the same way; this base does that once, and each panel says only
where its entries live and how to draw them.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.widgets import DataTable

from ...dialogs.confirm import Confirm
from .panel import ExercisePanel


class ListDetailPanel(ExercisePanel):
    LIST_ID = ""  # the entries' table
    DETAIL_ID = ""  # the highlighted entry's table
    EDITING: tuple[str, ...] = ("add", "delete")  # refused while read-only
    ON_DETAIL: tuple[str, ...] = ()  # act on the highlighted detail row: offered only there

    _shown_id: str | None = None

    # -- what a subclass provides ---------------------------------------------------

    def entries(self) -> list[Any]:
        raise NotImplementedError

    def _fill_list(self, select: int | None = None) -> None:
        raise NotImplementedError

    def _fill_detail(self, keep: int) -> None:
        raise NotImplementedError

    def _show_detail(self) -> None:
        raise NotImplementedError

    def detail_selected(self) -> None:
        """Enter on a detail row; nothing by default."""

    def delete_question(self, entry: Any) -> tuple[str, str]:
        """(question, title) asked before an entry is deleted."""
        raise NotImplementedError

    # -- shared behaviour -----------------------------------------------------------

    @property
    def _list(self) -> DataTable:
        return self.query_one(f"#{self.LIST_ID}", DataTable)

    @property
    def _detail(self) -> DataTable:
        return self.query_one(f"#{self.DETAIL_ID}", DataTable)

    @property
    def current(self) -> Any | None:
        entries = self.entries()
        if not entries:
            return None
        return entries[max(0, min(self._list.cursor_row, len(entries) - 1))]

    def on_mount(self) -> None:
        self._fill_list(len(self.entries()) - 1)

    def focus_default(self) -> None:
        """Called by the exercise screen on opening the section: the latest entry's detail
        takes the keys, or the list while it is empty."""
        self.screen.set_focus(self._detail if self.entries() else self._list)

    def redraw(self) -> None:
        """The cursor stays on the entry it was on, wherever the team's entries put it: a
        sync that brought a colleague's interview 4 before this worker's 3 left the cursor
        on the row, now theirs, and the answers typed next went into their interview."""
        ids = [entry.id for entry in self.entries()]
        self._fill_list(ids.index(self._shown_id) if self._shown_id in ids else None)

    def on_resize(self) -> None:
        self._fill_detail(self._detail.cursor_row)

    def _show_current(self) -> None:
        """Show the highlighted entry's detail, from the top if it is another entry."""
        entry = self.current
        shown = entry.id if entry else None
        same, self._shown_id = shown == self._shown_id, shown
        self._fill_detail(self._detail.cursor_row if same else 0)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.data_table is self._list:
            self._show_current()
        elif event.data_table is self._detail:
            self._show_detail()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        """Enter on an entry moves on to its detail; on a detail row it is the panel's."""
        event.stop()
        if event.data_table is self._list:
            self.screen.set_focus(self._detail)
        elif event.data_table is self._detail:
            self.detail_selected()

    def _saved(self) -> None:
        """Every change: tell the screen, then redraw without moving either cursor."""
        self.changed()
        self._fill_list()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refuse_read_only":
            return self.read_only
        if self.read_only and (action in self.EDITING or action in self.ON_DETAIL):
            return False
        if action in self.ON_DETAIL:
            if self.screen.focused is not self._detail:
                return False
            return None if self.current is None else True
        if action == "delete" and not self.entries():
            return None  # shown dimmed: nothing to delete yet
        return True

    def action_refuse_read_only(self) -> None:
        self.refuse_if_read_only()

    def action_delete(self) -> None:
        if self.refuse_if_read_only():
            return
        entry = self.current
        if entry is None:
            return
        entries = self.entries()

        def answered(yes: bool | None) -> None:
            if not yes or entry not in entries:
                return
            at = entries.index(entry)
            entries.remove(entry)
            self.changed()
            self._fill_list(max(0, at - 1) if at >= len(entries) else at)

        question, title = self.delete_question(entry)
        self.app.push_screen(Confirm(question, title=title), answered)
