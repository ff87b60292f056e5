"""Issue 13 point 5 at 80x24: the boundaries' areas and a decision's text were cut to a
few characters (`How we wil…`, `move fl…`) because every column shared the width. On a
narrow screen the table keeps the columns that decide the next step and leaves the
others (marked wide_only in the meeting guide) to the highlighted row's help line."""

from __future__ import annotations

from cope_tui.app import create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.widgets.list_editor import ListEditor
from helpers.polling import until
from helpers.pilot import showing


async def test_boundary_areas_show_whole_enough_to_tell_apart_at_80_columns(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None, 10, "meeting")
        await pilot.press("ctrl+n", "tab")
        await until(pilot, lambda: isinstance(app.focused, ListEditor), what="the checklist")
        table = app.focused
        labels = [str(c.label) for c in table.columns.values()]
        assert "Area" in labels and "Decision" in labels and "Note" not in labels
        cells = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert len(set(c[:20] for c in cells)) == len(cells), cells  # no two areas look alike
        assert all(len(c) >= 30 or not c.endswith("…") for c in cells), cells  # whole, or 30 shown
        await pilot.press("ctrl+q")
    session.close()


async def test_a_decision_shows_its_text_and_the_left_out_cells_on_the_help_line(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None, 10, "meeting")
        app.screen.open_step("needs")
        await pilot.pause()
        app.screen.query_one("#list-decisions", ListEditor).focus()
        await pilot.press("n", *"move flat to the ground floor", "enter", *"stay, move", "enter", *"no stairs", "ctrl+s")
        table = app.screen.query_one("#list-decisions", ListEditor)
        await until(pilot, lambda: table.row_count == 1 and table.row_list, what="the row")
        assert str(table.get_row_at(0)[1]) == "move flat to the ground floor"
        help_line = str(app.screen.query_one("#help-decisions").render())
        assert "Options: stay, move" in help_line and "Upsides: no stairs" in help_line
        await pilot.press("ctrl+q")
    session.close()


async def test_a_wide_screen_shows_every_column(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=(160, 40)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None, 10, "meeting")
        await pilot.press("ctrl+n", "tab")
        await until(pilot, lambda: isinstance(app.focused, ListEditor), what="the checklist")
        labels = [str(c.label) for c in app.focused.columns.values()]
        assert {"Discussed", "Reason", "Note"} <= set(labels)
        await pilot.press("ctrl+q")
    session.close()


async def test_a_cut_cell_shows_whole_on_the_help_line(tmp_path):
    """An action's "What" cut at 80 columns (`phone the housing o…`) was nowhere whole:
    the help line gave the first column only."""
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session, meet_code="C-1")
    what = "phone the housing office about the repair of the boiler"
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None, 10, "meeting")
        app.screen.open_step("outcomes")
        await pilot.pause()
        table = app.screen.query_one("#list-actions", ListEditor)
        table.focus()
        await pilot.press("n", *"client", "enter", *what, "enter", *"+7", "ctrl+s")
        await until(pilot, lambda: table.row_count == 1 and table.row_list, what="the row")
        assert str(table.get_row_at(0)[2]).endswith("…")  # cut in the table
        help_line = str(app.screen.query_one("#help-actions").render())
        assert f"What: {what}" in help_line and "By when" not in help_line  # whole; a cell shown whole is not repeated
        await pilot.press("ctrl+q")
    session.close()


def test_a_step_panel_left_before_its_first_frame_has_nothing_to_capture():
    """Keys typed ahead (ctrl+n as the meeting opens) left the first step's panel before it
    was composed: reading its field boxes raised NoMatches and stopped the app."""
    from cope_tui.content.meeting_guide import load_meeting_guide
    from cope_tui.meetings.models import Meeting, MeetingKind
    from cope_tui.widgets.step_panel import StepPanel

    guide = load_meeting_guide()
    meeting = Meeting(client_id="c1", kind=MeetingKind.FIRST)
    step = next(s for s in guide.steps if s.fields)
    meeting.step(step.id).fields[step.fields[0].id] = "typed before"
    panel = StepPanel(step, meeting, read_only=False)  # not mounted: no boxes yet
    panel.capture()
    assert panel.unsaved() is False
    assert meeting.step(step.id).fields[step.fields[0].id] == "typed before"
