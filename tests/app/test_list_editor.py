"""The list editor, row editor and confirm dialog, driven by keys at 80x24."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Checkbox, Input, Static

from cope_tui.content.meeting_guide import parse_meeting_guide
from cope_tui.meetings.models import Meeting, Row
from cope_tui.dialogs.confirm import Confirm
from cope_tui.dialogs.row_editor import RowEditor
from cope_tui.widgets.list_editor import CARRIED_MARK
from helpers.list_editor_app import EditorApp, agenda_app, agenda_rows, cell, checklist_app, specs, type_text


# -- adding ---------------------------------------------------------------------


async def test_add_row_with_cleaned_values() -> None:
    app = agenda_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert "n to add" in cell(app.editor, 0, 1)
        await pilot.press("n")
        assert isinstance(app.screen, RowEditor)
        # The first editable field has focus.
        assert app.focused is app.screen.query_one("#field-item", Input)
        await type_text(pilot, "  Housing  ")
        await pilot.press("tab")
        await type_text(pilot, "15")
        await pilot.press("tab")
        await type_text(pilot, "2026-03-01")
        await pilot.press("tab", "space")  # tick Done
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, RowEditor)
        assert len(app.rows) == 1
        row = app.rows[0]
        assert row.values == {"item": "Housing", "minutes": 15, "due": "2026-03-01", "done": True}
        assert row.origin == app.meeting.id
        assert app.meeting.rows("one", "agenda")[0] is row
        assert app.changes == ["agenda"]
        assert cell(app.editor, 0, 1) == "Housing"
        assert cell(app.editor, 0, 4) == "[x]"
        assert cell(app.editor, 0, 0) == ""  # written in this meeting: no carried mark


async def test_enter_moves_to_next_field_then_saves_on_last_input() -> None:
    agenda, _ = specs()
    app = agenda_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("insert")
        editor = app.screen
        assert isinstance(editor, RowEditor)
        await type_text(pilot, "Benefits")
        await pilot.press("enter")
        assert app.focused is editor.query_one("#field-minutes", Input)
        await pilot.press("enter")
        assert app.focused is editor.query_one("#field-due", Input)
        # Due is not the last field (Done is), so enter moves on rather than saving.
        await pilot.press("enter")
        assert app.focused is editor.query_one("#field-done", Checkbox)
        assert app.rows == []
        await pilot.press("ctrl+s")
        assert [r.values["item"] for r in app.rows] == ["Benefits"]


async def test_escape_cancels_add() -> None:
    app = agenda_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await type_text(pilot, "Nothing")
        await pilot.press("escape")
        assert isinstance(app.screen, RowEditor)  # typed words: the first esc only warns
        await pilot.press("escape")
        assert not isinstance(app.screen, RowEditor)
        assert app.rows == []
        assert app.changes == []


async def test_required_field_empty_keeps_dialog_open() -> None:
    app = agenda_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "tab")
        await type_text(pilot, "10")
        await pilot.press("ctrl+s")
        editor = app.screen
        assert isinstance(editor, RowEditor)
        error = editor.query_one("#row-error", Static)
        assert error.display
        assert "Item is needed" in str(error.render())
        # The offending field gets focus back.
        assert app.focused is editor.query_one("#field-item", Input)
        assert app.rows == []
        assert app.changes == []
        await type_text(pilot, "Rent")
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, RowEditor)
        assert app.rows[0].values["item"] == "Rent"
        assert app.rows[0].values["minutes"] == 10


async def test_bad_date_shows_error_then_good_date_saves() -> None:
    app = agenda_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await type_text(pilot, "Court")
        await pilot.press("tab", "tab")
        await type_text(pilot, "31/02/2026")
        editor = app.screen
        assert isinstance(editor, RowEditor)
        live = editor.query_one("#error-due", Static)
        assert live.display
        assert "is not a date" in str(live.render())
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, RowEditor)
        error = editor.query_one("#row-error", Static)
        # Said once, under the field it is about, not again at the foot of the form.
        assert live.display and "is not a date" in str(live.render())
        assert str(error.render()) == ""
        assert app.focused is editor.query_one("#field-due", Input)
        assert app.rows == []
        due = editor.query_one("#field-due", Input)
        due.value = ""
        await pilot.pause()
        assert not live.display
        await type_text(pilot, "2026-03-01")
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, RowEditor)
        assert app.rows[0].values["due"] == "2026-03-01"


async def test_relative_date_is_stored_as_iso() -> None:
    app = agenda_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await type_text(pilot, "Call GP")
        await pilot.press("tab", "tab")
        await type_text(pilot, "+7")
        await pilot.press("ctrl+s")
        assert app.rows[0].values["due"] == (date.today() + timedelta(days=7)).isoformat()


# -- editing, toggling, deleting, moving -------------------------------------------


async def test_edit_keeps_identity_and_prefills() -> None:
    rows = agenda_rows("Housing", "Work")
    rows[1].values["minutes"] = 5
    keep = (rows[1].id, rows[1].added, rows[1].origin)
    app = agenda_app(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "e")
        editor = app.screen
        assert isinstance(editor, RowEditor)
        assert editor.query_one("#field-item", Input).value == "Work"
        assert editor.query_one("#field-minutes", Input).value == "5"
        await type_text(pilot, " search")
        await pilot.press("ctrl+s")
        row = app.rows[1]
        assert row.values["item"] == "Work search"
        assert row.values["minutes"] == 5
        assert (row.id, row.added, row.origin) == keep
        assert app.changes == ["agenda"]
        assert app.editor.cursor_row == 1


async def test_space_toggles_bool_column() -> None:
    app = agenda_app(agenda_rows("Housing", "Work"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "space")
        assert [r.values["done"] for r in app.rows] == [False, True]
        assert cell(app.editor, 1, 4) == "[x]"
        assert app.editor.cursor_row == 1
        await pilot.press("space")
        assert [r.values["done"] for r in app.rows] == [False, False]
        assert app.changes == ["agenda", "agenda"]


async def test_a_long_list_changed_low_down_stays_where_the_user_is() -> None:
    """Twelve rows: the list scrolls (it shows eight). Ticking or moving the last rows
    must not show the first rows for a frame (the table was cleared and rebuilt)."""
    app = agenda_app(agenda_rows(*(f"Item {n}" for n in range(1, 13))))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.editor
        await pilot.press(*["down"] * 11)
        await pilot.pause()
        assert editor.cursor_row == 11 and editor.scroll_y > 0
        seen: list[float] = []
        app.watch(editor, "scroll_y", lambda y: seen.append(y), init=False)
        await pilot.press("space", "[")
        await pilot.pause()
        assert [r.values["item"] for r in app.rows][-2:] == ["Item 12", "Item 11"]
        assert app.rows[-2].values["done"] is True and cell(editor, 10, 4) == "[x]"
        assert editor.cursor_row == 10 and 0 not in seen


async def test_delete_after_yes_keep_after_no() -> None:
    app = agenda_app(agenda_rows("Housing", "Work", "Health"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "x")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert not isinstance(app.screen, Confirm)
        assert [r.values["item"] for r in app.rows] == ["Housing", "Work", "Health"]
        assert app.changes == []
        await pilot.press("x")
        await pilot.press("escape")
        assert len(app.rows) == 3
        await pilot.press("x", "y")
        assert [r.values["item"] for r in app.rows] == ["Housing", "Health"]
        assert app.changes == ["agenda"]
        assert app.editor.cursor_row == 1
        await pilot.press("delete", "enter")  # enter is the safe answer: no
        assert [r.values["item"] for r in app.rows] == ["Housing", "Health"]
        await pilot.press("delete", "tab", "enter")  # yes chosen on purpose
        assert [r.values["item"] for r in app.rows] == ["Housing"]
        await pilot.press("x", "y")
        assert app.rows == []
        assert "n to add" in cell(app.editor, 0, 1)


async def test_move_rows_with_brackets_and_shift_arrows() -> None:
    app = agenda_app(agenda_rows("A", "B", "C"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("]")
        assert [r.values["item"] for r in app.rows] == ["B", "A", "C"]
        assert app.editor.cursor_row == 1
        await pilot.press("shift+down")
        assert [r.values["item"] for r in app.rows] == ["B", "C", "A"]
        await pilot.press("]")  # already last: nothing moves
        assert [r.values["item"] for r in app.rows] == ["B", "C", "A"]
        await pilot.press("[", "shift+up")
        assert [r.values["item"] for r in app.rows] == ["A", "B", "C"]
        assert app.editor.cursor_row == 0
        assert app.changes == ["agenda"] * 4


async def test_carried_rows_are_marked() -> None:
    rows = agenda_rows("Old", "New")
    rows[0].origin = "earlier-meeting"
    app = agenda_app(rows)
    async with app.run_test(size=(80, 24)):
        rows[1].origin = app.meeting.id
        app.editor.refresh_rows()
        assert cell(app.editor, 0, 0) == CARRIED_MARK
        assert cell(app.editor, 1, 0) == ""


async def test_long_text_is_truncated_in_cell() -> None:
    app = agenda_app(agenda_rows("x" * 80))
    async with app.run_test(size=(80, 24)):
        shown = cell(app.editor, 0, 1)
        # Cut to what the table's width leaves (issue 13: no fixed 30-character cap).
        assert shown.endswith("…") and len(shown) < 80
        used = sum(c.get_render_width(app.editor) for c in app.editor.columns.values())
        assert used <= app.editor.size.width
        assert app.rows[0].values["item"] == "x" * 80


async def test_markup_like_text_is_shown_literally() -> None:
    app = agenda_app(agenda_rows("[b]not bold[/b]"))
    async with app.run_test(size=(80, 24)):
        assert cell(app.editor, 0, 1) == "[b]not bold[/b]"


# -- layout -------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [1, 6])
async def test_row_editor_fits_80x24(columns: int) -> None:
    cols = "\n".join(
        f'[[steps.lists.columns]]\nid = "c{i}"\nlabel = "Column {i}"\nhelp = "Some help for column {i}."\n'
        for i in range(columns)
    )
    guide = f'schema_version = 1\ntitle = "t"\n[[steps]]\nid = "s"\ntitle = "S"\n[[steps.lists]]\nid = "l"\nlabel = "L"\n{cols}'
    spec = parse_meeting_guide(guide, "t").steps[0].lists[0]
    meeting = Meeting(client_id="c", kind="first")
    app = EditorApp(spec, meeting.rows("s", "l"), meeting)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        editor = app.screen
        assert isinstance(editor, RowEditor)
        dialog = editor.query_one("#row-dialog")
        assert dialog.region.height <= 24 and dialog.region.width <= 80
        hint = editor.query_one("#row-hint")
        assert hint.region.bottom <= 24 and hint.region.height == 1
        # Tab to the last field: it scrolls into view.
        for _ in range(columns - 1):
            await pilot.press("tab")
        last = editor.query_one(f"#field-c{columns - 1}", Input)
        assert app.focused is last
        fields = editor.query_one("#row-fields")
        assert fields.region.contains_region(last.region)


async def test_table_fits_80_columns() -> None:
    from cope_tui.content.meeting_guide import load_meeting_guide

    spec = load_meeting_guide().step("needs").list_spec("decisions")
    meeting = Meeting(client_id="c", kind="first")
    rows = meeting.rows("needs", "decisions")
    rows.append(Row(values={c.id: "a fairly long piece of text " * 3 for c in spec.columns}))
    app = EditorApp(spec, rows, meeting)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        editor = app.editor
        assert editor.virtual_size.width <= editor.size.width
        assert all(str(c).endswith("…") for c in editor.get_row_at(0)[1:])
        # Empty, the hint still fits.
        rows.clear()
        editor.refresh_rows()
        await pilot.pause()
        assert editor.virtual_size.width <= editor.size.width
        assert "n to add" in cell(editor, 0, 1)


async def test_a_yes_no_field_says_its_state_in_words_not_only_in_colour() -> None:
    """With NO_COLOR (or a reader who cannot tell the colours apart) on and off must look
    different: Textual's box draws the same X for both."""
    app = checklist_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        box = app.screen.query_one("#field-discussed", Checkbox)
        off = str(box.render())
        assert "no" in off and "X" not in off
        await pilot.press("space")
        on = str(box.render())
        assert "yes" in on and "X" in on
        await pilot.press("space")
        assert str(box.render()) == off

