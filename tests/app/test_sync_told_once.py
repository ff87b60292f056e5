"""A background sync that meets the same problem at every interval says it once: the
header keeps saying it. Said again after a sync got through, and always after F10."""

from __future__ import annotations

from cope_tui.app import create_app
from cope_tui.session import Session
from cope_tui.sync.runner import Outcome
from cope_tui.widgets.team_sync import SyncFinished


def counting(app) -> list[str]:
    """Every message the app is asked to show (a toast still on screen hides a repeat)."""
    said: list[str] = []
    real = app.notify

    def notify(message, *args, **kwargs):
        said.append(str(message))
        return real(message, *args, **kwargs)

    app.notify = notify
    return said


async def test_the_same_background_problem_is_said_once_until_a_sync_gets_through(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session)
    said = counting(app)

    def told(words: str) -> int:
        return sum(words in message for message in said)

    async with app.run_test(size=(80, 24)) as pilot:
        no_team = Outcome("no team", "The server holds no team yet.")
        for _ in range(3):  # three intervals
            app.post_message(SyncFinished(no_team))
            await pilot.pause()
        assert told("holds no team yet") == 1
        app.post_message(SyncFinished(Outcome("failed", "The server answered 500.")))
        await pilot.pause()
        assert told("answered 500") == 1  # another problem is news
        app.post_message(SyncFinished(Outcome("synced")))
        app.post_message(SyncFinished(Outcome("failed", "The server answered 500.")))
        await pilot.pause()
        assert told("answered 500") == 2  # news again after a sync got through
        app._ask_if_needed = True  # F10 was pressed for this one
        app.post_message(SyncFinished(Outcome("failed", "The server answered 500.")))
        await pilot.pause()
        assert told("answered 500") == 3
        await pilot.press("ctrl+q")
    session.close()


async def test_records_the_team_sent_that_cannot_be_used_are_said_once_while_they_stay(tmp_path):
    """A version that fails its check stays on the server (and in every sync's report)
    until a good one replaces it: a background sync every few minutes said so each time."""
    from cope_tui.sync.report import SyncReport

    session = Session.open(tmp_path / "cope.json")
    app = create_app(session)
    said = counting(app)

    def told() -> int:
        return sum("could not be used here" in message for message in said)

    def synced(*refused: str) -> SyncFinished:
        return SyncFinished(Outcome("synced", report=SyncReport(refused=list(refused))))

    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3):  # three intervals, the same version refused at each
            app.post_message(synced("r-one"))
            await pilot.pause()
        assert told() == 1
        app.post_message(synced("r-one", "r-two"))  # another one: news
        await pilot.pause()
        assert told() == 2
        app._ask_if_needed = True  # F10 pressed: always answered
        app.post_message(synced("r-one", "r-two"))
        await pilot.pause()
        assert told() == 3
        app.post_message(synced())  # replaced by good versions
        app.post_message(synced("r-one"))  # refused again later: news again
        await pilot.pause()
        assert told() == 4
        await pilot.press("ctrl+q")
    session.close()
