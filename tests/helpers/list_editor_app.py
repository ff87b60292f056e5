"""The list editor mounted alone, on a small meeting guide of its own (an agenda and a
checklist), for the tests of tests/app/test_list_editor*.py."""

from __future__ import annotations

from textual.app import App, ComposeResult

from cope_tui.content.meeting_guide import ListSpec, parse_meeting_guide
from cope_tui.meetings.models import Meeting, Row
from cope_tui.widgets.list_editor import ListEditor

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
