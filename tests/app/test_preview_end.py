"""A long preview shows at once, and End goes to its end. Textual's Markdown widget laid a
client's summary out in batches for seconds (20 s at 21 meetings), keys waiting up to a
second each meanwhile; End pressed then stopped in the middle of the summary."""

from __future__ import annotations

from cope_tui.app import create_app
from cope_tui.screens.export_preview import ExportPreview
from cope_tui.session import Session, create_client, start_meeting
from cope_tui.widgets.navigation import ShowExport
from helpers.polling import until
from helpers.pilot import showing

MEETINGS = 30


def _client_with_many_meetings(session: Session):
    client = create_client(session.store, "C-END")
    for n in range(MEETINGS):
        meeting = start_meeting(session.store, session.meeting_guide, client)
        for step in meeting.steps.values():
            step.notes = f"Meeting {n}: a paragraph of notes.\n\nAnd a second one."
        session.store.put_meeting(meeting)
    return client


async def test_end_pressed_while_the_summary_is_laid_out_reaches_its_end(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    client = _client_with_many_meetings(session)
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(ShowExport(client_id=client.id))
        await until(pilot, lambda: showing(app, ExportPreview) and app.screen.text, 20, "the summary built")
        await pilot.press("end")  # at once: the lines are still being drawn
        preview = app.screen.query_one("#preview")
        await until(pilot, lambda: preview.max_scroll_y > 0, 20, "the summary drawn")
        await pilot.pause(0.5)
        assert preview.max_scroll_y > 200  # a long document
        assert preview.scroll_y == preview.max_scroll_y
        await pilot.press("up")  # scrolling up lets go of the end
        await pilot.pause()
        assert preview.scroll_y < preview.max_scroll_y
        await pilot.press("escape", "ctrl+q")
    session.close()
