"""Workers of a team for the sync tests: each has a DB file, a config (their name) and
the environment a `cope-tui sync` subprocess runs with."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .couch_server import CouchDb
from cope_tui.store.store import Store
from cope_tui.sync.couch import Couch
from cope_tui.sync.engine import SyncEngine
from cope_tui.sync.seal import create_team
from helpers.pilot import showing

PHRASE = "the north team's long passphrase"
SYNCED = ("clients", "meetings", "exercises")


@dataclass
class Worker:
    name: str
    db: Path
    env: dict[str, str]
    remote: str
    run: Callable[..., subprocess.CompletedProcess[str]] = field(repr=False)

    def sync(self, *extra: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return self.run(["sync", "--remote", self.remote, "--db", str(self.db), *extra], self.env, timeout=timeout)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run([str(a) for a in args], self.env)

    @contextmanager
    def store(self) -> Iterator[Store]:
        store = Store(self.db, passphrase=self.env.get("COPE_TUI_PASSPHRASE"))
        try:
            yield store
        finally:
            store.close()

    def tables(self) -> dict[str, dict[str, Any]]:
        """Every synced record, by table and id."""
        store = Store(self.db, read_only=True, passphrase=self.env.get("COPE_TUI_PASSPHRASE"))
        try:
            return {t: {doc["id"]: doc for doc in store.raw(t)} for t in SYNCED}
        finally:
            store.close()


def make_worker(tmp_path: Path, cli_env: dict[str, str], db: CouchDb, run_cli, name: str) -> Worker:
    config = tmp_path / f"config-{name}"
    (config / "cope-tui").mkdir(parents=True, exist_ok=True)
    (config / "cope-tui" / "config.toml").write_text(f'[user]\nname = "{name}"\n', encoding="utf-8")
    env = dict(cli_env)
    env.update(db.env(), XDG_CONFIG_HOME=str(config), COPE_TUI_TEAM_PASSPHRASE=PHRASE)
    return Worker(name, tmp_path / f"{name}.json", env, db.url, run_cli)


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result


# ---- engines in this process, for what the CLI does not show ----------------------------


@pytest.fixture(scope="module")
def team_key():
    """One team key per test module: scrypt runs once, every engine shares the key."""
    return create_team("engine tests' long passphrase")


@pytest.fixture
def remote(couch_db: CouchDb, team_key):
    """A fresh database that holds the team's key document already."""
    with Couch(couch_db.url, auth=couch_db.auth) as couch:
        assert couch.create_doc(team_key.doc.to_json())
    return couch_db


class Member:
    """A member's DB, client and engine, opened in this process."""

    def __init__(self, path: Path, db: CouchDb, team, name: str):
        self.name = name
        self.store = Store(path)
        self.couch = Couch(db.url, auth=db.auth)
        self.engine = SyncEngine(self.store, self.couch, team, name)

    def writes(self, meeting_id: str, step: str, notes: str) -> None:
        """Writes these notes into a step of the meeting, saves and syncs."""
        self.writes_only(meeting_id, step, notes)
        self.engine.sync()

    def writes_only(self, meeting_id: str, step: str, notes: str) -> None:
        """Writes these notes into a step of the meeting and saves (no sync)."""
        theirs = self.store.meeting(meeting_id)
        theirs.step(step).notes = notes
        self.store.put_meeting(theirs)

    def close(self) -> None:
        self.engine.close()
        self.couch.close()
        self.store.close()


@pytest.fixture
def members(tmp_path, remote, team_key):
    """`members("Ann")` opens a member's DB and engine; all are closed afterwards."""
    made: list[Member] = []

    def make(name: str) -> Member:
        made.append(Member(tmp_path / f"{name}.json", remote, team_key, name))
        return made[-1]

    yield make
    for member in made:
        member.close()


def state_journal(db: Path) -> Path:
    """The sync state's journal of a member's DB."""
    return db.with_name(db.name + ".sync.journal")


def state_step(record_id: str, note: str) -> dict:
    """One committed sync step: a client record with this note."""
    return {record_id: {"t": "clients", "id": record_id, "body": {"doc": {"note": note}}}}


# ---- the app with a team's server, under Pilot ------------------------------------------

APP_PHRASE = "engine tests' long passphrase"  # team_key's, given to the app by its variable


