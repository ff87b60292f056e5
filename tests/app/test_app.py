"""The real app, driven by keyboard only through Pilot, checked against the saved file."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Input, TextArea

from cope_tui.app import create_app
from cope_tui.export.documents import meeting_markdown
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.models import MeetingKind, StepState
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.clients import ClientsScreen
from cope_tui.dialogs.help import HelpScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.dialogs.privacy import PrivacyScreen
from cope_tui.dialogs.row_editor import RowEditor
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.pilot import palette_offers
from helpers.polling import until
from helpers.stored import opening_notes

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def choose(pilot, steps_down: int) -> None:
    """Open the focused Select and pick the option `steps_down` below the blank one."""
    await pilot.press("space", *["down"] * steps_down, "enter")  # enter moves on (issue 13)


async def finish_row(pilot) -> None:
    await pilot.press("ctrl+s")
    await pilot.pause()


def screen_text(app) -> str:
    """The plain text of every Static on the active screen."""
    return "\n".join(str(w.render()) for w in app.screen.query("Static"))


def reopen(db):
    store = Store(db, read_only=True)
    return store


async def test_complete_first_meeting_with_the_keyboard_only(db):
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ClientsScreen) and app.screen.title == "Clients"

        # New client, straight into their screen.
        await pilot.press("ctrl+n")
        await type_text(pilot, "C-0007")
        await pilot.press("enter")
        await type_text(pilot, "partner")
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)

        # Start a first meeting by phone with the partner present.
        await pilot.press("ctrl+n")
        await pilot.press("down", "tab")
        await type_text(pilot, "partner")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        assert isinstance(app.focused, TextArea) and app.focused.id == "notes"

        # Opening: notes, purpose, an agenda item.
        await type_text(pilot, "Rapport good; client settled quickly.")
        await pilot.press("shift+tab")  # the agenda list
        await pilot.press("n")
        await type_text(pilot, "Housing")
        await pilot.press("tab")
        await type_text(pilot, "10")
        await finish_row(pilot)
        await pilot.press("space")  # tick it off
        await pilot.press("shift+tab")  # objectives
        await type_text(pilot, "First contact")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert screen.meeting.current_step == "boundaries"

        # Boundaries: not done until every area has a decision.
        await type_text(pilot, "Explained my role and the limits of confidentiality.")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert screen.meeting.current_step == "boundaries"
        assert screen.meeting.step("boundaries").state is StepState.PENDING
        await pilot.press("shift+tab")  # the checklist
        for area in range(7):
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, RowEditor)
            await pilot.press("space", "tab")  # discussed; then the decision
            if area < 6:
                await choose(pilot, 1)  # agreed
            else:
                await choose(pilot, 2)  # deferred
                await pilot.press("ctrl+s")
                await pilot.pause()
                assert isinstance(app.screen, RowEditor), "a deferral without a reason must be refused"
                assert app.focused.id == "field-reason"  # the refusal puts the cursor where it is needed
                await type_text(pilot, "Wants to talk it over at home")
            await finish_row(pilot)
            assert isinstance(app.screen, MeetingScreen)
            await pilot.press("down")
        # Done as soon as the last area has a decision (issue 13): no ctrl+t needed.
        assert screen.meeting.step("boundaries").state is StepState.DONE
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen.meeting.current_step == "services"

        # Services: a referral, then the middle steps with a note each.
        await pilot.press("shift+tab", "n")
        await type_text(pilot, "Food bank")
        await pilot.press("tab")
        await choose(pilot, 1)  # using
        await finish_row(pilot)
        await pilot.press("ctrl+t")
        for step in ("progress", "strengths", "support", "needs"):
            await pilot.pause()
            assert screen.meeting.current_step == step
            await type_text(pilot, f"Note for {step}.")
            await pilot.press("ctrl+t")
        await pilot.pause()
        assert screen.meeting.current_step == "outcomes"

        # Outcomes: an action item due in a week; a bad date is refused at the field.
        await pilot.press("shift+tab")  # the action list
        await pilot.press("n")
        await type_text(pilot, "client")
        await pilot.press("tab")
        await type_text(pilot, "Call the landlord")
        await pilot.press("tab")
        await type_text(pilot, "+7")
        await finish_row(pilot)
        await pilot.press("shift+tab", "shift+tab")  # outcomes list, then the next-meeting field
        assert app.focused.id == "field-next_meeting"
        await type_text(pilot, "31/02/2026")
        await pilot.pause()
        assert "not a date" in str(screen.query_one("#error-next_meeting").render())
        assert "next_meeting" not in screen.meeting.step("outcomes").fields
        await pilot.press("ctrl+u")
        await type_text(pilot, "+14")
        await pilot.press("ctrl+t")
        await pilot.pause()

        # Finalise.
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press("ctrl+u")
        await type_text(pilot, "worker-1")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.meeting.finalised
        assert screen.query_one("#notes", TextArea).read_only
        meeting_id = screen.meeting.id
        await pilot.press("ctrl+q")
    assert session.close()

    store = reopen(db)
    meeting = store.meeting(meeting_id)
    client = store.client(meeting.client_id)
    assert client.code == "C-0007" and client.significant_others == ["partner"]
    assert meeting.kind is MeetingKind.FIRST and meeting.mode.value == "phone" and meeting.present == ["partner"]
    assert meeting.finalised_by == "worker-1"
    assert meeting.step("opening").notes == "Rapport good; client settled quickly."
    assert meeting.step("opening").fields["objectives"] == "First contact"
    agenda = meeting.rows("opening", "agenda")
    assert agenda[0].values == {"item": "Housing", "minutes": 10, "done": True}
    decisions = [r.values["decision"] for r in meeting.rows("boundaries", "boundaries")]
    assert decisions == ["agreed"] * 6 + ["deferred"]
    assert meeting.rows("boundaries", "boundaries")[6].values["reason"] == "Wants to talk it over at home"
    assert meeting.rows("services", "referrals")[0].values["status"] == "using"
    assert meeting.step("needs").notes == "Note for needs."
    action = meeting.rows("outcomes", "actions")[0].values
    assert action["what"] == "Call the landlord"
    assert action["due"] == (date.today() + timedelta(days=7)).isoformat()
    assert meeting.step("outcomes").fields["next_meeting"] == (date.today() + timedelta(days=14)).isoformat()
    assert all(meeting.step(s).state is StepState.DONE for s in meeting.steps)

    markdown = meeting_markdown(session.meeting_guide, store, meeting)
    assert "C\\-0007" in markdown or "C-0007" in markdown
    assert "worker\\-1" in markdown or "worker-1" in markdown
    assert "Call the landlord" in markdown and "Housing" in markdown
    store.close()


async def test_draft_resumes_exactly_where_it_was_left(db):
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n")  # opening -> boundaries -> services
        await type_text(pilot, "half a thought")
        await pilot.press("escape")  # back to the client
        await pilot.pause()
        await pilot.press("ctrl+q")
    assert session.close()

    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # the only client
        await pilot.pause()
        assert "draft" in str(app.screen.query_one("#meeting-table").get_row_at(0))
        await pilot.press("enter")  # its draft meeting
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        assert screen.meeting.current_step == "services"
        assert screen.query_one("#notes", TextArea).text == "half a thought"
        assert app.focused.id == "notes"
        await pilot.press("ctrl+q")
    session.close()


async def test_second_meeting_is_a_review_with_lists_carried(db):
    session = Session.open(db)
    client = create_client(session.store, "C-2")
    first = start_meeting(session.store, session.meeting_guide, client)
    spec = session.meeting_guide.step("strengths").list_spec("strengths")
    from cope_tui.meetings.rules import new_row

    first.rows("strengths", "strengths").append(new_row(first, spec, {"strength": "Keeps appointments"}))
    session.store.put_meeting(first)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "ctrl+n")  # open client, start meeting
        await pilot.pause()
        await pilot.press("enter")  # in person, nobody else
        await pilot.pause()
        screen = app.screen
        assert screen.meeting.kind is MeetingKind.REVIEW
        titles = [str(o.prompt) for o in screen.query_one("#steps").options]
        assert not any("Boundaries" in t for t in titles)
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")  # services, progress, strengths
        await pilot.pause()
        table = screen.query_one("#list-strengths")
        row = [str(c) for c in table.get_row_at(0)]
        assert "↻" in row[0] and "Keeps appointments" in " ".join(row)
        await pilot.press("ctrl+q")
    session.close()


async def test_privacy_key_blanks_client_content(db):
    session = Session.open(db)
    app = create_app(session, meet_code="C-3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "secretword")
        await pilot.pause()
        assert "secretword" in app.export_screenshot()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, PrivacyScreen)
        shot = app.export_screenshot()
        assert "secretword" not in shot and "C-3" not in shot
        await type_text(pilot, "xx")  # typing while hidden changes nothing
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        assert app.screen.query_one("#notes", TextArea).text == "secretword"
        await pilot.press("ctrl+backslash")
        await pilot.pause()
        assert isinstance(app.screen, PrivacyScreen)
        await pilot.press("ctrl+backslash")
        await pilot.press("ctrl+q")
    session.close()


async def test_empty_and_duplicate_codes_get_an_inline_message(db):
    session = Session.open(db)
    create_client(session.store, "C-4")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n", "ctrl+s")
        await pilot.pause()
        assert "cannot be empty" in str(app.screen.query_one("#code-error").render())
        await type_text(pilot, "c-4")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "already exists" in str(app.screen.query_one("#code-error").render())
        await pilot.press("escape", "escape")  # typed words: the first esc only warns
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)
        await pilot.press("ctrl+q")
    session.close()
    store = reopen(db)
    assert [c.code for c in store.clients()] == ["C-4"]
    store.close()


async def test_search_as_you_type_filters_the_client_list(db):
    session = Session.open(db)
    for code in ("ALPHA-1", "BETA-2", "ALPHA-3"):
        create_client(session.store, code)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "alpha")
        await pilot.pause()
        table = app.screen.query_one("#client-table")
        assert table.row_count == 2
        await pilot.press("down", "down", "enter")  # to the list, second row, open
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen) and app.screen.client.code == "ALPHA-3"
        await pilot.press("ctrl+q")
    session.close()


async def test_typing_on_the_list_goes_to_the_search(db):
    """The placeholder says "type to filter": a letter or digit typed on the list (or on
    its first frame, before the table exists) starts the search instead of being lost."""
    session = Session.open(db)
    for code in ("C-0001", "C-0002", "C-0009"):
        create_client(session.store, code)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "C-0009")  # at once, while the first frame may still be up
        await pilot.pause()
        search = app.screen.query_one("#client-search", Input)
        assert search.value == "C-0009" and search.has_focus
        assert app.screen.query_one("#client-table").row_count == 1
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen) and app.screen.client.code == "C-0009"
        await pilot.press("escape")  # back to the list
        await pilot.pause()
        await pilot.press("escape")  # clears the search; the list has the focus again
        await pilot.pause()
        assert search.value == "" and not search.has_focus
        await pilot.press("question_mark")  # still the help key on the list, not a search
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and search.value == ""
        await pilot.press("escape")
        await pilot.press("ctrl+q")
    session.close()


async def test_finalised_meeting_is_read_only_and_takes_addenda(db):
    session = Session.open(db)
    client = create_client(session.store, "C-5")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    meeting.step("opening").notes = "signed text"
    meeting.finalised_by = "worker-2"
    from cope_tui.records import now

    meeting.finalised_at = now()
    session.store.put_meeting(meeting)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        await type_text(pilot, "tamper")
        assert screen.query_one("#notes", TextArea).text == "signed text"
        await pilot.press("ctrl+f")
        await pilot.pause()
        await type_text(pilot, "Phone number was wrong")
        await pilot.press("tab", "ctrl+u")
        await type_text(pilot, "worker-2")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+q")
    session.close()
    store = reopen(db)
    saved = store.meeting(meeting.id)
    assert saved.step("opening").notes == "signed text"
    assert [a.text for a in saved.addenda] == ["Phone number was wrong"]
    store.close()


async def test_help_lists_the_keys_of_the_screen(db):
    session = Session.open(db)
    app = create_app(session, meet_code="C-6")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        shown = screen_text(app)
        for words in ("Next step", "Finalise", "Privacy", "Quit", "^n"):
            assert words in shown, words
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("escape")  # to the client screen, where ? is not typed text
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Start meeting" in screen_text(app)
        await pilot.press("escape", "ctrl+q")
    session.close()


async def test_command_palette_runs_screen_actions(db):
    session = Session.open(db)
    app = create_app(session, meet_code="C-8")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("ctrl+p")
        await type_text(pilot, "next step")
        await until(pilot, lambda: palette_offers(app, "next step"), what="the palette to offer Next step")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.meeting.current_step == "boundaries"
        await pilot.press("ctrl+q")
    session.close()


async def test_typing_reaches_the_file_within_a_second(db):
    session = Session.open(db)
    app = create_app(session, meet_code="C-9")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "durable words")
        # The saver writes once typing pauses (a fraction of a second; no speed test here).
        assert app.session.saver.delay < 1
        await until(pilot, lambda: opening_notes(db) == "durable words", what="the words on disk")
        viewer = Store(db, read_only=True)
        meetings = viewer.meetings()
        viewer.close()
        assert meetings[0].step("opening").notes == "durable words"
        await pilot.press("ctrl+q")
    session.close()


async def test_two_quick_enters_move_one_field_each_not_past_a_field(db):
    """A burst of Enters reaches the same field before focus moves (tmux, paste, a fast
    typist); each must move on from the field it was typed in."""
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        others = form.query_one("#others", Input)
        others.focus()
        await pilot.pause()
        for _ in range(2):  # both queued before either is handled
            others.post_message(Input.Submitted(others, others.value))
        await pilot.pause()
        assert app.focused.id == "note"
        await pilot.press("escape", "ctrl+q")
    session.close()


async def test_the_new_client_form_labels_fit_at_80_columns(db):
    from textual.widgets import Label

    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        for label in app.screen.query(Label):
            text = str(label.render())
            assert len(text) <= label.parent.content_region.width, f"cut off: {text!r}"
        await pilot.press("escape", "ctrl+q")
    session.close()
