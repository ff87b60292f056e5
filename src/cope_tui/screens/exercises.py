"""The second area beside Clients: COPE exercises at sites, newest first.

One row per exercise with what a facilitator checks before a visit: how far the
guides are, how many problems are still open, and how many are overdue.
"""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label

from ..cope.exercise import Exercise, progress
from ..dialogs.parts import clip
from ..widgets.kept_row import refill
from ..widgets.row_table import RowTable
from ..widgets.navigation import OpenExercise
from ..dialogs.key_names import with_keys


def summary_cells(exercise: Exercise, guide_ids: list[str], today: date | None = None) -> tuple[str, ...]:
    """Site, start, kind, guides done/all, problems open/total, overdue, next exercise: as the
    table shows them."""
    today = today or date.today()
    done = 0
    for guide_id in guide_ids:
        answered, total, _ = progress(exercise, guide_id)
        done += answered == total
    open_ = sum(1 for p in exercise.problems if p.status in ("open", "in progress"))
    overdue = sum(1 for p in exercise.problems if p.overdue(today))
    return (
        exercise.site,
        f"{exercise.start:%Y-%m-%d}",
        "follow-up" if exercise.follow_up_of else "first",
        f"{done}/{len(guide_ids)}",
        f"{open_}/{len(exercise.problems)}",
        str(overdue) if overdue else "-",
        f"{exercise.next_exercise:%Y-%m-%d}" if exercise.next_exercise else "-",
    )


# The columns after the site's: label, key, width.
COLUMNS = (("Start", "start", 10), ("Kind", "kind", 9), ("Guides", "guides", 6), ("Problems", "problems", 8),
           ("Overdue", "overdue", 7), ("Next", "next", 10))


class ExercisesScreen(Screen[None]):
    TITLE = "COPE exercises"
    DEFAULT_CSS = """
    ExercisesScreen #exercise-table { height: 1fr; margin: 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+n", "new_exercise", "New exercise", id="exercises.new"),
        Binding("f", "follow_up", "Follow-up", id="exercises.follow_up"),
        Binding("enter", "open", "Open", show=False, id="exercises.open"),
        Binding("f3,escape", "back", "Clients", id="exercises.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="exercise-empty", classes="hint")
        yield RowTable(id="exercise-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    site_width = 0  # the site column's width in the table now (0: no columns yet)

    def on_mount(self) -> None:
        self.title = "COPE exercises"
        self.query_one(DataTable).focus()

    _longest = 0  # cells of the longest site's name, at the last fill

    def _site_width(self) -> int:
        """The site takes what the fixed columns leave (each cell has 2 of padding, plus the
        margin), up to 22 cells, or the longest site's name on a terminal wide enough."""
        room = self.app.size.width - 2 - sum(width for _, _, width in COLUMNS) - 2 * (len(COLUMNS) + 1)
        return max(12, min(room, max(22, self._longest)))

    def _add_columns(self, table: DataTable, site_width: int) -> None:
        self.site_width = site_width
        table.add_column("Site", key="site", width=site_width)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)

    def on_resize(self) -> None:
        # Many a second while a terminal is dragged: the longest site of the last fill says
        # whether the column changes, without reading every exercise again.
        if self.site_width and self._site_width() != self.site_width:
            self.refresh_exercises()

    def on_screen_resume(self) -> None:
        self.refresh_exercises()  # also the first fill: a pushed screen is resumed once

    # A sync that brings exercises (a teammate's new one, another team's answers counted
    # in Guides) shows them here at once, not when the list is next opened.
    lists = ("exercises",)

    def show_synced(self) -> None:
        self.refresh_exercises()

    @property
    def store(self):
        return self.app.session.store

    def refresh_exercises(self) -> None:
        from ..content.cope_guides import load_guides

        guide_ids = [g.id for g in load_guides().guides]
        exercises = self.store.exercises()
        table = self.query_one(DataTable)
        kept = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value if table.row_count else None
        self._longest = max((cell_len(e.site) for e in exercises), default=0)
        width = self._site_width()
        if width != self.site_width:  # the first fill, a longer site, or a wider or narrower terminal
            table.clear(columns=True)
            self._add_columns(table, width)
        rows = []
        for exercise in exercises:
            site, *cells = summary_cells(exercise, guide_ids)
            rows.append((exercise.id, (Text(clip(site, width)), *(Text(c) for c in cells))))
        refill(table, rows)  # one a sync brings may come above the highlighted one
        keys = [key for key, _ in rows]
        if kept in keys:
            table.move_cursor(row=keys.index(kept))
        hint = self.query_one("#exercise-empty", Label)
        if exercises:
            hint.update(with_keys(self, "enter opens · {exercises.follow_up|f} starts a follow-up of the highlighted one · "
                                         "{exercises.back|F3} clients"))
        else:
            hint.update(with_keys(self, "No COPE exercises yet. Press {exercises.new|ctrl+n} to start one at a site. "
                                         "{exercises.back|F3}: clients."))

    def _highlighted(self) -> Exercise | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.store.exercise(str(row_key.value))

    def open_exercise(self, exercise: Exercise) -> None:
        self.post_message(OpenExercise(exercise.id))

    @on(DataTable.RowSelected, "#exercise-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        exercise = self._highlighted()
        if exercise is not None:
            self.open_exercise(exercise)

    def _form(self, follow_up_of: Exercise | None) -> None:
        from ..dialogs.exercise_form import ExerciseForm

        if self.store.read_only:
            self.notify("The database is open read-only.", severity="warning")
            return

        def created(exercise: Exercise | None) -> None:
            if exercise is not None:
                self.refresh_exercises()
                self.open_exercise(exercise)

        self.app.push_screen(ExerciseForm(follow_up_of=follow_up_of), created)

    def action_new_exercise(self) -> None:
        self._form(None)

    def action_follow_up(self) -> None:
        exercise = self._highlighted()
        if exercise is None:
            self.notify(with_keys(self, "Start an exercise first ({exercises.new|ctrl+n}); a follow-up continues one."),
                        severity="warning")
            return
        self._form(exercise)

    def action_back(self) -> None:
        self.dismiss()
