"""A save the user asks for (a row saved with ctrl+s, a goal scored) is written at once,
not when typing pauses: with the pause, a crash in the quarter second after ctrl+s took
the row the screen showed as saved (store/autosave.py). The saver here waits ten minutes
for a pause, so only a save made at once reaches the file while the test runs."""

from __future__ import annotations

from cope_tui.app import create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session, create_client
from cope_tui.store.autosave import Saver
from cope_tui.store.store import Store
from helpers.pilot import showing
from helpers.polling import until

PAUSE = 600.0


async def test_a_row_saved_with_ctrl_s_is_on_disk_while_typed_notes_wait_for_the_pause(tmp_path):
    db = tmp_path / "cope.json"
    session = Session(Store(db), saver=Saver(delay=PAUSE, max_wait=PAUSE))
    create_client(session.store, "C-1")
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.focused is not None
                    and app.focused.id == "notes", 10, "the meeting's notes")
        await pilot.press(*"a note")
        await until(pilot, lambda: session.saver.pending == 1, 10, "the note queued")
        await pilot.press("shift+tab", "n", *"Housing", "ctrl+s")  # a row of the agenda
        await until(pilot, lambda: session.saver.pending == 0, 10, "the meeting written at once")
        on_disk = Store(db, read_only=True)
        try:
            meeting = on_disk.meetings(on_disk.clients()[0].id)[0]
            assert [row.values["item"] for row in meeting.rows("opening", "agenda")] == ["Housing"]
            assert meeting.step("opening").notes == "a note"  # written with it: one snapshot of the meeting
        finally:
            on_disk.close()
        await pilot.press("ctrl+q")
    session.close()


def test_the_saver_writes_a_save_asked_for_without_waiting_and_the_rest_with_it(tmp_path):
    written: list[str] = []
    saver = Saver(delay=PAUSE, max_wait=PAUSE)
    try:
        saver.submit("typed", lambda: written.append("typed"))
        saver.submit("asked", lambda: written.append("asked"), at_once=True)
        import time

        end = time.monotonic() + 10
        while saver.pending and time.monotonic() < end:
            time.sleep(0.01)
        assert written == ["typed", "asked"]
        saver.submit("typed again", lambda: written.append("typed again"))
        time.sleep(0.2)
        assert saver.pending == 1  # an ordinary edit still waits for the pause
    finally:
        saver.close()


def test_words_kept_from_a_form_are_let_go_only_after_what_the_form_saved(tmp_path):
    """A row saved from a dialog lets the dialog's kept words go in the same batch as the
    meeting; the words went first, and a crash between the two writes lost both."""
    written: list[str] = []
    saver = Saver(delay=PAUSE, max_wait=PAUSE)
    try:
        saver.submit("left_open:form", lambda: written.append("words let go"), last=True)
        saver.submit("meeting:m1", lambda: written.append("meeting"), at_once=True)
        import time

        end = time.monotonic() + 10
        while saver.pending and time.monotonic() < end:
            time.sleep(0.01)
        assert written == ["meeting", "words let go"]
    finally:
        saver.close()
