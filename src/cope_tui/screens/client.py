"""One client: who they are, their meetings, and starting or resuming one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ..session import start_meeting
from ..words import counted
from ..meetings.models import Client, Meeting
from ..content.stages import load_stages
from ..meetings.stages import StageError, stage_since
from ..widgets.after_dialogs import AfterDialogs
from ..widgets.case_plan_summary import CasePlanSummary
from ..widgets.kept_row import refill
from ..widgets.row_table import RowTable
from ..widgets.navigation import OpenCasePlan, OpenFollowThrough, OpenHandover, OpenMeeting, ShowExport
from ..dialogs.key_names import with_keys


STATUS_WIDTH = 22  # "final (worker-12)" whole; the table still fits in 80 columns
CLOSED = "This client is closed and read-only. Press {client.reopen|o} to reopen it first."


class ClientScreen(AfterDialogs, Screen[None]):
    # "Reopen" comes first: it is only offered on a closed client, and must then be in the
    # footer, not pushed off its right edge at 80 columns.
    BINDINGS = [
        Binding("o", "reopen", "Reopen", id="client.reopen"),
        Binding("ctrl+n", "start_meeting", "Start meeting", id="client.meet"),
        Binding("enter", "open_meeting", "Open meeting", show=False, id="client.open"),
        Binding("e", "edit", "Edit client", id="client.edit"),
        Binding("s", "stage", "Stage", id="client.stage"),
        Binding("h", "handover", "Handover", id="client.handover"),
        Binding("g", "case_plan", "Case plan", id="client.case_plan"),
        Binding("t", "follow_through", "Follow-through", id="client.follow_through"),
        Binding("ctrl+r", "export", "Export", id="client.export"),
        Binding("x,delete", "discard_meeting", "Discard draft", show=False, id="client.discard"),
        Binding("escape", "back", "Back", id="client.back"),
        Binding("X", "erase", "Erase client", id="client.erase"),  # last: the others keep their place; capital: it destroys
    ]

    def __init__(self, client_id: str):
        super().__init__(classes="sensitive-screen")
        self.client_id = client_id
        self._client_closed = False  # shown in refresh_view; decides whether "Reopen" is offered
        self._gone = False  # erased from here: the screen closes as it comes back to the top
        # The meeting opened from here: highlighted on the way back. A meeting just started
        # comes in above the one highlighted, which stayed highlighted, and x or enter then
        # acted on another meeting than the one just left.
        self._opened: str | None = None

    @property
    def session(self):
        return self.app.session

    @property
    def client(self) -> Client:
        client = self.session.store.client(self.client_id)
        assert client is not None
        return client

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="client-card", classes="card sensitive")
        yield CasePlanSummary(id="case-plan-summary", classes="sensitive")
        yield RowTable(id="meeting-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="meeting-hint", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Date", key="date", width=16)
        table.add_column("Kind", key="kind", width=7)
        table.add_column("Mode", key="mode", width=9)
        table.add_column("Steps done", key="steps", width=10)
        table.add_column("Status", key="status", width=STATUS_WIDTH)
        self.refresh_view()
        table.focus()

    def on_resize(self) -> None:
        self.query_one(CasePlanSummary).redraw()  # a taller terminal shows more goals

    def on_screen_resume(self) -> None:
        if self._gone:  # erased (_erase_done): nothing of them to show
            self.dismiss()
            return
        self.refresh_view()
        opened, self._opened = self._opened, None
        table = self.query_one(DataTable)
        if opened is not None and opened in (row.key.value for row in table.ordered_rows):
            table.move_cursor(row=table.get_row_index(opened))

    def take_synced(self, table: str, doc: dict | None) -> bool:
        """This screen edits nothing itself (its forms do, as dialogs over it): it takes a
        version merged by a sync unless a dialog is open (then the dialog's save would
        write its older copy over the merge) or its result is still on the way (see
        AfterDialogs), and shows it once the DB holds it."""
        return table == "clients" and doc is not None and self.may_take_synced

    def show_synced(self) -> None:
        self.refresh_view()

    # Its table lists the client's meetings, which a sync may add or change: shown again
    # after any sync that brought meetings (one client's list; asking which client each
    # meeting is of would read thousands of them on the UI thread after a first pull).
    lists = ("meetings",)

    def _meetings(self, client_id: str) -> list:
        """The client's meetings; none, said why, when the file holds some it cannot read
        (the app decodes a client's meetings when they are opened: issue 14)."""
        from ..store.errors import StoreError

        try:
            return self.session.store.meetings(client_id)
        except StoreError as exc:
            self.notify(str(exc), title="Meetings not readable", severity="error", timeout=60)
            return []

    def refresh_view(self) -> None:
        if not self.is_attached:  # after a discard saved in a thread, esc may have closed it
            return
        client = self.client
        self.title = f"Client {client.code}"
        others = ", ".join(client.significant_others) or "none recorded"
        lines = [f"[b]{_escape(client.code)}[/b]   significant others: {_escape(others)}", self._stage_line(client)]
        if client.note:
            lines.append(_escape(client.note))
        self.query_one("#client-card", Static).update("\n".join(lines))
        self.query_one(CasePlanSummary).show(client)
        meetings = self._meetings(client.id)
        rows = []
        for meeting in reversed(meetings):
            steps = self.session.meeting_guide.steps_for(meeting.kind == "first")
            done = sum(1 for s in steps if meeting.peek(s.id).state != "pending")
            total = len(steps)
            status = f"final ({meeting.finalised_by})" if meeting.finalised else "draft: resume"
            if len(status) > STATUS_WIDTH:  # a long name: cut where the user can see it is cut
                status = status[: STATUS_WIDTH - 2] + "…)"
            when = meeting.started.strftime("%Y-%m-%d %H:%M")
            rows.append((meeting.id, (when, meeting.kind.value, meeting.mode.value, f"{done}/{total}", status)))
        refill(self.query_one(DataTable), rows)  # a meeting a sync brings may come above the highlighted one
        hint = "enter opens the highlighted meeting; drafts resume where they stopped."
        if not meetings:
            hint = "{client.meet|ctrl+n} starts a meeting."
        self._client_closed = client.closed
        if client.closed:
            hint = ("Closed: meetings open read-only. {client.reopen|o} reopens the client (a reason is asked); "
                    "{client.handover|h} shows the handover.")
        self.refresh_bindings()
        self.query_one("#meeting-hint", Static).update(with_keys(self, hint))

    def _selected(self) -> Meeting | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return self.session.store.meeting(str(key.value))

    @on(DataTable.RowSelected, "#meeting-table")
    def _row_selected(self) -> None:
        self.action_open_meeting()

    def action_open_meeting(self) -> None:
        meeting = self._selected()
        if meeting is not None:
            self._opened = meeting.id
            self.post_message(OpenMeeting(meeting.id))

    def action_start_meeting(self) -> None:
        from ..dialogs.start_meeting import StartMeeting

        if self.session.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return
        client = self.client
        if client.closed:
            self.notify(f"{client.code} is closed: no new meetings. "
                        + with_keys(self, "Press {client.reopen|o} to reopen the client."), severity="warning")
            return
        first = not self.session.store.meetings(client.id)

        def chosen(choice) -> None:
            if choice is None:
                return
            mode, present = choice
            try:
                meeting = start_meeting(
                    self.session.store, self.session.meeting_guide, client, mode=mode, present=present,
                    by=self.app.settings.user_name,
                )
            except OSError as exc:
                self.notify(f"Could not start the meeting: {exc.strerror}.", severity="error")
                return
            except StageError as exc:
                self.notify(str(exc), severity="warning", timeout=8)
                return
            self._opened = meeting.id
            self.post_message(OpenMeeting(meeting.id))

        self.app.push_screen(StartMeeting(client, first=first), chosen)

    def action_edit(self) -> None:
        from ..dialogs.client_form import ClientForm

        if self.session.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return
        if self.client.closed:
            self.notify(with_keys(self, CLOSED), severity="warning")
            return
        self.app.push_screen(ClientForm(self.client), lambda _: self.refresh_view())

    def action_export(self) -> None:
        self.post_message(ShowExport(client_id=self.client_id))

    def action_discard_meeting(self) -> None:
        """A draft started by mistake: gone after a yes that names it (session.discard_meeting)."""
        from ..dialogs.confirm import Confirm
        from ..session import discard_meeting
        from ..settings import user_name

        meeting = self._selected()
        if meeting is None or self.session.store.read_only:
            return
        if meeting.finalised:
            self.notify(with_keys(self, "A finalised meeting is a signed record and is never discarded; open it and "
                        "add an addendum ({meeting.addendum|ctrl+f}) to correct it."), severity="warning", timeout=8)
            return

        def answered(yes: bool | None) -> None:
            """The yes was to the draft as it was asked about. A team sync meanwhile may
            have finalised it elsewhere (a signed record) or merged a teammate's words
            into it: then nothing is discarded."""
            if not yes:
                return
            now = self.session.store.meeting(meeting.id)
            if now is None:
                return  # discarded elsewhere already
            if now != meeting:
                self.notify("This draft changed while the question was open (a team sync): nothing was discarded. "
                            "Open it to see what changed, then discard again if it is still wanted.",
                            severity="warning", timeout=10)
                return
            discard_meeting(self.session, now, by=user_name())
            self.run_worker(self._after_discard, thread=True, group="save")

        when = meeting.started.strftime("%Y-%m-%d %H:%M")
        self.app.push_screen(Confirm(f"Discard the draft {meeting.kind.value} meeting of {when} with {self.client.code}, "
                                     "and everything typed in it? This cannot be undone.", title="Discard draft"), answered)

    def _after_discard(self) -> None:
        self.session.flush()
        self.app.call_from_thread(self.refresh_view)

    def action_follow_through(self) -> None:
        """This client's action items, referrals and next meeting."""
        self.post_message(OpenFollowThrough(self.client_id))

    def action_back(self) -> None:
        self.dismiss()

    def action_erase(self) -> None:
        """Erase the client and every meeting of theirs from every file, after asking."""
        from ..dialogs.confirm import Confirm

        if self.session.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return
        client, count = self.client, len(self.session.store.meetings(self.client_id))
        question = (
            f"Erase client {client.code} and their {counted(count, 'meeting')} from this database, its backups "
            "and every other copy? This cannot be undone."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                from ..dialogs.busy import Busy

                self.app.push_screen(Busy(f"Erasing {client.code} and their {counted(count, 'meeting')} from this database, "
                                          "its backups and every other copy…", title="Erase client"))
                self.run_worker(lambda: self._erase(client.code), thread=True, exclusive=True, group="erase")

        self.app.push_screen(Confirm(question, title="Erase client"), answered)

    def _erase(self, code: str) -> None:
        """In a worker, a Busy dialog (dialogs/busy.py) over the screen: the erasure
        rewrites every file of the DB."""
        from ..search import index_for
        from ..settings import user_name
        from ..store.errors import StoreError

        store = self.session.store
        try:
            self.session.flush()  # a save still waiting must not bring a record back afterwards
            store.erase_client(self.client_id, by=user_name())
        except (OSError, StoreError) as exc:
            self.app.call_from_thread(self._erase_done, f"Not erased: {exc}")
            return
        index_for(store).refresh()  # search forgets their words now, not at its next query
        self._gone = True
        self.app.call_from_thread(self._erase_done, f"Client {code} and their meetings were erased from every file.")

    def _erase_done(self, message: str) -> None:
        """The busy dialog goes, with anything opened over it; erased, this screen follows
        (on_screen_resume, once it is on top again)."""
        self.notify(message, severity="information" if self._gone else "error", timeout=10)
        self.pop_until_active()

    # ---- the journey: stage, handover, reopening (issue 5) -------------------------

    def _stage_line(self, client: Client) -> str:
        from ..errors import ContentError

        try:
            label = load_stages().stage(client.stage).label
        except ContentError:  # a broken stages file is reported where the prompts are shown
            label = f"Stage {client.stage}"
        line = f"{_escape(label)} since {stage_since(client):%Y-%m-%d}"
        if client.closed:
            line += f"   [b reverse] CLOSED [/] on {client.closed_at:%Y-%m-%d}"
        return line

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reopen":
            return self._client_closed
        return True

    def _writable(self) -> Client | None:
        """The client as last saved, or None (with the reason shown) when it may not change."""
        if self.session.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return None
        self.session.flush()  # an explicit change must start from every word already typed
        return self.client

    def action_stage(self) -> None:
        from ..dialogs.stage_form import StageForm

        client = self._writable()
        if client is None:
            return
        if client.closed:
            self.notify(with_keys(self, CLOSED), severity="warning")
            return
        from ..errors import ContentError

        try:
            stages = load_stages()
        except ContentError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.app.push_screen(StageForm(client, stages), lambda _: self.refresh_view())

    def action_case_plan(self) -> None:
        self.post_message(OpenCasePlan(self.client_id))

    def action_handover(self) -> None:
        self.post_message(OpenHandover(self.client_id))

    def action_reopen(self) -> None:
        from ..meetings.stages import reopen_client
        from ..dialogs.text_prompt import TextPrompt

        client = self._writable()
        if client is None or not client.closed:
            return

        def check(reason: str) -> str | None:
            try:
                reopen_client(client.model_copy(deep=True), reason)
            except StageError as exc:
                return str(exc)
            return None

        def chosen(reason: str | None) -> None:
            if reason is None:
                return
            reopen_client(client, reason)
            try:
                self.session.store.put_client(client)
            except OSError as exc:
                self.notify(f"Could not reopen: {exc.strerror}. Try again.", severity="error")
            self.refresh_view()

        self.app.push_screen(
            TextPrompt(
                f"Reopen {client.code}",
                "Why is the client being reopened? The reason is kept with today's date.",
                required="Type the reason for reopening; it is kept with the date.",
                check=check,
            ),
            chosen,
        )


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
