"""A form left open keeps what was chosen in it beside what was typed: a reason kept
without the stage it was for, or a problem without its priority, tells half the story.
A choice moved with nothing typed is not words, and keeps nothing.

`app._on_signal` is what a hang-up runs; the kept words are read back from the DB file.
"""

from __future__ import annotations

import pytest

from cope_tui.app import create_app
from cope_tui.dialogs.problem_form import ProblemForm
from cope_tui.dialogs.stage_form import StageForm
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.clients import ClientsScreen
from cope_tui.session import Session, create_client
from cope_tui.store.store import Store
from helpers.pilot import showing
from helpers.polling import until as wait_for

SIZE = (80, 24)
REASON = "Reason for the change (required; kept with today's date)"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def kept_in(db) -> list:
    store = Store(db, read_only=True)
    try:
        return Session(store).left_open()
    finally:
        store.close()


async def _stage_form_then_hangup(db, *keys: str) -> None:
    session = Session.open(db)
    create_client(session.store, "C-4")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: showing(app, ClientScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: showing(app, StageForm))
        await pilot.press(*keys)
        await pilot.pause()
        app._on_signal()  # the terminal is gone
        await pilot.pause()
    session.close()


async def test_a_reason_is_kept_with_the_stage_it_was_for(db):
    await _stage_form_then_hangup(db, "5", *"settled for three months")
    [kept] = kept_in(db)
    assert kept.title == "Helping stage of C-4"
    assert list(kept.fields) == [("New stage", "5  Consolidating"), (REASON, "settled for three months")]


async def test_a_stage_moved_with_no_reason_typed_keeps_nothing(db):
    await _stage_form_then_hangup(db, "down", "down")
    assert kept_in(db) == []


async def test_a_problem_keeps_its_priority_and_status_in_the_order_shown(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: showing(app, ClientsScreen))
        app.push_screen(ProblemForm(None))
        await wait_for(pilot, lambda: showing(app, ProblemForm))
        await pilot.press(*"clients wait too long", "tab", *"one nurse at intake")
        await pilot.pause()
        app._on_signal()
        await pilot.pause()
    session.close()
    [kept] = kept_in(db)
    assert kept.title == "Add a problem"
    assert list(kept.fields) == [
        ("Problem *", "clients wait too long"),
        ("Cause", "one nurse at intake"),
        ("Priority", "medium"),
        ("Status", "open"),
    ]
