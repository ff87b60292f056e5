"""What a worker thread hands back after esc closed its screen is dropped.

Found at 1,000 clients: the follow-through lists, read again in a thread, landed on a
screen esc had just closed, and the app stopped with an error report (see
test_followthrough_app.py). The same could happen to a summary or a report still being
built when esc is pressed, and to a client's card after a discarded draft is saved."""

from __future__ import annotations

from datetime import date

from cope_tui.app import create_app
from cope_tui.cope.exercise import new_exercise
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.exercise import ExerciseReport, ExerciseScreen
from cope_tui.screens.export_preview import ExportPreview
from cope_tui.session import Session, create_client
from helpers.pilot import showing
from helpers.polling import until

SIZE = (80, 24)


async def closed(pilot, app, kind):
    """The screen of `kind` on top now, once esc has closed it."""
    await until(pilot, lambda: showing(app, kind), what=kind.__name__)
    screen = app.screen
    await pilot.press("escape")
    await until(pilot, lambda: not screen.is_attached, what=f"{kind.__name__} closed")
    return screen


async def test_a_summary_a_report_and_a_card_arriving_after_esc_are_dropped(tmp_path) -> None:
    session = Session.open(tmp_path / "cope.json")
    create_client(session.store, "C-1")
    exercise = new_exercise("North clinic", date(2026, 3, 2))
    session.save_exercise(exercise)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ClientScreen), what="the client")
        await pilot.press("ctrl+r")
        preview = await closed(pilot, app, ExportPreview)
        preview._show("# C-1", "C-1")
        card = await closed(pilot, app, ClientScreen)
        card.refresh_view()
        app.push_screen(ExerciseScreen(exercise.id))
        await until(pilot, lambda: showing(app, ExerciseScreen), what="the exercise")
        await pilot.press("ctrl+r")
        report = await closed(pilot, app, ExerciseReport)
        report._show("# Report")
        await pilot.pause()
        await pilot.press("ctrl+q")
    session.close()
