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
    app = create_app(session, settings=keys_settings(tmp_path, '"clients.new" = "shift+f3"\n'))
    async with app.run_test(size=SIZE) as pilot:
        await _home(pilot, app)
        assert _warnings(app) == []
        await pilot.press("shift+f3")
        await until(pilot, lambda: showing(app, ClientForm), what="the new-client form")


async def test_unknown_ids_and_bad_keys_are_named_by_line(session, tmp_path):
    settings = keys_settings(tmp_path, '"clients.new" = "shift+f3"\n"clients.nwe" = "shift+f4"\n"clients.exercises" = "ctrl+shfit+x"\n')
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

    settings = keys_settings(tmp_path, '"app.search" = "ctrl+n"\n"clients.new" = "shift+f3"\n"clients.exercises" = "shift+f3"\n')
    keymap, warnings = check_keymap(settings.keys, settings.keys_file, CopeApp)
    assert any("line 2" in w and "app.search" in w and "already answers" in w for w in warnings), warnings
    assert any("line 3" in w and "clients.exercises" in w for w in warnings), warnings
    assert keymap == {"clients.exercises": "shift+f3"}  # the other of the pair keeps its new key


def test_keys_the_text_fields_own_or_a_terminal_never_sends_are_refused_by_line(tmp_path):
    from cope_tui.app import CopeApp
    from cope_tui.widgets.keymap_check import check_keymap

    text = ('"meeting.next" = "ctrl+e"\n"clients.new" = "insert,ctrl+b"\n"clients.exercises" = "ctrl+enter"\n'
            '"left_open.forget" = "delete,ctrl+d"\n"meeting.prev" = "f7"\n')
    keymap, warnings = check_keymap(keys_settings(tmp_path, text).keys, "config.toml", CopeApp)
    assert any("line 2" in w and "'ctrl+e'" in w and "text fields" in w and "cursor line end" in w for w in warnings), warnings
    assert any("line 3" in w and "'ctrl+b'" in w and "tmux" in w for w in warnings), warnings
    assert any("line 4" in w and "'ctrl+enter'" in w for w in warnings), warnings
    assert any("line 6" in w and "'f7'" in w for w in warnings), warnings
    # ctrl+d is the dialog's own fallback already (it has no text field): listing it again is no change
    assert keymap == {"left_open.forget": "delete,ctrl+d"}


async def test_an_editor_key_asked_for_an_action_stays_the_editors_in_a_meeting(session, tmp_path):
    from textual.widgets import TextArea

    from cope_tui.session import create_client, start_meeting
    from cope_tui.widgets.navigation import OpenMeeting

    meeting = start_meeting(session.store, session.meeting_guide, create_client(session.store, "K-1"))
    app = create_app(session, settings=keys_settings(tmp_path, '"meeting.next" = "ctrl+e"\n'))
    async with app.run_test(size=SIZE) as pilot:
        await _home(pilot, app)
        assert any("'ctrl+e'" in w for w in _warnings(app)), _warnings(app)
        app.post_message(OpenMeeting(meeting.id))
        await until(pilot, lambda: isinstance(app.focused, TextArea), what="the notes, focused")
        notes = app.focused
        step = app.screen.meeting.current_step
        await pilot.press(*"ab", "home", "ctrl+e", "c")
        await until(pilot, lambda: notes.text == "abc", what="ctrl+e at the end of the line, then c typed there")
        assert app.focused is notes and app.screen.meeting.current_step == step
