"""The list editor on a fixed checklist, and read-only, driven by keys at 80x24."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Select, Static

from cope_tui.dialogs.confirm import Confirm
from cope_tui.dialogs.row_editor import RowEditor
from helpers.list_editor_app import agenda_app, agenda_rows, checklist_app, type_text


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


async def test_checklist_refusal_is_explained() -> None:
    app = checklist_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        assert any("Checklist rows" in n.message for n in app._notifications)


async def test_switching_to_read_only_disables_editing() -> None:
    app = agenda_app(agenda_rows("A"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.editor.read_only = True
        await pilot.press("space", "n")
        assert not isinstance(app.screen, RowEditor)
        assert app.rows[0].values["done"] is False
        assert app.changes == []


