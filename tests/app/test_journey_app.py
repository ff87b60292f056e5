"""The client's journey in the real app, by keyboard: stage, stage prompts, handover, close, reopen."""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from cope_tui.app import create_app
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise
from cope_tui.screens.client import ClientScreen
from cope_tui.dialogs.confirm import Confirm
from cope_tui.screens.export_preview import ExportPreview
from cope_tui.screens.handover import HandoverScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.dialogs.stage_form import StageForm
from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.session import Session
from cope_tui.content.stages import load_stages
from cope_tui.meetings.stages import change_stage
from cope_tui.store.store import Store
from helpers.polling import until
from helpers.pilot import showing

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


def saved_client(db, client_id):
    viewer = Store(db, read_only=True)
    try:
        return viewer.client(client_id), viewer.meetings(client_id)
    finally:
        viewer.close()


def text_of(app, selector: str) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(selector))


async def test_stage_change_needs_a_reason_and_is_shown_dated(db):
    session = Session.open(db)
    client = create_client(session.store, "C-10")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # open the only client
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        assert "Stage 1: Relationship" in text_of(app, "#client-card")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StageForm)
        await pilot.press("tab", "enter")  # stage 2 is offered first; no reason typed
        await pilot.pause()
        assert isinstance(app.screen, StageForm), "an empty reason must be refused"
        assert "reason" in text_of(app, "#stage-error")
        assert app.focused.id == "stage-reason"
        await type_text(pilot, "Talks openly now")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        card = text_of(app, "#client-card")
        assert "Stage 2: Understanding" in card

        # A digit picks the stage straight away; the same stage again is refused.
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("2")
        await type_text(pilot, "again")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StageForm) and "already at stage 2" in text_of(app, "#stage-error")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+q")
    session.close()
    saved, _ = saved_client(db, client.id)
    assert saved.stage == 2
    assert [(c.stage, c.reason) for c in saved.stage_history] == [(2, "Talks openly now")]
    assert f"since {saved.stage_history[0].on:%Y-%m-%d}" in card


async def _stage_prompts_of_new_meeting(db, code: str) -> tuple[str, str, str]:
    session = Session.open(db)
    app = create_app(session, meet_code=code)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        opening = text_of(app, ".stage-prompts")
        await pilot.press("ctrl+n", "ctrl+n")  # a step that does not show them (services)
        await pilot.pause()
        services = text_of(app, ".stage-prompts")
        await pilot.press("ctrl+n")  # how it is going: shows them again
        await pilot.pause()
        assert screen.meeting.current_step == "progress"
        progress = text_of(app, ".stage-prompts")
        await pilot.press("ctrl+q")
    session.close()
    return opening, services, progress


async def test_a_stage_1_meeting_asks_other_questions_than_a_stage_5_one(db):
    session = Session.open(db)
    create_client(session.store, "EARLY")
    late = create_client(session.store, "LATE")
    change_stage(late, 5, "Routines are holding")
    session.store.put_client(late)
    session.close()
    stages = load_stages()

    opening, services, progress = await _stage_prompts_of_new_meeting(db, "EARLY")
    assert "Stage 1: Relationship" in opening and stages.stage(1).prompts[0] in opening
    assert services == "" and "Stage 1" in progress
    opening5, _, progress5 = await _stage_prompts_of_new_meeting(db, "LATE")
    assert "Stage 5: Consolidating" in opening5 and stages.stage(5).prompts[0] in opening5
    assert stages.stage(1).prompts[0] not in opening5 and "Stage 5" in progress5

    viewer = Store(db, read_only=True)
    try:
        assert sorted(m.stage for m in viewer.meetings()) == [1, 5]  # each meeting keeps its stage
    finally:
        viewer.close()


async def test_handover_typed_then_closed_then_reopened(db):
    session = Session.open(db)
    client = create_client(session.store, "C-20")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    finalise(meeting, "worker-1")
    session.store.put_meeting(meeting)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "h")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        assert isinstance(app.focused, TextArea) and app.focused.id == "handover-journey"
        await type_text(pilot, "Six weeks of steady work")

        def journey_saved() -> bool:
            return getattr(saved_client(db, client.id)[0].handover, "journey", "") == "Six weeks of steady work"

        await until(pilot, journey_saved, what="the handover saved")
        saved, _ = saved_client(db, client.id)
        assert saved.handover.journey == "Six weeks of steady work"  # saved as typed

        await pilot.press("ctrl+f")  # three sections still empty: refused, nothing asked
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        assert "learned" in text_of(app, "#handover-status")
        for words in ("Lists help", "Calmer", "Spring review"):
            await pilot.press("tab")
            await type_text(pilot, words)
        await pilot.press("tab")
        await type_text(pilot, "Peer group stays")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        assert "CLOSED" in text_of(app, "#handover-status")
        assert all(area.read_only for area in app.screen.query(TextArea))

        await pilot.press("ctrl+r")  # the handover document, previewed
        await until(pilot, lambda: showing(app, ExportPreview) and app.screen.text, what="the preview built")
        assert isinstance(app.screen, ExportPreview)
        assert "# Handover: C-20" in app.screen.text and "Peer group stays" in app.screen.text
        await pilot.press("escape", "escape")
        await pilot.pause()

        # Closed: shown, no new meeting, no edits.
        assert isinstance(app.screen, ClientScreen)
        assert "CLOSED" in text_of(app, "#client-card") and "Stage 6: Handover" in text_of(app, "#client-card")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen), "a closed client must refuse a new meeting"
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen), "a closed client must refuse edits"
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)

        await pilot.press("escape")  # the home list shows the stage and "closed"
        await pilot.pause()
        row = [str(c) for c in app.screen.query_one("#client-table").get_row_at(0)]
        assert row[1] == "6" and row[-1] == "closed"
        await pilot.press("enter")
        await pilot.pause()

        # Reopen: a reason is required.
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt), "reopening without a reason must be refused"
        await type_text(pilot, "Lost the tenancy")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        assert "CLOSED" not in text_of(app, "#client-card")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not isinstance(app.screen, ClientScreen)  # the start-meeting dialog opens again
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+q")
    session.close()

    saved, meetings = saved_client(db, client.id)
    assert len(meetings) == 1  # the refused meeting was never created
    assert not saved.closed and saved.stage == 6
    assert [(c.closed, c.reason) for c in saved.closures] == [(True, ""), (False, "Lost the tenancy")]
    handover = saved.handover
    assert (handover.journey, handover.learned, handover.effect, handover.challenges, handover.referrals) == (
        "Six weeks of steady work", "Lists help", "Calmer", "Spring review", "Peer group stays"
    )


async def test_closing_is_refused_while_a_meeting_is_a_draft(db):
    session = Session.open(db)
    client = create_client(session.store, "C-30")
    start_meeting(session.store, session.meeting_guide, client)  # left as a draft
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "h")
        await pilot.pause()
        for words in ("a", "b", "c", "d"):
            await type_text(pilot, words)
            await pilot.press("tab")
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        assert "CLOSED" not in text_of(app, "#handover-status")
        assert not any(area.read_only for area in app.screen.query(TextArea))
        await pilot.press("ctrl+q")
    session.close()
    saved, _ = saved_client(db, client.id)
    assert not saved.closed and saved.handover.challenges == "d"
