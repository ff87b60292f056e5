"""Home: the client list, searched as you type."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from ..dialogs.parts import clip
from ..widgets.exercise.plan_cells import table_room
from ..widgets.navigation import OpenClient, OpenExercises, OpenFollowThrough, OpenMeeting
from ..dialogs.key_names import with_keys

if TYPE_CHECKING:
    from textual.widgets import DataTable

    from ..meetings.models import Client
    from ..store.summary import ClientSummary

# Rows added before the first paint; the rest follow right after it.
FIRST_ROWS = 25
# The list's columns: key, title, width (the skeleton lays its text out the same way).
# The client's column is at least this wide, and wider for a longer name when there is room.
COLUMNS = (("code", "Client", 24), ("stage", "Stage", 5), ("n", "Meetings", 8), ("last", "Last meeting", 16), ("open", "", 14))


def _code_width(room: int, longest: int) -> int:
    """As wide as the longest name or code, within what the other columns (and each
    column's padding) leave: a name cut at 24 characters shows whole on a wide terminal,
    and short codes keep the columns together."""
    left = room - sum(width for _, _, width in COLUMNS[1:]) - 2 * len(COLUMNS)
    return max(COLUMNS[0][2], min(left, longest))


def _cells(c: ClientSummary, code_width: int) -> tuple[str, ...]:
    """A name longer than its column ends in "…": cut bare, it read as a whole name."""
    last = c.last[:16].replace("T", " ") if c.last else "-"
    return (clip(c.code, code_width), str(c.stage), str(c.meetings), last,
            "closed" if c.closed else "draft open" if c.draft else "")


def _skeleton_text(rows: list[ClientSummary], code_width: int) -> Text:
    """The first rows as plain text laid out like the table (cells padded by one each side)."""
    widths = [code_width] + [width for _, _, width in COLUMNS[1:]]

    def line(cells) -> str:
        return "".join(f" {cell[:width]:<{width}} " for cell, width in zip(cells, widths)).rstrip()

    text = Text(line([title for _, title, _ in COLUMNS]), style="bold")
    for c in rows:
        text.append("\n" + line(_cells(c, code_width)))
    return text


class _Skeleton(Static, can_focus=True):
    """Stands in for the table in the first frame, focus included, so a key pressed
    before the table exists is kept and handed to it (see ClientsScreen.on_key)."""


def _search_term(typed: str) -> str:
    """What Find client looks for: a code copied from a document or a chat often carries
    a character that is not shown (a zero-width space, a direction mark) or a look-alike
    (a no-break space or hyphen); no code holds one, and "C-0004" was not found."""
    from ..mdsafe import drop_hidden

    return drop_hidden(typed).replace("\u00a0", " ").replace("\u2011", "-").strip().casefold()


def _starts_search(event) -> bool:
    """A letter, digit or sign that no key of the list or the app stands for (/ and ?)."""
    char = event.character
    return bool(event.is_printable and char and not char.isspace() and char not in "/?")


class ClientsScreen(Screen[None]):
    TITLE = "Clients"

    class ListShown(Message):
        """The list is on screen and usable: time for the work that would delay it."""
    BINDINGS = [
        Binding("ctrl+n", "new_client", "New client", id="clients.new"),
        Binding("slash", "search", "Find client", id="clients.search", show=False),
        Binding("ctrl+l", "search", "Find client", id="clients.search_alt"),
        Binding("escape", "clear_search", "Clear", show=False, id="clients.clear"),
        Binding("f3", "exercises", "Exercises", id="clients.exercises"),
        Binding("ctrl+t", "follow_through", "Follow-through", id="clients.follow_through"),
        Binding("delete", "delete_client", "Delete client", show=False, id="clients.delete"),
        # Here, not app-wide: F7 is the notes editor's elsewhere. In help and the palette only
        # while words are kept; not in the footer, which has no room left at 80 columns.
        Binding("f7", "app.kept_words", "Kept words", show=False, id="clients.kept_words"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        # No select-on-focus: a key typed on the list lands here, and the next one must not
        # replace it.
        yield Input(placeholder="Find client (type to filter; ↓ to the list)", id="client-search", select_on_focus=False)
        yield Label("", id="client-empty", classes="hint")
        # The first frame shows the list as text: a DataTable costs more to build than the
        # rest of the screen together, so it takes the text's place once that frame is out.
        yield _Skeleton(id="client-skeleton")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Clients"
        self._built = asyncio.Event()
        self.query_one(_Skeleton).focus()
        # A timer, not call_after_refresh: the frame must reach the terminal first.
        self.set_timer(0.03, self._build_table)

    async def _build_table(self) -> None:
        from textual.widgets import DataTable

        from ..widgets.row_table import RowTable

        if self._build_started:  # the timer and an early key can both ask
            await self._built.wait()
            return
        self._build_started = True
        table = RowTable(id="client-table", cursor_type="row", zebra_stripes=True)
        self._add_columns(table, self._shown_width)
        skeleton = self.query_one("#client-skeleton")
        # The table takes over the skeleton's focus; focus the user moved (/ to search) stays.
        take_focus = self.focused is None or self.focused is skeleton
        await self.mount(table, before=skeleton)
        await skeleton.remove()
        self.refresh_clients()
        if take_focus:
            table.focus()
        self._built.set()
        # Only now the DB's full parse (it holds the interpreter for a few hundred ms at
        # 10,000 meetings) and the header counts: started earlier, they would hold back
        # the frame on its way to the terminal.
        self._shown = True
        self.post_message(self.ListShown())
        self.show_counts()

    def _add_columns(self, table: DataTable, code_width: int) -> None:
        self._shown_width = code_width
        for key, title, width in COLUMNS:
            table.add_column(title, key=key, width=code_width if key == "code" else width)

    def _code_width(self, table: DataTable | None) -> int:
        room = table_room(table, self.app.size.width) if table is not None else self.app.size.width - 2
        return _code_width(room, self._longest)

    def on_resize(self) -> None:
        """Many a second while a terminal is dragged: the longest name of the last fill
        says whether the column changes, without reading the clients again."""
        table = self._table()
        if table is not None and self._code_width(table) != self._shown_width:
            self.refresh_clients()  # the client column takes the new width

    def _table(self) -> DataTable | None:
        try:
            return self.query_one("#client-table")  # type: ignore[return-value]
        except NoMatches:
            return None  # still the first frame's text

    _shown = False
    _shown_width = COLUMNS[0][2]  # the client column's width in the table now
    _longest = 0  # cells of the longest name or code, at the last fill
    _build_started = False
    _fill_generation = 0  # which fill of the table a late batch of rows belongs to

    def on_screen_resume(self) -> None:
        self.refresh_clients()  # also the first fill: a pushed screen is resumed once
        if self._shown:
            self.call_after_refresh(self.show_counts)
        if self._shown:
            # Back from a client (opened by its code and enter, say): the code typed next
            # replaces the last search, as after ctrl+l, instead of being added to it
            # ('C-0512C-0007' found nobody). Here, not after a refresh: keys typed in the
            # same burst as the esc come after this.
            self.query_one("#client-search", Input).select_all()

    def show_counts(self) -> None:
        """'3 overdue · 2 due today' in the header, once the list is painted and the DB loaded
        (again after a sync brought records: they change the counts)."""
        from ..widgets.follow_through_counts import show_home_counts

        show_home_counts(self)

    @property
    def store(self):
        return self.app.session.store

    def refresh_clients(self) -> None:
        table = self._table()
        term = _search_term(self.query_one("#client-search", Input).value)
        clients = self.store.client_summaries()
        rows = [c for c in clients if c.matches(term)]
        self._longest = max((cell_len(c.code) for c in clients), default=0)  # of all: a search never moves columns
        width = self._code_width(table)
        if table is None:
            self.query_one("#client-skeleton", Static).update(_skeleton_text(rows[:FIRST_ROWS], width))
            self._hint(rows, term)
            return
        keep = table.cursor_row
        was = table.coordinate_to_cell_key((keep, 0)).row_key.value if table.row_count else None
        keep = next((i for i, c in enumerate(rows) if c.id == was), keep)  # the same client, if still listed
        table.clear(columns=width != self._shown_width)
        if not table.columns:
            self._add_columns(table, width)
        # A fill still waiting for its second batch is stale from here on: its rows are
        # those of an older search (or already in the table), never to be added.
        self._fill_generation += 1
        generation = self._fill_generation
        # A long list: a screenful now, down to the highlighted row (the cursor put back
        # on 25 rows stopped at the 25th: back from client 98 of 1,000, the user was near
        # the top); the rest once that frame is out, so adding a thousand rows never
        # delays the first paint.
        first = max(FIRST_ROWS, keep + FIRST_ROWS)
        self._add_rows(rows[:first], generation)
        table.fill_started(len(rows) > first)
        if table.rows_to_come:
            self.set_timer(0.15, lambda: self._add_rows(rows[first:], generation, final=True))
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        self._hint(rows, term)

    def _hint(self, rows: list[ClientSummary], term: str) -> None:
        hint = self.query_one("#client-empty", Label)
        if rows:
            hint.update("")
        elif term:
            hint.update(f"No client matches '{term}'. "
                        + with_keys(self, "Press {clients.new|ctrl+n} to add one, esc to clear the search."))
        else:
            hint.update(with_keys(self, "No clients yet. Press {clients.new|ctrl+n} to add the first one."))

    def _add_rows(self, rows: list[ClientSummary], generation: int, *, final: bool = False) -> None:
        """Cells are built only for rows being added: a screenful before the first paint."""
        table = self._table()
        if table is None or generation != self._fill_generation:
            return
        for c in rows:
            table.add_row(*map(Text, _cells(c, self._shown_width)), key=c.id)
        if final:
            table.rest_added()

    @on(Input.Changed, "#client-search")
    def _search_changed(self) -> None:
        self.refresh_clients()

    @on(Input.Submitted, "#client-search")
    async def _search_submitted(self, event: Input.Submitted) -> None:
        """Enter goes to the list; a code that finds one client opens it at once (the
        list is filtered as each key arrives, so it is that code's list). A code and
        enter typed as the app starts build the list now: the enter was dropped."""
        if self._table() is None:
            await self._build_table()
        table = self._table()
        if table is None or not table.row_count:
            return
        table.focus()
        if table.row_count == 1 and event.value.strip():
            table.move_cursor(row=0)
            table.action_select_cursor()

    def _on_list(self) -> bool:
        table = self._table()
        return self.focused is None or isinstance(self.focused, _Skeleton) or (table is not None and table.has_focus)

    def on_paste(self, event) -> None:
        """A code pasted on the list finds the client, as one typed there does (it was lost)."""
        if not self._on_list():
            return
        from textual.events import Paste

        from ..widgets.one_line_paste import one_line

        event.stop()
        event.prevent_default()
        search = self.query_one("#client-search", Input)
        search.focus()
        search.post_message(Paste(one_line(event.text)))

    async def on_key(self, event) -> None:
        search = self.query_one("#client-search", Input)
        table = self._table()
        if self._on_list() and _starts_search(event):
            # "Type to filter", as the search box says: a code typed on the list goes there.
            event.stop()
            event.prevent_default()
            search.focus()
            search.replace(event.character, *search.selection)  # over the last search, when selected
            return
        if isinstance(self.focused, _Skeleton):
            await self._key_ahead_of_table(event)
            return
        if event.key == "down" and search.has_focus and table is not None:
            table.focus()
            event.stop()

    async def _key_ahead_of_table(self, event) -> None:
        """A table key (enter, arrows, paging) pressed before the table exists: build it
        now and do what the table would have done. Handled here, in order, so keys typed
        after it still come after it; the screen's own keys work without the table."""
        from textual.widgets import DataTable

        from ..widgets.row_table import RowTable

        bindings = [*RowTable.BINDINGS, *DataTable.BINDINGS]  # its own first: home/end are rows there
        action = next((b.action for b in bindings if event.key in b.key.split(",")), None)
        if action is None:
            return
        event.stop()
        event.prevent_default()
        await self._build_table()
        table = self._table()
        if table is not None:
            table.focus()
            await table.run_action(action)

    def action_search(self) -> None:
        """The last search is selected: what is typed next replaces it."""
        search = self.query_one("#client-search", Input)
        search.focus()
        search.select_all()

    def action_clear_search(self) -> None:
        search = self.query_one("#client-search", Input)
        search.value = ""
        table = self._table()
        if table is not None:
            table.focus()

    def on_data_table_row_selected(self, event) -> None:
        """Enter on a row (by handler name: DataTable is imported only after the first frame)."""
        if event.control.id != "client-table":
            return
        client = self.store.client(str(event.row_key.value))
        if client is not None:
            self.open_client(client)

    def open_client(self, client: Client) -> None:
        self.post_message(OpenClient(client.id))

    def action_exercises(self) -> None:
        """The second area: COPE exercises at sites (F3 there comes back here)."""
        self.post_message(OpenExercises())

    def action_follow_through(self) -> None:
        """Every client's action items, referrals and next meetings in one place."""
        self.post_message(OpenFollowThrough())

    def action_new_client(self) -> None:
        from ..dialogs.client_form import ClientForm

        if self.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return

        def created(client: Client | None) -> None:
            if client is not None:
                self.refresh_clients()
                self.open_client(client)

        self.app.push_screen(ClientForm(), created)

    def action_delete_client(self) -> None:
        """A client added by mistake: gone after a yes that names them (session.delete_client)."""
        from ..dialogs.confirm import Confirm
        from ..session import delete_client
        from ..settings import user_name

        table = self._table()
        if table is None or not table.row_count or self.store.read_only:
            return
        client = self.store.client(str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value))
        if client is None:
            return
        meetings = self.store.meetings(client.id)
        if any(m.finalised for m in meetings):
            self.notify(f"{client.code} has a finalised meeting, and a signed record is never deleted. "
                        "To end the work with them, close the client from the handover (h).", severity="warning", timeout=10)
            return
        drafts = len(meetings)
        what = f" and its {drafts} draft meeting{'s' if drafts != 1 else ''}" if drafts else ""
        asked = sorted(m.id for m in meetings)

        def answered(yes: bool | None) -> None:
            """A team sync may change the client while the question is open: a meeting
            of theirs arrives, or one of the drafts is finalised elsewhere. The yes was
            to what the question named, so anything else deletes nothing."""
            if not yes:
                return
            if sorted(m.id for m in self.store.meetings(client.id)) != asked:
                self.notify(f"{client.code}'s meetings changed while the question was open (a team sync): "
                            "nothing was deleted. Look at the client, then delete again if it is still wanted.",
                            severity="warning", timeout=10)
                return
            try:
                delete_client(self.app.session, client, by=user_name())
            except ValueError as refused:  # a draft of theirs was finalised meanwhile
                self.notify(str(refused), severity="warning", timeout=10)
                return
            self.run_worker(self._after_delete, thread=True, group="save")

        self.app.push_screen(Confirm(f"Delete client {client.code}{what}? This cannot be undone; "
                                     "the audit log keeps only that a client was deleted.", title="Delete client"), answered)

    def _after_delete(self) -> None:
        self.app.session.flush()
        self.app.call_from_thread(self.refresh_clients)

    def meet(self, code: str) -> None:
        """Open straight into a meeting with this client (created if absent): the newest
        unfinished one when there is one, since a worker who runs `meet` again after a
        dropped line means to go on, not to start a second draft beside the first."""
        from ..errors import ContentError
        from ..session import create_client, start_meeting
        from ..meetings.models import MeetingMode, check_code

        session = self.app.session
        try:
            code = check_code(code)
            by = self.app.settings.user_name
            client = session.store.client_by_code(code)
            drafts = [m for m in session.store.meetings(client.id) if not m.finalised] if client else []
            client = client or create_client(session.store, code, by=by)
            meeting = drafts[-1] if drafts else start_meeting(
                session.store, session.meeting_guide, client, mode=MeetingMode.IN_PERSON, by=by
            )
        except (ValueError, OSError, ContentError) as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.refresh_clients()
        self.open_client(client)
        self.post_message(OpenMeeting(meeting.id))
        if drafts:
            self.notify(f"Going on with the unfinished meeting of {meeting.started:%Y-%m-%d %H:%M}.", timeout=6)
