"""The method's added parts, on screen: skills in the meeting steps, supervision points in
the outcomes, and the handover's reflection section, by keyboard in the real app."""

from __future__ import annotations

import pytest

from cope_tui.app import create_app
from cope_tui.screens.handover import HandoverScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session, create_client
from cope_tui.store.store import Store
from helpers.polling import until
from helpers.pilot import showing

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def text_of(app, selector: str) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(selector))


async def test_the_opening_step_shows_the_skills_to_draw_on(db):
    session = Session.open(db)
    create_client(session.store, "SKILL")
    app = create_app(session, meet_code="SKILL")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, MeetingScreen) and app.screen.query(".skills"), what="the step")
        skills = text_of(app, ".skills")
        assert "Empathy" in skills and "Reflective listening" in skills
        await pilot.press("ctrl+q")
    session.close()


async def test_the_reflection_typed_in_the_handover_is_saved(db):
    session = Session.open(db)
    client = create_client(session.store, "C-REFL")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "h")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        app.screen.query_one("#handover-reflection").focus()
        await pilot.press(*"training on debt advice")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.press("ctrl+q")
    session.close()
    viewer = Store(db, read_only=True)
    try:
        assert viewer.client(client.id).handover.reflection == "training on debt advice"
    finally:
        viewer.close()
