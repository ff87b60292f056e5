"""`cope-tui sync`: replicate the DB with the team's CouchDB database, both ways.

The login comes from COPE_TUI_SYNC_USER / COPE_TUI_SYNC_PASSWORD, or is asked for at
the terminal when the server wants one; the team passphrase from
COPE_TUI_TEAM_PASSPHRASE, or the terminal (twice, when this sync starts the team). None
of them is written anywhere. Exit 0 when synced (conflicts are listed on stderr), 1 with
a message on any failure; what was synced so far is kept and the next sync goes on.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..errors import Failure
from ..paths import resolve_db_path
from ..sync.runner import ENV_PASSWORD, ENV_TEAM, ENV_USER, describe

ENV_NEW_TEAM = "COPE_TUI_NEW_TEAM_PASSPHRASE"
from .shared import PROG, at_terminal, say
from ..words import agrees, counted

TRIES = 3

AskFn = Callable[[str], str]


def _settings(args: argparse.Namespace) -> tuple[str, str]:
    """(remote, the worker's name) from the command line and config.toml."""
    from ..settings import SettingsError, config_path, text_setting

    try:
        remote = args.remote or text_setting("sync", "remote")
        user = text_setting("user", "name")
    except SettingsError as exc:
        raise Failure(str(exc)) from None
    if not remote:
        raise Failure(f"no remote to sync with: give --remote URL, or set [sync] remote = \"URL\" in {config_path()}.")
    from ..sync.couch import check_url
    from ..sync.errors import SyncError

    try:  # the address first: a password written into it is worth hearing of before anything else
        check_url(remote)
    except SyncError as exc:  # (--remote was checked as it was read: this one is from the file)
        raise Failure(f"{exc} It is the [sync] remote in {config_path()}.") from None
    if not user:
        raise Failure(
            f"set your name once, so the team sees who wrote what: add\n  [user]\n  name = \"Your Name\"\n"
            f"to {config_path()}. Nothing was synced."
        )
    return remote, user


def _login(tty: bool, ask_fn: AskFn, input_fn: AskFn) -> tuple[str, str] | None:
    """The login from the environment; None when none is set (asked for if needed)."""
    from ..sync.errors import NeedInput

    user, password = os.environ.get(ENV_USER) or None, os.environ.get(ENV_PASSWORD) or None
    if user and password:
        return user, password
    if password and not user:
        raise NeedInput(f"{ENV_PASSWORD} is set but {ENV_USER} is not: set both, or neither to be asked.")
    if user:
        if not tty:
            raise NeedInput(f"{ENV_USER} is set but {ENV_PASSWORD} is not; set it, or run this at a terminal.")
        return user, ask_fn(f"Password for {user}: ")
    return None


def _ask_login(shown: str, tty: bool, ask_fn: AskFn, input_fn: AskFn) -> tuple[str, str]:
    from ..sync.errors import AuthFailed

    if not tty:
        raise AuthFailed(
            f"{shown} asks for a login: set {ENV_USER} and {ENV_PASSWORD} (or run this at a terminal)."
        )
    try:
        user = input_fn(f"User name at {shown}: ").strip()
        return user, ask_fn(f"Password for {user}: ")
    except EOFError:
        raise AuthFailed(f"no login was given for {shown}; nothing was synced.") from None


def _team(couch, tty: bool, ask_fn: AskFn):
    """The team's keys: from its key document and passphrase, or a new team."""
    from .crypto import PassphraseNeeded, new_passphrase
    from ..sync.errors import BadServer, NeedInput, WrongTeamPassphrase
    from ..sync.seal import open_team
    from ..sync.team import read_team, start_team

    doc = read_team(couch)
    if doc is None:
        def ask_new() -> str:
            try:
                return new_passphrase(couch.shown, ask_fn=ask_fn, tty=tty, env=ENV_TEAM, label="team passphrase",
                                      doing=f"starting the team at {couch.shown}")
            except PassphraseNeeded as exc:
                raise NeedInput(str(exc)) from None

        team = start_team(couch, ask_new)
        if team is not None:
            say(f"started the team at {couch.shown}. Give the team passphrase to each member in person, "
                 "never by e-mail or chat: whoever has it can read the team's records.")
            return team
        doc = read_team(couch)  # another member was first: theirs is the team
        if doc is None:
            raise BadServer(f"{couch.shown} lost the team's key document just written; try again.")
    given = os.environ.get(ENV_TEAM) or None
    if given is not None:
        try:
            return open_team(doc, given)
        except WrongTeamPassphrase:
            if os.environ.get(ENV_NEW_TEAM):  # a passphrase change cut off after its switch
                try:
                    return open_team(doc, os.environ[ENV_NEW_TEAM])
                except WrongTeamPassphrase:
                    pass
            raise WrongTeamPassphrase(
                f"The team passphrase in {ENV_TEAM} does not open the team's records at {couch.shown}. "
                "Set it to the team's passphrase (or unset it to be asked). Nothing was synced."
            ) from None
    if not tty:
        raise NeedInput(f"syncing with {couch.shown} needs the team passphrase: run this at a terminal, or set {ENV_TEAM}.")
    for attempt in range(1, TRIES + 1):
        try:
            typed = ask_fn(f"Team passphrase for {couch.shown}: ")
        except EOFError:
            break
        try:
            return open_team(doc, typed)
        except WrongTeamPassphrase as exc:
            if attempt < TRIES:
                say(f"{exc} Try again.")
    raise WrongTeamPassphrase(f"That team passphrase does not open the team's records at {couch.shown}. Nothing was synced.")


def _connect(remote: str, tty: bool, ask_fn: AskFn, input_fn: AskFn):
    """A client logged in and the team's keys. A login the server wants, or refuses, is
    asked for at a terminal, up to three times: a mistyped password costs a retype, not
    the whole command (and its unlock) again."""
    from ..sync.couch import Couch, check_url, is_loopback
    from ..sync.errors import AuthFailed

    login, typed = _login(tty, ask_fn, input_fn), 0
    while True:
        couch = Couch(remote, auth=login)
        if typed == 0 and couch.url.startswith("http://") and not is_loopback(couch.url):
            say(f"note: {couch.shown} is plain http: the records are sealed, but the login travels unencrypted. Use https.")
        try:
            return couch, _team(couch, tty, ask_fn)
        except AuthFailed:
            couch.close()
            if (login is not None and not tty) or typed == TRIES:
                raise
            if login is not None:
                say(f"{couch.shown} did not accept that login; type it again.")
        except BaseException:
            couch.close()
            raise
        login, typed = _ask_login(check_url(remote), tty, ask_fn, input_fn), typed + 1


def cmd_sync(args: argparse.Namespace, *, ask_fn: AskFn = getpass.getpass, input_fn: AskFn = input,
             tty: bool | None = None) -> int:
    from .crypto import unlock
    from ..store.store import Store
    from ..sync.engine import SyncEngine
    from ..sync.errors import SyncError

    db = resolve_db_path(args.db)
    remote, user = _settings(args)
    tty = at_terminal() if tty is None else tty
    store = Store(db, lazy=True)
    try:
        unlock(store, doing="syncing", ask_fn=ask_fn, tty=tty)
        couch, team = _connect(remote, tty, ask_fn, input_fn)
        if getattr(args, "new_team_passphrase", False):
            try:
                return _rekey(store, couch, team, user, tty, ask_fn)
            finally:
                couch.close()
        try:
            engine = SyncEngine(store, couch, team, user)
            try:
                report = engine.sync()
            finally:
                engine.close()
        finally:
            couch.close()
    except SyncError as exc:
        raise Failure(str(exc)) from None
    finally:
        store.close()
    return _report(db, couch.shown, report)


def _rekey(store, couch, team, user: str, tty: bool, ask_fn: AskFn) -> int:
    from .crypto import PassphraseNeeded, new_passphrase
    from ..sync.errors import NeedInput
    from ..sync.rekey import change_team_passphrase

    def ask_new() -> str:
        try:
            return new_passphrase(couch.shown, ask_fn=ask_fn, tty=tty, env=ENV_NEW_TEAM, label="team passphrase",
                                  doing=f"changing the team passphrase at {couch.shown}")
        except PassphraseNeeded as exc:
            raise NeedInput(str(exc)) from None

    ended = change_team_passphrase(store, couch, team, user, ask_new)
    print(f"The team at {couch.shown} has a new passphrase: every record is sealed again under it "
          f"({counted(ended, 'old version')} ended).")
    say("give the new passphrase to each member in person; at their next sync they are asked for it.")
    return 0


def _report(db: Path, shown: str, report) -> int:
    print(f"Synced '{db}' with {shown}: {counted(report.received, 'record')} received, {counted(report.sent, 'revision')} sent.")
    if report.conflicts:
        say(f"{counted(len(report.conflicts), 'conflict')}: both versions are kept; choose in the app.")
        for conflict in report.conflicts:
            print(f"  {describe(conflict)}", file=sys.stderr)
    if report.refused:
        say(
            f"{counted(len(report.refused), 'record version')} on the server failed their check (changed on the server, "
            "or damaged) and were not used. Everything else is synced. Ask whoever runs the server; the "
            f"{agrees(len(report.refused), 'version', 'versions')} refused: {', '.join(r[:12] for r in report.refused[:5])}."
        )
    if report.unstored:
        say(
            f"{counted(len(report.unstored), 'record')} from the team {agrees(len(report.unstored), 'was', 'were')} refused by this database's own checks and not "
            "stored here (made by a newer or damaged cope-tui). They stay on the server and are fetched again "
            f"at every sync; update cope-tui, or ask the team who changed them: {', '.join(r[:12] for r in report.unstored[:5])}."
        )
    return 1 if report.refused or report.unstored else 0


def _remote_arg(value: str) -> str:
    """--remote is checked as it is read: a wrong address is a usage error (exit 2), as
    any bad option value is; one from config.toml is a failure (exit 1), named there."""
    from ..sync.couch import check_url
    from ..sync.errors import SyncError

    try:
        check_url(value)
    except SyncError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def add_command(commands, formatter, add_db: Callable[..., None]) -> None:
    """The `sync` subcommand, for parser.py."""
    sync = commands.add_parser(
        "sync",
        prog=f"{PROG} sync",
        formatter_class=formatter,
        help="sync the database with the team's CouchDB database, both ways",
        description=(
            "Replicate this database's clients, meetings and COPE exercises with the team's\n"
            "CouchDB database, both ways. Each record is sealed with the team's key before\n"
            "it leaves this machine: the server sees no client code, note or date. Edits of\n"
            "one record on two machines are merged field by field; the same field changed on\n"
            "both keeps both versions, listed on stderr, to choose from in the app. A sync cut\n"
            "off at any moment goes on where it was at the next one.\n"
            "Exit status 0 when synced, 1 with a message on any failure (offline included)."
        ),
        epilog=(
            "examples:\n"
            f"  {PROG} sync --remote https://couch.example.org/team-north\n"
            f"  {PROG} sync              (with [sync] remote = \"URL\" in config.toml)\n\n"
            "environment:\n"
            f"  {ENV_USER}, {ENV_PASSWORD}\n"
            "      the login at the server (else asked for when the server wants one)\n"
            f"  {ENV_TEAM}\n"
            "      the team passphrase (else asked for; the first sync to an empty database\n"
            "      sets it, typed twice)\n"
            f"  {ENV_NEW_TEAM}\n"
            "      the new team passphrase for --new-team-passphrase (else asked for, twice)\n"
            "  None of these is ever written to a file, a log or the output.\n\n"
            "config.toml:\n"
            "  [user] name = \"...\"      your name, recorded on what you sync (required)\n"
            "  [sync] remote = \"URL\"    the team's database, when --remote is not given"
        ),
    )
    sync.add_argument(
        "--new-team-passphrase", action="store_true",
        help=f"seal every record again under a new team passphrase (asked twice, or {ENV_NEW_TEAM}); "
        "cut off, the same command finishes it",
    )
    sync.add_argument("--remote", metavar="URL", type=_remote_arg, help="the team's database, e.g. https://couch.example.org/team-north")
    add_db(sync, "database file (default: $COPE_TUI_DB, else the default location)")