def login_only(monkeypatch, db: CouchDb) -> CouchDb:
    """The server's login in the app's environment, and no team passphrase: the app has
    to ask for it."""
    monkeypatch.delenv("COPE_TUI_TEAM_PASSPHRASE", raising=False)
    for name, value in db.env().items():
        monkeypatch.setenv(name, value)
    return db


@pytest.fixture
def team_env(monkeypatch, remote):
    """The team's server, its login and passphrase in the app's environment."""
    login_only(monkeypatch, remote)
    monkeypatch.setenv("COPE_TUI_TEAM_PASSPHRASE", APP_PHRASE)
    return remote


@pytest.fixture
def ann_and_bea(tmp_path, team_env, team_key):
    """(session, client, meeting, app, bea): Ann's app on a DB holding one client's draft
    meeting, set to sync with the team's server; Bea a member of the same team, in this
    process. Both are closed afterwards."""
    from cope_tui.app import create_app
    from cope_tui.session import Session, create_client, start_meeting
    from cope_tui.settings import Settings

    session = Session.open(tmp_path / "ann.json")
    client = create_client(session.store, "C-1")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    app = create_app(session, settings=Settings(0, sync_remote=team_env.url, user_name="Ann"))
    bea = Member(tmp_path / "bea.json", team_env, team_key, "Bea")
    try:
        yield session, client, meeting, app, bea
    finally:
        bea.close()
        session.close()


def settings_for(url: str | None, name: str | None = "Ann"):
    from cope_tui.settings import Settings

    return Settings(0, sync_remote=url, user_name=name)


def ann_with_a_client(tmp_path: Path, url: str):
    """(session, app): Ann's DB holding one client, C-1, and her app set to sync with `url`."""
    from cope_tui.app import create_app
    from cope_tui.session import Session, create_client

    session = Session.open(tmp_path / "ann.json")
    create_client(session.store, "C-1")
    return session, create_app(session, settings=settings_for(url))


def header_text(app) -> str:
    """The app's title line, where the sync's state is said. A dialog has no header of
    its own: the screen under it is read (asked while a dialog was still closing, the
    query raised NoMatches: a clean-clone CI run failed on it once)."""
    from textual.widgets import Header

    for screen in reversed(app.screen_stack):
        found = screen.query(Header)
        if found:
            return str(found.first().format_title())
    raise AssertionError("no screen on the stack has a header")


async def synced_with(pilot, app, bea: Member) -> None:
    """Ann's first sync (F10), then Bea's: both hold the same records."""
    from cope_tui.screens.clients import ClientsScreen

    from .polling import until

    await until(pilot, lambda: showing(app, ClientsScreen))
    await pilot.press("f10")
    await until(pilot, lambda: "synced " in header_text(app), what="the first sync")
    bea.engine.sync()


async def meeting_open(pilot, app, meeting_id: str) -> str:
    """Opens the meeting on Ann's app; the step it opens at."""
    from cope_tui.screens.meeting import MeetingScreen
    from cope_tui.widgets.navigation import OpenMeeting

    from .polling import until

    app.post_message(OpenMeeting(meeting_id))
    await until(pilot, lambda: showing(app, MeetingScreen))
    return app.screen.meeting.current_step


async def client_open(pilot, app, client_id: str) -> None:
    """Opens the client's screen on Ann's app."""
    from cope_tui.screens.client import ClientScreen

    from .polling import until

    await app.show_client(client_id)
    await until(pilot, lambda: showing(app, ClientScreen))


async def passphrase_asked(pilot, app) -> None:
    """F10 on Ann's client list, at a team whose passphrase the app does not know yet."""
    from cope_tui.dialogs.text_prompt import TextPrompt
    from cope_tui.screens.clients import ClientsScreen

    from .polling import until

    await until(pilot, lambda: showing(app, ClientsScreen))
    await pilot.press("f10")
    await until(pilot, lambda: showing(app, TextPrompt))


async def app_synced(pilot, app, timeout: float = 60.0):
    """One sync of the app's own runner, run to its end; its outcome. The app starts a
    sync by itself when a screen that kept a record to itself closes: a run asked for
    meanwhile is refused as busy, and a test that read the DB then saw the merge not done
    yet (once in a few runs). So a busy answer is waited out and the sync asked again."""
    import asyncio
    import time

    end = time.monotonic() + timeout
    while (outcome := await asyncio.to_thread(app.sync_runner.run)).kind == "busy":
        assert time.monotonic() < end, "the app's sync stayed busy"
        await pilot.pause(0.05)
    return outcome
