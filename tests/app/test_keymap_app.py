"""Your keys (issue 13, point 10): the [keys] table of config.toml rebinds an action by
its binding id; an unknown id, a key that is not a key, and a key that another action on
the same screen already uses each get a warning naming the line, and change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from cope_tui.app import create_app
from cope_tui.dialogs.client_form import ClientForm
from cope_tui.screens.exercises import ExercisesScreen
from cope_tui.session import Session
from helpers.keys import keys_settings
from helpers.polling import until
from helpers.pilot import showing

SIZE = (80, 24)


@pytest.fixture
def session(tmp_path):
    s = Session.open(tmp_path / "cope.json")
    yield s
    s.close()


def _warnings(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "warning"]


async def _home(pilot, app) -> None:
    await until(pilot, lambda: getattr(app.screen.focused, "id", None) == "client-table", what="the list, focused")


async def test_a_rebound_action_answers_its_new_key(session, tmp_path):
    app = create_app(session, settings=keys_settings(tmp_path, '"clients.new" = "ctrl+b"\n'))
    async with app.run_test(size=SIZE) as pilot:
        await _home(pilot, app)
        assert _warnings(app) == []
        await pilot.press("ctrl+b")
        await until(pilot, lambda: showing(app, ClientForm), what="the new-client form")


async def test_unknown_ids_and_bad_keys_are_named_by_line(session, tmp_path):
    settings = keys_settings(tmp_path, '"clients.new" = "ctrl+b"\n"clients.nwe" = "ctrl+e"\n"clients.exercises" = "ctrl+shfit+x"\n')
    app = create_app(session, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await _home(pilot, app)
        warnings = _warnings(app)
        assert any("line 3" in w and "clients.nwe" in w and "clients.new" in w for w in warnings), warnings
        assert any("line 4" in w and "ctrl+shfit+x" in w for w in warnings), warnings
        await pilot.press("f3")  # the bad key changed nothing
        await until(pilot, lambda: showing(app, ExercisesScreen), what="the exercises")


async def test_a_key_another_action_uses_is_a_conflict_named_by_line(session, tmp_path):
    app = create_app(session, settings=keys_settings(tmp_path, '"clients.exercises" = "ctrl+n"\n"meeting.next" = "f1"\n'))
    async with app.run_test(size=SIZE) as pilot:
        await _home(pilot, app)
        warnings = _warnings(app)
        assert any("line 2" in w and "clients.new" in w for w in warnings), warnings
        assert any("line 3" in w and "app.help" in w for w in warnings), warnings
        await pilot.press("ctrl+n")  # still a new client, not the exercises
        await until(pilot, lambda: showing(app, ClientForm), what="the new-client form")


def test_the_readme_example_is_a_keymap_without_warnings(tmp_path):
    from cope_tui.app import CopeApp
    from cope_tui.widgets.keymap_check import check_keymap

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n[keys]\n")[1].split("```")[0]
    settings = keys_settings(tmp_path, example)
    keymap, warnings = check_keymap(settings.keys, settings.keys_file, CopeApp)
    assert warnings == [] and keymap["meeting.next"] == "shift+f1"


def test_an_app_key_moved_onto_a_screen_key_and_two_entries_on_one_key_are_conflicts(tmp_path):
    from cope_tui.app import CopeApp
    from cope_tui.widgets.keymap_check import check_keymap

    settings = keys_settings(tmp_path, '"app.search" = "ctrl+n"\n"clients.new" = "ctrl+e"\n"clients.exercises" = "ctrl+e"\n')
    keymap, warnings = check_keymap(settings.keys, settings.keys_file, CopeApp)
    assert any("line 2" in w and "app.search" in w and "already answers" in w for w in warnings), warnings
    assert any("line 3" in w and "clients.exercises" in w for w in warnings), warnings
    assert keymap == {"clients.exercises": "ctrl+e"}  # the other of the pair keeps its new key
