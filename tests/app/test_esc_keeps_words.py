"""esc over typed words: the first says they are not saved, a second discards them.

One esc closed any form at once, and everything typed in it (a new client's note, a
goal, a problem's cause) was gone. A form opened and left as it was still closes on
one esc.
"""

from __future__ import annotations

import pytest

from cope_tui.app import create_app
from cope_tui.dialogs.client_form import ClientForm
from cope_tui.dialogs.goal_form import GoalForm
from cope_tui.session import Session, create_client
from helpers.pilot import open_goal_form, showing
from helpers.polling import until

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def warnings(app) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Not saved"]


async def test_a_new_client_typed_and_escaped_once_stays_open_with_its_words(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await until(pilot, lambda: showing(app, ClientForm), 10, "the new client form")
        await pilot.press(*"C-77")
        await pilot.press("escape")
        await pilot.pause()
        assert showing(app, ClientForm)
        assert app.screen.text("code") == "C-77"
        assert warnings(app) == ["Press esc again to discard what you typed, or ctrl+s to save it."]
        await pilot.press("escape")
        await until(pilot, lambda: not showing(app, ClientForm), 10, "the form closed")
        assert warnings(app) == []  # its advice is taken down with it
        assert session.store.client_by_code("C-77") is None
        await pilot.press("ctrl+q")
    session.close()


async def test_words_typed_after_the_warning_are_warned_about_again_and_saved_whole(db):
    session = Session.open(db)
    create_client(session.store, "C-1")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await open_goal_form(app, pilot)
        await pilot.press(*"Sleep through", "escape", *" most nights", "escape")
        await pilot.pause()
        assert showing(app, GoalForm)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: session.store.client_by_code("C-1").goals, 10, "the goal saved")
        assert session.store.client_by_code("C-1").goals[0].text == "Sleep through most nights"
        await pilot.press("ctrl+q")
    session.close()


async def test_a_form_left_as_it_opened_closes_on_one_esc(db):
    session = Session.open(db)
    create_client(session.store, "C-1")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await open_goal_form(app, pilot)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, GoalForm), 10, "the goal form closed")
        assert warnings(app) == []
        await pilot.press("ctrl+q")
    session.close()
