"""Follow-through: the promises made at meetings, for every client or for one.

Four lists on one screen: open action items (overdue first, then due today, then
upcoming), done ones with their dates, referrals, and the next meetings. A tick is
written on the client record with today's date; the meetings stay as they were.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ..dialogs.parts import clip
from ..meetings import follow_through as ft
from ..widgets.exercise.plan_cells import table_room
from ..widgets.follow_through_counts import counts_line
from ..widgets.navigation import OpenClient, OpenMeeting
from ..widgets.row_table import RowTable

VIEWS = ("open", "done", "referrals", "meetings")
VIEW_LABELS = {"open": "Open", "done": "Done", "referrals": "Referrals", "meetings": "Next meetings"}
FREE = 0  # the width of a column that takes what the others leave (see _fit)
FIRST_ROWS = 30  # rows added before the first paint; the rest right after it
DONE_LIMIT = 300  # the done list shows the most recent; years of kept promises add up


def _when(item: ft.Item, today: date) -> Text:
    if item.status is ft.Status.OVERDUE and item.due:
        return Text(f"! {(today - item.due).days} d", style="bold red")
    if item.status is ft.Status.TODAY:
        return Text("today", style="bold yellow")
    if item.status is ft.Status.UPCOMING and item.due:
        return Text(f"in {(item.due - today).days} d")
    return Text("no date", style="dim")


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "-"


class FollowThroughScreen(Screen[None]):
    DEFAULT_CSS = """
    FollowThroughScreen #ft-views { height: auto; padding: 0 1; }
    FollowThroughScreen #ft-table { height: 1fr; margin: 0 1; }
    FollowThroughScreen #ft-detail { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("space", "tick", "Tick off", id="follow_through.tick"),
        Binding("x", "tick", "Tick off or take back", show=False, id="follow_through.tick_alt"),
        Binding("f", "next_view", "Next list", id="follow_through.next"),
        Binding("1", "view('open')", "Open items", show=False, id="follow_through.open"),
        Binding("2", "view('done')", "Done items", show=False, id="follow_through.done"),
        Binding("3", "view('referrals')", "Referrals", show=False, id="follow_through.referrals"),
        Binding("4", "view('meetings')", "Next meetings", show=False, id="follow_through.meetings"),
        Binding("enter", "open", "Open client or meeting", show=False, id="follow_through.enter"),
        Binding("m", "open_meeting", "Open meeting", id="follow_through.meeting"),
        Binding("escape", "back", "Back", id="follow_through.back"),
    ]

    def __init__(self, client_id: str | None = None):
        super().__init__(classes="sensitive-screen")
        self.client_id = client_id  # None: every client
        self.view = "open"
        self.board: ft.Board | None = None
        self._clients: dict = {}  # client records changed here, by id
        self._rows: list = []
        self._labels: list[str] = []
        self._widths: dict[str, int] = {}
        self._cols: list[tuple[str, int]] = []  # the shown columns, as given to _fit
        self._generation = 0

    @property
    def session(self):
        return self.app.session

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="ft-views")
        yield RowTable(id="ft-table", cursor_type="row", zebra_stripes=True, classes="sensitive")
        yield Static("", id="ft-detail", classes="sensitive")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        """Also the first fill. Another screen may have changed meetings or clients: read again."""
        store = self.session.store
        if self.client_id is not None:
            client = store.client(self.client_id)
            self.title = f"Follow-through: {client.code if client else '?'}"
        else:
            self.title = "Follow-through"
        # Ticks made here and perhaps not written yet count; then records are read afresh,
        # in a thread: at 10,000 meetings the lists take a fifth of a second to build.
        clients, self._clients = self._clients, {}
        if self.board is None:
            self.query_one("#ft-views", Static).update("Reading every meeting's action items…")
        self.run_worker(
            partial(self._build, clients), thread=True, exclusive=True, group="follow-through-build", exit_on_error=False
        )

    def _build(self, clients: dict) -> None:
        try:
            board = ft.build(self.session.store, self.session.meeting_guide, client_id=self.client_id, clients=clients)
        except Exception as exc:  # e.g. the DB could not be read: say so where the lists go
            self.app.call_from_thread(self._show_failure, str(exc))
            return
        self.app.call_from_thread(self._show_board, board)

    def _show_failure(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#ft-views", Static).update(f"The lists could not be read: {escape(message)}")

    def _show_board(self, board: ft.Board) -> None:
        # is_attached, not is_mounted: esc may have taken the screen down meanwhile.
        if self.is_attached:
            self.board = board
            self._fill()

    # ---- showing -------------------------------------------------------------------

    def _fill(self, *, reset: bool = False, counts: bool = True) -> None:
        """The open list's rows (back at the top with `reset`), and unless told otherwise
        (`counts`: a resize changes no count) the lists' counts and the header's."""
        board, table = self.board, self._table()
        if board is None or table is None:
            return
        keep = 0 if reset else table.cursor_row
        table.clear(columns=True)
        if self.view == "open":
            self._rows = board.open_actions()
            cols = [("Due", 10), ("When", 7), ("Client", 8), ("Who", 9), ("What", FREE)]
        elif self.view == "done":
            self._rows = board.done_actions()[:DONE_LIMIT]
            cols = [("Done on", 10), ("How", 7), ("Client", 8), ("Who", 9), ("What", FREE)]
        elif self.view == "referrals":
            self._rows = board.shown_referrals()
            cols = [("Service", FREE), ("Client", 8), ("Status", 16), ("Since", 10)]
        else:
            self._rows = list(board.meetings)
            cols = [("Date", 10), ("When", 7), ("Client", 12), ("Set at the meeting of", 22)]
        self._labels = [label for label, _ in cols if not (label == "Client" and self.client_id)]
        self._cols = [(label, width) for label, width in cols if label in self._labels]
        self._widths = self._fit(self._cols, table)
        for label in self._labels:
            table.add_column(label, width=self._widths[label])
        self._generation += 1
        # The first batch reaches the highlighted row: the cursor put back on a table
        # holding only the first 30 rows stopped at the 30th, and a tick far down a long
        # list sent the user back near the top, on another item.
        first = max(FIRST_ROWS, keep + FIRST_ROWS)
        self._add(self._rows[:first], self._generation)
        table.fill_started(len(self._rows) > first)
        if table.rows_to_come:
            rest, generation = self._rows[first:], self._generation
            self.set_timer(0.1, lambda: self._add(rest, generation, final=True))
        if self._rows and keep:
            table.move_cursor(row=min(keep, len(self._rows) - 1))
        if counts:
            self._show_views()
        self._show_detail()

    def _fit(self, cols: list[tuple[str, int]], table: DataTable) -> dict[str, int]:
        """The columns' widths: the free text (what was promised, the service) takes the
        room the others leave, and never less than at 80 columns, so at 160 columns an
        action shows whole rather than cut at 32 characters."""
        least = 40 if self.client_id else 32
        room = table_room(table, self.app.size.width - 2) - sum(w for _, w in cols if w != FREE) - 2 * len(cols)
        return {label: max(least, room) if width == FREE else width for label, width in cols}

    def on_resize(self) -> None:
        """Many a second while a terminal is dragged: the rows (thousands at a service's
        size) are built again only when the free text's width changes."""
        table = self._table()
        if self.board is not None and table is not None and self._fit(self._cols, table) != self._widths:
            self._fill(counts=False)

    def _table(self) -> DataTable | None:
        """None once the screen is being taken down: a batch of rows due 0.1 s after a
        refill (or a refill from the thread that reads the lists) can land then, after
        an esc typed at once, and found no table (the app stopped with an error report)."""
        found = self.query(DataTable)
        return found.first() if found and self.is_attached else None

    def _add(self, rows: list, generation: int, *, final: bool = False) -> None:
        """Cells for these rows only; a later refill makes a pending batch stale."""
        table = self._table()
        if generation != self._generation or table is None:
            return
        today = self.board.today if self.board else date.today()
        for row in rows:
            if isinstance(row, ft.NextMeeting):
                if row.under_way:
                    when = Text("started")  # its meeting is under way (the column is 7 wide)
                elif row.overdue:
                    when = Text(f"! {(today - row.on).days} d", style="bold red")
                else:
                    when = Text("today", style="bold yellow") if row.on == today else Text(f"in {(row.on - today).days} d")
                cells = {"Date": _iso(row.on), "When": when, "Set at the meeting of": _iso(row.set_at)}
                key = f"meeting:{row.client_id}"
            elif self.view == "referrals":
                state = f"ended {_iso(row.done_on)}" if row.status is ft.Status.DONE else (row.state or "-")
                cells = {"Service": Text(row.text), "Status": Text(state), "Since": _iso(row.since)}
                key = row.row_id
            elif self.view == "done":
                how = "ticked" if row.ticked_on else "meeting"
                cells = {"Done on": _iso(row.done_on), "How": how, "Who": Text(row.who), "What": Text(row.text)}
                key = row.row_id
            else:
                cells = {"Due": _iso(row.due), "When": _when(row, today), "Who": Text(row.who), "What": Text(row.text)}
                key = row.row_id
            cells["Client"] = Text(row.client_code)
            table.add_row(*(self._cut(label, cells[label]) for label in self._labels), key=key)
        if final:
            table.rest_added()

    def _cut(self, label: str, cell: Text | str) -> Text | str:
        """Typed words cut to their column end in "…": cut bare, "attend the peer group
        on Thursday" showed as "attend the peer group on Thursda", which reads as whole
        (the line under the table shows the highlighted row in full)."""
        if isinstance(cell, Text) and not cell.style and cell_len(cell.plain) > self._widths[label]:
            return Text(clip(cell.plain, self._widths[label]))
        return cell

    def _show_views(self) -> None:
        board = self.board
        assert board is not None
        counts = board.counts()
        sizes = {
            "open": sum(counts[s.value] for s in ft.OPEN_ORDER),
            "done": counts[ft.Status.DONE.value],
            "referrals": counts["referrals"],
            "meetings": len(board.meetings),
        }
        parts = []
        for n, view in enumerate(VIEWS, 1):
            label = f"{n} {VIEW_LABELS[view]} {sizes[view]}"
            parts.append(f"[reverse] {label} [/reverse]" if view == self.view else f" {label} ")
        self.query_one("#ft-views", Static).update(" ".join(parts))
        self.sub_title = counts_line(counts) or "nothing overdue or due today"

    def _current(self):
        table = self.query_one(DataTable)
        if not table.row_count or table.cursor_row is None or table.cursor_row >= len(self._rows):
            return None
        return self._rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#ft-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self._current()
        detail = self.query_one("#ft-detail", Static)
        if row is None:
            empty = {
                "open": "Nothing owed: no open action items.",
                "done": "Nothing ticked off yet.",
                "referrals": "No referrals recorded.",
                "meetings": "No next meeting dates set.",
            }[self.view]
            detail.update(empty)
            return
        if isinstance(row, ft.NextMeeting):
            opens = "the client" if self.client_id is None else "the meeting that set it"
            under_way = f" The meeting started {_iso(row.under_way)} is under way (a draft)." if row.under_way else ""
            detail.update(f"{escape(row.client_code)}: next meeting {_iso(row.on)}.{under_way} enter opens {opens}.")
            return
        final = "finalised" if row.meeting_final else "draft"
        lines = [escape(row.text) + (f" ({escape(row.who)})" if row.who else "")]
        facts = [f"written {_iso(row.source)}", f"latest copy in a {final} meeting"]
        if row.done_on:
            facts.append(f"done {_iso(row.done_on)}" + (" (ticked off here)" if row.ticked_on else " (in a meeting)"))
        if row.note:
            facts.append(escape(row.note))
        facts.append("enter: the client" if self.client_id is None else "enter: the meeting")
        lines.append(" · ".join(facts))
        total = self.board.counts()[ft.Status.DONE.value] if self.board else 0
        if self.view == "done" and total > DONE_LIMIT:
            # First on the last row, where one looks for the rest: at 80x24 the detail
            # shows three lines, and below the facts this one was cut off.
            shown = f"Showing the {DONE_LIMIT} most recent of {total} done."
            lines.insert(0 if row is self._rows[-1] else len(lines), shown)
        detail.update("\n".join(lines))

    # ---- actions -------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        if view in VIEWS and view != self.view:
            self.view = view
            self._fill(reset=True)

    def action_next_view(self) -> None:
        self.action_view(VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)])

    def held_records(self) -> set[tuple[str, str]]:
        """The clients ticked here: the next tick starts from this screen's copy, so a sync
        must not change one under it unseen (see take_synced). Read from the sync's thread."""
        return {("clients", client_id) for client_id in tuple(self._clients)}

    def take_synced(self, table: str, doc: dict | None) -> bool:
        """A ticked client a sync merged: the next tick starts from the merged version. One
        whose tick waits for the saver keeps it (merged at the next sync, once written)."""
        if table != "clients" or doc is None or self.session.unsaved("clients", str(doc.get("id"))):
            return False
        from ..meetings.models import Client

        try:
            self._clients[doc["id"]] = Client.model_validate(doc)
        except ValueError:
            return False
        return True

    def action_tick(self) -> None:
        row = self._current()
        if isinstance(row, ft.NextMeeting):
            opens = "the client" if self.client_id is None else "the meeting that set it"
            self.notify(f"Meetings are not ticked off: hold the meeting; enter opens {opens}.", severity="warning")
            return
        if row is None or self.board is None:
            self.notify("Nothing highlighted to tick off.", severity="warning")
            return
        store = self.session.store
        if store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return
        client = self._clients.get(row.client_id) or store.client(row.client_id)
        if client is None:
            self.notify("This client's record is missing; nothing was changed.", severity="error")
            return
        try:
            ticked = ft.toggle(client, row)
        except ft.FollowThroughError as exc:
            self.notify(str(exc), severity="warning", timeout=8)
            return
        self._clients[client.id] = client
        self.session.save_client(client, at_once=True)
        self.run_worker(self.session.flush, thread=True, group="follow-through-save", exit_on_error=False)
        self.board.retick(client.id, client.followups)
        self._fill()
        if ticked:
            self.notify(f"Ticked off, done {_iso(client.followups[row.row_id].done_on)}: {row.text[:50]}")
        else:
            self.notify(f"Tick taken back: {row.text[:50]}")

    @on(DataTable.RowSelected, "#ft-table")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """All clients: the client opens. One client (already underneath): the meeting."""
        row = self._current()
        if row is None:
            return
        if self.client_id is None:
            self.post_message(OpenClient(row.client_id))
        else:
            self.action_open_meeting()

    def action_open_meeting(self) -> None:
        row = self._current()
        if row is None:
            return
        if self.session.store.get("meetings", row.meeting_id) is None:
            self.notify("That meeting is no longer stored.", severity="warning")
            return
        self.post_message(OpenMeeting(row.meeting_id))

    def action_back(self) -> None:
        self.dismiss()
