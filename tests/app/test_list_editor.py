"""The list editor, row editor and confirm dialog, driven by keys at 80x24."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Checkbox, Input, Select, Static

from cope_tui.content.meeting_guide import ListSpec, parse_meeting_guide
from cope_tui.meetings.models import Meeting, Row
from cope_tui.dialogs.confirm import Confirm
from cope_tui.dialogs.row_editor import RowEditor
from cope_tui.widgets.list_editor import CARRIED_MARK, ListEditor

GUIDE = """\
schema_version = 1
title = "Test guide"

[[steps]]
id = "one"
title = "One"

[[steps.lists]]
id = "agenda"
label = "Agenda"
reorderable = true
toggle = "done"

[[steps.lists.columns]]
id = "item"
label = "Item"
required = true

[[steps.lists.columns]]
id = "minutes"
label = "Minutes"
kind = "int"
help = "Optional time box."

[[steps.lists.columns]]
id = "due"
label = "Due"
kind = "date"

[[steps.lists.columns]]
id = "done"
label = "Done"
kind = "bool"

[[steps.lists]]
id = "areas"
label = "Areas to agree"
toggle = "discussed"
decision = "decision"

[[steps.lists.items]]
id = "roles"
text = "Rights, roles and responsibilities; who decides what, who answers for it"

[[steps.lists.items]]
id = "planning"
text = "How we will plan together"

[[steps.lists.columns]]
id = "area"
label = "Area"
readonly = true

[[steps.lists.columns]]
id = "discussed"
label = "Discussed"
kind = "bool"

[[steps.lists.columns]]
id = "decision"
label = "Decision"
kind = "choice"
choices = ["agreed", "deferred"]

