"""Issue 13, point 1: moving inside a step, and seeing where the keyboard is.

From the notes, tab left the step for the sidebar (where letters did nothing) and the
step's own lists were two shift+tabs away; under NO_COLOR nothing showed where focus
was, the open step differing from the others only by a shade of background.
"""

from __future__ import annotations

import pytest

from cope_tui.app import create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from helpers.polling import until

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


def lines(app) -> list[str]:
    """The screen as a terminal shows it, one string a line."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


def shown(app) -> str:
    """The screen as one text, once drawn (tests wait for it: a pause may read it mid-layout)."""
    return "\n".join(lines(app))


def styled(app, text: str) -> list:
    """The styles of the segments holding `text` as drawn."""
    return [seg.style for strip in app.screen._compositor.render_strips() for seg in strip if text in seg.text]


async def test_tab_from_the_notes_goes_round_the_steps_own_fields_and_lists(db):
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "notes", 10, "the notes")
        assert isinstance(app.screen, MeetingScreen)
        seen = []
        for _ in range(5):
            await pilot.press("tab")
            seen.append(app.focused.id)
        # The prompts are a stop after the lists: text, below them, that no other key reached.
        assert seen == ["field-purpose", "field-objectives", "list-agenda", "guidance", "notes"]
        back = []
        for _ in range(4):
            await pilot.press("shift+tab")
            back.append(app.focused.id)
        assert back == ["list-agenda", "field-objectives", "field-purpose", "notes"]  # not the prompts first
        await pilot.press("ctrl+l")
        assert app.focused.id == "steps"
        await pilot.press("tab")  # from the sidebar, back into the step
        assert app.focused.id == "field-purpose"
        await pilot.press("ctrl+q")
    session.close()


async def test_focus_and_the_open_step_show_without_colour(db, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "notes", 10, "the notes")
        await until(pilot, lambda: "▶ Opening notes" in shown(app), 10, "the notes drawn with the keyboard")
        text = shown(app)
        assert "▸· Opening" in text, "the open step has a mark of its own in the sidebar"
        assert " · Boundaries" in text
        assert "▶ Opening notes" in text, "the notes say they have the keyboard"
        await pilot.press("tab")
        await until(pilot, lambda: "▶ Purpose of this meeting" in shown(app), 10, "the purpose drawn with the keyboard")
        text = shown(app)
        assert "▶ Opening notes" not in text
        assert any(style is not None and style.reverse for style in styled(app, "Purpose of this meeting"))
        await pilot.press("ctrl+n")
        await until(pilot, lambda: "▸· Boundaries" in shown(app), 10, "the next step drawn as open")
        assert "▸· Opening" not in shown(app)
        await pilot.press("ctrl+l")
        await until(  # the highlighted step in the focused sidebar is underlined
            pilot, lambda: any(st is not None and st.underline for st in styled(app, "Boundaries")), 10, "the underline"
        )
        await pilot.press("ctrl+q")
    session.close()


async def test_a_field_given_the_keyboard_shows_its_name(db):
    """Focus scrolls a field into view, but not the name above it: at 24 rows the step
    scrolled to show the purpose's input line, with neither the field's name nor the
    mark that it has the keyboard (the test above waited for it, and sometimes in vain)."""
    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "notes", 10, "the notes")
        await pilot.press("tab")
        await pilot.pause(0.3)  # every scroll done
        assert app.focused.id == "field-purpose"
        await until(pilot, lambda: "▶ Purpose of this meeting" in shown(app), 5, "the purpose name shown", seen=lambda: shown(app))
        await pilot.press("tab", "tab", "shift+tab", "shift+tab")  # back up to it from the agenda
        await pilot.pause(0.3)
        assert app.focused.id == "field-purpose"
        await until(pilot, lambda: "▶ Purpose of this meeting" in shown(app), 5, "the purpose's name shown again")
        await pilot.press("ctrl+q")
    session.close()


async def test_the_prompts_and_the_stages_questions_are_reached_and_scrolled_by_keys(db):
    """At 80x24 the step's prompts, the stage's questions and the skills sat below the
    fields and lists; being text, no key brought them into view."""
    from cope_tui.widgets.step_panel import StepPanel

    session = Session.open(db)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "notes", 10, "the notes")
        panel = app.screen.query_one(StepPanel)
        guidance = panel.query_one("#guidance")
        stage = guidance.query_one(".stage-prompts")
        await until(pilot, lambda: panel.max_scroll_y > 0, 10, "the step laid out")
        assert panel.scroll_y == 0
        await pilot.press("tab", "tab", "tab", "tab")
        await pilot.pause()
        assert app.focused is guidance
        assert panel.scroll_y > 0  # brought into view
        await pilot.press("pagedown", "pagedown", "pagedown")
        await pilot.pause()
        assert panel.scroll_y == panel.max_scroll_y
        bottom = panel.scroll_y + panel.scrollable_content_region.height
        assert stage.virtual_region.y < bottom  # the stage's questions were passed on the way
        await pilot.press("up")
        await pilot.pause()
        assert panel.scroll_y == panel.max_scroll_y - 1
        await pilot.press("tab")
        assert app.focused.id == "notes"
        await pilot.press("ctrl+q")
    session.close()


async def test_a_list_whose_row_line_grows_stays_in_view(tmp_path):
    """The highlighted row's line above a list takes three lines for a long decision and
    pushed the table down: at 80x24 its rows sat below the panel, out of sight."""
    from cope_tui.content.meeting_guide import load_meeting_guide
    from cope_tui.meetings.rules import new_row
    from cope_tui.session import create_client, start_meeting
    from cope_tui.widgets.step_panel import StepPanel

    db = tmp_path / "cope.json"
    session = Session.open(db)
    guide = load_meeting_guide()
    meeting = start_meeting(session.store, guide, create_client(session.store, "C-1"))
    meeting.current_step = "needs"
    spec = guide.step("needs").list_spec("decisions")
    values = {"decision": "Move flat?", "options": "stay; move", "positive": "cheaper",
              "negative": "far from her sister", "risks": "the deposit"}
    meeting.rows("needs", "decisions").append(new_row(meeting, spec, values))
    session.store.put_meeting(meeting)
    app = create_app(session, meet_code="C-1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "notes", 10, "the notes")
        await pilot.press("tab", "tab")
        await until(pilot, lambda: app.focused.id == "list-decisions", 10, "the decisions")
        panel = app.screen.query_one(StepPanel)
        table = app.focused
        await until(pilot, lambda: table.region.bottom <= panel.region.bottom, 10, "the whole table in view")
        await pilot.pause(0.2)
        assert table.region.bottom <= panel.region.bottom  # and it stays so
        await pilot.press("ctrl+q")
    session.close()
