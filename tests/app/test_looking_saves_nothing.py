"""Looking is not editing: opening an exercise and walking its sections (each switch
hands the screen's copy to the store) writes nothing and notes no change, so team sync
does not count "waiting" changes nobody made, and no fsync runs per section."""

from __future__ import annotations

from datetime import date

from cope_tui.app import create_app
from cope_tui.cope.exercise import new_exercise, set_answer
from cope_tui.screens.exercise import SECTIONS, ExerciseScreen
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.pilot import showing
from helpers.polling import until

SIZE = (80, 24)


def journal_size(db) -> int:
    journal = db.with_name(db.name + ".journal")
    return journal.stat().st_size if journal.exists() else 0


async def test_walking_an_exercise_writes_nothing(tmp_path) -> None:
    db = tmp_path / "db.json"
    store = Store(db)
    exercise = new_exercise("Hill HC", date(2026, 3, 2))
    set_answer(exercise, *first_question(), "yes")
    store.put_exercise(exercise)
    store.close()

    session = Session.open(db)
    noted: list[tuple[str, str]] = []
    session.store.add_change_listener(lambda table, doc_id: noted.append((table, doc_id)))
    before = journal_size(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.push_screen(ExerciseScreen(exercise.id))
        await until(pilot, lambda: showing(app, ExerciseScreen))
        for _ in SECTIONS:
            await pilot.press("ctrl+n")
            await pilot.pause()
        await pilot.press("escape")
        await until(pilot, lambda: not showing(app, ExerciseScreen))
        session.flush()
        await pilot.press("ctrl+q")
    session.close()
    assert noted == []
    assert journal_size(db) == before
    assert Store(db, read_only=True).exercise(exercise.id).answers == exercise.answers


def first_question() -> tuple[str, str]:
    from cope_tui.content.cope_guides import load_guides

    guide = load_guides().guides[0]
    return guide.id, guide.questions[0].id
