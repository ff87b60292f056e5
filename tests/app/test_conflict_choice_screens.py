"""A conflict chosen in the app (F11) while its record is open on a screen (issue 15,
point 4: neither version is lost until the user chooses, and then what was chosen
stays).

Found at 80x24 with two workers: Bea took the other worker's notes of a draft meeting
open on her screen; the screen went on showing her own, and the next key she typed saved
them over the notes she had just chosen. Now the screen shows the chosen version before
the DB holds it, as it does a sync's merge, and a screen that cannot take it refuses the
choice, saying so, with both versions kept."""

from __future__ import annotations

from textual.widgets import Static, TextArea

from cope_tui.dialogs.conflicts import ConflictsDialog
from cope_tui.screens.case_plan import CasePlanScreen
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.meeting import MeetingScreen
from helpers.couch_server import couch_db, couch_server  # noqa: F401  (fixtures)
from helpers.pilot import showing
from helpers.polling import until
from helpers.sync import ann_and_bea, client_open, header_text, meeting_open, remote, synced_with, team_env, team_key  # noqa: F401

SIZE = (80, 24)


async def clash_on_open_meeting(pilot, app, meeting_id: str, bea) -> str:
    """Ann types in the open meeting while Bea writes the same step's notes elsewhere;
    Ann's sync keeps hers in the record and Bea's beside it. The step."""
    step = await meeting_open(pilot, app, meeting_id)
    await pilot.press(*"Ann's words")
    bea.writes(meeting_id, step, "Bea's words")
    await pilot.press("f10")
    await until(pilot, lambda: "1 conflict" in header_text(app), what="the conflict in the header")
    return step


async def chosen_on_open_meeting(pilot, app, meeting_id: str, bea, key: str) -> str:
    """The clash above, settled with `key` in the chooser (F11); the step."""
    await synced_with(pilot, app, bea)
    step = await clash_on_open_meeting(pilot, app, meeting_id, bea)
    await pilot.press("f11")
    await until(pilot, lambda: showing(app, ConflictsDialog))
    await pilot.press(key)
    return step


def notes_shown(app) -> str | None:
    return app.screen.query_one("#notes", TextArea).text if isinstance(app.screen, MeetingScreen) else None


async def test_taking_the_other_notes_shows_them_and_typing_goes_on_from_them(ann_and_bea) -> None:
    session, _client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        step = await chosen_on_open_meeting(pilot, app, meeting.id, bea, "t")
        await until(pilot, lambda: notes_shown(app) == "Bea's words", what="the chosen notes shown")
        await until(pilot, lambda: "conflict" not in header_text(app))
        await pilot.press("end", *" and more", "escape")
        await until(pilot, lambda: not isinstance(app.screen, MeetingScreen))
        session.flush()
        assert session.store.meeting(meeting.id).peek(step).notes == "Bea's words and more"
        await pilot.press("ctrl+q")


async def test_both_texts_chosen_on_an_open_meeting_are_what_it_shows(ann_and_bea) -> None:
    session, _client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        step = await chosen_on_open_meeting(pilot, app, meeting.id, bea, "b")
        joined = "Ann's words\nBea's words"
        await until(pilot, lambda: notes_shown(app) == joined, what="both texts shown")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, MeetingScreen))
        session.flush()
        assert session.store.meeting(meeting.id).peek(step).notes == joined
        await pilot.press("ctrl+q")


async def client_clash(pilot, app, session, client, bea) -> None:
    """Ann's note and Bea's for the same client: one conflict, Ann's kept in the record."""
    client.note = "Ann's note"
    session.save_client(client)
    session.flush()
    other = bea.store.client(client.id)
    other.note = "Bea's note"
    bea.store.put_client(other)
    bea.engine.sync()
    await pilot.press("f10")
    await until(pilot, lambda: "1 conflict" in header_text(app), what="the conflict in the header")


async def test_an_open_clients_card_shows_the_note_taken(ann_and_bea) -> None:
    session, client, _meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        await client_open(pilot, app, client.id)
        await client_clash(pilot, app, session, client, bea)
        card = lambda: str(app.screen.query_one("#client-card", Static).render())  # noqa: E731
        await pilot.press("f11")
        await until(pilot, lambda: showing(app, ConflictsDialog))
        await pilot.press("t")
        await until(pilot, lambda: showing(app, ClientScreen) and "Bea's note" in card(), what="the note taken, shown")
        assert session.store.get("clients", client.id)["note"] == "Bea's note"
        await pilot.press("ctrl+q")


async def test_a_screen_that_keeps_its_copy_refuses_the_choice_and_both_stay(ann_and_bea) -> None:
    """The case plan edits the client record itself and keeps its copy until closed:
    taking the other note under it would be undone by its next save."""
    session, client, _meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        await client_open(pilot, app, client.id)
        await pilot.press("g")
        await until(pilot, lambda: showing(app, CasePlanScreen))
        await client_clash(pilot, app, session, client, bea)
        await pilot.press("f11")
        await until(pilot, lambda: showing(app, ConflictsDialog))
        await pilot.press("t")
        said = lambda: [n.message for n in app._notifications if n.title == "Conflict"]  # noqa: E731
        await until(pilot, lambda: any("open on a screen" in m for m in said()), what="the refusal")
        assert session.store.get("clients", client.id)["note"] == "Ann's note"
        await until(pilot, lambda: showing(app, ConflictsDialog))  # offered again: esc leaves both
        assert len(app.sync_runner.conflicts()) == 1
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, CasePlanScreen))
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, ClientScreen))
        await pilot.press("f11")
        await until(pilot, lambda: showing(app, ConflictsDialog))
        await pilot.press("t")  # from the client's own screen it can be taken
        await until(pilot, lambda: session.store.get("clients", client.id)["note"] == "Bea's note")
        await pilot.press("ctrl+q")


async def test_a_meeting_with_two_versions_kept_is_not_finalised_until_one_is_chosen(ann_and_bea) -> None:
    """Found at 80x24 with two workers: Ann finalised a draft whose notes had a clash
    open. The record kept the version shown for good; the other (her own words, as the
    merge on her machine came from Bea's) could only go into an addendum."""
    from cope_tui.dialogs.finalise import FinaliseDialog

    session, _client, meeting, app, bea = ann_and_bea
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await synced_with(pilot, app, bea)
        await clash_on_open_meeting(pilot, app, meeting.id, bea)
        await pilot.press("ctrl+f")
        said = lambda: [str(n.message) for n in app._notifications if n.title == "Not finalised"]  # noqa: E731
        await until(pilot, said, what="the word on the clash")
        assert "notes" in said()[0] and "F11" in said()[0]
        assert isinstance(app.screen, MeetingScreen) and not session.store.meeting(meeting.id).finalised
        await pilot.press("f11")
        await until(pilot, lambda: showing(app, ConflictsDialog))
        await pilot.press("b")
        await until(pilot, lambda: "conflict" not in header_text(app), what="the clash settled")
        await pilot.press("ctrl+f")
        await until(pilot, lambda: showing(app, FinaliseDialog), what="the finalise dialog once chosen")
        await pilot.press("escape")
