"""Client flow (COPE exercise, item 4): a live register of arrivals and staff contacts,
then where the clients' time went.

On the day itself the facilitator presses one key per event and the clock stamps it,
because nobody types times at a busy door; `t` types times for paper forms entered
later. Every change goes through the exercise's checks first, so an impossible register
(end before start, overlapping contacts, contact before arrival) is refused with the
reason and nothing changes.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import ContentSwitcher, DataTable, Label, Static

from ...cope import client_flow as clientflow
from ...cope import exercise as cope
from ...cope.exercise import Exercise, ExerciseError
from ...cope.flow_register import COLUMNS, checked_edit, client_line, contacts_of, contacts_text, hhmm, recent_staff, register_rows, set_fields, visit_of, visit_type
from ...dialogs.confirm import Confirm
from ...dialogs.flow import FlowDialog
from ...dialogs.text_prompt import TextPrompt
from ..kept_row import Column, redraw_rows
from ..row_table import RowTable
from .panel import ExercisePanel
from ...dialogs.key_names import with_keys

EMPTY_HINT = "(no clients yet: {flow.arrive_first|a} stamps an arrival now, {flow.typed|t} types times)"
REFRESH_SECONDS = 30
STATUS_MAX = 12
CONTACTS_MIN = 14  # narrower, the contacts column gives way to the client line above
_SWITCH = {"register": "flow-register-view", "analysis": "flow-analysis", "chart": "flow-chart-scroll"}
_EDITING = frozenset({"arrive", "start_contact", "end_contact", "depart", "typed", "delete"})
_NEEDS_CLIENT = frozenset({"start_contact", "end_contact", "depart", "delete"})


class FlowPanel(ExercisePanel):
    """The client-flow register (live or typed), its analysis and its chart."""

    TITLE = "Client flow"
    DEFAULT_CSS = """
    FlowPanel #flow-status { height: auto; max-height: 2; text-style: bold; }
    FlowPanel ContentSwitcher, FlowPanel ContentSwitcher > * { height: 1fr; }
    FlowPanel #flow-register { height: 1fr; }
    FlowPanel #flow-client { height: auto; max-height: 2; color: $text-muted; }
    FlowPanel #flow-analysis DataTable { height: auto; margin-bottom: 1; }
    FlowPanel #flow-analysis Label { text-style: bold; }
    """
    _VIEW = Binding.Group("View", compact=True)
    BINDINGS = [
        Binding("a", "arrive('first')", "Arrives", id="flow.arrive_first"),
        Binding("A,shift+a", "arrive('follow-up')", "Follow-up", id="flow.arrive_follow_up"),
        Binding("s", "start_contact", "Start contact", id="flow.start_contact"),
        Binding("e", "end_contact", "End contact", id="flow.end_contact"),
        Binding("d", "depart", "Departs", id="flow.depart"),
        Binding("t", "typed", "Type times", id="flow.typed"),
        Binding("x", "delete", "Delete", id="flow.delete"),
        Binding("p", "raise_problem", "Problem", id="flow.problem"),
        Binding("1", "view('register')", "Register", id="flow.view_register", group=_VIEW),
        Binding("2", "view('analysis')", "Analysis", id="flow.view_analysis", group=_VIEW),
        Binding("3", "view('chart')", "Chart", id="flow.view_chart", group=_VIEW),
        # Reached only when the editing keys above are disabled (read-only): they say why.
        Binding("a,A,shift+a,s,e,d,t,x,p", "refuse_read_only", show=False, id="flow.refuse_read_only"),
    ]

    def __init__(self, exercise: Exercise, *, read_only: bool = False, id: str | None = None):
        super().__init__(exercise, read_only=read_only, id=id)
        self.current_view = "register"
        self._numbers: list[int] = []
        self._told_team = False  # the first arrival stamped with team sync on says who stamps them

    def compose(self) -> ComposeResult:
        yield Static("", id="flow-status", markup=False)
        with ContentSwitcher(initial="flow-register-view"):
            with Vertical(id="flow-register-view"):
                yield Static("", id="flow-client", markup=False)
                yield RowTable(id="flow-register", cursor_type="row", zebra_stripes=False)
            with VerticalScroll(id="flow-analysis"):
                yield Label("By visit type (minutes; means over Done visits)")
                yield DataTable(id="flow-by-type", show_cursor=False)
                yield Label("By hour of arrival")
                yield DataTable(id="flow-by-hour", show_cursor=False)
                yield Static(clientflow.DEFINITIONS, id="flow-definitions", markup=False)
            with VerticalScroll(id="flow-chart-scroll"):
                yield Static("", id="flow-chart", markup=False)

    def on_mount(self) -> None:
        self.refresh_views()
        self.set_interval(REFRESH_SECONDS, self._tick)

    def on_resize(self) -> None:
        self.refresh_views()

    def focus_default(self) -> None:
        """The exercise screen calls this on opening the section: the view's own widget."""
        view = self.current_view
        self.query_one("#flow-register" if view == "register" else f"#{_SWITCH[view]}").focus()

    # -- display ------------------------------------------------------------------------

    def redraw(self) -> None:
        self.refresh_views()

    def live_now(self) -> int | None:
        """The clock in minutes when the register is today's (waiting grows), else None."""
        return clientflow.live_minutes(self.exercise.flow_date)

    def view_width(self) -> int:
        """What a view may fill beside its scrollbar: 76 at 80 columns."""
        return (self.size.width or self.app.size.width - 2) - 2

    def refresh_views(self, select: int | None = None) -> None:
        self._refresh_register(select)
        self._refresh_analysis()
        self._refresh_chart()
        self.refresh_bindings()

    def _tick(self) -> None:
        """Every 30 s, cheaply: only the register, and only while someone is in the facility today."""
        if self.live_now() is not None and any(not v.departure for v in self.exercise.visits):
            self._refresh_register(None)

    def _refresh_register(self, select: int | None) -> None:
        """The counts line and the register; the contacts column gets what the others leave."""
        rows = register_rows(self.exercise, self.live_now())
        statuses = [cells[3] for _, cells in rows]
        waiting, staff = statuses.count("waiting"), sum(1 for s in statuses if s.startswith("with "))
        when = self.exercise.flow_date
        day = "(no date yet)" if when is None else f"{when:%Y-%m-%d}" + ("" if when == date.today() else " (not today)")
        self.query_one("#flow-status", Static).update(
            f"Flow {day}: {waiting + staff} here, {waiting} waiting, {staff} with staff"
        )
        for _, cells in rows:
            cells[3] = cells[3] if len(cells[3]) <= STATUS_MAX else cells[3][: STATUS_MAX - 1] + "…"
        widths = [max([len(COLUMNS[i])] + [len(cells[i]) for _, cells in rows]) for i in range(len(COLUMNS) - 1)]
        room = self.view_width() - sum(w + 2 for w in widths) - 2
        columns = COLUMNS if room >= CONTACTS_MIN else COLUMNS[:-1]
        table = self.query_one("#flow-register", DataTable)
        keep = select if select is not None else self.current_client()
        self._numbers = [number for number, _ in rows]
        for number, cells in rows:
            cells[-1] = contacts_text(contacts_of(self.exercise, number), room)
        # In place when only cells changed: the clock's tick every 30 s and each stamp
        # must not show the register's first rows for a frame.
        shown = [(str(number), [Text(cell) for cell in cells[: len(columns)]]) for number, cells in rows]
        redraw_rows(table, [Column(label) for label in columns], shown)
        if keep in self._numbers:
            table.move_cursor(row=self._numbers.index(keep), animate=False)
        self._show_client()

    @on(DataTable.RowHighlighted, "#flow-register")
    def _show_client(self) -> None:
        room = 2 * self.view_width()  # two lines, less what word wrapping may waste
        line = client_line(self.exercise, self.current_client(), room) or with_keys(self, EMPTY_HINT)
        self.query_one("#flow-client", Static).update(line)

    def _refresh_analysis(self) -> None:
        times = cope.flow_times(self.exercise, self.live_now())
        for table_id, label, summaries in (
            ("#flow-by-type", "Visit", clientflow.by_visit_type(times)),
            ("#flow-by-hour", "Hour", clientflow.by_hour(times)),
        ):
            table = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            # Short headers: all seven columns fit beside the sidebar at 80 columns.
            table.add_columns(label, "All", "Done", "Total", "Seen", "Wait", "Max wait")
            for s in summaries:
                numbers = (s.mean_total, s.mean_contact, s.mean_waiting, s.max_waiting)
                table.add_row(s.label, str(s.clients), str(s.finished), *("-" if n is None else str(n) for n in numbers))

    def _refresh_chart(self) -> None:
        times = cope.flow_times(self.exercise, self.live_now())
        # Each line is '#12  08:05  ' + bars + '  12+30 min': the bars get what is left.
        tail = max((len(f"  {t.waiting}+{t.contact} min") for t in times if t.finished), default=0)
        lines = clientflow.chart(times, width=max(self.view_width() - 12 - tail, 10))
        self.query_one("#flow-chart", Static).update("\n".join(lines))

    # -- state and bindings ---------------------------------------------------------------

    def current_client(self) -> int | None:
        """The number of the highlighted client in the register, None when it is empty."""
        if not self._numbers:
            return None
        row = self.query_one("#flow-register", DataTable).cursor_row
        return self._numbers[max(0, min(row, len(self._numbers) - 1))]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refuse_read_only":
            return self.read_only
        if action == "raise_problem":
            return False if self.read_only else (True if self.exercise.visits else None)
        if action not in _EDITING:
            return True
        if self.read_only:
            return False
        if action != "arrive" and self.current_view != "register":
            return False  # they act on the highlighted client: only where it can be seen
        if action in _NEEDS_CLIENT and not self._numbers:
            return None  # dimmed: no client to act on yet
        return True

    def action_raise_problem(self) -> None:
        """Put what the day shows (long waits, a bottleneck) into the action plan."""
        if self.refuse_if_read_only():
            return
        done = [r for r in cope.flow_times(self.exercise, self.live_now()) if r.finished]
        if done:
            longest = max(done, key=lambda r: r.waiting or 0)
            mean = sum(r.waiting or 0 for r in done) / len(done)
            suggested = (
                f"Client flow: clients waited {mean:.0f} min on average; longest {longest.waiting} min "
                f"(client {longest.number}, arrived {longest.arrival:%H:%M})."
            )
        else:
            suggested = "Client flow: "

        def chosen(text: str | None) -> None:
            if not text:
                return
            count = sum(1 for p in self.exercise.problems if p.source.startswith("flow"))
            cope.raise_problem(self.exercise, f"flow:{count + 1}", text)
            self.changed()
            self.notify("Added to the action plan; give it a cause and a recommendation there.")

        self.app.push_screen(
            TextPrompt("Raise a problem from client flow", "Describe the problem; edit the suggestion freely.",
                       suggested, required="Describe the problem (it cannot be empty)."),
            chosen,
        )

    def action_refuse_read_only(self) -> None:
        self.refuse_if_read_only()

    def action_view(self, view: str) -> None:
        self.current_view = view
        self.query_one(ContentSwitcher).current = _SWITCH[view]
        self.refresh_views()
        self.focus_default()

    def _done(self, number: int | None, *, stamped: bool = False) -> None:
        """After every change: date the day on its first stamp, redraw, tell the screen."""
        if stamped and self.exercise.flow_date is None:
            self.exercise.flow_date = date.today()
        self.refresh_views(select=number)
        self.changed()

    def _refuse(self, exc: ValueError) -> None:
        self.notify(str(exc), severity="warning")

    def _may_stamp(self) -> bool:
        """'now' belongs in today's register only; another day's is filled with typed times."""
        when = self.exercise.flow_date
        if self.refuse_if_read_only():
            return False
        if when is not None and when != date.today():
            typed = with_keys(self, "{flow.typed|t} types its times.")
            self._refuse(ExerciseError(f"This register is for {when:%Y-%m-%d}, not today; {typed}"))
            return False
        return True

    def _client(self, *, stamp: bool = True) -> int | None:
        """The highlighted client when this change is allowed (else None, after the notice)."""
        allowed = self._may_stamp() if stamp else not self.refuse_if_read_only()
        return self.current_client() if allowed else None

    # -- live stamps ----------------------------------------------------------------------

    def action_arrive(self, kind: str) -> None:
        if not self._may_stamp():
            return
        try:
            visit = cope.add_visit(self.exercise, kind, "now")
        except ValueError as exc:
            return self._refuse(exc)
        said = f"Client #{visit.number} arrived {visit.arrival} ({kind} visit)."
        if getattr(self.app, "sync_runner", None) is not None and not self._told_team:
            # Numbers are given here, in turn: another machine stamping arrivals too gives
            # its own #N to another client, and the merge takes the two for one (README).
            self._told_team = True
            self.notify(said + " This database syncs with a team: stamp arrivals on this machine only; "
                        "the others start and end contacts for its numbers once synced.", timeout=12)
        else:
            self.notify(said, timeout=3)
        self._done(visit.number, stamped=True)

    def action_start_contact(self) -> None:
        if (number := self._client()) is None:
            return
        start = hhmm("now")  # the moment of the key press, not of the enter in the dialog
        visit = visit_of(self.exercise, number)
        current = next((c for c in contacts_of(self.exercise, number) if c.end is None), None)
        if visit.departure or current is not None:  # said now, not after the staff type is typed
            end = with_keys(self, "{flow.end_contact|e} ends that contact first")
            why = f"already left at {visit.departure}" if visit.departure else f"is still with {current.staff}; {end}"
            return self._refuse(ExerciseError(f"Client #{number} {why}."))
        recent = recent_staff(self.exercise)

        def apply(values: dict[str, str]) -> int:
            cope.add_contact(self.exercise, number, values["staff"], start)
            return number

        fields = [("staff", "Staff type", recent[0] if recent else "")]
        form = FlowDialog(f"#{number} starts a contact at {start}", fields, apply, choices=[(s, s) for s in recent])
        self.app.push_screen(form, lambda n: n is not None and self._done(int(n), stamped=True))

    def action_end_contact(self) -> None:
        if (number := self._client()) is None:
            return
        current = next((c for c in contacts_of(self.exercise, number) if c.end is None), None)
        try:
            if current is None:
                left = visit_of(self.exercise, number).departure
                start = f"left at {left}" if left else with_keys(self, "{flow.start_contact|s} starts a contact")
                raise ExerciseError(f"Client #{number} is not with staff now; {start}.")
            cope.end_contact(self.exercise, current.id, "now")
        except ValueError as exc:
            return self._refuse(exc)
        self._done(number, stamped=True)

    def action_depart(self) -> None:
        if (number := self._client()) is None:
            return
        visit = visit_of(self.exercise, number)
        current = next((c for c in contacts_of(self.exercise, number) if c.end is None), None)
        try:
            if visit.departure:
                raise ExerciseError(f"Client #{number} already left at {visit.departure}; t fixes the time.")
            if current is not None:
                raise ExerciseError(f"Client #{number} is still with {current.staff}; e ends that contact first.")
            when = hhmm("now")
            checked_edit(self.exercise, lambda ex: setattr(visit_of(ex, number), "departure", when))
        except ValueError as exc:
            return self._refuse(exc)
        self._done(number, stamped=True)

    # -- typed times and deleting ------------------------------------------------------------

    def action_typed(self) -> None:
        if self.refuse_if_read_only():
            return
        number = self.current_client()
        options = [("first", "New client, first visit: typed arrival"),
                   ("follow-up", "New client, follow-up visit: typed arrival")]
        if number is not None:
            options.append(("contact", f"#{number}: add a contact with typed start and end"))
            if contacts_of(self.exercise, number):
                options.append(("fix-contact", f"#{number}: fix the last contact's staff or times"))
            options.append(("fix-visit", f"#{number}: fix visit type, arrival or departure"))
        menu = FlowDialog("Type times (from a paper form)", [], None, choices=options)
        self.app.push_screen(menu, lambda key: key and self.typed_form(str(key), number))

    def typed_form(self, key: str, number: int | None) -> None:
        """The form for one choice of `t`, prefilled with what is there to fix."""
        ex, recent = self.exercise, recent_staff(self.exercise)
        if key in ("first", "follow-up"):
            following = str(max((v.number for v in ex.visits), default=0) + 1)
            title, fields = f"New client ({key} visit)", [("number", "Client number", following)]
            fields.append(("arrival", "Arrival (HH:MM)", ""))
        elif key in ("contact", "fix-contact"):
            last = contacts_of(ex, number)[-1] if key == "fix-contact" else None
            title = f"#{number}: " + ("fix the last contact" if last else "add a contact")
            fields = [("staff", "Staff type", last.staff if last else (recent[0] if recent else "")),
                      ("start", "Start (HH:MM)", last.start if last else ""),
                      ("end", "End (HH:MM; blank while still open)", (last.end if last else "") or "")]
        else:
            visit = visit_of(ex, number)
            title, fields = f"#{number}: fix the visit", [
                ("type", "Visit type (first / follow-up)", visit.visit_type),
                ("arrival", "Arrival (HH:MM)", visit.arrival),
                ("departure", "Departure (HH:MM; blank while still here)", visit.departure or "")]
        choices = [(staff, staff) for staff in recent] if fields[0][0] == "staff" else []
        form = FlowDialog(title, fields, lambda values: self.apply_typed(key, number, values), choices=choices)
        self.app.push_screen(form, lambda n: n is not None and self._done(int(n)))

    def apply_typed(self, key: str, number: int | None, v: dict[str, str]) -> int:
        """Apply one typed form; raises ValueError with the reason, and then nothing changed."""
        ex = self.exercise
        if key in ("first", "follow-up"):
            if not v["number"].strip().isdigit():
                raise ExerciseError("Type the client's number as written on the form, e.g. 12.")
            return cope.add_visit(ex, key, v["arrival"], number=int(v["number"])).number
        assert number is not None
        end = v.get("end", "").strip() and hhmm(v["end"])
        if key == "contact":
            cope.add_contact(ex, number, v["staff"], v["start"], end or None)
        elif key == "fix-contact":
            staff, start, last = v["staff"].strip(), hhmm(v["start"]), contacts_of(ex, number)[-1].id
            if not staff:
                raise ExerciseError("Type the type of staff (e.g. nurse, counsellor).")
            checked_edit(ex, lambda e: set_fields(next(c for c in e.contacts if c.id == last),
                                            staff=staff, start=start, end=end or None))
        else:
            kind, arrival = visit_type(v["type"]), hhmm(v["arrival"])
            departure = v["departure"].strip() and hhmm(v["departure"])
            checked_edit(ex, lambda e: set_fields(visit_of(e, number), visit_type=kind, arrival=arrival,
                                            departure=departure or None))
        return number

    def action_delete(self) -> None:
        if (number := self._client(stamp=False)) is None:
            return
        own = contacts_of(self.exercise, number)
        if own:
            target = f"client #{number}'s last contact ({contacts_text(own[-1:])})"
        else:
            target = f"client #{number} (arrived {visit_of(self.exercise, number).arrival}) from the register"

        def answered(yes: bool | None) -> None:
            if yes and own:
                self.exercise.contacts[:] = [c for c in self.exercise.contacts if c.id != own[-1].id]
            elif yes:
                self.exercise.visits[:] = [v for v in self.exercise.visits if v.number != number]
            if yes:
                self._done(number)

        self.app.push_screen(Confirm(f"Delete {target}?", title="Delete"), answered)

