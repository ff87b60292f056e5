"""End goes to the end of a long preview, even pressed before its lines are drawn (they
are drawn in a worker: widgets/document_view.py). With Textual's Markdown widget, End
pressed while a client's summary was being laid out stopped in the middle of it."""

from __future__ import annotations

import threading

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


async def test_end_pressed_before_the_summary_is_drawn_reaches_its_end(tmp_path, monkeypatch):
    from cope_tui.widgets import document_view

    drawn = threading.Event()  # the lines are drawn only once End has been pressed
    draw = document_view.document_lines
    monkeypatch.setattr(document_view, "document_lines", lambda text, width: (drawn.wait(20), draw(text, width))[1])
    session = Session.open(tmp_path / "cope.json")
    client = _client_with_many_meetings(session)
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(ShowExport(client_id=client.id))
        await until(pilot, lambda: showing(app, ExportPreview) and app.screen.text, 20, "the summary built")
        await pilot.press("end")
        drawn.set()
        preview = app.screen.query_one("#preview")
        await until(pilot, lambda: preview.max_scroll_y > 200, 20, "the summary drawn")  # a long document
        await pilot.pause(0.5)
        assert preview.scroll_y == preview.max_scroll_y
        await pilot.press("up")  # scrolling up lets go of the end
        await pilot.pause()
        assert preview.scroll_y < preview.max_scroll_y
        await pilot.press("escape", "ctrl+q")
    session.close()


async def test_the_preview_draws_under_no_color(tmp_path, monkeypatch):
    """Rich left some segments without a style, and the filter Textual draws with under
    NO_COLOR read each one's colour: every ctrl+r stopped the app."""
    from cope_tui.widgets.document_view import DocumentView

    monkeypatch.setenv("NO_COLOR", "1")
    session = Session.open(tmp_path / "cope.json")
    client = _client_with_many_meetings(session)
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(ShowExport(client_id=client.id))
        await until(pilot, lambda: showing(app, ExportPreview) and app.screen.query_one(DocumentView)._lines, 20, "drawn")
        await pilot.press("end")
        await pilot.pause()
        assert showing(app, ExportPreview) and app.return_code is None
        await pilot.press("escape", "ctrl+q")
    session.close()
