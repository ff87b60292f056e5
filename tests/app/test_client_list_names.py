"""A long name on the client list: cut with "…" where the column ends, whole where the
terminal is wide enough.

The name column was 24 cells at any size and cut bare: "Alexandra Konstantinopoulou-
Whitfield" showed as "Alexandra Konstantinopou", which reads as a whole (other) name.
"""

from __future__ import annotations

from textual.widgets import DataTable

from cope_tui.app import create_app
from cope_tui.session import Session, create_client
from helpers.polling import until

LONG = "Alexandra Konstantinopoulou-Whitfield"


def first_cells(app) -> list[str]:
    table = app.screen.query_one("#client-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_a_long_name_is_marked_as_cut_and_shows_whole_on_a_wide_terminal(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    for code in (LONG, "C-0002"):
        create_client(session.store, code)
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.query("#client-table"), 10, "the list")
        await until(pilot, lambda: first_cells(app) == ["Alexandra Konstantinopo…", "C-0002"], 10, "the name cut with …")
        await pilot.press("down")  # C-0002 highlighted: it stays so through the resizes
        await pilot.resize_terminal(160, 40)
        await until(pilot, lambda: first_cells(app) == [LONG, "C-0002"], 10, "the name whole")
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: first_cells(app)[0] == "Alexandra Konstantinopo…", 10, "cut again")
        assert app.screen.query_one("#client-table", DataTable).cursor_row == 1
        await pilot.press("ctrl+q")
    session.close()
