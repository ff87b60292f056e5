"""A client's case plan: the goals from stage 3, their indicators and how they are going."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Static

from ..dialogs.parts import clip
from ..meetings.case_plan import KIND_LABELS, CasePlanError, direction, latest, remove_goal, set_achieved, sparkline, trend
from ..meetings.models import Client, Goal
from ..widgets.kept_row import Column, redraw_rows
from ..widgets.row_table import RowTable
from ..words import counted
from ..dialogs.key_names import with_keys

GOAL_WIDTH = 25
SPARK = 10
OTHER_COLUMNS = {"Kind": 9, "Ind.": 4, "Latest": 6, "Trend": SPARK, "Status": 8}


class CasePlanScreen(Screen[None]):
    DEFAULT_CSS = """
    CasePlanScreen #goal-table { height: 1fr; margin: 0 1; }
    CasePlanScreen #goal-detail { height: auto; max-height: 7; padding: 0 1; border-top: solid $primary; }
    """

    BINDINGS = [
        Binding("n", "add", "New goal", id="case_plan.add"),
        Binding("ctrl+n", "add", "New goal", show=False, id="case_plan.add_alt"),
        Binding("e", "edit", "Edit goal", id="case_plan.edit"),
        Binding("x,delete", "delete", "Delete goal", id="case_plan.delete"),
        Binding("a", "achieved", "Achieved", id="case_plan.achieved"),
        Binding("r", "rate", "Rate progress", id="case_plan.rate"),
        Binding("f9", "rate", "Rate progress", show=False, id="case_plan.rate_alt"),
        Binding("escape", "back", "Back", id="case_plan.back"),
    ]

    def __init__(self, client_id: str):
        super().__init__(classes="sensitive-screen")
        self.client_id = client_id
        self.client: Client | None = None

    @property
    def session(self):
        return self.app.session

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="case-plan-card", classes="card")
        yield RowTable(id="goal-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="goal-detail", classes="sensitive")
        yield Footer()

    def on_mount(self) -> None:
        self._reload()
        self.query_one("#goal-table", DataTable).focus()

    def on_resize(self) -> None:
        if self.client is not None:
            self.refresh_view()  # the goal column takes the new width

    def _goal_width(self, table: DataTable) -> int:
        """What the other columns leave the goal's text (at least GOAL_WIDTH): at 120
        columns a goal shows whole rather than cut at 25 characters."""
        others = sum(OTHER_COLUMNS.values()) + 2 * (len(OTHER_COLUMNS) + 1) + table.styles.scrollbar_size_vertical
        return max(GOAL_WIDTH, (table.size.width or self.app.size.width - 2) - others)

    def on_screen_suspend(self) -> None:
        # A full screen on top (search, the palette's "Open client") can change this client;
        # a dialog of this screen changes only the copy held here.
        self._stale = not isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        if getattr(self, "_stale", False):
            self._stale = False
            self._reload()  # saving the copy held here would undo those changes

    def _reload(self) -> None:
        """The client as stored now: the rating dialog saves its own copy."""
        self.session.flush()
        self.client = self.session.store.client(self.client_id)
        if self.client is None:
            self.notify("That client no longer exists.", severity="error")
            self.dismiss()
            return
        self.refresh_view()

    def refresh_view(self, select: str | None = None) -> None:
        client = self.client
        assert client is not None
        self.title = f"Case plan · {client.code}"
        table = self.query_one("#goal-table", DataTable)
        keep = table.cursor_row
        width = self._goal_width(table)
        columns = [Column("Kind", OTHER_COLUMNS["Kind"], "kind"), Column("Goal", width, "goal")]
        columns += [Column(label, OTHER_COLUMNS[label], key) for label, key in
                    (("Ind.", "ind"), ("Latest", "latest"), ("Trend", "trend"), ("Status", "status"))]
        rows: list[tuple[str, list[object]]] = []
        for goal in client.goals:
            last = latest(goal)
            rows.append((goal.id, [
                "preferred" if goal.kind == "preferred" else "change",
                clip(goal.text, width),
                str(len(goal.indicators)),
                f"{last.score}/10" if last else "-",
                sparkline(trend(goal), SPARK),
                "achieved" if goal.achieved else "open",
            ]))
        redraw_rows(table, columns, rows)
        if select is not None:
            keep = next((i for i, g in enumerate(client.goals) if g.id == select), keep)
        if client.goals and keep is not None:
            table.move_cursor(row=min(keep, len(client.goals) - 1))
        done = sum(1 for g in client.goals if g.achieved)
        card = (
            f"[b]{escape(client.code)}[/b]: {len(client.goals)} goal{'' if len(client.goals) == 1 else 's'}, {done} achieved. "
            "Scores run from 0 (no progress) to 10 (reached)."
        )
        if not client.goals:
            card = (
                f"[b]{escape(client.code)}[/b] has no goals yet. Stage 3 names the preferred scenario and the "
                + with_keys(self, "change goals: {case_plan.add|n} adds one, with the benefit indicators "
                                  "that will show it is working.")
            )
        self.query_one("#case-plan-card", Static).update(card)
        self._show_detail()

    def _selected(self) -> Goal | None:
        table = self.query_one("#goal-table", DataTable)
        if self.client is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return next((g for g in self.client.goals if g.id == key.value), None)

    @on(DataTable.RowHighlighted, "#goal-table")
    def _show_detail(self) -> None:
        goal = self._selected()
        detail = self.query_one("#goal-detail", Static)
        if goal is None:
            detail.update(with_keys(self, "[dim]{case_plan.add|n} new goal · {case_plan.rate|r} rates progress at the open meeting "
                                       "(also {meeting.goals|F9} in a meeting)[/dim]"))
            return
        scores = trend(goal)
        head = f"[b]{escape(KIND_LABELS.get(goal.kind, goal.kind))}[/b], set {goal.created:%Y-%m-%d}"
        if goal.achieved:
            head += f", achieved {goal.achieved:%Y-%m-%d}"
        if scores:
            moved = direction(scores)
            head += f"   {sparkline(scores)} {' '.join(map(str, scores[-8:]))}{' (' + moved + ')' if moved else ''}"
        lines = [head, f"Goal: {escape(goal.text)}"]
        lines.append("Indicators: " + (escape("; ".join(goal.indicators)) if goal.indicators else "none yet (e to add)"))
        for rating in sorted(goal.ratings, key=lambda r: r.on)[-3:]:
            note = f"  {escape(rating.note)}" if rating.note else ""
            lines.append(f"  {rating.on:%Y-%m-%d}  {rating.score:>2}/10{note}")
        detail.update("\n".join(lines))

    @on(DataTable.RowSelected, "#goal-table")
    def _row_selected(self) -> None:
        self.action_edit()

    # ---- changes -------------------------------------------------------------------

    def _writable(self) -> Client | None:
        if self.session.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return None
        if self.client is not None and self.client.closed:
            self.notify(
                f"{self.client.code} is closed and read-only. Reopen the client (o on the client screen) first.",
                severity="warning",
            )
            return None
        return self.client

    def _commit(self, select: str | None = None) -> None:
        assert self.client is not None
        self.session.save_client(self.client, at_once=True)
        self.refresh_view(select)

    def action_add(self) -> None:
        from ..dialogs.goal_form import GoalForm

        client = self._writable()
        if client is not None:
            self.app.push_screen(GoalForm(client), lambda goal: goal and self._commit(goal.id))

    def action_edit(self) -> None:
        from ..dialogs.goal_form import GoalForm

        goal = self._selected()
        client = self._writable() if goal else None
        if goal is None:
            self.notify(with_keys(self, "No goal to edit yet: {case_plan.add|n} adds one."))
        elif client is not None:
            self.app.push_screen(GoalForm(client, goal), lambda done: done and self._commit(done.id))

    def action_delete(self) -> None:
        from ..dialogs.confirm import Confirm

        goal = self._selected()
        client = self._writable() if goal else None
        if goal is None or client is None:
            return
        rated = f" and its {counted(len(goal.ratings), 'progress rating')}" if goal.ratings else ""
        question = f"Delete the goal '{goal.text}'{rated}? This cannot be undone."

        def answered(yes: bool | None) -> None:
            if yes:
                try:
                    remove_goal(client, goal.id)
                except CasePlanError as exc:
                    self.notify(str(exc), severity="warning")
                    return
                self._commit()

        self.app.push_screen(Confirm(question, title="Delete goal"), answered)

    def action_achieved(self) -> None:
        goal = self._selected()
        client = self._writable() if goal else None
        if goal is None or client is None:
            return
        reached = goal.achieved is None
        set_achieved(client, goal.id, reached)
        self._commit(goal.id)
        again = with_keys(self, "Marked achieved today; {case_plan.achieved|a} marks it open again.")
        self.notify(again if reached else "The goal is open again.")

    def action_rate(self) -> None:
        from ..dialogs.goal_ratings import GoalRatings

        if self._writable() is None:
            return
        drafts = [m for m in self.session.store.meetings(self.client_id) if not m.finalised]
        if not drafts:
            self.notify(
                with_keys(self, "Progress is rated at a meeting: start one ({client.meet|ctrl+n} on the client screen) or "
                          "resume a draft, then press {meeting.goals|F9} there or {case_plan.rate|r} here."),
                severity="warning",
                timeout=8,
            )
            return
        self.session.save_client(self.client, at_once=True)
        self.app.push_screen(GoalRatings(drafts[-1]), lambda _: self._reload())

    def action_back(self) -> None:
        if self.client is not None:
            self.session.flush()  # the client screen re-reads the record when it comes back
        self.dismiss()
