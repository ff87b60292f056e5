"""Words on screen (issue 13, point 12): a problem says where it came from without an
internal id, and `w` in a preview proposes the documents folder (or home)."""

from __future__ import annotations

from datetime import date

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from cope_tui.app import create_app
from cope_tui.content.cope_guides import load_guides
from cope_tui.cope.exercise import new_exercise, raise_problem
from cope_tui.dialogs.problem_form import ProblemForm
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.export_preview import ExportPreview, WriteDialog
from cope_tui.session import Session, create_client
from cope_tui.settings import Settings
from cope_tui.widgets.exercise.plan import PlanPanel
from helpers.polling import until
from helpers.pilot import showing


class PanelApp(App[None]):
    def __init__(self, panel: PlanPanel) -> None:
        super().__init__()
        self.panel = panel

    def compose(self) -> ComposeResult:
        yield self.panel

    def on_mount(self) -> None:
        self.panel.focus_default()


async def test_a_problem_form_names_its_source_in_words() -> None:
    guide = load_guides().guides[0]
    ex = new_exercise("Site", date(2026, 3, 2))
    raise_problem(ex, f"guide:{guide.id}:{guide.questions[1].id}", "Posters faded")
    app = PanelApp(PlanPanel(ex))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ProblemForm), what="the problem form")
        info = str(app.screen.query_one(".form-info", Static).render())
        assert f"guide {guide.number} ({guide.title}), question 2" in info
        assert "guide:" not in info and guide.id not in info.replace(guide.title, "")


async def test_w_in_a_preview_proposes_the_documents_folder(tmp_path, monkeypatch) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    session = Session.open(tmp_path / "cope.json")
    create_client(session.store, "C-0007")
    app = create_app(session, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "client-table", what="the list, focused")
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ClientScreen), what="the client")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: showing(app, ExportPreview) and bool(app.screen.text), what="the preview")
        await pilot.press("w")
        await until(pilot, lambda: showing(app, WriteDialog), what="the write dialog")
        proposed = app.screen.query_one("#path", Input).value
        assert proposed.startswith(str(home / "Documents") + "/"), proposed
    session.close()
