"""Table cells are cut by terminal cells, not characters: a CJK or emoji text (two cells a
character) keeps to its column, so the columns after it stay on an 80-column screen."""

from __future__ import annotations

from datetime import date, timedelta

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from cope_tui.cope.exercise import new_exercise, raise_problem
from cope_tui.dialogs.parts import clip
from cope_tui.widgets.exercise.plan import PlanPanel

WIDE = "診療室のドアが閉まらず会話が廊下に聞こえる問題があります" * 2  # 56 characters, 112 cells


def test_clip_counts_cells_and_says_where_it_cut() -> None:
    assert clip("short", 10) == "short"
    assert clip("a long sentence", 6) == "a lon…"
    cut = clip(WIDE, 21)
    assert cell_len(cut) <= 21 and cut.endswith("…") and WIDE.startswith(cut[:-1])
    assert cell_len(clip("🙂" * 30, 9)) <= 9
    assert clip("two\nlines\tand a tab", 40) == "two lines and a tab"  # a cell is one line
    assert clip("anything", 1) == "…" and clip("anything", 0) == ""


class PanelApp(App[None]):
    def __init__(self, panel: PlanPanel) -> None:
        super().__init__()
        self.panel = panel

    def compose(self) -> ComposeResult:
        yield self.panel


async def test_a_wide_problem_keeps_who_and_when_on_an_80_column_screen() -> None:
    exercise = new_exercise("Clinic", date.today() - timedelta(days=3))
    problem = raise_problem(exercise, "manual", WIDE)
    problem.by_whom, problem.by_when = "看護師長🙂", date.today() + timedelta(days=7)
    app = PanelApp(PlanPanel(exercise))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one("#plan-table", DataTable)
        columns = table.ordered_columns
        keys = [c.key.value for c in columns]
        shown = columns[: keys.index("when") + 1]  # what a facilitator scans for fits 80 columns
        assert sum(c.get_render_width(table) for c in shown) <= table.size.width
        text = table.get_cell(problem.id, "text")
        assert text.plain.endswith("…") and cell_len(text.plain) <= columns[keys.index("text")].content_width
