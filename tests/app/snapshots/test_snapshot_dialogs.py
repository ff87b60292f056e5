"""Every dialog at 80x24 (a few at 120x40), over the screen it opens from; a Select's
dropdown is snapshotted open, so one spilling over its dialog's border shows. How to
update and review them: tests/app/snapshots/README.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cope_tui.content.stages import load_stages
from cope_tui.dialogs.client_form import ClientForm
from cope_tui.dialogs.confirm import Confirm
from cope_tui.dialogs.conflicts import ConflictsDialog
from cope_tui.dialogs.exercise_form import CommentDialog, ExerciseForm, GuidePicker, TeamForm
from cope_tui.dialogs.finalise import AddendumDialog, FinaliseDialog
from cope_tui.dialogs.flow import FlowDialog
from cope_tui.dialogs.goal_form import GoalForm
from cope_tui.dialogs.goal_ratings import GoalRatings
from cope_tui.dialogs.help import HelpScreen
from cope_tui.dialogs.lock import LockScreen
from cope_tui.dialogs.privacy import PrivacyScreen
from cope_tui.dialogs.problem_form import PlanItemForm, ProblemForm
from cope_tui.dialogs.row_editor import RowEditor
from cope_tui.dialogs.stage_form import StageForm
from cope_tui.dialogs.start_meeting import StartMeeting
from cope_tui.dialogs.text_prompt import TextPrompt
from cope_tui.dialogs.unlock import UnlockScreen
from cope_tui.dialogs.write_file import WriteDialog
from cope_tui.screens.case_plan import CasePlanScreen
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.exercise import ExerciseScreen
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.records import dump
from cope_tui.sync.report import Conflict
from helpers.snapshots import LARGE, SMALL, meeting_at, records, show

# (step, list, the Select whose dropdown is shown open)
ROW_EDITORS = [
    ("strengths", "coping_positive", "use"),
    ("needs", "needs", "kind"),
    ("outcomes", "outcomes", "status"),
    ("outcomes", "actions", None),
    ("needs", "decisions", None),
    ("services", "referrals", "status"),
]


async def _over_meeting(pilot, step: str):
    return await meeting_at(pilot, records(pilot.app).draft.id, step)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
@pytest.mark.parametrize(("step", "list_id", "select"), ROW_EDITORS, ids=[f"{s}-{l}" for s, l, _ in ROW_EDITORS])
def test_row_editor(snap_compare, snap_app, step, list_id, select, size):
    async def run(pilot):
        await _over_meeting(pilot, step)
        spec = pilot.app.session.meeting_guide.step(step).list_spec(list_id)
        dialog = await show(pilot, RowEditor(spec, {}))
        if select:
            dialog.widget(select).focus()
            await pilot.press("enter")  # the dropdown opens
            await pilot.pause()

    assert snap_compare(snap_app, terminal_size=size, run_before=run)


def test_client_form(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, ClientForm(records(pilot.app).client))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_confirm(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, ClientScreen(records(pilot.app).client.id))
        await show(pilot, Confirm("Delete 'Weekly budget with the support worker' from Actions?", title="Delete row"))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_text_prompt(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, ClientScreen(records(pilot.app).client.id))
        await show(pilot, TextPrompt("Reopen client", "Why is the client reopened? This goes in the record."))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_start_meeting(snap_compare, snap_app):
    async def run(pilot):
        client = records(pilot.app).client
        await show(pilot, ClientScreen(client.id))
        await show(pilot, StartMeeting(client, first=False))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_stage_form(snap_compare, snap_app):
    async def run(pilot):
        client = records(pilot.app).client
        await show(pilot, ClientScreen(client.id))
        await show(pilot, StageForm(client, load_stages()))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_goal_form(snap_compare, snap_app):
    async def run(pilot):
        client = records(pilot.app).client
        await show(pilot, CasePlanScreen(client.id))
        await show(pilot, GoalForm(client, client.goals[0] if client.goals else None))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_goal_ratings(snap_compare, snap_app):
    async def run(pilot):
        meeting = records(pilot.app).draft
        await _over_meeting(pilot, "progress")
        await show(pilot, GoalRatings(pilot.app.screen_stack[-1].meeting or meeting))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_finalise(snap_compare, snap_app):
    async def run(pilot):
        await _over_meeting(pilot, "outcomes")
        await show(pilot, FinaliseDialog(pending=["Progress", "Support network"], undecided=[]))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_addendum(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, MeetingScreen(records(pilot.app).finalised.id))
        await show(pilot, AddendumDialog())

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


@pytest.mark.parametrize("under", ["clients", "meeting"])
def test_help(snap_compare, snap_app, under):
    async def run(pilot):
        if under == "meeting":
            await _over_meeting(pilot, "needs")
        await show(pilot, HelpScreen(pilot.app.screen))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_privacy(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, PrivacyScreen())

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_lock(snap_compare, snap_app):
    async def run(pilot):
        screen = await show(pilot, LockScreen())
        # The DB's real path is the test's temporary folder, different on every run.
        screen.query_one("#lock-db").update("Database: /home/worker/.local/share/cope-tui/cope.json")

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_unlock(snap_compare, snap_app):
    async def run(pilot):
        screen = await show(pilot, UnlockScreen("Wrong passphrase. Try again (attempt 2)."))
        # The DB's real path is the test's temporary folder, different on every run.
        screen.query_one("#lock-db").update("Database: /home/worker/.local/share/cope-tui/cope.json")

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_command_palette(snap_compare, snap_app):
    async def run(pilot):
        pilot.app.action_command_palette()
        await pilot.pause()
        await pilot.press(*"client")
        await pilot.pause(0.3)

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_write_file(snap_compare, snap_app):
    async def run(pilot):
        await show(pilot, WriteDialog("# C-0001\n", Path("/home/worker/Documents/C-0001-2026-09-22.md")))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


async def _over_exercise(pilot, section: str):
    return await show(pilot, ExerciseScreen(records(pilot.app).follow_up.id, section=section))


def test_exercise_form(snap_compare, snap_app):
    async def run(pilot):
        await _over_exercise(pilot, "overview")
        await show(pilot, ExerciseForm(exercise=records(pilot.app).follow_up))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_team_form(snap_compare, snap_app):
    async def run(pilot):
        exercise = records(pilot.app).follow_up
        await _over_exercise(pilot, "overview")
        await show(pilot, TeamForm(exercise.teams[0], [t.name for t in exercise.teams]))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_guide_picker(snap_compare, snap_app):
    async def run(pilot):
        exercise = records(pilot.app).follow_up
        await _over_exercise(pilot, "overview")
        await show(pilot, GuidePicker(exercise.teams[0], exercise.teams[1:]))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_comment(snap_compare, snap_app):
    async def run(pilot):
        await _over_exercise(pilot, "guides")
        await show(pilot, CommentDialog("Do staff explain to clients what the service can and cannot offer?", ""))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_problem_form(snap_compare, snap_app, size):
    async def run(pilot):
        exercise = records(pilot.app).follow_up
        await _over_exercise(pilot, "plan")
        await show(pilot, ProblemForm(exercise.problems[0]))

    assert snap_compare(snap_app, terminal_size=size, run_before=run)


def test_plan_item_form(snap_compare, snap_app):
    async def run(pilot):
        await _over_exercise(pilot, "culture")
        await show(pilot, PlanItemForm("Staff agree together what good service means here", None))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_flow_dialog(snap_compare, snap_app):
    async def run(pilot):
        await _over_exercise(pilot, "flow")
        fields = [("staff", "Staff type", "nurse")]
        await show(pilot, FlowDialog("#4 starts a contact at 10:30", fields, lambda values: 4))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


def test_flow_menu(snap_compare, snap_app):
    async def run(pilot):
        await _over_exercise(pilot, "flow")
        options = [("first", "New client, first visit: typed arrival"),
                   ("follow-up", "New client, follow-up visit: typed arrival"),
                   ("contact", "#4: add a contact with typed start and end")]
        await show(pilot, FlowDialog("Type times (from a paper form)", [], None, choices=options))

    assert snap_compare(snap_app, terminal_size=SMALL, run_before=run)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_conflicts(snap_compare, snap_app, size):
    """A draft deleted by one worker and typed in by another, and a clash of notes."""

    async def run(pilot):
        found = records(pilot.app)
        draft = dump(found.draft)
        await show(pilot, ClientScreen(found.client.id))
        await show(pilot, ConflictsDialog([
            Conflict("c1", "meetings", draft["id"], "deleted", [], None, "Ann", draft, "C-0001, 2026-09-22"),
            Conflict("c2", "clients", found.client.id, "field", ["note"], "Prefers mornings.", "Bea",
                     "Prefers afternoons; call first.", "C-0001"),
        ]))

    assert snap_compare(snap_app, terminal_size=size, run_before=run)
