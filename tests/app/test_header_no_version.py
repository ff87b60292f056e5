"""The title bar of a screen with nothing to add to its title.

Such screens (the home screen of a new or quiet database, a client, the case plan) fell
back on the app's subtitle, which was its version: "Clients — 0.1.0" read like a count
or a state. Now they show their title alone; `cope-tui --version` still says the version.
"""

from __future__ import annotations

from cope_tui import __version__
from cope_tui.app import create_app
from cope_tui.screens.client import ClientScreen
from cope_tui.screens.clients import ClientsScreen
from cope_tui.session import Session, create_client
from helpers.polling import until
from helpers.pilot import showing

SIZE = (80, 24)


def title_line(app) -> str:
    """The title bar as the terminal shows it."""
    strips = app.screen._compositor.render_strips()  # none until the screen is first drawn
    return "".join(segment.text for segment in strips[0]) if strips else ""


async def test_an_empty_databases_home_screen_and_a_client_show_no_version(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, ClientsScreen) and "Clients" in title_line(app), 10, "home")
        await pilot.pause()
        line = title_line(app)
        assert __version__ not in line and "—" not in line, line
        create_client(session.store, "C-1")
        app.push_screen(ClientScreen(session.store.client_by_code("C-1").id))
        await until(pilot, lambda: "C-1" in title_line(app), 10, "the client screen")
        line = title_line(app)
        assert __version__ not in line and "—" not in line, line
        await pilot.press("ctrl+q")
    session.close()
