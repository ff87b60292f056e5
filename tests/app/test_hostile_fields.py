"""Issue 11.6: names that identify a record refuse hidden characters where they are
typed; messages quoting typed text never read it as markup; the lock file's fields
are shown clean; the export preview and the exercise report open no link.

The trial created a client with the code "C-\\u009b1" (an 8-bit CSI) and printed a
lock file's host "\\x1b]0;..." raw in three commands.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from datetime import date, datetime

import orjson
import pytest
from textual.widgets import Input, Static, TextArea
from textual.widgets._toast import Toast

from cope_tui.app import create_app
from cope_tui.cope.exercise import ExerciseError, new_exercise
from cope_tui.session import create_client, rename_client
from cope_tui.meetings.models import Client
from cope_tui.screens.client import ClientScreen
from cope_tui.dialogs.client_form import ClientForm
from cope_tui.screens.exercise import ExerciseScreen
from cope_tui.dialogs.exercise_form import ExerciseForm, TeamForm, parse_teams
from cope_tui.screens.export_preview import ExportPreview
from cope_tui.session import Session
from cope_tui.store.store import DatabaseLocked, Store
from helpers.polling import until

SIZE = (80, 24)
HIDDEN = ["\x9b", "\x9d", "\x85", "\x1b", "\u202e", "\u2066", "\u200b", "\ufeff", "\t"]
SHOWN_RAW = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


# ---- codes and names ----------------------------------------------------------------


@pytest.mark.parametrize("char", HIDDEN)
def test_a_code_with_a_hidden_character_is_refused_by_the_domain(db, char):
    store = Store(db)
    try:
        with pytest.raises(ValueError, match=r"U\+"):
            create_client(store, f"C-{char}1")
        client = create_client(store, "C-1")
        with pytest.raises(ValueError, match=r"U\+"):
            rename_client(store, client, f"C-{char}2")
        assert [c.code for c in store.clients()] == ["C-1"]
    finally:
        store.close()


def test_a_stored_code_from_before_still_opens_and_can_be_kept(db):
    """An older version accepted C1 and zero-width characters: such a DB must still open,
    and editing that client's note must not be blocked by its unchanged code."""
    store = Store(db)
    store.put_client(Client(code="C-\u200b7"))
    store.close()
    store = Store(db)
    try:
        [client] = store.clients()
        rename_client(store, client, "C-\u200b7")
        assert client.code == "C-\u200b7"
    finally:
        store.close()


def test_meet_refuses_a_code_with_a_c1_control(cli, db):
    result = cli("meet", "C-\u009b1", "--db", db)
    assert result.returncode == 2
    assert "U+009B" in result.stderr
    assert not SHOWN_RAW.search(result.stderr.replace("\n", ""))
    assert not db.exists()


