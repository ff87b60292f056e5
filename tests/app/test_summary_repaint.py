"""The home list is painted from the summary file first; once the whole DB is read, the
list shows the real data at once, without waiting for a key.

A forged `NAME.json.summary` with the DB file's size and mtime is trusted for the first
paint (that is its job); it must not stay on screen after the full load.
"""

from __future__ import annotations


import orjson
import pytest

from cope_tui.app import create_app
from cope_tui.session import create_client
from cope_tui.screens.clients import ClientsScreen
from cope_tui.session import Session
from cope_tui.store.store import Store
from cope_tui.store.summary import sidecar
from helpers.polling import until

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cope.json"
    store = Store(path)
    create_client(store, "C-REAL")
    store.close()  # compacts: the summary now describes this file
    forged = orjson.loads(sidecar(path).read_bytes())
    fake = dict(forged["clients"][0], id="f" * 16, code="C-FAKE", note="not a client of ours")
    forged["clients"].append(fake)
    sidecar(path).write_bytes(orjson.dumps(forged))
    return path


def listed_codes(screen: ClientsScreen) -> list[str]:
    table = screen._table()
    if table is None:
        return []
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_a_forged_summary_leaves_the_list_once_the_db_is_read(db):
    session = Session.open(db)
    assert [c.code for c in session.store.client_summaries()] == ["C-REAL", "C-FAKE"]  # trusted for the first paint
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ClientsScreen)
        await until(pilot, lambda: session.store.ready and screen._table() is not None)
        await until(pilot, lambda: listed_codes(screen) == ["C-REAL"])  # no key pressed
        assert "C-FAKE" not in app.export_screenshot()
        await pilot.press("ctrl+q")
    session.close()

