"""The team's conflicts, both versions side by side, one to choose per conflict.

Nothing is chosen by opening, moving or closing: only `h` (keep the version here) or
`t` (take the other one) settles the highlighted conflict, and until then both stay.
The dialog only answers which; the app settles it off the UI thread.

Each side reads as the worker typed it (sync/shown.py) and scrolls, both together, with
pgdn and pgup: a long note is read to its end before it is chosen. The sides take half
the terminal's height (dialogs.tcss): 12 rows at 80x24, more where there is room.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..mdsafe import one_line
from ..sync.engine import Conflict
from ..sync.runner import describe
from ..sync.shown import readable
from .base import Dialog

Choice = tuple[str, str]  # (conflict id, how: "keep", "take" the other, or "both" texts)


class ConflictList(OptionList):
    """The conflicts, at most six rows: its page keys scroll the two versions instead (a
    priority key on the dialog would be one the notes editor owns, README "Keys")."""

    BINDINGS = [
        Binding("pagedown", "screen.scroll_sides(1)", show=False),
        Binding("pageup", "screen.scroll_sides(-1)", show=False),
    ]


class ConflictsDialog(Dialog[Choice | None]):
    BINDINGS = [
        Binding("h", "choose('keep')", "Keep this version", id="conflicts.keep"),
        Binding("t", "choose('take')", "Take the other", id="conflicts.take"),
        Binding("b", "choose('both')", "Both texts, this one first", id="conflicts.both"),
        # The list has the focus and gives its page keys to these too (ConflictList).
        Binding("pagedown,]", "scroll_sides(1)", "Scroll both down", id="conflicts.down"),
        Binding("pageup,[", "scroll_sides(-1)", "Scroll both up", id="conflicts.up"),
        Binding("escape", "close", "Close", id="conflicts.close"),
    ]

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__()
        self.conflicts = conflicts

    def compose(self) -> ComposeResult:
        with Vertical(id="conflicts-dialog", classes="frame") as dialog:
            dialog.border_title = f"Conflicts ({len(self.conflicts)})"
            if not self.conflicts:
                yield Static("No conflicts: every record is the same here and in the team.", id="conflicts-none")
            else:
                # Content, not markup: a client's code is typed text and may hold brackets.
                # No option ids: the row's index names its conflict, and an id seen twice
                # (a state written before ids were made unique) would stop the app here.
                options = (Option(Content(one_line(describe(c, named=True)))) for c in self.conflicts)
                yield ConflictList(*options, id="conflicts-list")
                with Horizontal(id="conflicts-sides"):
                    for side in ("here", "there"):
                        with VerticalScroll(id=f"conflicts-{side}-side", classes="conflicts-side", can_focus=False):
                            yield Static("", id=f"conflicts-{side}", markup=False, classes="sensitive")
            yield Static(
                "h keep this · t take the other · b join both texts · pgdn/pgup scroll · esc decide later",
                id="conflicts-hint",
            )

    def on_mount(self) -> None:
        if self.conflicts:
            listing = self.query_one("#conflicts-list", OptionList)
            listing.highlighted = 0
            listing.focus()
            self._show(0)

    def action_scroll_sides(self, pages: int) -> None:
        for side in self.query(".conflicts-side").results(VerticalScroll):
            side.scroll_to(y=side.scroll_y + pages * max(1, side.scrollable_content_region.height - 1), animate=False)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_index)

    def _show(self, index: int) -> None:
        conflict = self.conflicts[index]
        self.query_one("#conflicts-here-side").border_title = "in the record"
        self.query_one("#conflicts-there-side").border_title = Content(f"by {one_line(conflict.by)}")
        at = conflict.path if conflict.kind == "field" else []
        self.query_one("#conflicts-here", Static).update(readable(conflict.table, conflict.current, conflict.value, at))
        self.query_one("#conflicts-there", Static).update(readable(conflict.table, conflict.value, conflict.current, at))
        for side in self.query(".conflicts-side").results(VerticalScroll):
            side.scroll_home(animate=False)

    def action_choose(self, how: str) -> None:
        if not self.conflicts:
            return
        index = self.query_one("#conflicts-list", OptionList).highlighted
        if index is not None:
            self.dismiss((self.conflicts[index].id, how))

    def action_close(self) -> None:
        self.dismiss(None)
