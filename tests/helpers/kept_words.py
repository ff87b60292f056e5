"""Forms left open when the app stopped (store/left_open.py): what a test reads back from
the DB file, and the stops that leave them, as a user reconnecting would meet them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cope_tui.app import create_app
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.clients import ClientsScreen
from cope_tui.session import Session, create_client
from cope_tui.store.store import Store
from helpers.pilot import showing
from helpers.polling import until

SIZE = (80, 24)


def kept_in(db: Path) -> list:
    """The kept forms, read from the file by a reader of its own."""
    store = Store(db, read_only=True)
    try:
        return Session(store).left_open()
    finally:
        store.close()


async def stage_form_then_hangup(db: Path, *keys: str, code: str = "C-4") -> None:
    """Client `code`'s stage form, `keys` pressed in it, then the terminal gone."""
    from cope_tui.dialogs.stage_form import StageForm

    session = Session.open(db)
    create_client(session.store, code)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ClientScreen))
        await pilot.press("s")
        await until(pilot, lambda: showing(app, StageForm))
        await pilot.press(*keys)
        await pilot.pause()
        app._on_signal()  # what SIGHUP runs
        await pilot.pause()
    session.close()


async def new_client_form_then_hangup(db: Path, *keys: str) -> None:
    """The New client form, `keys` typed into it, then the terminal gone."""
    from cope_tui.dialogs.client_form import ClientForm

    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await until(pilot, lambda: showing(app, ClientForm))
        await pilot.press(*keys)
        await pilot.pause()
        app._on_signal()
        await pilot.pause()
    session.close()


async def dialog_then_hangup(db: Path, dialog: Any, *keys: str) -> None:
    """`dialog` opened over the client list, `keys` typed into it, then the terminal gone."""
    session = Session.open(db)
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, ClientsScreen))
        app.push_screen(dialog)
        await until(pilot, lambda: showing(app, type(dialog)))
        await pilot.press(*keys)
        await pilot.pause()
        app._on_signal()
        await pilot.pause()
    session.close()
