"""A hint names the key the user has for its action: with `clients.new` given insert in
[keys], "Press ctrl+n to add the first one" sent a new user to a key that did nothing
(Textual takes the default key away from a rebound action)."""

from __future__ import annotations

from textual.widgets import Label, Static

from cope_tui.app import create_app
from cope_tui.dialogs.client_form import ClientForm
from cope_tui.session import Session
from helpers.keys import keys_settings
from helpers.polling import until
from helpers.pilot import showing


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_hints_and_the_esc_warning_name_the_users_keys(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    settings = keys_settings(tmp_path, '"clients.new" = "insert"\n"form.save" = "f9"\n')
    app = create_app(session, settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        empty = app.screen.query_one("#client-empty", Label)
        await until(pilot, lambda: "Press" in str(empty.render()), what="the empty list's hint")
        assert "Press insert to add the first one." in str(empty.render())
        await pilot.press("insert")
        await until(pilot, lambda: showing(app, ClientForm), what="the new-client form")
        hint = str(app.screen.query_one(".form-hint", Static).render())
        assert "F9 save" in hint and "ctrl+s" not in hint
        await pilot.press(*"K-1", "escape")
        await until(pilot, lambda: any("Press esc again" in t for t in _toasts(app)), what="the warning")
        warning = next(t for t in _toasts(app) if "Press esc again" in t)
        assert "or F9 to save it" in warning, warning
        await pilot.press("f9")  # the key the words named saves the form
        await until(pilot, lambda: not showing(app, ClientForm), what="the form saved")
        assert [c.code for c in session.store.clients()] == ["K-1"]
        await pilot.press("ctrl+q")
    session.close()


async def test_without_a_keymap_the_hints_are_as_written(tmp_path):
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        empty = app.screen.query_one("#client-empty", Label)
        await until(pilot, lambda: "Press" in str(empty.render()), what="the empty list's hint")
        assert "No clients yet. Press ctrl+n to add the first one." == str(empty.render())
        await pilot.press("ctrl+q")
    session.close()


async def test_help_says_where_the_users_own_keys_are(tmp_path):
    from cope_tui.dialogs.help import HelpScreen

    session = Session.open(tmp_path / "cope.json")
    app = create_app(session, settings=keys_settings(tmp_path, '"clients.new" = "insert"\n'))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.focused is not None, what="the client list")
        await pilot.press("f1")
        await until(pilot, lambda: showing(app, HelpScreen), what="help")
        texts = [str(s.render()) for s in app.screen.query(Static)]
        assert any("insert" in t and "New client" in t for t in texts)  # the list read from the bindings
        keys = texts[0].splitlines()
        privacy = next(line for line in keys if "Privacy" in line)
        assert "^\\ " in privacy and "\\\\" not in privacy, privacy  # one backslash, as typed
        assert any(t.startswith("Your own keys from the [keys] table") for t in texts)
        await pilot.press("escape", "ctrl+q")
    session.close()
