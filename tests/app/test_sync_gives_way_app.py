"""The app tells its background sync when a key came, so the sync gives way to a typist
(the rules: tests/unit/test_sync_gives_way.py)."""

from __future__ import annotations

import time

from cope_tui.app import create_app
from cope_tui.screens.clients import ClientsScreen
from cope_tui.session import Session, create_client
from cope_tui.settings import Settings
from helpers.couch_server import couch_db, couch_server  # noqa: F401  (fixtures)
from helpers.polling import until
from helpers.sync import remote, team_env, team_key  # noqa: F401  (fixtures)
from helpers.pilot import showing


async def test_the_apps_sync_knows_when_the_last_key_came(tmp_path, team_env) -> None:
    session = Session.open(tmp_path / "ann.json")
    create_client(session.store, "C-1")
    app = create_app(session, settings=Settings(0, sync_remote=team_env.url, user_name="Ann"))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: showing(app, ClientsScreen) and app.sync_runner is not None)
        before = time.monotonic()
        await pilot.press("down")
        assert app.sync_runner.last_input() >= before
        await pilot.press("f10")
        await until(pilot, lambda: app.sync_runner.last is not None, what="the sync")
        assert app.sync_runner.last.kind == "synced"
        assert app.sync_runner.engine.give_way == app.sync_runner.give_way
        await pilot.press("ctrl+q")
    app.stop_team_sync()
    session.close()
