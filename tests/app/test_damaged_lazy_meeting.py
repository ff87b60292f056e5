"""Issue 14 point 2: the app holds meetings as the file's lines and decodes a client's
when they are opened. Should one not decode (the file damaged although stamped as
checked: simulated here), opening that client says so and the app keeps running."""

from __future__ import annotations

import pytest

from cope_tui.app import create_app
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.screens.client import ClientScreen
from cope_tui.session import Session
from cope_tui.store import record_check, summary
from cope_tui.store.store import Store
from helpers.polling import until

SIZE = (100, 30)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cope.json"
    store = Store(path)
    write_demo(store, load_meeting_guide(), clients=3, meetings=9, seed=4)
    store.close()
    return path


async def test_a_client_whose_meetings_cannot_be_read_is_reported_not_a_crash(db):
    eager = Store(db, read_only=True)
    first = eager.clients()[0]  # the top row of the list
    victim = next(m for m in eager.raw_meetings() if m["client_id"] == first.id)
    raw = db.read_bytes()
    at = raw.index(b'"kind":"', raw.index(b'{"id":"' + victim["id"].encode()))
    damaged = raw[:at] + b'"kind":!' + raw[at + 8 :]
    db.write_bytes(damaged)
    summary.write(db, eager.client_summaries(), checked=record_check.stamp(damaged))
    eager.close()

    session = Session.open(db)
    app = create_app(session)
    notes: list[str] = []
    real_notify = app.notify
    app.notify = lambda message, **kw: notes.append(str(message)) or real_notify(message, **kw)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: session.store.ready)
        await until(pilot, lambda: app.screen.query("#client-table") and app.screen.query_one("#client-table").row_count > 0)
        await pilot.press("enter")
        await until(pilot, lambda: any("damaged" in n for n in notes))
        assert app.is_running
        assert isinstance(app.screen, ClientScreen)
        assert any("cope.json" in n and "doctor" in n for n in notes)
        await pilot.press("ctrl+q")
    session.close()