async def test_the_client_form_refuses_a_hidden_character_with_a_message(db):
    app = create_app(Session.open(db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ClientForm())
        await pilot.pause()
        form = app.screen
        form.query_one("#code", Input).value = "C-\u202e12"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "U+202E" in str(form.query_one("#code-error", Static).render())
        assert app.session.store.clients() == []


def test_site_and_team_names_refuse_hidden_characters():
    with pytest.raises(ExerciseError, match=r"U\+009D"):
        new_exercise("Mbale\x9d HC", date(2026, 3, 2))
    with pytest.raises(ExerciseError, match=r"line 2.*U\+200B"):
        parse_teams("Outpatients: Bo\nLab\u200b: Eve")


async def test_the_exercise_and_team_forms_refuse_hidden_characters(db):
    app = create_app(Session.open(db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ExerciseForm())
        await pilot.pause()
        form = app.screen
        form.query_one("#site", Input).value = "Mbale\u2066 HC"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "U+2066" in str(form.query_one("#site-error", Static).render())
        form.query_one("#site", Input).value = "Mbale HC"
        form.query_one("#teams", TextArea).text = "Lab\x9b: Eve"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "U+009B" in str(form.query_one("#teams-error", Static).render())
        assert app.session.store.exercises() == []
        form.dismiss(None)
        await pilot.pause()
        app.push_screen(TeamForm(taken=[]))
        await pilot.pause()
        team_form = app.screen
        team_form.query_one("#team-name", Input).value = "Lab\ufeff"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is team_form and "U+FEFF" in str(team_form.query_one("#team-error", Static).render())


async def test_a_refused_name_that_looks_like_markup_is_shown_as_typed(db):
    """Messages quoting a typed name are plain text: '[/]' once made a markup error."""
    store = Store(db)
    create_client(store, "C-[/]")
    store.close()
    app = create_app(Session.open(db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ClientForm())
        await pilot.pause()
        form = app.screen
        form.query_one("#code", Input).value = "C-[/]"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "'C-[/]' already exists" in str(form.query_one("#code-error", Static).render())
        form.dismiss(None)
        await pilot.pause()
        app.push_screen(TeamForm(taken=["[b]Lab[/b]"]))
        await pilot.pause()
        team_form = app.screen
        team_form.query_one("#team-name", Input).value = "[b]Lab[/b]"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "called '[b]Lab[/b]'" in str(team_form.query_one("#team-error", Static).render())


# ---- notifications ----------------------------------------------------------------------


async def test_a_notification_quoting_a_code_shows_it_as_typed(db):
    """Toasts are never read as markup: a code like 'C-[/]' once ended the app."""
    store = Store(db)
    client = create_client(store, "C-[/] [@click=app.quit]x[/]")
    client.closed_at = datetime(2026, 1, 2, 9, 0)
    store.put_client(client)
    store.close()
    app = create_app(Session.open(db))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await app.push_screen(ClientScreen(client.id))
        await pilot.press("ctrl+n")  # a closed client takes no meeting: a toast says so, naming it
        end = time.monotonic() + 10
        while not app.screen.query(Toast) and time.monotonic() < end:
            await pilot.pause(0.05)
        shown = " ".join(str(toast.render()) for toast in app.screen.query(Toast))
        assert "C-[/] [@click=app.quit]x[/] is closed" in shown


# ---- the lock file --------------------------------------------------------------------

HOSTILE_HOLDER = {
    "pid": "1\x1b]52;c;Y3VybA==\x07",
    "host": "box\x1b]0;PWNED\x07\u202e",
    "since": "2026\x9b2J\x1b[21t",
    "by": "\x1bP1$qm\x1b\\ann",
}


@pytest.fixture
def held_by_hostile(db):
    """The DB's lock held (by this process), its file naming a holder with escape sequences."""
    Store(db).close()
    lock = db.with_name(db.name + ".lock")
    lock.write_bytes(orjson.dumps(HOSTILE_HOLDER))
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    yield db
    os.close(fd)


def test_the_lock_message_shows_the_holder_clean(held_by_hostile):
    with pytest.raises(DatabaseLocked) as caught:
        Store(held_by_hostile)
    message = str(caught.value)
    assert "in use by process 1 on box since 2026." in message and not SHOWN_RAW.search(message)


@pytest.mark.parametrize("command", [["doctor"], ["encrypt"], []])
def test_doctor_encrypt_and_the_app_print_the_holder_clean(cli, held_by_hostile, command, cli_env):
    cli_env["COPE_TUI_PASSPHRASE"] = "correct horse battery staple"
    result = cli(*command, "--db", held_by_hostile)
    output = result.stdout + result.stderr
    assert "process 1 on box since 2026" in output, output
    assert not SHOWN_RAW.search(output.replace("\n", "")), output


# ---- the preview ------------------------------------------------------------------------


async def _every_line_clicked(pilot) -> None:
    """The preview drawn, its URLs and link labels shown as text, and a click on each."""
    from cope_tui.widgets.document_view import DocumentView

    await until(pilot, lambda: bool(pilot.app.screen.query(DocumentView)), what="the preview")
    view = pilot.app.screen.query_one(DocumentView)
    await until(pilot, lambda: "hostile.example" in "".join(line.text for line in view._lines), what="the URL shown")
    places = [(line.text.index(word), y) for y, line in enumerate(view._lines) for word in ("hostile", "label")
              if word in line.text]
    assert places
    # No hyperlink for the terminal either (a ctrl+click there opens what it names).
    assert not any(seg.style is not None and seg.style.link for line in view._lines for seg in line)
    for x, y in places:
        view.scroll_to(y=y, animate=False, immediate=True)
        await pilot.pause()
        await pilot.click(view, offset=(x + 2, y - round(view.scroll_y)))
    await pilot.pause()


async def test_the_export_preview_opens_no_link(db, monkeypatch):
    store = Store(db)
    client = create_client(store, "C-1", note="see https://hostile.example/x and [label](https://hostile.example/y)")
    store.close()
    app = create_app(Session.open(db))
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ExportPreview(client_id=client.id))
        await _every_line_clicked(pilot)
    assert opened == []


async def test_the_exercise_report_opens_no_link(db, monkeypatch):
    store = Store(db)
    exercise = new_exercise("Mbale HC", date(2026, 3, 2), facilitator="see https://hostile.example/x")
    store.put_exercise(exercise)
    store.close()
    app = create_app(Session.open(db))
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.push_screen(ExerciseScreen(exercise.id))
        await app.screen.run_action("report")
        await _every_line_clicked(pilot)
    assert opened == []