[[steps.lists.columns]]
id = "reason"
label = "Reason"
required_when = { decision = "deferred" }
"""


def specs() -> tuple[ListSpec, ListSpec]:
    step = parse_meeting_guide(GUIDE, "test").steps[0]
    return step.lists[0], step.lists[1]


class EditorApp(App[None]):
    def __init__(self, spec: ListSpec, rows: list[Row], meeting: Meeting, *, read_only: bool = False) -> None:
        super().__init__()
        self.spec = spec
        self.rows = rows
        self.meeting = meeting
        self.read_only = read_only
        self.changes: list[str] = []

    def compose(self) -> ComposeResult:
        yield ListEditor(self.spec, self.rows, self.meeting, read_only=self.read_only, id="editor")

    def on_mount(self) -> None:
        self.query_one(ListEditor).focus()

    def on_list_editor_changed(self, message: ListEditor.Changed) -> None:
        assert message.editor is self.query_one(ListEditor)
        self.changes.append(message.list_id)

    @property
    def editor(self) -> ListEditor:
        return self.query_one(ListEditor)


def agenda_app(rows: list[Row] | None = None, *, read_only: bool = False) -> EditorApp:
    agenda, _ = specs()
    meeting = Meeting(client_id="c", kind="first")
    stored = meeting.rows("one", "agenda")
    stored.extend(rows or [])
    return EditorApp(agenda, stored, meeting, read_only=read_only)


def checklist_app(*, read_only: bool = False) -> EditorApp:
    _, areas = specs()
    meeting = Meeting(client_id="c", kind="first")
    stored = meeting.rows("one", "areas")
    stored.extend(Row(item=i.id, values={"area": i.text}) for i in areas.items)
    return EditorApp(areas, stored, meeting, read_only=read_only)


def agenda_rows(*items: str) -> list[Row]:
    return [Row(values={"item": it, "minutes": None, "due": None, "done": False}) for it in items]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


def cell(editor: ListEditor, row: int, column: int) -> str:
    return str(editor.get_row_at(row)[column])


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
        await pilot.press("delete", "enter")  # enter answers yes
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


# -- fixed checklists -------------------------------------------------------------------


async def test_checklist_cannot_add_or_delete() -> None:
    app = checklist_app()
    async with app.run_test(size=(80, 24)) as pilot:
        before = [r.model_copy(deep=True) for r in app.rows]
        await pilot.press("n")
        assert not isinstance(app.screen, RowEditor)
        await pilot.press("x")
        assert not isinstance(app.screen, Confirm)
        await pilot.press("delete", "]")
        assert app.rows == before
        assert app.changes == []
        assert app.editor.check_action("add", ()) is False
        assert app.editor.check_action("delete", ()) is False
        assert app.editor.check_action("move_down", ()) is False
        assert app.editor.check_action("edit", ()) is True


async def test_checklist_edit_decision_via_select() -> None:
    app = checklist_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        editor = app.screen
        assert isinstance(editor, RowEditor)
        # The read-only area text is shown, not editable; focus starts on Discussed.
        assert app.focused is editor.query_one("#field-discussed", Checkbox)
        assert not editor.query("Input#field-area")
        await pilot.press("space", "tab")  # discussed
        assert app.focused is editor.query_one("#field-decision", Select)
        await pilot.press("space")  # open the menu: blank, agreed, deferred (enter moves on, issue 13)
        await pilot.press("escape")  # closes the menu, not the dialog
        assert isinstance(app.screen, RowEditor)
        await pilot.press("space")
        await pilot.press("down", "down", "enter")  # deferred
        assert editor.query_one("#field-decision", Select).value == "deferred"
        await pilot.press("ctrl+s")  # no reason: refused
        assert isinstance(app.screen, RowEditor)
        error = editor.query_one("#row-error", Static)
        assert "Reason is needed when Decision is deferred" in str(error.render())
        assert app.focused is editor.query_one("#field-reason", Input)
        await type_text(pilot, "Client tired")
        await pilot.press("enter")  # last field: saves
        assert not isinstance(app.screen, RowEditor)
        row = app.rows[1]
        assert row.item == "planning"
        assert row.values == {
            "area": "How we will plan together",
            "discussed": True,
            "decision": "deferred",
            "reason": "Client tired",
        }
        assert app.changes == ["areas"]


async def test_checklist_space_toggles_discussed() -> None:
    app = checklist_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        assert app.rows[0].values["discussed"] is True
        assert app.rows[1].values.get("discussed") is None


# -- read only ---------------------------------------------------------------------------


async def test_read_only_changes_nothing() -> None:
    app = agenda_app(agenda_rows("A", "B"), read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        before = [r.model_copy(deep=True) for r in app.rows]
        for key in ("n", "space", "x", "enter", "e", "]", "delete"):
            await pilot.press(key)
            assert not isinstance(app.screen, (RowEditor, Confirm)), key
        assert app.rows == before
        assert app.changes == []
        # The refusal is explained.
        assert any("finalised" in n.message for n in app._notifications)
        for action in ("add", "edit", "toggle", "delete", "move_up", "move_down"):
            assert app.editor.check_action(action, ()) is False
        # Direct calls are refused too.
        app.editor.action_toggle()
        app.editor.action_add()
        await pilot.pause()
        assert app.rows == before


async def test_read_only_hides_edit_bindings_from_footer() -> None:
    app = agenda_app(agenda_rows("A"), read_only=True)
    async with app.run_test(size=(80, 24)):
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}
        assert not shown & {"add", "edit", "toggle", "delete", "move_up", "move_down"}


async def test_footer_lists_only_what_works() -> None:
    app = checklist_app()
    async with app.run_test(size=(80, 24)):
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"edit", "toggle"} <= shown
        assert not shown & {"add", "delete", "move_up", "move_down"}


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


async def test_checklist_refusal_is_explained() -> None:
    app = checklist_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        assert any("Checklist rows" in n.message for n in app._notifications)


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


async def test_switching_to_read_only_disables_editing() -> None:
    app = agenda_app(agenda_rows("A"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.editor.read_only = True
        await pilot.press("space", "n")
        assert not isinstance(app.screen, RowEditor)
        assert app.rows[0].values["done"] is False
        assert app.changes == []


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
