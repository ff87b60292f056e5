"""A form's words are on disk as they are typed: what a crash (kill -9, a power cut)
leaves in the file, read here by a reader of its own while the app still runs.

A form that saves into its record as the app stops (a goal's) lets those words go once
they are in the record, so the next start offers nothing twice.
"""

from __future__ import annotations

import pytest

from cope_tui.app import create_app
from cope_tui.dialogs.client_form import ClientForm
from cope_tui.session import Session, create_client
from helpers.kept_words import kept_in
from helpers.pilot import open_goal_form, showing
from helpers.polling import until

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def kept_fields(db) -> list[dict[str, str]]:
    return [dict(kept.fields) for kept in kept_in(db)]


async def test_a_new_clients_words_are_on_disk_before_the_form_is_saved_and_go_with_it(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await until(pilot, lambda: showing(app, ClientForm), 10, "the new client form")
        await pilot.press(*"C-0142", "enter", "enter", *"referred by the GP")
        expected = [{"Name or code": "C-0142", "Note": "referred by the GP"}]
        await until(pilot, lambda: kept_fields(db) == expected, 10, "the words on disk")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not showing(app, ClientForm), 10, "the form saved")
        session.flush()
        assert kept_fields(db) == []  # in the client now: nothing is offered again
        assert session.store.client_by_code("C-0142").note == "referred by the GP"
        await pilot.press("ctrl+q")
    session.close()


async def test_a_goal_typed_is_on_disk_and_a_quit_that_saves_it_keeps_no_copy(db):
    session = Session.open(db)
    create_client(session.store, "C-1")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await open_goal_form(app, pilot)
        await pilot.press(*"Sleep through most nights")
        await until(pilot, lambda: [f.get("Goal") for f in kept_fields(db)] == ["Sleep through most nights"],
                    10, "the goal's words on disk")
        await pilot.press("ctrl+q")  # the form saves the goal into the client as the app stops
        await until(pilot, lambda: not app.is_running, 10, "the app stopped")
    session.close()
    assert kept_fields(db) == []
    session = Session.open(db)
    assert [g.text for g in session.store.client_by_code("C-1").goals] == ["Sleep through most nights"]
    session.close()
