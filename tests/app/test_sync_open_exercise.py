"""An exercise open on the facilitator's screen takes the answers another team syncs
(issue 15, point 4: two teams answering one exercise on two DBs, the same days): they
show at once, the facilitator's cursor stays put, and the answers typed next are kept
beside them. A screen holding an edit the DB does not have yet keeps its own copy."""

from __future__ import annotations

from datetime import date

import pytest

from cope_tui.app import create_app
from cope_tui.content.cope_guides import load_guides
from cope_tui.cope.exercise import new_exercise, set_answer
from cope_tui.screens.exercise import ExerciseScreen
from cope_tui.session import Session
from cope_tui.settings import Settings
from cope_tui.widgets.exercise.guides import GuidesPanel, QuestionTable
from cope_tui.widgets.navigation import OpenExercise
from helpers.couch_server import couch_db, couch_server  # noqa: F401  (fixtures)
from helpers.pilot import showing
from helpers.polling import until
from helpers.sync import Member, header_text, synced_with
from helpers.sync import remote, team_env, team_key  # noqa: F401  (fixtures)

SIZE = (100, 30)
GUIDES = load_guides().guides


@pytest.fixture
def ann_and_bea_with_an_exercise(tmp_path, team_env, team_key):
    """(session, exercise id, app, bea): Ann's app on a DB holding one exercise, set to
    sync with the team's server; Bea a member of the team. Both closed afterwards."""
    session = Session.open(tmp_path / "ann.json")
    exercise = new_exercise("North site", date(2026, 12, 1), facilitator="Ann")
    session.store.put_exercise(exercise)
    app = create_app(session, settings=Settings(0, sync_remote=team_env.url, user_name="Ann"))
    bea = Member(tmp_path / "bea.json", team_env, team_key, "Bea")
    try:
        yield session, exercise.id, app, bea
    finally:
        bea.close()
        session.close()


def bea_answers(bea: Member, exercise_id: str, guide: int, value: str) -> None:
    """Bea's team answers the first question of a guide and syncs."""
    theirs = bea.store.exercise(exercise_id)
    set_answer(theirs, GUIDES[guide].id, GUIDES[guide].questions[0].id, value)
    bea.store.put_exercise(theirs)
    bea.engine.sync()


async def guides_open(pilot, app, exercise_id: str) -> GuidesPanel:
    app.post_message(OpenExercise(exercise_id, "guides"))
    await until(pilot, lambda: showing(app, ExerciseScreen) and bool(app.screen.query(GuidesPanel)))
    return app.screen.query_one(GuidesPanel)


async def test_an_open_exercise_shows_another_teams_answers_and_keeps_its_cursor(ann_and_bea_with_an_exercise) -> None:
    session, exercise_id, app, bea = ann_and_bea_with_an_exercise
    async with app.run_test(size=SIZE) as pilot:
        await synced_with(pilot, app, bea)
        panel = await guides_open(pilot, app, exercise_id)
        await pilot.press("down", "down")  # Ann's team is at its third question
        bea_answers(bea, exercise_id, 4, "no")

        await pilot.press("f10")
        theirs = lambda: app.screen.exercise.answer(GUIDES[4].id, GUIDES[4].questions[0].id).value  # noqa: E731
        await until(pilot, lambda: theirs() == "no", what="the other team's answer on the open exercise")
        await until(pilot, lambda: "synced " in header_text(app) and "waiting" not in header_text(app))
        assert panel.exercise is app.screen.exercise  # the panel edits the copy the screen saves
        assert "1/10" in str(panel.query_one("#guide-list").get_option_at_index(4).prompt)
        assert panel.query_one(QuestionTable).cursor_row == 2

        await pilot.press("y")  # Ann's team answers on, beside the other team's answer
        await pilot.press("escape")
        await until(pilot, lambda: not showing(app, ExerciseScreen))
        session.flush()
        stored = session.store.exercise(exercise_id)
        assert stored.answer(GUIDES[0].id, GUIDES[0].questions[2].id).value == "yes"
        assert stored.answer(GUIDES[4].id, GUIDES[4].questions[0].id).value == "no"
        await pilot.press("ctrl+q")


async def test_an_exercise_changed_on_screen_and_not_saved_yet_keeps_its_copy(ann_and_bea_with_an_exercise) -> None:
    """A panel's change whose save is not even queued yet (its message still on the way)
    must not be replaced by the team's version: it would be saved nowhere."""
    session, exercise_id, app, _bea = ann_and_bea_with_an_exercise
    async with app.run_test(size=SIZE) as pilot:
        await guides_open(pilot, app, exercise_id)
        screen = app.screen
        session.flush()  # opening a section saved the exercise (nothing changed): written
        assert not session.unsaved("exercises", exercise_id)
        set_answer(screen.exercise, GUIDES[0].id, GUIDES[0].questions[0].id, "yes")  # as a panel does, before it posts
        offered = session.store.get("exercises", exercise_id) | {"facilitator": "Bea"}  # the team's, without it

        assert not screen.take_synced("exercises", offered)
        assert screen.exercise.answer(GUIDES[0].id, GUIDES[0].questions[0].id).value == "yes"
        assert screen.exercise.facilitator == "Ann"

        session.save_exercise(screen.exercise)  # once the DB holds it, the merge starts from it
        session.flush()
        offered = session.store.get("exercises", exercise_id) | {"facilitator": "Bea"}
        assert screen.take_synced("exercises", offered)
        assert screen.exercise.facilitator == "Bea"
        assert screen.exercise.answer(GUIDES[0].id, GUIDES[0].questions[0].id).value == "yes"
        await pilot.press("ctrl+q")


