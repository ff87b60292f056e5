"""Issue 13, point 5: nothing covered, nothing cut, at 80x24.

A Select's dropdown spilled over its dialog's border (Helpful coping "Use", Needs,
Outcomes); toasts stacked at the bottom right over the field being typed into (the
interview's questions, the addendum's "Added by"), and the boundaries refusal was cut
mid-word. Each test opens the real app on the fixed demo DB the snapshots use.
"""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Select
from textual.widgets._toast import Toast

from cope_tui.app import create_app
from cope_tui.dialogs.finalise import AddendumDialog
from cope_tui.dialogs.row_editor import RowEditor
from cope_tui.screens.exercise import ExerciseScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.settings import Settings
from helpers.polling import until
from helpers.snapshot_db import frozen_clock, write_snapshot_db
from helpers.snapshots import SMALL, meeting_at, records, show


@pytest.fixture
def app(tmp_path):
    with frozen_clock():
        session = Session.open(write_snapshot_db(tmp_path / "cope.json"), lazy=False)
        try:
            yield create_app(session, settings=Settings(idle_minutes=0))
        finally:
            session.close()


def _toasts(app) -> list[Toast]:
    return list(app.screen.query(Toast))


def _inside(inner, outer) -> bool:
    return (outer.x <= inner.x and inner.right <= outer.right and outer.y <= inner.y and inner.bottom <= outer.bottom)


@pytest.mark.parametrize(("step", "list_id", "select"), [
    ("strengths", "coping_positive", "use"), ("needs", "needs", "kind"), ("needs", "needs", "party"),
    ("outcomes", "outcomes", "status"),
])
async def test_an_open_dropdown_stays_inside_its_dialog(app, step, list_id, select):
    async with app.run_test(size=SMALL) as pilot:
        await meeting_at(pilot, records(app).draft.id, step)
        dialog = await show(pilot, RowEditor(app.session.meeting_guide.step(step).list_spec(list_id), {}))
        field = dialog.widget(select)
        assert isinstance(field, Select)
        field.focus()
        await pilot.press("space")  # space opens a choice; enter moves on (issue 13 point 4)
        await until(pilot, lambda: field.expanded and field.query_one(OptionList).region.height > 0, what="dropdown")
        await pilot.pause()
        frame = dialog.query_one("#row-dialog")
        dropdown = field.query_one(OptionList).region
        inner = frame.region.shrink(frame.styles.border.spacing)
        assert _inside(dropdown, inner), (dropdown, inner)
        await pilot.press("escape")  # closes the dropdown: the frame is its own size again
        await until(pilot, lambda: not field.expanded, what="dropdown closed")
        await pilot.pause()
        assert frame.styles.min_height is None


async def test_a_key_refused_again_and_again_shows_one_toast(app):
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await show(pilot, ExerciseScreen(records(app).follow_up.id, section="interviews"))
        await pilot.press("a")  # a new interview, on its first question, an open one
        await pilot.press("y", "n", "s", "y")  # refused four times: it takes words, not y/n
        await until(pilot, lambda: len(_toasts(app)) >= 2, what="the toasts")
        await pilot.pause()
        words = [str(t.render()) for t in _toasts(app)]
        assert len(words) == len(set(words)) == 2, words  # "Interview started" and one refusal


async def test_toasts_leave_the_field_being_typed_into_uncovered(app):
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await show(pilot, MeetingScreen(records(app).finalised.id))
        app.notify("This meeting is finalised and read-only.", severity="warning")
        app.notify("Finalised. The meeting is now read-only; ctrl+f adds an addendum.")
        dialog = await show(pilot, AddendumDialog())
        await until(pilot, lambda: len(_toasts(app)) == 2, what="the toasts")
        await pilot.pause()
        for field in (dialog.query_one("#by"), dialog.query_one("#text")):
            for toast in _toasts(app):
                assert not toast.region.overlaps(field.region), (str(toast.render()), field.id)


async def test_the_boundaries_refusal_is_shown_whole(app):
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await meeting_at(pilot, records(app).first.id, "boundaries")
        await pilot.press("ctrl+t")
        await until(pilot, lambda: _toasts(app), what="the refusal")
        await pilot.pause()
        (toast,) = _toasts(app)
        area = "Rights, roles and responsibilities; who decides what, who answers for it, expected results"
        assert str(toast.render()).endswith(area)
        shown = toast.region.intersection(app.screen.region)
        assert shown.height == toast.outer_size.height  # no line of it off screen
        assert toast.content_size.height >= len(toast.render().wrap(toast.content_size.width))
