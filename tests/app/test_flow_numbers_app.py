"""Client flow on the day: the register, the analysis and the chart tell the same story
about an open visit, and the analysis says what each figure means (issue 13, point 7)."""

from __future__ import annotations

from datetime import date, time

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from cope_tui.cope import client_flow
from cope_tui.cope import exercise as cope
from cope_tui.widgets.exercise.flow import FlowPanel


class FlowApp(App[None]):
    def __init__(self, exercise: cope.Exercise) -> None:
        super().__init__()
        self.exercise = exercise

    def compose(self) -> ComposeResult:
        yield FlowPanel(self.exercise)


async def test_an_open_visit_is_waiting_in_the_register_and_not_a_finished_one_in_view_2(monkeypatch) -> None:
    monkeypatch.setattr(client_flow, "now_clock", lambda: time(7, 5))
    ex = cope.new_exercise("Site", date(2026, 3, 2))
    cope.add_visit(ex, "first", "06:30")
    cope.add_contact(ex, 1, "nurse", "06:45", "07:00")
    ex.flow_date = date.today()
    app = FlowApp(ex)
    async with app.run_test(size=(80, 24)) as pilot:
        register = app.query_one("#flow-register", DataTable)
        assert [str(c) for c in register.get_row_at(0)][3:7] == ["waiting", "35", "15", "20"]
        await pilot.press("2")
        await pilot.pause()
        by_type = app.query_one("#flow-by-type", DataTable)
        everyone = [str(c) for c in by_type.get_row_at(by_type.row_count - 1)]
        assert everyone == ["all", "1", "0", "-", "-", "-", "-"]
        assert "finished" in str(app.query_one("#flow-definitions", Static).content)
        await pilot.press("3")
        await pilot.pause()
        assert "(still in the facility)" in str(app.query_one("#flow-chart", Static).content)


async def test_the_analysis_columns_fit_beside_the_sidebar_at_80_columns() -> None:
    ex = cope.new_exercise("Site", date(2026, 3, 2))
    for n in range(12):
        cope.add_visit(ex, "follow-up", f"{8 + n // 6:02d}:{n * 5 % 60:02d}")
    app = FlowApp(ex)
    async with app.run_test(size=(58, 24)) as pilot:  # what the exercise screen leaves it at 80
        await pilot.press("2")
        await pilot.pause()
        for table_id in ("#flow-by-type", "#flow-by-hour"):
            table = app.query_one(table_id, DataTable)
            assert table.virtual_size.width <= table.scrollable_content_region.width, table_id