async def test_the_other_teams_answer_chosen_on_an_open_exercise_is_what_it_shows(ann_and_bea_with_an_exercise) -> None:
    """Both teams answered the same question: the chooser (F11) takes the other answer,
    the open exercise shows it, and Ann's next answer is saved beside it."""
    from cope_tui.dialogs.conflicts import ConflictsDialog

    session, exercise_id, app, bea = ann_and_bea_with_an_exercise
    first = GUIDES[0].questions[0].id
    async with app.run_test(size=(80, 24)) as pilot:
        await synced_with(pilot, app, bea)
        panel = await guides_open(pilot, app, exercise_id)
        await pilot.press("y")  # Ann's team: yes to the first question
        bea_answers(bea, exercise_id, 0, "no")
        await pilot.press("f10")
        await until(pilot, lambda: "1 conflict" in header_text(app), what="the conflict in the header")
        await pilot.press("f11")
        await until(pilot, lambda: showing(app, ConflictsDialog))
        await pilot.press("t")
        await until(pilot, lambda: showing(app, ExerciseScreen) and app.screen.exercise.answer(GUIDES[0].id, first).value == "no",
                    what="the chosen answer on the open exercise")
        assert panel.exercise is app.screen.exercise
        await until(pilot, lambda: "conflict" not in header_text(app))
        await pilot.press("s")  # the cursor went on to the second question: not sure
        await pilot.press("escape")
        await until(pilot, lambda: not showing(app, ExerciseScreen))
        session.flush()
        stored = session.store.exercise(exercise_id)
        assert stored.answer(GUIDES[0].id, first).value == "no"
        assert stored.answer(GUIDES[0].id, GUIDES[0].questions[1].id).value == "not_sure"
        await pilot.press("ctrl+q")


async def test_the_exercise_list_shows_a_teammates_new_exercise_and_keeps_its_highlight(ann_and_bea_with_an_exercise) -> None:
    from textual.widgets import DataTable

    from cope_tui.screens.exercises import ExercisesScreen

    _session, exercise_id, app, bea = ann_and_bea_with_an_exercise
    async with app.run_test(size=(80, 24)) as pilot:
        await synced_with(pilot, app, bea)
        await pilot.press("f3")
        await until(pilot, lambda: showing(app, ExercisesScreen))
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 1)
        bea.store.put_exercise(new_exercise("South site", date(2026, 12, 6), facilitator="Bea"))
        bea.engine.sync()

        await pilot.press("f10")
        await until(pilot, lambda: table.row_count == 2, what="the teammate's exercise in the list")
        highlighted = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        assert highlighted == exercise_id  # enter still opens the exercise Ann was on
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ExerciseScreen))
        assert app.screen.exercise_id == exercise_id
        await pilot.press("ctrl+q")


async def test_a_dialogs_result_on_its_way_is_not_lost_to_a_merged_version(ann_and_bea_with_an_exercise) -> None:
    """A dialog is popped at once when it closes, but its result reaches the panel later,
    as a message. A merged version taken in between replaced the exercise under it, and
    the team's new name was written into the copy let go: saved nowhere."""
    from cope_tui.cope.exercise import Team
    from cope_tui.dialogs.exercise_form import TeamForm

    session, exercise_id, app, _bea = ann_and_bea_with_an_exercise
    ours = session.store.exercise(exercise_id)
    ours.teams.append(Team(name="Team A", members=["x"]))
    session.store.put_exercise(ours)
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(OpenExercise(exercise_id))
        await until(pilot, lambda: showing(app, ExerciseScreen))
        screen = app.screen
        await pilot.press("enter")  # edit the highlighted team
        await until(pilot, lambda: showing(app, TeamForm))
        session.flush()
        offered = session.store.get("exercises", exercise_id) | {"facilitator": "Bea"}  # a teammate's edit

        app.screen.dismiss(("Team Z", ["x", "y"]))  # saved: the form is gone, its result on the way
        assert screen.is_active
        assert not screen.take_synced("exercises", offered)
        await pilot.pause()
        await until(pilot, lambda: screen.exercise.teams[0].name == "Team Z")
        session.flush()
        assert session.store.exercise(exercise_id).teams[0].name == "Team Z"
        await until(pilot, lambda: screen.may_take_synced, what="the screen taking merged versions again")
        await pilot.press("ctrl+q")
