"""Erasing a client from the client screen (issue 14, point 6): a key listed in the footer,
help and palette, a confirmation naming the client and counting the meetings, and no word
of theirs left in any file or in search."""

from __future__ import annotations

import os
from pathlib import Path

from cope_tui.app import create_app
from cope_tui.dialogs.confirm import Confirm
from cope_tui.screens.client import ClientScreen
from cope_tui.search import index_for
from cope_tui.session import Session, create_client, start_meeting
from helpers.erasure import holding_anywhere
from helpers.pilot import palette_offers, showing
from helpers.polling import until

SIZE = (100, 30)
MARK = "PLOVER-MARKER-3301"


async def erase_the_first_client(pilot, app) -> None:
    """From the list: the first client, X, then yes."""
    await pilot.press("enter")
    await until(pilot, lambda: showing(app, ClientScreen))
    await pilot.press("X")
    await until(pilot, lambda: showing(app, Confirm))
    await pilot.press("y")


def screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query("Static"))


async def test_x_on_the_client_screen_erases_after_naming_them(tmp_path):
    db = tmp_path / "data" / "cope.json"
    session = Session.open(db)
    gone = create_client(session.store, "GONE-1", note=f"note {MARK}")
    for _ in range(2):
        meeting = start_meeting(session.store, session.meeting_guide, gone)
        meeting.step("opening").notes = f"said {MARK}"
        session.store.put_meeting(meeting)
    create_client(session.store, "KEPT-2")
    assert index_for(session.store).search(MARK.lower()).results  # search knows the words
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # the first client in the list
        await until(pilot, lambda: showing(app, ClientScreen))
        assert app.screen.client.code == "GONE-1"
        await pilot.press("ctrl+p", *"erase client")
        await until(pilot, lambda: palette_offers(app, "Erase client"), what="the palette offers it")
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, ClientScreen))
        await pilot.press("X")
        await until(pilot, lambda: showing(app, Confirm))
        text = screen_text(app)
        assert "GONE-1" in text and "2 meetings" in text
        await pilot.press("n")  # no: nothing happens
        await until(pilot, lambda: showing(app, ClientScreen))
        assert session.store.client(gone.id) is not None
        await pilot.press("X")
        await until(pilot, lambda: showing(app, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: not isinstance(app.screen, (ClientScreen, Confirm)), what="back on the list")
        assert session.store.client(gone.id) is None and session.store.meetings(gone.id) == []
        assert index_for(session.store).search(MARK.lower()).results == []
        await pilot.press("ctrl+q")
    session.close()
    assert holding_anywhere([db.parent, Path(os.environ["XDG_STATE_HOME"])], MARK) == []


async def test_keys_pressed_while_the_erasure_runs_neither_crash_nor_open_the_client(tmp_path, monkeypatch):
    """An erasure rewrites every file (tens of seconds with many backups) in a thread, and
    the client screen went on taking keys: enter opened a meeting being erased. A dialog
    now holds the screen until it is done, whatever is pressed (help opened over it too)."""
    import threading

    from cope_tui.dialogs.busy import Busy
    from cope_tui.screens.clients import ClientsScreen
    from cope_tui.screens.meeting import MeetingScreen
    from cope_tui.store.store import Store

    session = Session.open(tmp_path / "cope.json")
    gone = create_client(session.store, "GONE-1")
    session.store.put_meeting(start_meeting(session.store, session.meeting_guide, gone))
    release = threading.Event()
    erase = Store.erase_client

    def slow_erase(self, *args, **kwargs):
        release.wait(10)
        return erase(self, *args, **kwargs)

    monkeypatch.setattr(Store, "erase_client", slow_erase)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await erase_the_first_client(pilot, app)
        await until(pilot, lambda: showing(app, Busy))
        await pilot.press("enter")  # the client's meeting, being erased
        await pilot.press("escape", "f1")  # help, over the busy dialog
        await pilot.pause()
        assert not any(isinstance(s, MeetingScreen) for s in app.screen_stack)
        release.set()
        await until(pilot, lambda: session.store.client(gone.id) is None)
        await until(pilot, lambda: showing(app, ClientsScreen))
        await pilot.pause(0.3)
        assert showing(app, ClientsScreen) and len(app.screen_stack) == 1
        assert any("erased from every file" in n.message for n in app._notifications)
        await pilot.press("ctrl+q")
    session.close()


async def test_an_erasure_refused_closes_its_dialog_and_leaves_the_client_shown(tmp_path, monkeypatch):
    from cope_tui.dialogs.busy import Busy
    from cope_tui.store.errors import StoreError
    from cope_tui.store.store import Store

    def refused(self, *args, **kwargs):
        raise StoreError("the disk said no")

    monkeypatch.setattr(Store, "erase_client", refused)
    session = Session.open(tmp_path / "cope.json")
    kept = create_client(session.store, "KEPT-1")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await erase_the_first_client(pilot, app)
        await until(pilot, lambda: showing(app, ClientScreen) and not any(isinstance(s, Busy) for s in app.screen_stack))
        assert any("Not erased: the disk said no" in n.message for n in app._notifications)
        assert session.store.client(kept.id) is not None and "KEPT-1" in screen_text(app)
        await pilot.press("ctrl+q")
    session.close()
